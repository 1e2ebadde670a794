/**
 * Cost of the player's segment check before append (src/mse/segment-check.ts), printed, never asserted:
 * every segment of fixtures/ladder checked against its init many times over; and the size of the faults
 * chunk it ships in (src/player/faults.ts), which `load()` imports while the playlists load.
 * Run: `npx tsx bench/segment-check.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { checkMediaSegment, readTrackInfo } from '../src/mse/segment-check.js';
import { REPO_ROOT } from '../test/support/shared-data.js';

const ROUNDS = 200;

async function faultsChunkGzipBytes(): Promise<number> {
  const out = (await build({
    configFile: false,
    logLevel: 'silent',
    root: REPO_ROOT,
    build: {
      write: false,
      minify: true,
      lib: { entry: join(REPO_ROOT, 'src/player/faults.ts'), formats: ['es'], fileName: () => 'faults.js' },
    },
  })) as { output: { type: string; code?: string }[] } | { output: { type: string; code?: string }[] }[];
  const results = Array.isArray(out) ? out : [out];
  let bytes = 0;
  for (const r of results)
    for (const c of r.output) if (c.code) bytes += gzipSync(c.code, { level: 9 }).byteLength;
  return bytes;
}

async function main(): Promise<void> {
  const root = join(REPO_ROOT, 'fixtures/ladder');
  let segments = 0;
  let totalBytes = 0;
  let totalNs = 0n;
  for (const rendition of ['144p', '240p', '360p', '480p', 'audio']) {
    const track = readTrackInfo(readFileSync(join(root, rendition, 'init.mp4')));
    if (!track) throw new Error(`${rendition}/init.mp4: no track`);
    const files = readdirSync(join(root, rendition))
      .filter((f) => f.endsWith('.m4s'))
      .sort();
    const bytes = files.map((f) => new Uint8Array(readFileSync(join(root, rendition, f))));
    const start = process.hrtime.bigint();
    for (let round = 0; round < ROUNDS; round++) {
      bytes.forEach((b, i) => {
        if (checkMediaSegment(b, track, null, 2) !== null && i < files.length - 1)
          throw new Error(`${rendition} ${i}`);
      });
    }
    totalNs += process.hrtime.bigint() - start;
    segments += bytes.length * ROUNDS;
    totalBytes += bytes.reduce((s, b) => s + b.byteLength, 0) * ROUNDS;
  }
  const usPerSegment = Number(totalNs) / 1000 / segments;
  console.log(
    `segment check: ${segments} checks of fixtures/ladder segments (${(totalBytes / segments / 1024).toFixed(1)} KB mean)`,
  );
  console.log(
    `  ${usPerSegment.toFixed(1)} µs per segment, ${((Number(totalNs) / totalBytes) * 1e3).toFixed(2)} µs per MB`,
  );
  console.log(
    `  (a 2 s segment plays for 2,000,000 µs: the check is ${((usPerSegment / 2e6) * 100).toFixed(4)}% of it)`,
  );
  console.log(
    `faults chunk (segment check, fallback hook, exclusion, presentation checks): ${(
      (await faultsChunkGzipBytes()) / 1024
    ).toFixed(1)} KB gzipped, fetched during load()`,
  );
}

await main();
