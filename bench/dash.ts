/**
 * DASH numbers (run: `npx tsx bench/dash.ts`), printed, never asserted:
 * - the size of the player's lazy DASH chunk (src/player/load-dash.ts and the MPD reader it pulls in, minus
 *   what the eager player already loads), minified by vite, gzip -9, next to the eager player;
 * - the time parseMpd + presentationFromMpd take on the fixture MPD and on a 2-hour MPD of 2 s segments
 *   written out as one S element each (3600 segments a Representation, 5 Representations).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEagerCode } from '../e2e/player-harness.js';
import { parseMpd } from '../src/manifest/dash.js';
import { presentationFromMpd } from '../src/manifest/dash-presentation.js';
import { REPO_ROOT } from '../test/support/shared-data.js';
import { sizeOf } from './player-bundle.js';

/** CPU time (user + system) per run, ms: steadier than wall time on a machine shared with other jobs. */
function timeMs(run: () => void, repeats: number): number {
  for (let i = 0; i < repeats; i++) run(); // warm-up: this is JIT-compiled time; a page's first, cold parse is slower
  const started = process.cpuUsage();
  for (let i = 0; i < repeats; i++) run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / repeats;
}

function longMpd(): string {
  const s = Array.from({ length: 3600 }, (_, i) => `<S t="${i * 180000}" d="180000"/>`).join('');
  const reps = [300, 750, 1500, 3000, 6000]
    .map(
      (kbps) =>
        `<Representation id="r${kbps}" bandwidth="${kbps * 1000}" codecs="avc1.64001f" width="1280" height="720"/>`,
    )
    .join('');
  return (
    '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" mediaPresentationDuration="PT2H"><Period><AdaptationSet contentType="video">' +
    `<SegmentTemplate timescale="90000" media="$RepresentationID$/$Time$.m4s"><SegmentTimeline>${s}</SegmentTimeline></SegmentTemplate>` +
    `${reps}</AdaptationSet></Period></MPD>`
  );
}

async function main(): Promise<void> {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  const eager = await buildEagerCode(join(REPO_ROOT, 'src/player/index.ts'));
  // the chunk: load-dash.ts with its static imports, less the modules the eager player already holds
  const withDash = await buildEagerCode(join(REPO_ROOT, 'src/player/load-dash.ts'));
  const eagerSize = sizeOf(eager);
  const entryDir = await mkdtemp(join(tmpdir(), 'abrkit-dash-bench-'));
  const entry = join(entryDir, 'entry.ts');
  const from = (path: string): string => JSON.stringify(join(REPO_ROOT, path));
  await writeFile(
    entry,
    `export { parseMpd } from ${from('src/manifest/dash.ts')};\n` +
      `export { resolveDashPresentation } from ${from('src/manifest/dash-resolve.ts')};\n`,
  );
  const dashAlone = sizeOf(await buildEagerCode(entry).finally(() => rm(entryDir, { recursive: true })));
  console.log('player bundle (vite lib build, minified, gzip -9)');
  console.log(`  eager abrkit/player              gzip ${kb(eagerSize.gzipBytes).padStart(8)}`);
  console.log(
    `  MPD reader (xml, dash*.ts)      gzip ${kb(dashAlone.gzipBytes).padStart(8)}  (the lazy chunk's own code)`,
  );
  console.log(
    `  load-dash.ts with all it imports gzip ${kb(sizeOf(withDash).gzipBytes).padStart(8)}  (upper bound)`,
  );
  const fixturePath = join(REPO_ROOT, 'fixtures/ladder/manifest.mpd');
  const fixture = await readFile(fixturePath, 'utf8');
  const long = longMpd();
  console.log('parseMpd + presentationFromMpd (CPU time, mean of repeats, this machine)');
  const fixtureMs = timeMs(() => presentationFromMpd(parseMpd(fixture, fixturePath)), 200);
  console.log(
    `  fixtures/ladder/manifest.mpd (${(fixture.length / 1024).toFixed(1)} KB)  ${fixtureMs.toFixed(3)} ms`,
  );
  const longMs = timeMs(() => presentationFromMpd(parseMpd(long, 'https://x.test/long.mpd')), 10);
  console.log(
    `  2 h, 3600 S elements, 5 Representations (${(long.length / 1024).toFixed(0)} KB)  ${longMs.toFixed(1)} ms`,
  );
}

await main();
