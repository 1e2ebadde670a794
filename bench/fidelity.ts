/**
 * Browser-vs-simulator fidelity (run: `npx tsx bench/fidelity.ts [--quick] [--parallel N] [--algos a,b]`).
 *
 * The same trace and the same algorithm, on the same media (fixtures/ladder: 20 segments of 2 s, 4 video
 * renditions, one AAC audio rendition), run
 * (a) in the simulator: `simulateSession` on `loadVideo('fixtures/ladder/master.m3u8')` (the sizes
 *     `abrkit ladder` reads: video segment bytes per rendition);
 * (b) in Debian chromium (e2e/support/browser.ts): the abrkit player (src/player, bundled with the algorithm
 *     registry by vite) plays the fixture at 1x behind `startShapingServer` (one server per run).
 *
 * Both sides are configured alike: the algorithm by name through the registry with no options; buffer
 * target 30 s; the hls.js-like dual EWMA (3 s / 9 s, 500 kbps start estimate, transfer timing) and the EWMA
 * latency estimator; the first segment chosen by the algorithm on the start estimate (no forced rendition);
 * wait-before-choosing ('sabre' wait policy); abandonment on, checked on progress, re-fetch at the rendition
 * the algorithm returns; playback starting with the first appended segment. That is the simulator's
 * `abrkit` preset (src/sim/presets.ts), whose network is Sabre's link model (src/sim/network/link.ts: latency,
 * then bits at each period's bandwidth); the shaping server runs the same link (`network: 'sabre'`).
 * Trace alignment: the server's trace starts at the player's first request (the master playlist), the
 * simulator's session at its first segment request; so the simulator gets the trace minus the time before
 * the first request of segment 0 the server logged (its rendition's init segment; with `--no-init` the
 * segment itself), which the browser spent on playlists. Traces are cut to 60 s (the 40 s fixture plus
 * slack; the server holds the last period after).
 * What the browser does around each download, modelled in the simulator (src/sim/trace-source.ts):
 * - an init segment with the first segment of each rendition (`initSegmentBytes`, the fixture's init.mp4
 *   sizes, `initWithMedia`: requested together, counted in the sample, as the player does since issue 19;
 *   `--init-before` for the older player's init-then-segment order, `--no-init` to leave it out), and the
 *   audio init segment with segment 0's bytes;
 * - a per-request overhead (`requestOverheadMs`): measured per run from the server's log as the mean time
 *   from one segment's last byte to the next segment's first request (`measureOverheadMs`), or fixed with
 *   `--overhead-ms N` (0: off);
 * - the media playlist of each rendition the player had not loaded at startup (`playlistBytes`, the fixture's
 *   index.m3u8 sizes; the renditions whose playlist the server logged before segment 0's first request are
 *   left out): the player loads it before the first request at that rendition (src/player/lazy-playlists.ts);
 *   `--no-playlists` to leave it out;
 * - abandonment checked at each chunk of the body stream, which the shaping server writes every
 *   `SERVER_TICK_MS` (`progress`: a progress point every 10 ms once a byte arrived, instead of the abrkit
 *   preset's 100 ms tick); `--progress-100` for the preset's;
 * - the playback start delay (`playbackStartDelayMs`): the time from the first append to the playhead moving,
 *   measured per run in the page from the video element's `currentTime` at each decision
 *   (`measureStartDelayMs`), or fixed with `--start-delay-ms N` (0: off).
 *
 * Measures, per run and overall:
 * - agreement: the fraction of segments 1..19 (segment 0 is startup: chosen on the start estimate before
 *   any measurement, excluded) whose rendition was the same in the browser and in the simulator;
 * - Δ mean bitrate: browser − simulator mean of the fetched segments' nominal bitrate, kbps;
 * - Δ stall: browser − simulator total stall time, ms (browser: the player's `qoe.stallMs`, stalls after the
 *   first frame, from the video element's waiting/playing; simulator: the buffer model's stall time);
 * - mean |Δ download time| per segment (records' downloadMs) to show where the timing differs.
 * JSON goes to out/fidelity/, with each run's browser side (decisions, records, the server's log): `--replay
 * file.json` simulates those again with this run's model flags, without a browser (to weigh one mechanism on
 * the same browser runs; the algorithms' code must be the one that ran in the browser). The machine is shared with other runs: wall-clock timers and decoding in the
 * browser are noisy, so numbers vary run to run. Printed only; nothing is asserted.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBrowserBundle, FIXTURES_DIR, openPlayerPage } from '../e2e/player-harness.js';
import { launchBrowser, type LaunchedBrowser } from '../e2e/support/browser.js';
import type { SegmentRecord } from '../src/core/types.js';
import type * as PageModule from './fidelity-page-entry.js';
import type { PlayerQoe } from '../src/player/recorder.js';
import { startShapingServer } from '../src/shaping/index.js';
import { loadTraceFile } from '../src/sim/load-trace.js';
import { loadVideo } from '../src/sim/load-video.js';
import { simulateSession } from '../src/sim/simulate.js';
import { createAlgorithm } from '../src/abr/registry.js';
import { cellularTrace, markovTrace, randomWalkTrace, stepTrace } from '../src/traces/generators.js';
import type { NetworkTrace, TracePeriod } from '../src/traces/model.js';
import { skipTrace, withoutSizeTable } from './live-lib.js';
import type { VideoDescription } from '../src/videos/model.js';
import { REPO_ROOT, hasSharedData, sharedData } from '../test/support/shared-data.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = args.includes('--quick');
const PARALLEL = Number(flag('--parallel') ?? 3);
const ALGOS = (flag('--algos') ?? 'bola,throughput,robust-mpc,scenario-mpc').split(',');
const ONLY_TRACES = flag('--traces')?.split(',');
/** `--replay file.json`: no browser; the browser runs saved in an earlier run's JSON, simulated again. */
const REPLAY = flag('--replay');
const BUFFER_TARGET_MS = 30_000;
const START_ESTIMATE_KBPS = 500;
const TRACE_CUT_MS = 60_000;
const MASTER = join(FIXTURES_DIR, 'ladder', 'master.m3u8');
const OUT_DIR = join(REPO_ROOT, 'out', 'fidelity');
/** `--no-audio`: the simulator sees video bytes only (what `abrkit ladder` measures). */
const AUDIO_MODEL = !args.includes('--no-audio');
/** `--size-table`: let the simulator's algorithm see the segment-size table (the player cannot). */
const SIZE_TABLE = args.includes('--size-table');
/** `--no-init`: the simulator does not download init segments (the player fetches one per rendition). */
const INIT_MODEL = !args.includes('--no-init');
/** The player requests a rendition's init segment together with its first segment (issue 19); `--init-before`: the old order. */
const INIT_WITH_MEDIA = !args.includes('--init-before');
/**
 * `--overhead-ms N`: the simulator's per-request overhead (src/sim/trace-source.ts); default: measured per
 * run from the server's log (`measureOverheadMs`); 0 turns it off.
 */
