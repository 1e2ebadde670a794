/**
 * Live: the browser against the simulator, per algorithm, and hls.js's own live ABR on the same stream
 * (issue 16 item 5). Run: `npm run bench:live [-- --runs N --run-s S --algos a,b --trace SPEC --no-hlsjs]`.
 * Printed only; nothing is asserted. JSON goes to out/live-bench/.
 *
 * Stream: fixtures/ladder (4 video renditions 236-1163 kbps, AAC audio, 2 s segments) served live by the
 * shaping server (`live: { windowS: 30, startS: 60 }`, the e2e setting: a full 30 s window at once,
 * PROGRAM-DATE-TIME, no ENDLIST), paced by a trace on the server's Sabre link (`network: 'sabre'`, latency
 * then bits), the trace clock starting at the player's first request.
 *
 * Contenders, one after another (never two browser runs at once on this 2-core machine):
 * - `abrkit/player` in chromium with each algorithm by name, its defaults (latency target three target
 *   durations = 6 s, catch-up 1.0-1.1, jump beyond 12 s), `bufferTargetMs` 30 s and the 500 kbps start
 *   estimate (the simulator's `abrkit` preset);
 * - hls.js 1.7 with its defaults (its ABR, `liveSyncDurationCount` 3 = 6 s; bench/live-hls-page-entry.ts).
 * Each plays `--run-s` seconds (default 60) of wall time.
 *
 * Simulator, per abrkit browser run: `simulateSession` as `abrkit sim --live --latency-target-ms 6000` calls
 * it (network `abrkit`, LoL+ QoE), on the same trace from the browser's first video request on
 * (bench/live-lib.ts `sessionStartMs`), joining where the browser joined (`edgeAtStartMs` from the server's
 * timeline), on the ladder looped from the browser's first media sequence number with the audio bytes, and
 * with what the player does around its downloads (docs/fidelity.md's VOD mechanisms, and live's own):
 * - the init segment fetched with a rendition's first segment and counted in its sample (`initWithMedia`);
 * - the per-request overhead, measured from the server's log as the time from the last byte of the reload that
 *   listed a segment to the segment's request (`afterListingMs`; VOD's is from one segment's last byte to the
 *   next request, which live play, waiting for each segment, seldom shows);
 * - abandonment checked at each 10 ms chunk of the body (`progress`), as bench/fidelity.ts;
 * - the player's playlist reloads (`SimLiveOptions.reloads`, src/sim/live-reloads.ts), read from the server's
 *   log: each playlist request's time and bytes take their link time from the segments, and a segment is
 *   known once the first reload after it exists ends (the reload phase, and its drift);
 * - the algorithm's context as the player's live session has it: no segment-size table (live playlists carry
 *   no byte ranges) and no end of stream (`segmentCount` Infinity);
 * - playback starting, as the player seeks, exactly 6 s behind live, mid-segment (`startAtTarget`).
 * `--reload-model` takes the reloads from the player's schedule (`periodicReloads`: one per target duration
 * from the first logged one, of its bytes) instead of the log.
 * `--no-reloads` (a constant listing delay instead, as before), `--no-listing`, `--no-overhead`,
 * `--init-before` and `--progress-100` take one mechanism out.
 * Printed per contender: mean latency (browser: the player's `latency` events, wall clock − PROGRAM-DATE-TIME
 * at the playhead, twice a second from the first frame; hls.js: wall clock − `hls.playingDate`; simulator:
 * the records' latency at each segment's decision), stalls (count and seconds after the first frame), mean
 * nominal bitrate of the video segments fetched, and for abrkit the fraction of decisions equal between
 * browser and simulator (same rendition for the same media sequence number, the startup segment left out),
 * with the machine's load average before and after each run.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  buildBrowserBundle,
  FIXTURES_DIR,
  getPlayerRun,
  openBundlePage,
  openPlayerPage,
  startPlayerRun,
  type PlayerRun,
} from '../e2e/player-harness.js';
import { launchBrowser, type LaunchedBrowser } from '../e2e/support/browser.js';
import { getLive, recordLive, type LiveRecord } from '../e2e/support/live-harness.js';
import { createAlgorithm } from '../src/abr/registry.js';
import { startShapingServer, type ShapingServer } from '../src/shaping/index.js';
import { loadVideo } from '../src/sim/load-video.js';
import { periodicReloads } from '../src/sim/live-reloads.js';
import { simulateSession } from '../src/sim/simulate.js';
import { generateTrace } from '../src/traces/spec.js';
import type { NetworkTrace } from '../src/traces/model.js';
import { REPO_ROOT } from '../test/support/shared-data.js';
import type * as PageModule from './fidelity-page-entry.js';
import type { HlsLiveRun } from './live-hls-page-entry.js';
import {
  afterListingMs,
  agreement,
  edgeAtStartMs,
  listingDelayMs,
  loopedVideo,
  mean,
  measureOverheadMs,
  msnOf,
  playlistReloads,
  sessionStartMs,
  skipTrace,
  withEndlessStream,
  withoutSizeTable,
} from './live-lib.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(flag('--runs') ?? 1);
const RUN_S = Number(flag('--run-s') ?? 60);
const ALGOS = (flag('--algos') ?? 'scenario-mpc,l2a-ll,throughput,bola').split(',');
const TRACE_SPEC = flag('--trace') ?? 'step:2000x20s,450x15s,1200x15s,300x10s,2000x30s';
const HLSJS = !args.includes('--no-hlsjs');
const VERBOSE = args.includes('--verbose');
/** `--no-listing`: the simulator's segments come out when the server's do (no playlist-reload delay). */
const LISTING = !args.includes('--no-listing');
/**
 * `--no-reloads`: the simulator without the player's playlist reloads (their bytes on the link, and segments
 * known when a reload lists them), a constant listing delay instead.
 */
