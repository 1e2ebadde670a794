/**
 * Startup of abrkit's player against hls.js's default (run: `npx tsx bench/player-startup.ts [--runs N]
 * [--traces a,b] [--video large|ladder]`), issue 19 "startup you can trust".
 *
 * Cells: each trace of the head-to-head (bench/head-to-head/traces.ts: step, walk, and the real hsdpa-1,
 * hsdpa-2, fcc-1, fcc-2 when ../shared/data is there) × two contenders: `hlsjs-default` (hls.js 1.7, every
 * default) and `abrkit-default` (`createPlayer()` with no option: its default algorithm, scenario-mpc). Same
 * stream (fixtures/large, the head-to-head's 144p-1080p ladder, when it exists, else fixtures/ladder; `--video`
 * picks), same trace, same browser: one headless Debian chromium, one page at a time (nothing else of this
 * bench runs beside it), a fresh page and a fresh shaping server (src/shaping, Sabre model, the trace starting
 * at the first request) per run. RUNS runs per cell (default 7, at least 5), interleaved: run r plays every
 * trace, the two contenders in an order that alternates with r, so drifts in machine load hit both alike.
 *
 * Measured in the page by the head-to-head's own page script (bench/head-to-head/page-entry.ts, the same code
 * for both players): from the `load()` / `loadSource()` call to the first `playing` event (startup) and to the
 * first animation frame with the playhead past 0 (first frame). From the shaping server's log (ms since the
 * first request, the master playlist): when the first video segment was requested and when its last byte went
 * out, and how many requests came before it, to see where the time goes. Printed per cell as median, the
 * interquartile range and the min-max range; nothing is asserted.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { buildBrowserBundle, FIXTURES_DIR, openPlayerPage } from '../e2e/player-harness.js';
import { launchBrowser } from '../e2e/support/browser.js';
import { startShapingServer, type RequestLogEntry } from '../src/shaping/index.js';
import { REPO_ROOT } from '../test/support/shared-data.js';
import type { PageRun, PageRunConfig } from './head-to-head/page-entry.js';
import {
  REAL_TRACE_NAMES,
  SYNTHETIC_TRACE_NAMES,
  cutTrace,
  realTraces,
  syntheticTraces,
  type BenchTrace,
} from './head-to-head/traces.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string' },
    traces: { type: 'string' },
    video: { type: 'string' },
  },
});
const RUNS = Number(args.runs ?? process.env.RUNS ?? 7);
if (!Number.isInteger(RUNS) || RUNS < 1)
  throw new Error(`--runs must be a positive integer, got ${args.runs}`);
/** Traces are cut to this (startup needs only their beginning; the shaping server holds the last period). */
const TRACE_MS = 60_000;
/** A run with no first frame after this is reported as failed. */
const RUN_TIMEOUT_MS = 30_000;

const CONTENDERS = [
  { id: 'hlsjs-default', player: 'hlsjs', algorithm: 'default' },
  { id: 'abrkit-default', player: 'abrkit', algorithm: 'default' },
] as const;
type ContenderId = (typeof CONTENDERS)[number]['id'];

interface StartupRun {
  readonly trace: string;
  readonly contender: ContenderId;
  readonly startupMs: number | null;
  readonly firstFrameMs: number | null;
  /** Server time (ms since the first request) when the first video segment was requested. */
  readonly firstSegmentRequestMs: number | null;
  /** ... and when its last byte went out. */
  readonly firstSegmentEndMs: number | null;
  /** Its rendition folder (e.g. 360p). */
  readonly firstSegmentRendition: string | null;
  /** Requests the server logged before the first video segment's (playlists, init segments, audio). */
  readonly requestsBefore: number;
  readonly errors: string[];
}

function pickVideo(): string {
  const wanted = args.video ?? (existsSync(join(FIXTURES_DIR, 'large', 'master.m3u8')) ? 'large' : 'ladder');
  if (wanted !== 'large' && wanted !== 'ladder') throw new Error(`--video is large or ladder, got ${wanted}`);
  if (!existsSync(join(FIXTURES_DIR, wanted, 'master.m3u8')))
    throw new Error(`fixtures/${wanted} is missing (npx tsx scripts/make-fixtures.ts --large --duration 60)`);
  return wanted;
}

async function pickTraces(): Promise<BenchTrace[]> {
  const all = [...syntheticTraces(TRACE_MS), ...(await realTraces(TRACE_MS))];
  const names = args.traces?.split(',') ?? [...SYNTHETIC_TRACE_NAMES, ...REAL_TRACE_NAMES];
  return all
    .filter((t) => names.includes(t.name))
    .map((t) => ({ ...t, trace: cutTrace(t.trace, TRACE_MS, t.trace.name) }));
}

const isVideoSegment = (url: string): boolean => /\/seg_\d+\.m4s$/.test(url) && !url.includes('/audio/');