const OVERHEAD_FLAG = flag('--overhead-ms');
/** The shaping server's scheduler tick, ms: each flow gets a chunk written per tick. */
const SERVER_TICK_MS = 10;
/** `--progress-100`: the simulator checks abandonment on the abrkit preset's 100 ms tick, not per server chunk. */
const CHUNK_PROGRESS = !args.includes('--progress-100');
/** `--no-playlists`: the simulator does not fetch the playlists the player loads on a rendition's first use. */
const PLAYLIST_MODEL = !args.includes('--no-playlists');
/** `--start-delay-ms N`: the simulator's playback start delay; default: measured per run (`measureStartDelayMs`). */
const START_DELAY_FLAG = flag('--start-delay-ms');
const FIXED_START_DELAY_MS = START_DELAY_FLAG === undefined ? null : Number(START_DELAY_FLAG);
if (FIXED_START_DELAY_MS !== null && !(FIXED_START_DELAY_MS >= 0)) {
  throw new Error(`--start-delay-ms must be a number >= 0, got ${String(START_DELAY_FLAG)}`);
}
const FIXED_OVERHEAD_MS = OVERHEAD_FLAG === undefined ? null : Number(OVERHEAD_FLAG);
if (FIXED_OVERHEAD_MS !== null && !(FIXED_OVERHEAD_MS >= 0)) {
  throw new Error(`--overhead-ms must be a number >= 0, got ${String(OVERHEAD_FLAG)}`);
}