const RELOADS = !args.includes('--no-reloads');
/** `--reload-model`: reloads on the player's schedule (src/sim/live-reloads.ts `periodicReloads`), not the log's. */
const RELOAD_MODEL = args.includes('--reload-model');
/** `--no-overhead`: no per-request overhead in the simulator. */
const OVERHEAD = !args.includes('--no-overhead');
/** `--init-before`: the simulator fetches an init segment before its first segment, not with it. */
const INIT_WITH_MEDIA = !args.includes('--init-before');
/**
 * `--progress-100`: the simulator checks abandonment on the abrkit preset's 100 ms tick; by default at each
 * chunk of the body stream, which the shaping server writes every `SERVER_TICK_MS` (as bench/fidelity.ts).
 */
const CHUNK_PROGRESS = !args.includes('--progress-100');
const SERVER_TICK_MS = 10;
if (!(RUNS >= 1 && Number.isInteger(RUNS))) throw new Error(`--runs: an integer >= 1, got ${RUNS}`);
if (!(RUN_S >= 10)) throw new Error(`--run-s: at least 10 s, got ${RUN_S}`);
const SEGMENT_MS = 2000;
const TARGET_LATENCY_MS = 6000;
const BUFFER_TARGET_MS = 30_000;
const START_ESTIMATE_KBPS = 500;
/** A segment out this long is listed by the player's playlists (reloads every target duration or half). */
const KNOWN_FOR_MS = 2500;
const LADDER_DIR = join(FIXTURES_DIR, 'ladder');
const OUT_DIR = join(REPO_ROOT, 'out', 'live-bench');
mkdirSync(OUT_DIR, { recursive: true });
const VIDEO_SEGMENT_URL = /\/\d+p\/seg_\d+\.m4s/;

const trace: NetworkTrace = generateTrace(TRACE_SPEC);
const ladder = await loadVideo(join(LADDER_DIR, 'master.m3u8'));
const bitrateKbps = (rendition: number): number => ladder.renditions[rendition]?.bitrateKbps ?? 0;
const pad = (i: number): string => String(i).padStart(5, '0');
const fileBytes = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};
const audioBytes = (i: number): number => fileBytes(join(LADDER_DIR, 'audio', `seg_${pad(i)}.m4s`));
const audioInitBytes = fileBytes(join(LADDER_DIR, 'audio', 'init.mp4'));
const initSegmentBytes = ladder.renditions.map((r) =>
  fileBytes(join(LADDER_DIR, `${r.heightPx}p`, 'init.mp4')),
);

interface Metrics {
  latencyMs: number | null;
  stalls: number;
  stallS: number;
  bitrateKbps: number | null;
  segments: number;
}