async function runOnce(
  page: Page,
  bundle: string,
  video: string,
  trace: BenchTrace,
  contender: (typeof CONTENDERS)[number],
): Promise<StartupRun> {
  const server = await startShapingServer({
    root: join(FIXTURES_DIR, video),
    trace: trace.trace,
    ...(trace.faults === undefined ? {} : { faults: trace.faults }),
    seed: 1,
  });
  try {
    await openPlayerPage(page, server.url, bundle);
    const config: PageRunConfig = {
      src: `${server.url}/master.m3u8`,
      player: contender.player,
      algorithm: contender.algorithm,
    };
    // a string: tsx would wrap a function in __name()
    await page.evaluate(`window.abrkit.startRun(${JSON.stringify(config)})`);
    await page
      .waitForFunction(
        '(window.h2h.firstFrameMs !== null && window.h2h.firstPlayingMs !== null) || window.h2h.done',
        undefined,
        { timeout: RUN_TIMEOUT_MS, polling: 'raf' },
      )
      .catch(() => {});
    await page.evaluate('window.h2hFinish && window.h2hFinish()');
    const run = await page.evaluate<PageRun>('JSON.parse(JSON.stringify(window.h2h))');
    // the server logs a request when its response ends: the first video segment by start time
    const requests: RequestLogEntry[] = [...server.requests].sort((a, b) => a.startMs - b.startMs);
    const first = requests.find((r) => isVideoSegment(r.url) && r.status < 400);
    return {
      trace: trace.name,
      contender: contender.id,
      startupMs: run.firstPlayingMs,
      firstFrameMs: run.firstFrameMs,
      firstSegmentRequestMs: first?.startMs ?? null,
      firstSegmentEndMs: first?.endMs ?? null,
      firstSegmentRendition: first ? (first.url.split('/').at(-2) ?? null) : null,
      requestsBefore: first ? requests.filter((r) => r.startMs < first.startMs).length : requests.length,
      errors: run.errors,
    };
  } finally {
    await server.close();
  }
}

function sortedOf(xs: readonly (number | null)[]): number[] {
  return xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

/** `median (IQR q1-q3, range min-max)`, ms. */
function spread(xs: readonly (number | null)[]): string {
  const s = sortedOf(xs);
  if (s.length === 0) return 'n/a';
  const f = (x: number): string => x.toFixed(0);
  return (
    `${f(quantile(s, 0.5)).padStart(5)} (IQR ${f(quantile(s, 0.25))}-${f(quantile(s, 0.75))}, ` +
    `range ${f(s[0]!)}-${f(s.at(-1)!)})`
  );
}

function median(xs: readonly (number | null)[]): number {
  return quantile(sortedOf(xs), 0.5);
}

const videoName = pickVideo();
const traces = await pickTraces();
if (traces.length === 0) throw new Error('no trace to run');
const [bundle, browser] = await Promise.all([
  buildBrowserBundle(join(REPO_ROOT, 'bench/head-to-head/page-entry.ts'), true),
  launchBrowser(),
]);
console.log(
  `startup: fixtures/${videoName}, ${traces.length} traces x ${CONTENDERS.length} contenders x ${RUNS} runs, ` +
    `interleaved, one page at a time; headless Debian chromium; ${cpus().length} cores, load average ` +
    `${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start (shared machine)`,
);
const results: StartupRun[] = [];
const started = Date.now();
try {
  for (let r = 0; r < RUNS; r++) {
    for (const trace of traces) {
      const order = r % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const contender of order) {
        const page = await browser.newPage();
        await page.addInitScript('window.__name = (f) => f');
        try {
          results.push(await runOnce(page, bundle, videoName, trace, contender));
        } finally {
          await page.close();
        }
      }
    }
    process.stderr.write(`  run ${r + 1}/${RUNS} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
} finally {
  await browser.close();
}

console.log(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ms, median (IQR, range) over ${RUNS} runs`,
);
for (const trace of traces) {
  console.log(`\n${trace.name}: ${trace.description}`);
  for (const c of CONTENDERS) {
    const mine = results.filter((x) => x.trace === trace.name && x.contender === c.id);
    const failed = mine.filter((x) => x.firstFrameMs === null || x.errors.length > 0).length;
    const renditions = [...new Set(mine.map((x) => x.firstSegmentRendition ?? '?'))].join('/');
    console.log(
      `  ${c.id.padEnd(15)} playing ${spread(mine.map((x) => x.startupMs))}  first frame ${spread(mine.map((x) => x.firstFrameMs))}`,
    );
    console.log(
      `  ${''.padEnd(15)} server: 1st segment requested ${spread(mine.map((x) => x.firstSegmentRequestMs))}, ` +
        `its last byte ${spread(mine.map((x) => x.firstSegmentEndMs))}; at ${renditions}; ` +
        `${median(mine.map((x) => x.requestsBefore))} requests before it` +
        (failed > 0 ? `; ${failed} FAILED: ${mine.flatMap((x) => x.errors).join('; ')}` : ''),
    );
  }
  const a = median(
    results.filter((x) => x.trace === trace.name && x.contender === 'abrkit-default').map((x) => x.startupMs),
  );
  const h = median(
    results.filter((x) => x.trace === trace.name && x.contender === 'hlsjs-default').map((x) => x.startupMs),
  );
  console.log(
    `  median startup abrkit - hls.js: ${(a - h).toFixed(0)} ms (${a <= h ? 'abrkit not slower' : 'abrkit SLOWER'})`,
  );
}