/**
 * The player fetches each video segment together with the audio segment that plays alongside it, on the
 * same link; `abrkit ladder` sizes are video only. With the audio model, the simulator's segment i is
 * video i plus audio i (the fixture's audio segments are 2 s like its video ones), so it moves the bytes
 * the browser moves.
 */
function withAudio(video: VideoDescription): VideoDescription {
  if (!AUDIO_MODEL) return video;
  const audioBytes = (i: number): number => {
    try {
      return statSync(join(FIXTURES_DIR, 'ladder', 'audio', `seg_${String(i).padStart(5, '0')}.m4s`)).size;
    } catch {
      return 0;
    }
  };
  // the audio init segment is fetched alongside segment 0's audio
  const audioInitBytes = statSync(join(FIXTURES_DIR, 'ladder', 'audio', 'init.mp4')).size;
  return {
    ...video,
    segmentSizesBytes: video.segmentSizesBytes.map((row, i) =>
      row.map((bytes) => bytes + audioBytes(i) + (i === 0 ? audioInitBytes : 0)),
    ),
  };
}

/**
 * Each video rendition's init segment size (fixtures/ladder/<height>p/init.mp4): the player fetches it
 * before the first segment at that rendition, on the same link.
 */
function initSegmentBytes(video: VideoDescription): number[] {
  return video.renditions.map(
    (r) => statSync(join(FIXTURES_DIR, 'ladder', `${r.heightPx}p`, 'init.mp4')).size,
  );
}

/**
 * Each video rendition's media playlist size (fixtures/ladder/<height>p/index.m3u8), 0 for those whose
 * playlist the server logged before `beforeMs` (segment 0's first request): the player loaded those at
 * startup, the others the first time it requests one of their segments.
 */
function playlistBytes(
  video: VideoDescription,
  requests: readonly LoggedRequest[],
  beforeMs: number,
): number[] {
  return video.renditions.map((r) => {
    const path = `/${r.heightPx}p/index.m3u8`;
    if (requests.some((q) => q.url.endsWith(path) && q.startMs < beforeMs)) return 0;
    return statSync(join(FIXTURES_DIR, 'ladder', `${r.heightPx}p`, 'index.m3u8')).size;
  });
}

/**
 * The browser's playback start delay, ms: from the first append (the decision for segment 1, which the
 * session makes right after appending segment 0) to the playhead starting to move, read from the decisions'
 * `pos` (the video element's currentTime): the playhead started at `t - pos` if it has played without a
 * stall since; a stall only makes that later, so the earliest such time is taken. Null when no decision came
 * after playback started.
 */
function measureStartDelayMs(decisions: readonly Decision[]): number | null {
  const appendMs = decisions[1]?.t;
  if (appendMs === undefined) return null;
  const starts = decisions.slice(2).flatMap((d) => (d.pos !== undefined && d.pos > 0 ? [d.t - d.pos] : []));
  return starts.length === 0 ? null : Math.max(0, Math.min(...starts) - appendMs);
}