interface Row {
  run: number;
  contender: string;
  browser: Metrics;
  sim: Metrics | null;
  agreement: { same: number; compared: number; fraction: number | null } | null;
  /** The browser jumped (seeked) this many times; the simulator's session does not. */
  seeks: number;
  errors: string[];
  /** Null when no pair of segments qualified (in steady live play the player waits for each). */
  overheadMs: number | null;
  listingDelayMs: number | null;
  edgeAtStartMs: number | null;
  loadBefore: number;
  loadAfter: number;
}

async function newPage(browser: LaunchedBrowser): Promise<Page> {
  const page = await browser.newPage();
  // tsx (esbuild keepNames) wraps named functions of the evaluated code in __name()
  await page.addInitScript('window.__name = (f) => f');
  return page;
}

function serve(): Promise<ShapingServer> {
  return startShapingServer({
    root: LADDER_DIR,
    trace,
    network: 'sabre',
    live: { windowS: 30, startS: 60 },
  });
}

/** Epoch ms of the server's trace origin (its first request). */
function traceEpochMs(server: ShapingServer): number {
  const now = server.traceNowMs();
  if (now === null) throw new Error('the server saw no request');
  return Date.now() - now;
}

async function runAbrkit(browser: LaunchedBrowser, bundle: string, algo: string, run: number): Promise<Row> {
  const loadBefore = loadavg()[0]!;
  const server = await serve();
  const page = await newPage(browser);
  let player: PlayerRun;
  let live: LiveRecord;
  let originMs: number;
  try {
    await openPlayerPage(page, server.url, bundle);
    // the algorithm from the whole registry (the player knows three by name), built as the simulator does
    await page.evaluate(() => {
      const w = window as unknown as { abrkit: typeof PageModule };
      const mod = w.abrkit;
      w.abrkit = {
        ...mod,
        createPlayer: (options) => {
          const name = String(options?.abr);
          return mod.createPlayer({ ...options, abr: (o) => mod.createAlgorithm(name, o) });
        },
      };
    });
    await startPlayerRun(page, '/master.m3u8', {
      abr: algo,
      bufferTargetMs: BUFFER_TARGET_MS,
      startEstimateKbps: START_ESTIMATE_KBPS,
    });
    await recordLive(page);
    await page.waitForTimeout(RUN_S * 1000);
    [player, live] = await Promise.all([getPlayerRun(page), getLive(page)]);
    originMs = traceEpochMs(server);
  } finally {
    await page.close();
    await server.close();
  }
  const requests = server.requests.map((r) => ({
    url: r.url,
    startMs: r.startMs,
    endMs: r.endMs,
    status: r.status,
    bytes: r.bytes,
  }));
  if (VERBOSE)
    writeFileSync(
      join(OUT_DIR, `requests-${algo}-${Date.now()}.json`),
      JSON.stringify({ originMs, liveOriginEpochMs: server.live!.originEpochMs, requests }),
    );
  // segment index -> msn, from the video downloads (the player's indices count from its first window)
  const video = player.downloads.find((d) => d.kind === 'video' && msnOf(d.url) !== null);
  if (!video)
    throw new Error(`${algo}: no video segment downloaded (errors: ${JSON.stringify(player.errors)})`);
  const msnShift = msnOf(video.url)! - video.segmentIndex;
  const browserRenditions = new Map<number, number>();
  for (const s of player.segments) browserRenditions.set(s.segment + msnShift, s.rendition);
  const msns = [...browserRenditions.keys()].sort((a, b) => a - b);
  const firstMsn = msns[0]!;
  const count = msns.at(-1)! - firstMsn + 1;
  const startMs = sessionStartMs(requests);
  const edgeMs = edgeAtStartMs(originMs + startMs, server.live!.originEpochMs, firstMsn, SEGMENT_MS);
  // a segment is out when the server's edge passes its end; in trace time:
  const availableAtMs = (msn: number): number =>
    server.live!.originEpochMs + (msn + 1) * SEGMENT_MS - originMs;
  // the player learns of a segment at its next playlist reload: with the reloads modelled, the simulator knows
  // it when the reload that lists it ends; without, a constant delay after the server has it
  // (SimLiveOptions.listingDelayMs; the edge stays the server's)
  const logged = LISTING && RELOADS ? playlistReloads(requests, startMs) : null;
  // --reload-model: the player's schedule instead of the log (one reload per target duration from the first,
  // each of the first reload's bytes): no drift
  const reloads =
    logged && RELOAD_MODEL && logged.length > 0
      ? periodicReloads({
          firstAtMs: logged[0]!.atMs,
          intervalMs: SEGMENT_MS,
          bytes: logged.filter((r) => r.reload === logged[0]!.reload).reduce((sum, r) => sum + r.bytes, 0),
          untilMs: RUN_S * 1000 + 10_000,
        })
      : logged;
  // the per-request overhead (VOD's: a response's last byte to the next request, on the server's clock): in
  // steady live play the player waits for each segment, so it is read after the reload that listed it
  const measuredOverheadMs =
    (reloads ? afterListingMs(requests, availableAtMs) : null) ??
    measureOverheadMs(requests, availableAtMs, KNOWN_FOR_MS);
  const overheadMs = OVERHEAD ? (measuredOverheadMs ?? 0) : 0;
  const listingMs =
    !LISTING || reloads ? 0 : Math.max(0, (listingDelayMs(requests, availableAtMs) ?? 0) - overheadMs);
  const simDecisions = new Map<number, { bufferLevelMs: number; throughputKbps: number; reason: string }>();
  const simDownloads: {
    bytes: number;
    msn: number;
    rendition: number;
    startMs: number;
    endMs: number;
    abandonedTo: number | null;
  }[] = [];
  const sim = simulateSession({
    video: loopedVideo(ladder, firstMsn, count, audioBytes, audioInitBytes),
    trace: skipTrace(trace, startMs),
    algorithm: withEndlessStream(withoutSizeTable(createAlgorithm(algo))),
    network: 'abrkit',
    bufferTargetMs: BUFFER_TARGET_MS,
    requestOverheadMs: overheadMs,
    initSegmentBytes,
    // the player fetches a rendition's init segment with its first segment and counts it in the sample
    initWithMedia: INIT_WITH_MEDIA,
    ...(CHUNK_PROGRESS ? { progress: { minMs: SERVER_TICK_MS, minBytes: 1 } } : {}),
    live: {
      targetLatencyMs: TARGET_LATENCY_MS,
      edgeAtStartMs: edgeMs,
      listingDelayMs: listingMs,
      ...(reloads ? { reloads } : {}),
    },
    onEvents: (events) => {
      events.on('decision', (d) => simDecisions.set(d.segmentIndex + firstMsn, d));
      if (VERBOSE)
        events.on('download', (d) =>
          simDownloads.push({
            msn: d.segmentIndex + firstMsn,
            bytes: d.sample.sizeBytes,
            rendition: d.renditionIndex,
            startMs: d.sample.startMs,
            endMs: d.sample.endMs,
            abandonedTo: d.abandonedTo,
          }),
        );
    },
  });
  const simRenditions = new Map(sim.records.map((r) => [r.segment + firstMsn, r.rendition]));
  if (VERBOSE) {
    console.log(
      `  ${algo}: first msn ${firstMsn}, edge at start ${edgeMs.toFixed(0)} ms, overhead ${overheadMs.toFixed(0)} ms, listing delay ${listingMs.toFixed(0)} ms`,
    );
    // the page records the whole decision event (nowMs, throughputKbps too)
    const decisions = player.decisions as unknown as {
      segmentIndex: number;
      bufferLevelMs: number;
      nowMs: number;
      throughputKbps: number;
      reason: string;
    }[];
    // a sample's throughput, kbps, and the numbers in a decision's reason (L2A-LL's E[bitrate] and Q...)
    const kbps = (bytes: number, ms: number): string => ((bytes * 8) / ms).toFixed(0);
    const why = (reason: string | undefined): string =>
      (reason ?? '')
        .match(/\d+(?:\.\d+)?/g)
        ?.slice(0, 2)
        .join('/') ?? '';
    // the player's sample: the video and the audio fetched with it, from the video's request to the last end
    const browserSample = (msn: number): string => {
      const x = player.downloads.find(
        (y) => y.kind === 'video' && !y.aborted && y.segmentIndex + msnShift === msn,
      );
      if (!x) return '-';
      const audio = player.downloads.filter((y) => y.kind === 'audio' && !y.aborted && msnOf(y.url) === msn);
      const endMs = Math.max(x.endMs, ...audio.map((y) => y.endMs));
      return `${kbps(x.sizeBytes + audio.reduce((sum, y) => sum + y.sizeBytes, 0), endMs - x.startMs)}(${(endMs - x.startMs).toFixed(0)})`;
    };
    const t0 = decisions[0]?.nowMs ?? 0;
    // the browser's video downloads of an msn, trace time (server log), with the playlist bytes sent meanwhile
    const browserDownloads = (msn: number): string =>
      requests
        .filter((q) => msnOf(q.url) === msn && VIDEO_SEGMENT_URL.test(q.url))
        .map((q) => {
          const pl = requests.filter(
            (p) => p.url.includes('.m3u8') && p.endMs > q.startMs && p.startMs < q.endMs,
          );
          const plBytes = pl.reduce((sum, p) => sum + p.bytes, 0);
          return `[${/\/(\d+p)\//.exec(q.url)?.[1] ?? '?'} ${(q.startMs - startMs).toFixed(0)}+${(q.endMs - q.startMs).toFixed(0)}${q.status >= 400 ? ` ${q.status}` : ''} pl${pl.length}/${plBytes}B]`;
        })
        .join('');
    for (const r of sim.records) {
      const msn = r.segment + firstMsn;
      const d = decisions.filter((x) => x.segmentIndex + msnShift === msn).at(-1);
      console.log(
        `    msn ${msn}: browser r${String(browserRenditions.get(msn))} t${d ? (d.nowMs - t0).toFixed(0) : '-'} buf${d ? d.bufferLevelMs.toFixed(0) : '-'} est${d ? d.throughputKbps.toFixed(0) : '-'} why${why(d?.reason)} smp${browserSample(msn)}` +
          ` ${browserDownloads(msn)} | sim r${r.rendition} ${simDownloads
            .filter((x) => x.msn === msn)
            .map(
              (x) =>
                `[r${x.rendition} ${x.startMs.toFixed(0)}+${(x.endMs - x.startMs).toFixed(0)}${x.abandonedTo === null ? '' : ` ab->${x.abandonedTo}`}]`,
            )
            .join(
              '',
            )} buf${simDecisions.get(msn)?.bufferLevelMs.toFixed(0) ?? '-'} est${simDecisions.get(msn)?.throughputKbps.toFixed(0) ?? '-'} why${why(simDecisions.get(msn)?.reason)} smp${simDownloads
            .filter((x) => x.msn === msn && x.abandonedTo === null)
            .map((x) => kbps(x.bytes, x.endMs - x.startMs))
            .join('')} lat${String(r.latencyMs?.toFixed(0))} dl${r.downloadMs.toFixed(0)}`,
      );
    }
  }
  const firstFrame = live.latency.findIndex((s) => s.currentTimeS > (live.latency[0]?.currentTimeS ?? 0));
  const samples = firstFrame < 0 ? [] : live.latency.slice(firstFrame);
  return {
    run,
    contender: `abrkit ${algo}`,
    browser: {
      latencyMs: mean(samples.map((s) => s.latencyMs)),
      stalls: player.qoe?.stallCount ?? 0,
      stallS: (player.qoe?.stallMs ?? 0) / 1000,
      bitrateKbps: mean(player.segments.map((s) => bitrateKbps(s.rendition))),
      segments: player.segments.length,
    },
    sim: {
      latencyMs: mean(sim.records.flatMap((r) => (r.latencyMs === undefined ? [] : [r.latencyMs]))),
      stalls: sim.summary.rebufferCount,
      stallS: sim.summary.rebufferMs / 1000,
      bitrateKbps: sim.summary.meanBitrateKbps,
      segments: sim.records.length,
    },
    agreement: agreement(browserRenditions, simRenditions, firstMsn),
    seeks: Math.max(0, live.seeks - 1), // the first is the start at the sync position
    errors: player.errors.map((e) => `${e.code}: ${e.message}`),
    overheadMs: measuredOverheadMs,
    listingDelayMs: listingMs,
    edgeAtStartMs: edgeMs,
    loadBefore,
    loadAfter: loadavg()[0]!,
  };
}

