/**
 * Bundle size of `abrkit/player` (run: `npx tsx bench/player-bundle.ts`): src/player/index.ts with everything
 * it imports (rxjs's Observable included), built by vite in lib mode (ES module, minified by vite's default
 * minifier), then gzip -9 and brotli (quality 11) of that file, beside hls.js's own minified ESM builds from
 * node_modules compressed the same way. The budget is 30 KB gzipped (issue 5); test/player/bundle-size.test.ts
 * asserts it (a size, not a time).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { build } from 'vite';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildEagerCode } from '../e2e/player-harness.js';
import { REPO_ROOT } from '../test/support/shared-data.js';

// Issue 5's 30 KB. It was raised to 32.5-33.75 KB while fault handling (issue 20), deferred playlists and
// Resource Timing samples (issue 19) grew the eager player; back within 30 KB (29.3 KB) since scenario-mpc, the
// default algorithm, is a lazy chunk like bola and throughput (only its option specs are eager,
// src/abr/scenario-mpc-options.ts): its import starts in createPlayer, beside the master playlist's fetch.
// Next cuts if it grows again: rxjs's esm5 build with tslib (~3 KB for the $ streams' Observable) and
// src/session/live.ts, which session.ts imports, so VOD pages carry it.
export const PLAYER_BUNDLE_BUDGET_GZIP_BYTES = 30 * 1024;

export interface BundleSize {
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  readonly brotliBytes: number;
}

/** Sizes of `code`: minified as given, gzip level 9, brotli quality 11. */
export function sizeOf(code: string | Buffer): BundleSize {
  const bytes = typeof code === 'string' ? Buffer.from(code) : code;
  return {
    minifiedBytes: bytes.byteLength,
    gzipBytes: gzipSync(bytes, { level: 9 }).byteLength,
    brotliBytes: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
  };
}

/**
 * Builds the player minified and measures what a page loads up front: the entry and its static imports.
 * The mp4box chunk, imported only for playlists without CODECS, is not counted (it is never fetched then).
 */
export async function measurePlayerBundle(): Promise<BundleSize> {
  return sizeOf(await buildEagerCode(join(REPO_ROOT, 'src/player/index.ts')));
}

/**
 * The largest modules of the entry chunk and which chunks it imports statically (a bundle analysis from
 * rollup's per-module output): minified bytes and gzip -9 of each module's code alone (an upper bound of
 * what it adds, since gzip shares strings across modules).
 */
export async function bundleContributors(top = 15): Promise<string[]> {
  const outDir = await mkdtemp(join(tmpdir(), 'abrkit-bundle-analysis-'));
  try {
    const output = await build({
      configFile: false,
      logLevel: 'silent',
      root: REPO_ROOT,
      build: {
        outDir,
        minify: true,
        write: false,
        lib: { entry: join(REPO_ROOT, 'src/player/index.ts'), formats: ['es'], fileName: () => 'bundle.js' },
      },
    });
    type Chunk = {
      type: string;
      isEntry?: boolean;
      imports?: string[];
      modules?: Record<string, { renderedLength: number; code: string | null }>;
    };
    const results = (Array.isArray(output) ? output : [output]) as { output: Chunk[] }[];
    const entry = results.flatMap((r) => r.output).find((c) => c.type === 'chunk' && c.isEntry === true);
    if (entry?.modules === undefined) return [];
    const lines = [`  entry chunk imports statically: ${(entry.imports ?? []).join(', ') || 'nothing'}`];
    const rows = Object.entries(entry.modules)
      .map(([id, m]) => ({
        id: id.replace(`${REPO_ROOT}/`, ''),
        min: m.renderedLength,
        gzip: m.code === null ? 0 : gzipSync(m.code, { level: 9 }).byteLength,
      }))
      .sort((a, b) => b.gzip - a.gzip);
    for (const r of rows.slice(0, top)) {
      lines.push(`  ${String(r.min).padStart(7)} B min ${String(r.gzip).padStart(6)} B gzip  ${r.id}`);
    }
    return lines;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  const rows: [string, BundleSize][] = [['abrkit/player', await measurePlayerBundle()]];
  for (const file of ['hls.light.min.mjs', 'hls.min.mjs']) {
    const code = await readFile(join(REPO_ROOT, 'node_modules/hls.js/dist', file)).catch(() => null);
    if (code) rows.push([`hls.js ${file}`, sizeOf(code)]);
  }
  console.log('bundle sizes (vite lib build, minified; gzip -9; brotli q11)');
  for (const [name, s] of rows) {
    console.log(
      `  ${name.padEnd(28)} min ${kb(s.minifiedBytes).padStart(9)}  gzip ${kb(s.gzipBytes).padStart(8)}  brotli ${kb(s.brotliBytes).padStart(8)}`,
    );
  }
  console.log('largest modules of the eager entry chunk (each alone, minified and gzip -9):');
  for (const line of await bundleContributors()) console.log(line);
  const player = rows[0]![1];
  const verdict = player.gzipBytes <= PLAYER_BUNDLE_BUDGET_GZIP_BYTES ? 'within' : 'OVER';
  console.log(
    `abrkit/player: ${kb(player.gzipBytes)} gzipped, ${verdict} the ${kb(PLAYER_BUNDLE_BUDGET_GZIP_BYTES)} budget`,
  );
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  await main();
}