/** A request as the shaping server logged it (trace time, ms). */
interface LoggedRequest {
  readonly url: string;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The per-request overhead of one browser run, from the server's log: the mean, over consecutive video
 * segments i, i + 1 with no init segment requested between them, of the time from the last byte of
 * segment i (its video or audio, whichever ends last) to the first request of segment i + 1. On the
 * server's link nothing moves then: it is the response's end reaching the page, the player's append and
 * decision, and the next request reaching the server. (Decisions never wait here: the buffer stays below
 * the 30 s target with this 40 s fixture.) The simulator puts it before each request's start on the link.
 */
function measureOverheadMs(requests: readonly LoggedRequest[]): number {
  const bySegment = new Map<number, LoggedRequest[]>();
  for (const r of requests) {
    const m = /\/(?:\d+p|audio)\/seg_(\d+)\.m4s$/.exec(r.url);
    if (!m) continue;
    const i = Number(m[1]);
    bySegment.set(i, [...(bySegment.get(i) ?? []), r]);
  }
  const inits = requests.filter((r) => /\/\d+p\/init\.mp4$/.test(r.url));
  const gaps: number[] = [];
  for (const [i, mine] of bySegment) {
    const next = bySegment.get(i + 1);
    if (!next) continue;
    const endMs = Math.max(...mine.map((r) => r.endMs));
    const nextMs = Math.min(...next.map((r) => r.startMs));
    if (inits.some((r) => r.startMs >= endMs && r.startMs <= nextMs)) continue;
    if (nextMs >= endMs) gaps.push(nextMs - endMs);
  }
  // the mean, not the median: the timelines drift apart by the sum of the gaps, outliers included
  return gaps.length === 0 ? 0 : gaps.reduce((a, b) => a + b, 0) / gaps.length;
}

/** The first `ms` of a trace (periods cut at the boundary). */
function cut(trace: NetworkTrace, ms: number, name = trace.name): NetworkTrace {
  const periods: TracePeriod[] = [];
  let t = 0;
  for (const p of trace.periods) {
    if (t >= ms) break;
    const durationMs = Math.min(p.durationMs, ms - t);
    periods.push({ ...p, durationMs });
    t += durationMs;
  }
  return { name, periods };
}

async function traces(): Promise<NetworkTrace[]> {
  const latencyMs = 40;
  const synthetic = [
    stepTrace(
      [
        { bandwidthKbps: 1500, durationMs: 12_000 },
        { bandwidthKbps: 350, durationMs: 10_000 },
        { bandwidthKbps: 900, durationMs: 38_000 },
      ],
      { name: 'step-1500-350-900', latencyMs },
    ),
    randomWalkTrace({
      name: 'random-walk',
      seed: 7,
      startKbps: 800,
      minKbps: 200,
      maxKbps: 2500,
      durationMs: TRACE_CUT_MS,
      latencyMs,
    }),
    markovTrace({
      name: 'markov',
      seed: 3,
      statesKbps: [250, 450, 700, 1000, 1500, 2200],
      durationMs: TRACE_CUT_MS,
      latencyMs,
    }),
    cellularTrace({ name: 'cellular', seed: 5, meanKbps: 900, durationMs: TRACE_CUT_MS, latencyMs }),
  ];
  const real: NetworkTrace[] = [];
  if (hasSharedData) {
    // Fixed picks (the first files of two sets), not chosen by their results.
    for (const file of [
      'traces/hsdpa-norway-3g/report.2010-09-13_1003CEST.json',
      'traces/fcc-sd/trace0000.json',
      'traces/hsdpa-norway-3g/report.2010-09-13_1046CEST.json',
      // three more, so that ten traces are compared: the head-to-head's two FCC picks and the next HSDPA file
      'traces/fcc-sd/trace0005.json',
      'traces/fcc-sd/trace0010.json',
      'traces/hsdpa-norway-3g/report.2010-09-14_1038CEST.json',
    ]) {
      const t = await loadTraceFile(sharedData(file));
      real.push(cut(t, TRACE_CUT_MS, `real:${t.name}`));
    }
  }
  const all = [...synthetic.map((t) => cut(t, TRACE_CUT_MS)), ...real];
  const chosen = ONLY_TRACES ? all.filter((t) => ONLY_TRACES.some((n) => t.name.includes(n))) : all;
  return QUICK ? chosen.slice(0, 2) : chosen;
}

/** A decision as logged on both sides (times from the session's start, ms). */
interface Decision {
  readonly s: number;
  readonly r: number;
  readonly t: number;
  readonly buf: number;
  readonly kbps: number;
  /** Browser only: the video element's currentTime then, ms. */
  readonly pos?: number;
}

/** What one browser session gave: kept in the JSON (`browser`), so `--replay` can simulate it again. */
interface BrowserRun {
  readonly decisions: Decision[];
  readonly records: SegmentRecord[];
  readonly qoe: PlayerQoe;
  readonly requests: LoggedRequest[];
  readonly wallMs: number;
  readonly errors: string[];
}

/** The simulator's browser-side inputs, read from a browser run. */
interface Measured {
  readonly offsetMs: number;
  readonly overheadMs: number;
  readonly playlistBytes: number[];
  readonly startDelayMs: number;
}

function measure(run: BrowserRun, video: VideoDescription): Measured {
  // the session's first request: segment 0's init segment with the init model, else segment 0 itself
  const first = INIT_MODEL ? /\/\d+p\/(?:init\.mp4|seg_\d+\.m4s)$/ : /\/\d+p\/seg_\d+\.m4s$/;
  const offsetMs = Math.min(...run.requests.filter((r) => first.test(r.url)).map((r) => r.startMs));
  return {
    offsetMs,
    overheadMs: FIXED_OVERHEAD_MS ?? measureOverheadMs(run.requests),
    playlistBytes: PLAYLIST_MODEL ? playlistBytes(video, run.requests, offsetMs) : [],
    startDelayMs: FIXED_START_DELAY_MS ?? measureStartDelayMs(run.decisions) ?? 0,
  };
}

async function runBrowser(
  browser: LaunchedBrowser,
  bundle: string,
  trace: NetworkTrace,
  algo: string,
): Promise<BrowserRun> {
  const server = await startShapingServer({
    root: FIXTURES_DIR,
    trace,
    network: 'sabre',
    tickMs: SERVER_TICK_MS,
  });
  const page = await browser.newPage();
  const t0 = Date.now();
  try {
    // tsx (esbuild keepNames) wraps named functions of the evaluated code in __name()
    await page.addInitScript('window.__name = (f) => f');
    await openPlayerPage(page, server.url, bundle);
    await page.evaluate(
      async ({ algo, bufferTargetMs, startEstimateKbps }) => {
        const w = window as unknown as Record<string, unknown>;
        const abrkit = w.abrkit as typeof PageModule;
        const video = document.getElementById('v') as HTMLVideoElement;
        const player = abrkit.createPlayer({
          abr: (options) => abrkit.createAlgorithm(algo, options),
          bufferTargetMs,
          startEstimateKbps,
        });
        w.player = player;
        w.ended = false;
        w.errors = [];
        const decisions: unknown[] = [];
        w.decisions = decisions;
        player.decision$.subscribe((d) =>
          decisions.push({
            s: d.segmentIndex,
            r: d.renditionIndex,
            t: Math.round(d.nowMs),
            buf: Math.round(d.bufferLevelMs),
            kbps: Math.round(d.throughputKbps),
            pos: Math.round(video.currentTime * 1000),
          }),
        );
        player.state$.subscribe((s) => {
          if (s === 'ended' || s === 'error') w.ended = true;
        });
        player.error$.subscribe((e) => (w.errors as string[]).push(`${e.code}: ${e.message}`));
        player.attach(video);
        await player.load('/ladder/master.m3u8');
      },
      { algo, bufferTargetMs: BUFFER_TARGET_MS, startEstimateKbps: START_ESTIMATE_KBPS },
    );
    await page.waitForFunction(() => (window as unknown as { ended: boolean }).ended, null, {
      timeout: 150_000,
      polling: 250,
    });
    const result = await page.evaluate(() => {
      const w = window as unknown as {
        player: { exportSession(): { records: SegmentRecord[]; qoe: PlayerQoe } };
        errors: string[];
        decisions: Decision[];
      };
      const e = w.player.exportSession();
      return { records: e.records, qoe: e.qoe, errors: w.errors, decisions: w.decisions };
    });
    if (args.includes('--verbose')) {
      for (const r of server.requests)
        console.log(
          `  server ${r.url} ${r.bytes} B start ${r.startMs.toFixed(0)} fb ${String(r.firstByteMs?.toFixed(0))} end ${r.endMs.toFixed(0)} kbps ${((r.bytes * 8) / Math.max(1, r.endMs - (r.firstByteMs ?? r.startMs))).toFixed(0)}`,
        );
      for (const r of result.records)
        console.log(
          `  browser seg ${r.segment} r${r.rendition} ${r.sizeBytes} B dl ${r.downloadMs.toFixed(0)} buf ${r.bufferMs.toFixed(0)}`,
        );
    }
    const requests = server.requests.map((r) => ({ url: r.url, startMs: r.startMs, endMs: r.endMs }));
    return { ...result, requests, wallMs: Date.now() - t0 };
  } finally {
    await page.close();
    await server.close();
  }
}

interface RunResult {
  readonly trace: string;
  readonly algo: string;
  readonly segments: number;
  readonly compared: number;
  readonly agreement: number;
  readonly browserRenditions: number[];
  readonly simRenditions: number[];
  readonly browserMeanKbps: number;
  readonly simMeanKbps: number;
  readonly browserStallMs: number;
  readonly simStallMs: number;
  readonly meanAbsDownloadDiffMs: number;
  readonly offsetMs: number;
  readonly overheadMs: number;
  readonly startDelayMs: number;
  readonly browserStartupMs: number | null;
  readonly simStartupMs: number;
  readonly errors: string[];
  readonly browser: BrowserRun;
}

function compare(trace: NetworkTrace, algo: string, run: BrowserRun, video: VideoDescription): RunResult {
  const browser = { ...run, ...measure(run, video) };
  const simDecisions: Decision[] = [];
  const sim = simulateSession({
    video,
    trace: skipTrace(trace, browser.offsetMs),
    algorithm: SIZE_TABLE ? algo : withoutSizeTable(createAlgorithm(algo)),
    network: 'abrkit',
    bufferTargetMs: BUFFER_TARGET_MS,
    requestOverheadMs: browser.overheadMs,
    ...(browser.playlistBytes.length > 0 ? { playlistBytes: browser.playlistBytes } : {}),
    ...(browser.startDelayMs > 0 ? { playbackStartDelayMs: browser.startDelayMs } : {}),
    ...(CHUNK_PROGRESS ? { progress: { minMs: SERVER_TICK_MS, minBytes: 1 } } : {}),
    ...(INIT_MODEL ? { initSegmentBytes: initSegmentBytes(video), initWithMedia: INIT_WITH_MEDIA } : {}),
    onEvents: (events) => {
      events.on('decision', (d) =>
        simDecisions.push({
          s: d.segmentIndex,
          r: d.renditionIndex,
          t: Math.round(d.nowMs),
          buf: Math.round(d.bufferLevelMs),
          kbps: Math.round(d.throughputKbps),
        }),
      );
      // abandonments, to set beside the server's log of the browser's aborted requests (trace time = t + offset)
      if (args.includes('--verbose'))
        events.on('download', (d) => {
          if (d.abandonedTo === null) return;
          const { startMs, endMs, sizeBytes } = d.sample;
          console.log(
            `  sim abandon seg ${d.segmentIndex} r${d.renditionIndex} -> r${d.abandonedTo} requested ${startMs.toFixed(0)} ` +
              `(trace ${(startMs + browser.offsetMs).toFixed(0)}) after ${(endMs - startMs).toFixed(0)} ms, ${sizeBytes.toFixed(0)} B`,
          );
        });
    },
  });
  if (args.includes('--verbose')) {
    const t0 = browser.decisions[0]?.t ?? 0;
    for (let i = 0; i < Math.max(browser.decisions.length, simDecisions.length); i++) {
      const b = browser.decisions[i];
      const m = simDecisions[i];
      console.log(
        `  decision b ${b ? `s${b.s} r${b.r} t${b.t - t0} buf${b.buf} est${b.kbps} pos${String(b.pos)}` : '-'}  |  sim ${m ? `s${m.s} r${m.r} t${m.t} buf${m.buf} est${m.kbps}` : '-'}`,
      );
    }
  }
  if (args.includes('--verbose'))
    for (const r of sim.records)
      console.log(
        `  sim seg ${r.segment} r${r.rendition} ${r.sizeBytes} B dl ${r.downloadMs.toFixed(0)} buf ${r.bufferMs.toFixed(0)}`,
      );
  const b = [...browser.records].sort((x, y) => x.segment - y.segment);
  const s = sim.records;
  let same = 0;
  let compared = 0;
  let downloadDiff = 0;
  for (let i = 0; i < Math.min(b.length, s.length); i++) {
    downloadDiff += Math.abs((b[i]?.downloadMs ?? 0) - (s[i]?.downloadMs ?? 0));
    if (i === 0) continue;
    compared++;
    if (b[i]?.rendition === s[i]?.rendition) same++;
  }
  const mean = (xs: readonly SegmentRecord[]) =>
    xs.reduce((a, r) => a + r.bitrateKbps, 0) / Math.max(1, xs.length);
  return {
    trace: trace.name,
    algo,
    segments: b.length,
    compared,
    agreement: compared > 0 ? same / compared : 0,
    browserRenditions: b.map((r) => r.rendition),
    simRenditions: s.map((r) => r.rendition),
    browserMeanKbps: mean(b),
    simMeanKbps: mean(s),
    browserStallMs: browser.qoe.stallMs,
    simStallMs: sim.summary.rebufferMs,
    meanAbsDownloadDiffMs: downloadDiff / Math.max(1, Math.min(b.length, s.length)),
    offsetMs: browser.offsetMs,
    overheadMs: browser.overheadMs,
    startDelayMs: browser.startDelayMs,
    browserStartupMs: browser.qoe.startupMs,
    simStartupMs: sim.summary.startupMs,
    errors: browser.errors,
    browser: run,
  };
}

async function main(): Promise<void> {
  const [video, bundle, list] = await Promise.all([
    loadVideo(MASTER).then(withAudio),
    REPLAY === undefined ? buildBrowserBundle(join(import.meta.dirname, 'fidelity-page-entry.ts')) : '',
    traces(),
  ]);
  const results: RunResult[] = [];
  const print = (r: RunResult): void => {
    console.log(
      `${r.trace.padEnd(34)} ${r.algo.padEnd(11)} agree ${(r.agreement * 100).toFixed(0).padStart(3)}%  ` +
        `kbps b/s ${r.browserMeanKbps.toFixed(0)}/${r.simMeanKbps.toFixed(0)}  stall b/s ${r.browserStallMs.toFixed(0)}/${r.simStallMs.toFixed(0)} ms  ` +
        `|Δdl| ${r.meanAbsDownloadDiffMs.toFixed(0)} ms  offset ${r.offsetMs.toFixed(0)} ms  overhead ${r.overheadMs.toFixed(0)} ms  start delay ${r.startDelayMs.toFixed(0)} ms  wall ${(r.browser.wallMs / 1000).toFixed(0)} s` +
        (r.errors.length > 0 ? `  errors: ${r.errors.join('; ')}` : ''),
    );
    console.log(`    browser ${r.browserRenditions.join('')}\n    sim     ${r.simRenditions.join('')}`);
  };
  if (REPLAY !== undefined) {
    // the browser side of an earlier run, simulated again with this run's model options
    const saved = JSON.parse(readFileSync(REPLAY, 'utf8')) as {
      runs: { trace: string; algo: string; browser?: BrowserRun }[];
    };
    for (const run of saved.runs) {
      const trace = list.find((t) => t.name === run.trace);
      if (!run.browser || !trace || !ALGOS.includes(run.algo)) continue;
      const r = compare(trace, run.algo, run.browser, video);
      results.push(r);
      print(r);
    }
    summarize(results, false);
    return;
  }
  const browser = await launchBrowser();
  const jobs = list.flatMap((trace) => ALGOS.map((algo) => ({ trace, algo })));
  console.log(
    `fidelity: ${list.length} traces × ${ALGOS.length} algorithms = ${jobs.length} browser sessions, ${PARALLEL} at a time` +
      (hasSharedData ? '' : ' (../shared/data absent: synthetic traces only)'),
  );
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const run = await runBrowser(browser, bundle, job.trace, job.algo);
      const r = compare(job.trace, job.algo, run, video);
      results.push(r);
      print(r);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, PARALLEL) }, worker));
  } finally {
    await browser.close();
  }
  summarize(results, true);
}