async function runHlsJs(browser: LaunchedBrowser, bundle: string, run: number): Promise<Row> {
  const loadBefore = loadavg()[0]!;
  const server = await serve();
  const page = await newPage(browser);
  let hls: HlsLiveRun;
  try {
    await openBundlePage(page, server.url, bundle);
    await page.evaluate((src) => window.startHlsLive(src), `${server.url}/master.m3u8`);
    await page.waitForTimeout(RUN_S * 1000);
    hls = await page.evaluate(() => window.hlsLive);
  } finally {
    await page.close();
    await server.close();
  }
  const bySn = new Map<number, number>();
  for (const f of hls.fragments) bySn.set(f.sn, f.bitrateKbps);
  const endMs = RUN_S * 1000;
  return {
    run,
    contender: 'hls.js default ABR',
    browser: {
      latencyMs: mean(hls.latency.map((s) => s.latencyMs)),
      stalls: hls.stalls.length,
      stallS: hls.stalls.reduce((sum, s) => sum + ((s.endMs ?? endMs) - s.startMs), 0) / 1000,
      bitrateKbps: mean([...bySn.values()]),
      segments: bySn.size,
    },
    sim: null,
    agreement: null,
    seeks: 0,
    errors: hls.fatalErrors,
    overheadMs: null,
    listingDelayMs: null,
    edgeAtStartMs: null,
    loadBefore,
    loadAfter: loadavg()[0]!,
  };
}

