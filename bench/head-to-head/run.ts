/**
 * Head-to-head (run: `npx tsx bench/head-to-head/run.ts`, see docs/head-to-head.md): hls.js 1.7 with its own
 * ABR, hls.js with abrkit's algorithms through `abrkit/hlsjs`, and abrkit's player, each playing the large
 * fixture ladder (fixtures/large, 144p-1080p) through its own shaping server (src/shaping) replaying the same
 * trace, all in one headless Debian chromium, a few pages at once. Metrics are taken from the page with the
 * same code for every contender (page-entry.ts, metrics.ts). Prints a table per trace and overall, writes
 * out/head-to-head/results.json and out/head-to-head/report.html.
 *
 * Options:
 *   --quick               one trace (step), three contenders, the first 24 s of the video
 *   --traces a,b          step, walk, hsdpa-1, hsdpa-2, fcc-1, fcc-2, or the groups synthetic, real, all
 *                         (default all: the real ones only when ../shared/data is there)
 *   --contenders a,b      ids from CONTENDERS below (default all)
 *   --concurrency n       pages playing at once (default 3)
 *   --runs n              runs of each (trace, contender) cell (default 3); the spread tables give the median
 *                         and min–max over them (spread.ts), results.json and spread.md keep every run
 *   --duration s          length of fixtures/large when it has to be made (default 60); a different value
 *                         than the existing ladder's remakes it (scripts/make-fixtures.ts --large)
 *   --play-s s            stop each session once the playhead passes s seconds (default: the whole video)
 *   --out dir             output folder (default out/head-to-head)
 *   --opt algo.key=value  an option of an abrkit algorithm for every contender running it (repeatable; checked
 *                         against the registry's specs; `scenario-mpc.*` also reaches abrkit-default), e.g.
 *                         `--opt scenario-mpc.bufferValue=0.2` to see a simulated option change in real players
 *   --report-from file    rewrite report.html (beside the file) from a results.json, without running
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { DEFAULT_ALGORITHM } from '../../src/abr/registry.js';
import type { AbrOptions } from '../../src/abr/types.js';
import { collectAlgoOptions } from '../../src/cli/algo-options.js';
import { resolveAlgorithms } from '../../src/cli/registry-access.js';
import { parseMasterPlaylist } from '../../src/manifest/index.js';
import { startShapingServer } from '../../src/shaping/index.js';
import { buildBrowserBundle, FIXTURES_DIR, openPlayerPage } from '../../e2e/player-harness.js';
import { launchBrowser, type LaunchedBrowser } from '../../e2e/support/browser.js';
import { REPO_ROOT } from '../../test/support/shared-data.js';
import { playedSegments, runMetrics, type LadderRung } from './metrics.js';
import type { PageRun, PageRunConfig } from './page-entry.js';
import { writeReport, printTables, summarize, type H2hSummary, type RunResult } from './results.js';
import { spreadMarkdown, spreadRows } from './spread.js';
import {
  REAL_TRACE_NAMES,
  SYNTHETIC_TRACE_NAMES,
  cutTrace,
  realTraces,
  syntheticTraces,
  type BenchTrace,
} from './traces.js';

export interface Contender {
  readonly id: string;
  readonly player: PageRunConfig['player'];
  readonly algorithm: string;
  /** The manifest it plays: the HLS master (default) or the DASH MPD over the same segments. */
  readonly manifest?: 'hls' | 'dash';
}