/** Prints the agreement per algorithm and, with `write`, writes the JSON. */
function summarize(results: readonly RunResult[], write: boolean): void {
  console.log('\nper algorithm (segments 1-19 of every run; Δ = browser − simulator):');
  const overall: Record<string, unknown> = {};
  for (const algo of ALGOS) {
    const mine = results.filter((r) => r.algo === algo);
    const compared = mine.reduce((a, r) => a + r.compared, 0);
    const agree = mine.reduce((a, r) => a + r.agreement * r.compared, 0) / Math.max(1, compared);
    const dKbps =
      mine.reduce((a, r) => a + (r.browserMeanKbps - r.simMeanKbps), 0) / Math.max(1, mine.length);
    const dStall = mine.reduce((a, r) => a + (r.browserStallMs - r.simStallMs), 0) / Math.max(1, mine.length);
    overall[algo] = { runs: mine.length, agreement: agree, meanDeltaKbps: dKbps, meanDeltaStallMs: dStall };
    console.log(
      `  ${algo.padEnd(11)} agreement ${(agree * 100).toFixed(1)}% over ${compared} segments; ` +
        `mean Δ bitrate ${dKbps.toFixed(0)} kbps; mean Δ stall ${dStall.toFixed(0)} ms (${mine.length} runs)`,
    );
  }
  if (!write) return;
  mkdirSync(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, `fidelity-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        config: {
          bufferTargetMs: BUFFER_TARGET_MS,
          startEstimateKbps: START_ESTIMATE_KBPS,
          traceCutMs: TRACE_CUT_MS,
          parallel: PARALLEL,
          simNetwork: 'abrkit (Sabre link)',
          audioModel: AUDIO_MODEL,
          sizeTable: SIZE_TABLE,
          initModel: INIT_MODEL,
          initWithMedia: INIT_WITH_MEDIA,
          overheadMs: FIXED_OVERHEAD_MS ?? 'measured per run',
          playlistModel: PLAYLIST_MODEL,
          progress: CHUNK_PROGRESS ? `every ${SERVER_TICK_MS} ms (server chunks)` : 'abrkit preset (100 ms)',
          startDelayMs: FIXED_START_DELAY_MS ?? 'measured per run',
          serverNetwork: 'sabre',
        },
        overall,
        runs: results,
      },
      null,
      2,
    ),
  );
  console.log(`wrote ${file}`);
}

await main();