const f = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));

function printRow(r: Row): void {
  const b = r.browser;
  const s = r.sim;
  const a = r.agreement;
  console.log(
    [
      r.contender.padEnd(22),
      `${f(b.latencyMs === null ? null : b.latencyMs / 1000, 2)} / ${s ? f(s.latencyMs === null ? null : s.latencyMs / 1000, 2) : '-'}`.padStart(
        13,
      ),
      `${b.stalls} ${f(b.stallS, 1)}s / ${s ? `${s.stalls} ${f(s.stallS, 1)}s` : '-'}`.padStart(18),
      `${f(b.bitrateKbps, 0)} / ${s ? f(s.bitrateKbps, 0) : '-'}`.padStart(12),
      (a
        ? `${f(a.fraction === null ? null : a.fraction * 100, 1)}% (${a.same}/${a.compared})`
        : '-'
      ).padStart(16),
      String(r.seeks).padStart(5),
      `${f(r.loadBefore, 1)}-${f(r.loadAfter, 1)}`.padStart(9),
      r.errors.length === 0 ? '' : ` errors: ${r.errors.join('; ')}`,
    ].join('  '),
  );
}

const started = Date.now();
console.log(
  `bench:live: fixtures/ladder live (30 s window, 2 s segments), trace ${TRACE_SPEC} (sabre link), ` +
    `${RUN_S} s per run, ${RUNS} run(s), target latency ${TARGET_LATENCY_MS} ms; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
const [playerBundle, hlsBundle, browser] = await Promise.all([
  // the player and the algorithm registry (bench/fidelity.ts's page)
  buildBrowserBundle(join(REPO_ROOT, 'bench/fidelity-page-entry.ts')),
  buildBrowserBundle(join(REPO_ROOT, 'bench/live-hls-page-entry.ts')),
  launchBrowser(),
]);
const rows: Row[] = [];
console.log(
  'contender               latency s b/sim   stalls b / sim   kbps b/sim  decisions equal  seeks  load avg',
);
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const algo of ALGOS) {
      const row = await runAbrkit(browser, playerBundle, algo, run);
      rows.push(row);
      printRow(row);
    }
    if (HLSJS) {
      const row = await runHlsJs(browser, hlsBundle, run);
      rows.push(row);
      printRow(row);
    }
  }
} finally {
  await browser.close();
}
const compared = rows.filter((r) => r.agreement !== null);
const same = compared.reduce((sum, r) => sum + r.agreement!.same, 0);
const total = compared.reduce((sum, r) => sum + r.agreement!.compared, 0);
console.log(
  `overall decisions equal: ${total === 0 ? '-' : ((100 * same) / total).toFixed(1)}% (${same}/${total}); ` +
    `overhead measured ${compared.map((r) => f(r.overheadMs, 0)).join(', ')} ms, listing delay ${compared.map((r) => f(r.listingDelayMs, 0)).join(', ')} ms; wall ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
    `load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
mkdirSync(OUT_DIR, { recursive: true });
const file = join(OUT_DIR, `live-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ trace: TRACE_SPEC, runS: RUN_S, rows }, null, 2));
console.log(`JSON: ${file}`);