export const CONTENDERS: readonly Contender[] = [
  { id: 'hlsjs-default', player: 'hlsjs', algorithm: 'default' },
  { id: 'hlsjs+throughput', player: 'hlsjs', algorithm: 'throughput' },
  { id: 'hlsjs+bola', player: 'hlsjs', algorithm: 'bola' },
  { id: 'hlsjs+robust-mpc', player: 'hlsjs', algorithm: 'robust-mpc' },
  { id: 'hlsjs+dynamic-dash', player: 'hlsjs', algorithm: 'dynamic-dash' },
  { id: 'abrkit-throughput', player: 'abrkit', algorithm: 'throughput' },
  { id: 'abrkit-bola', player: 'abrkit', algorithm: 'bola' },
  { id: 'abrkit-robust-mpc', player: 'abrkit', algorithm: 'robust-mpc' },
  { id: 'abrkit-dynamic-dash', player: 'abrkit', algorithm: 'dynamic-dash' },
  // abrkit's default algorithm (scenario-mpc) in its player and through the hls.js adapter, and the peers with
  // their own default ABR (peers.ts): dash.js on the MPD, Shaka on the MPD and on the HLS master
  { id: 'abrkit-default', player: 'abrkit', algorithm: 'default' },
  { id: 'hlsjs+scenario-mpc', player: 'hlsjs', algorithm: 'scenario-mpc' },
  { id: 'dashjs-default', player: 'dashjs', algorithm: 'default', manifest: 'dash' },
  { id: 'shaka-default', player: 'shaka', algorithm: 'default', manifest: 'dash' },
  { id: 'shaka-hls', player: 'shaka', algorithm: 'default' },
];
const QUICK_CONTENDERS = ['hlsjs-default', 'hlsjs+bola', 'abrkit-bola'];
const QUICK_PLAY_S = 24;
const DEFAULT_DURATION_S = 60;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    traces: { type: 'string' },
    contenders: { type: 'string' },
    concurrency: { type: 'string' },
    runs: { type: 'string' },
    duration: { type: 'string' },
    'play-s': { type: 'string' },
    out: { type: 'string' },
    'report-from': { type: 'string' },
    opt: { type: 'string', multiple: true },
  },
});

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name} must be a positive number, got '${value}'`);
  return n;
}

const quick = args.quick ?? false;
const concurrency = Math.floor(positiveNumber('concurrency', args.concurrency, 3));
const runsPerCell = Math.floor(positiveNumber('runs', args.runs, 3));
const wantedDurationS = positiveNumber('duration', args.duration, DEFAULT_DURATION_S);
const outDir = resolve(args.out ?? join(REPO_ROOT, 'out', 'head-to-head'));
const fixtureDir = join(FIXTURES_DIR, 'large');

const contenderIds = (args.contenders ?? (quick ? QUICK_CONTENDERS.join(',') : 'all')).split(',');
const contenders =
  contenderIds[0] === 'all'
    ? [...CONTENDERS]
    : contenderIds.map((id) => {
        const c = CONTENDERS.find((x) => x.id === id);
        if (!c)
          throw new Error(`unknown contender '${id}' (known: ${CONTENDERS.map((x) => x.id).join(', ')})`);
        return c;
      });

/** The abrkit algorithm a contender runs, by registry name (abrkit-default: the registry's default), or null. */
function abrkitAlgorithmOf(c: Contender): string | null {
  if (c.player === 'abrkit' && c.algorithm === 'default') return DEFAULT_ALGORITHM;
  if (c.player === 'abrkit' || c.player === 'hlsjs') return c.algorithm === 'default' ? null : c.algorithm;
  return null;
}

/** `--opt algo.key=value` per algorithm, checked against the registry's option specs before any run starts. */
function algorithmOptionsFromArgs(): Record<string, AbrOptions> {
  const opts = args.opt ?? [];
  if (opts.length === 0) return {};
  const running = [...new Set(contenders.map(abrkitAlgorithmOf).filter((a): a is string => a !== null))];
  for (const o of opts) {
    const algo = o.split('.')[0] ?? '';
    if (!running.includes(algo))
      throw new Error(
        `--opt ${o}: no contender runs '${algo}' (abrkit algorithms of these contenders: ${running.join(', ') || 'none'})`,
      );
  }
  // the CLI's own check: unknown option names, bad values, and each algorithm built once with its options
  return resolveAlgorithms(running, (names) => collectAlgoOptions(names, undefined, opts)).options;
}
const algorithmOptions = algorithmOptionsFromArgs();

interface VideoInfo {
  readonly durationS: number;
  readonly segmentDurationS: number;
  readonly segmentCount: number;
  readonly ladder: LadderRung[];
}

async function readVideo(dir: string): Promise<VideoInfo> {
  const masterText = await readFile(join(dir, 'master.m3u8'), 'utf8');
  const master = parseMasterPlaylist(masterText, 'http://x/master.m3u8');
  const ladder = master.renditions.map((r) => {
    const name = new URL(r.uri).pathname.split('/').at(-2) ?? '';
    if (r.heightPx === undefined) throw new Error(`${name}: no RESOLUTION in master.m3u8`);
    return { name, heightPx: r.heightPx, bitrateKbps: r.bitrateKbps };
  });
  const top = ladder.at(-1);
  if (!top) throw new Error(`${dir}/master.m3u8 has no video rendition`);
  const media = await readFile(join(dir, top.name, 'index.m3u8'), 'utf8');
  const durations = [...media.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
  const durationS = durations.reduce((a, b) => a + b, 0);
  return {
    durationS,
    segmentDurationS: Math.max(...durations),
    segmentCount: durations.length,
    ladder,
  };
}

/** Writes fixtures/large/manifest.mpd over the segments there when it is missing (the dash contenders play it). */
async function ensureMpd(): Promise<void> {
  if (existsSync(join(fixtureDir, 'manifest.mpd')) || !contenders.some((c) => c.manifest === 'dash')) return;
  console.log('fixtures/large has no manifest.mpd: writing it over the segments there');
  await runFixtures(['--large', '--mpd-only']);
}

function runFixtures(extra: readonly string[]): Promise<void> {
  return new Promise<void>((done, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/make-fixtures.ts', ...extra], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? done() : reject(new Error(`make-fixtures exited with ${code}`)),
    );
  });
}

async function ensureFixture(): Promise<VideoInfo> {
  if (existsSync(join(fixtureDir, 'master.m3u8'))) {
    const video = await readVideo(fixtureDir);
    if (args.duration === undefined || Math.abs(video.durationS - wantedDurationS) < 1) {
      await ensureMpd();
      return video;
    }
    console.log(
      `fixtures/large is ${video.durationS} s, --duration asks for ${wantedDurationS} s: remaking it`,
    );
  } else {
    console.log(`fixtures/large is missing: making a ${wantedDurationS} s ladder (144p-1080p)`);
  }
  await runFixtures(['--large', '--duration', String(wantedDurationS)]);
  await ensureMpd();
  return readVideo(fixtureDir);
}

async function pickTraces(sessionMs: number): Promise<BenchTrace[]> {
  const wanted = (args.traces ?? (quick ? 'step' : 'all')).split(',');
  const names = wanted.flatMap((w) =>
    w === 'all'
      ? [...SYNTHETIC_TRACE_NAMES, ...REAL_TRACE_NAMES]
      : w === 'synthetic'
        ? [...SYNTHETIC_TRACE_NAMES]
        : w === 'real'
          ? [...REAL_TRACE_NAMES]
          : [w],
  );
  const known: readonly string[] = [...SYNTHETIC_TRACE_NAMES, ...REAL_TRACE_NAMES];
  for (const n of names)
    if (!known.includes(n)) throw new Error(`unknown trace '${n}' (known: ${known.join(', ')})`);
  const available = [...syntheticTraces(sessionMs)];
  if (names.some((n) => (REAL_TRACE_NAMES as readonly string[]).includes(n))) {
    const real = await realTraces(sessionMs);
    if (real.length === 0) console.log('../shared/data is not there: no real traces');
    available.push(...real);
  }
  return names.flatMap((n) => available.filter((t) => t.name === n));
}

/** Busy fraction of all cores between two `cpus()` readings. */
function cpuBusy(before: ReturnType<typeof cpus>, after: ReturnType<typeof cpus>): number {
  let busy = 0;
  let total = 0;
  after.forEach((c, i) => {
    const b = before[i];
    if (!b) return;
    const t = (x: typeof c.times): number => x.user + x.nice + x.sys + x.idle + x.irq;
    total += t(c.times) - t(b.times);
    busy += t(c.times) - t(b.times) - (c.times.idle - b.times.idle);
  });
  return total > 0 ? busy / total : 0;
}

async function runOne(
  browser: LaunchedBrowser,
  bundle: string,
  video: VideoInfo,
  trace: BenchTrace,
  contender: Contender,
  playS: number,
): Promise<RunResult> {
  const server = await startShapingServer({
    root: fixtureDir,
    trace: trace.trace,
    faults: trace.faults,
    seed: 1,
    loop: true,
  });
  const page: Page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const cpuBefore = cpus();
  const wallStart = Date.now();
  try {
    await page.addInitScript('window.__name = (f) => f');
    await openPlayerPage(page, server.url, bundle);
    const config: PageRunConfig = {
      src: `${server.url}/${contender.manifest === 'dash' ? 'manifest.mpd' : 'master.m3u8'}`,
      player: contender.player,
      algorithm: contender.algorithm,
      algorithmOptions: algorithmOptions[abrkitAlgorithmOf(contender) ?? ''],
    };
    await page.evaluate(
      `window.abrkit.startRun(${JSON.stringify(config)})`, // a string: tsx would wrap a function in __name()
    );
    const timeoutMs = playS * 2500 + 60_000;
    let timedOut = false;
    try {
      await page.waitForFunction(
        `window.h2h.done || document.getElementById('v').currentTime >= ${playS}`,
        undefined,
        { timeout: timeoutMs, polling: 250 },
      );
    } catch {
      timedOut = true;
    }
    await page.evaluate('window.h2hFinish && window.h2hFinish()');
    const run = await page.evaluate<PageRun>('JSON.parse(JSON.stringify(window.h2h))');
    run.errors.push(...pageErrors);
    const segmentCount = Math.min(video.segmentCount, Math.ceil(playS / video.segmentDurationS - 1e-9));
    const requests = [...server.requests];
    const records = playedSegments(run, video.ladder, video.segmentDurationS, segmentCount, requests);
    const metrics = runMetrics(run, records, requests, video.ladder, segmentCount);
    const lastTimeS = run.samples.at(-1)?.timeS ?? 0;
    return {
      trace: trace.name,
      contender: contender.id,
      metrics,
      records,
      timedOut,
      completed: run.ended || lastTimeS >= playS - 0.5,
      segmentRequests: requests.filter((q) => /\/seg_\d+\.m4s$/.test(q.url) && !q.url.includes('/audio/'))
        .length,
      abortedSegmentRequests: requests.filter(
        (q) => /\/seg_\d+\.m4s$/.test(q.url) && !q.url.includes('/audio/') && q.aborted === true,
      ).length,
      errors: run.errors,
      decisions: run.decisions,
      bandwidthEstimateKbps: run.bandwidthEstimateBps === null ? null : run.bandwidthEstimateBps / 1000,
      cpuBusy: cpuBusy(cpuBefore, cpus()),
      loadAvg1: loadavg()[0] ?? 0,
      wallMs: Date.now() - wallStart,
    };
  } finally {
    await page.close().catch(() => {});
    await server.close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const [video, bundle] = await Promise.all([
    ensureFixture(),
    buildBrowserBundle(join(REPO_ROOT, 'bench/head-to-head/page-entry.ts'), true),
  ]);
  const playS = Math.min(
    video.durationS,
    positiveNumber('play-s', args['play-s'], quick ? QUICK_PLAY_S : video.durationS),
  );
  const traces = (await pickTraces(playS * 1000)).map((t) => ({
    ...t,
    trace: cutTrace(t.trace, playS * 1000, t.trace.name),
  }));
  if (traces.length === 0) throw new Error('no trace to run');
  // run r of every cell before run r + 1 of any, so that a cell's runs see different moments of the machine's load
  const jobs = Array.from({ length: runsPerCell }, () =>
    traces.flatMap((trace) => contenders.map((contender) => ({ trace, contender }))),
  ).flat();
  console.log(
    `head-to-head: ${traces.length} trace(s) x ${contenders.length} contender(s) x ${runsPerCell} run(s) = ${jobs.length} runs, ` +
      `${playS} s of a ${video.durationS} s ladder (${video.ladder.map((r) => `${r.name} ${r.bitrateKbps.toFixed(0)}`).join(', ')} kbps), ` +
      `${concurrency} at once on ${cpus().length} cores`,
  );
  const browser = await launchBrowser();
  const results: RunResult[] = [];
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++];
        if (!job) break;
        const r = await runOne(browser, bundle, video, job.trace, job.contender, playS);
        results.push(r);
        const m = r.metrics;
        console.log(
          `  [${results.length}/${jobs.length}] ${job.trace.name.padEnd(8)} ${job.contender.id.padEnd(20)} ` +
            `QoE ${m.qoeLin.toFixed(1).padStart(6)}  ${m.bitrateKbpsMean.toFixed(0).padStart(5)} kbps  ` +
            `${m.stallCount} stalls ${(m.stallMs / 1000).toFixed(1)} s  ${m.switches} sw  ` +
            `dropped ${m.droppedFrames ?? '?'}/${m.totalFrames ?? '?'}  cpu ${(r.cpuBusy * 100).toFixed(0)}%` +
            `${r.timedOut ? '  TIMED OUT' : ''}${r.errors.length > 0 ? `  errors: ${r.errors.join('; ')}` : ''}`,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  } finally {
    await browser.close();
  }
  const order = (r: RunResult): number =>
    traces.findIndex((t) => t.name === r.trace) * 100 + contenders.findIndex((c) => c.id === r.contender);
  results.sort((a, b) => order(a) - order(b));
  const summary = summarize(
    results,
    traces.map((t) => t.name),
    contenders.map((c) => c.id),
  );
  const meta = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    video: `fixtures/large: ${video.durationS} s, ${video.segmentCount} x ${video.segmentDurationS} s segments, ${video.ladder.length} renditions`,
    playedS: playS,
    ladderKbps: video.ladder.map((r) => `${r.name} ${r.bitrateKbps.toFixed(0)}`).join(', '),
    concurrency,
    runsPerCell,
    cores: cpus().length,
    browser: 'Debian chromium, headless, no GPU (e2e/support/browser.ts)',
    network: 'src/shaping, one server per run, Sabre network model, trace looped after its end',
    algorithmOptions:
      Object.keys(algorithmOptions).length > 0 ? JSON.stringify(algorithmOptions) : 'defaults',
  };
  printTables(summary, traces, meta);
  const spread = spreadRows(
    results,
    traces.map((t) => t.name),
    contenders.map((c) => c.id),
    video.ladder,
  );
  const spreadMd = spreadMarkdown(spread, new Map(traces.map((t) => [t.name, t.description])));
  console.log(`\n## median [min–max] over ${runsPerCell} run(s) per cell (QoE ladder-aware)\n\n${spreadMd}`);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'spread.md'), spreadMd);
  await writeFile(
    join(outDir, 'results.json'),
    JSON.stringify(
      {
        meta,
        ladder: video.ladder,
        traces: traces.map((t) => ({ name: t.name, description: t.description, faults: t.faults ?? null })),
        contenders,
        summary,
        spread,
        runs: results,
      },
      null,
      1,
    ),
  );
  await writeFile(join(outDir, 'report.html'), writeReport(summary, results, traces, meta));
  console.log(`wrote ${join(outDir, 'results.json')} and ${join(outDir, 'report.html')}`);
}

/** Rewrites report.html from a results.json written by {@link main}. */
async function rerenderReport(file: string): Promise<void> {
  const saved = JSON.parse(await readFile(file, 'utf8')) as {
    meta: Record<string, string | number>;
    traces: { name: string; description: string; faults: string | null }[];
    summary: H2hSummary;
    runs: RunResult[];
  };
  const traces = saved.traces.map((t) => ({
    name: t.name,
    description: t.description,
    trace: { name: t.name, periods: [] },
  }));
  const out = join(dirname(resolve(file)), 'report.html');
  await writeFile(out, writeReport(saved.summary, saved.runs, traces, saved.meta));
  console.log(`wrote ${out}`);
}

if (args['report-from'] !== undefined) await rerenderReport(args['report-from']);
else await main();
