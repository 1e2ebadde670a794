/**
 * Speed of mpc / robust-mpc: ms per 48-segment session and per decision, on Pensieve's setting (envivio video,
 * 6 renditions, horizon 5 = 7776 sequences a decision).
 *
 * How it is measured: a minimal copy of Pensieve's test-time network model (test/fixed_env.py, 80 ms RTT,
 * 0.95 payload, 60 s buffer cap with 500 ms sleeps) runs whole sessions over the hsdpa-norway-3g-cooked traces
 * (or a synthetic trace without ../shared/data); the time of `choose()` alone is summed with
 * performance.now() around each call, after a warm-up pass, over many sessions; the simulator's own time is
 * reported apart. Single thread, the machine is shared: read the numbers as an order of magnitude.
 *
 * Run: npx tsx bench/abr-speed-mpc.ts [mpc|optimal]
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { createMpc } from '../src/abr/mpc.js';
import { createRobustMpc, PENSIEVE_ROBUST_MPC_OPTIONS } from '../src/abr/robust-mpc.js';
import type { AbrAlgorithm, AbrContext } from '../src/abr/types.js';
import type { Rendition } from '../src/core/types.js';
import { cappedWait, createOptimalPlanner, steppedWait, type DownloadOracle } from '../src/abr/optimal.js';
import type { VideoDescription } from '../src/videos/model.js';

const DATA =
  process.env.ABRKIT_SHARED_DATA ??
  resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data');
const BITRATES_KBPS = [300, 750, 1200, 1850, 2850, 4300];
const renditions: Rendition[] = BITRATES_KBPS.map((bitrateKbps, index) => ({ index, bitrateKbps }));

function loadSizes(): number[][] {
  const dir = join(DATA, 'videos', 'pensieve-envivio');
  if (existsSync(dir)) {
    const cols = BITRATES_KBPS.map((_, r) =>
      readFileSync(join(dir, `video_size_${r}`), 'utf8')
        .trim()
        .split('\n')
        .map(Number),
    );
    return cols[0]!.map((_, s) => cols.map((c) => c[s]!));
  }
  return Array.from({ length: 49 }, (_, s) =>
    BITRATES_KBPS.map((b) => Math.round(b * 500 * (0.8 + (0.4 * ((s * 7) % 10)) / 10))),
  );
}

function loadTraces(): { time: number[]; bw: number[] }[] {
  const dir = join(DATA, 'traces', 'hsdpa-norway-3g-cooked');
  if (!existsSync(dir)) {
    const time: number[] = [];
    const bw: number[] = [];
    for (let i = 0; i < 400; i++) {
      time.push(i);
      bw.push(0.5 + 3 * Math.abs(Math.sin(i / 7)));
    }
    return [{ time, bw }];
  }
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const rows = readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/).map(Number));
      return { time: rows.map((r) => r[0]!), bw: rows.map((r) => r[1]!) };
    });
}

/** One session of Pensieve's fixed_env; returns the ms spent in choose(). */
function runSession(algo: AbrAlgorithm, trace: { time: number[]; bw: number[] }, sizes: number[][]): number {
  const n = 48;
  let ptr = 1;
  let last = trace.time[0]!;
  let bufferMs = 0;
  let nowMs = 0;
  let lastR: number | null = null;
  let chooseMs = 0;
  algo.reset?.();
  for (let k = 0; k < n; k++) {
    const ctx: AbrContext = {
      nowMs,
      segmentIndex: k,
      segmentCount: n,
      segmentDurationMs: 4000,
      renditions,
      segmentSizeBytes: (i, r) => sizes[i]?.[r] ?? null,
      lastRenditionIndex: lastR,
      bufferLevelMs: bufferMs,
      bufferTargetMs: 60000,
      playbackRate: 1,
      throughput: { throughputKbps: 1000, sampleCount: 0 },
      latencyMs: null,
      maxRenditionIndex: 5,
      startingUp: k === 0,
    };
    const t0 = performance.now();
    const r = algo.choose(ctx).renditionIndex;
    chooseMs += performance.now() - t0;
    const size = sizes[k]![r]!;
    let delay = 0;
    let sent = 0;
    for (;;) {
      const tput = (trace.bw[ptr]! * 1e6) / 8;
      const dur = trace.time[ptr]! - last;
      const payload = tput * dur * 0.95;
      if (sent + payload > size) {
        const frac = (size - sent) / tput / 0.95;
        delay += frac;
        last += frac;
        break;
      }
      sent += payload;
      delay += dur;
      last = trace.time[ptr]!;
      ptr += 1;
      if (ptr >= trace.bw.length) {
        ptr = 1;
        last = 0;
      }
    }
    delay = delay * 1000 + 80;
    bufferMs = Math.max(bufferMs - delay, 0) + 4000;
    let sleep = 0;
    if (bufferMs > 60000) {
      sleep = Math.ceil((bufferMs - 60000) / 500) * 500;
      bufferMs -= sleep;
      let left = sleep;
      for (;;) {
        const dur = trace.time[ptr]! - last;
        if (dur > left / 1000) {
          last += left / 1000;
          break;
        }
        left -= dur * 1000;
        last = trace.time[ptr]!;
        ptr += 1;
        if (ptr >= trace.bw.length) {
          ptr = 1;
          last = 0;
        }
      }
    }
    algo.onDownloaded?.({ startMs: 0, firstByteMs: 80, endMs: delay, sizeBytes: size }, ctx);
    nowMs += delay + sleep;
    lastR = r;
  }
  return chooseMs;
}

/** User + system CPU time of this process since `start`, ms: less disturbed than wall time on a shared machine. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
const only = process.argv[2]; // 'mpc' or 'optimal' to run one part
const sizes = loadSizes();
const traces = loadTraces();
for (const [name, make] of only === 'optimal'
  ? []
  : ([
      ['robust-mpc (Pensieve options)', () => createRobustMpc(PENSIEVE_ROBUST_MPC_OPTIONS)],
      ['mpc', () => createMpc()],
    ] as const)) {
  const algo = make();
  for (const t of traces) runSession(algo, t, sizes); // warm-up
  const rounds = Math.max(1, Math.ceil(400 / traces.length));
  let chooseMs = 0;
  let sessions = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    for (const t of traces) {
      chooseMs += runSession(algo, t, sizes);
      sessions++;
    }
  }
  const wallMs = performance.now() - wall0;
  const cpuMs = cpuMsSince(cpu0);
  console.log(
    `${name}: ${sessions} sessions of 48 segments (${traces.length} traces x ${rounds}); ` +
      `choose(): ${(chooseMs / sessions).toFixed(3)} ms/session, ${((chooseMs / sessions / 48) * 1000).toFixed(1)} us/decision; ` +
      `with the simulator: ${(wallMs / sessions).toFixed(3)} ms/session wall, ${(cpuMs / sessions).toFixed(3)} ms CPU`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The offline optimum (src/abr/optimal.ts): time per session of planOptimal at a few resolutions.
// The oracle is a prefix-sum version of Pensieve's trace walk (0.95 payload, +80 ms RTT, trace looping), and
// for Sabre's bbb (199 x 10, 3 s segments, 25 s buffer) the fcc-sd periods (latency, then bits at kbps).
// ---------------------------------------------------------------------------------------------------------------

/** Pensieve-like oracle: the trace repeats with period time[last]; bytes/s of slot i = bw[i] * 1e6 / 8 * 0.95. */
function pensieveOracle(trace: { time: number[]; bw: number[] }): DownloadOracle {
  const m = trace.time.length;
  const cum = new Float64Array(m); // bytes delivered from time[0] to time[i]
  for (let i = 1; i < m; i++)
    cum[i] = cum[i - 1]! + ((trace.bw[i]! * 1e6) / 8) * 0.95 * (trace.time[i]! - trace.time[i - 1]!);
  const t0 = trace.time[0]!;
  const period = trace.time[m - 1]! - t0;
  const perCycle = cum[m - 1]!;
  const bytesAt = (local: number): number => {
    let lo = 1;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (trace.time[mid]! - t0 < local) lo = mid + 1;
      else hi = mid;
    }
    const rate = ((trace.bw[lo]! * 1e6) / 8) * 0.95;
    return cum[lo - 1]! + rate * (local - (trace.time[lo - 1]! - t0));
  };
  const timeAt = (bytes: number): number => {
    let lo = 1;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < bytes) lo = mid + 1;
      else hi = mid;
    }
    const rate = ((trace.bw[lo]! * 1e6) / 8) * 0.95;
    return trace.time[lo - 1]! - t0 + (rate > 0 ? (bytes - cum[lo - 1]!) / rate : 0);
  };
  return (startMs, sizeBytes) => {
    const s = startMs / 1000;
    const cycles = Math.floor(s / period);
    const local = s - cycles * period;
    const target = bytesAt(local) + sizeBytes;
    const extra = Math.floor(target / perCycle);
    const rest = target - extra * perCycle;
    const end = (cycles + extra) * period + timeAt(rest);
    return Math.max(0, (end - s) * 1000) + 80;
  };
}

/** Sabre-like oracle: each download pays the latency of the period it starts in, then bits at kbps (= bits/ms). */
function sabreOracle(
  periods: { duration_ms: number; bandwidth_kbps: number; latency_ms: number }[],
): DownloadOracle {
  const total = periods.reduce((a, p) => a + p.duration_ms, 0);
  return (startMs, sizeBytes) => {
    let t = startMs % total;
    let i = 0;
    while (t >= periods[i]!.duration_ms) t -= periods[i++]!.duration_ms;
    let elapsed = periods[i]!.latency_ms;
    t += elapsed;
    let bits = sizeBytes * 8;
    for (let guard = 0; guard < 1e6; guard++) {
      while (t >= periods[i]!.duration_ms) {
        t -= periods[i]!.duration_ms;
        i = (i + 1) % periods.length;
      }
      const p = periods[i]!;
      const can = (p.duration_ms - t) * p.bandwidth_kbps;
      if (can >= bits) return elapsed + bits / p.bandwidth_kbps;
      bits -= can;
      elapsed += p.duration_ms - t;
      t = p.duration_ms;
    }
    return elapsed;
  };
}

const envivio: VideoDescription = {
  name: 'pensieve-envivio',
  segmentDurationMs: 4000,
  renditions,
  segmentSizesBytes: sizes,
  playableSegmentCount: 48,
};
const someTraces = traces.slice(0, Number(process.env.TRACES ?? 20));
for (const resolutionMs of only === 'mpc' ? [] : [100, 50]) {
  const planner = createOptimalPlanner({
    video: envivio,
    waitMs: steppedWait(),
    firstRenditionIndex: 1,
    resolutionMs,
    gainToleranceQoe: Number(process.env.TOL ?? 0),
  });
  let cells = 0;
  let qoe = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const t of someTraces) {
    const r = planner.plan(pensieveOracle(t));
    cells += r.cells;
    qoe += r.qoe;
  }
  const ms = (performance.now() - t0) / someTraces.length;
  const cpuMs = cpuMsSince(cpu0) / someTraces.length;
  console.log(
    `optimal, envivio 48 x 6, Pensieve rules, resolution ${resolutionMs} ms: ${ms.toFixed(1)} ms/session wall, ${cpuMs.toFixed(1)} ms CPU, ` +
      `${Math.round(cells / someTraces.length)} cells/session, mean QoE ${(qoe / someTraces.length).toFixed(3)} ` +
      `(${someTraces.length} hsdpa traces, performance.now around planner.plan)`,
  );
}

const bbbPath = join(DATA, 'videos', 'bbb.json');
const fccDir = join(DATA, 'traces', 'fcc-sd');
if (only !== 'mpc' && existsSync(bbbPath) && existsSync(fccDir)) {
  const movie = JSON.parse(readFileSync(bbbPath, 'utf8')) as {
    segment_duration_ms: number;
    bitrates_kbps: number[];
    segment_sizes_bits: number[][];
  };
  const bbb: VideoDescription = {
    name: 'bbb',
    segmentDurationMs: movie.segment_duration_ms,
    renditions: movie.bitrates_kbps.map((bitrateKbps, index) => ({ index, bitrateKbps })),
    segmentSizesBytes: movie.segment_sizes_bits.map((row) => row.map((bits) => bits / 8)),
  };
  const files = readdirSync(fccDir).sort().slice(0, 5);
  for (const resolutionMs of [500, 250]) {
    const planner = createOptimalPlanner({
      video: bbb,
      waitMs: cappedWait(25000 - movie.segment_duration_ms),
      resolutionMs,
    });
    let cells = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const f of files) {
      const periods = JSON.parse(readFileSync(join(fccDir, f), 'utf8')) as Parameters<typeof sabreOracle>[0];
      cells += planner.plan(sabreOracle(periods)).cells;
    }
    const ms = (performance.now() - t0) / files.length;
    const cpuMs = cpuMsSince(cpu0) / files.length;
    console.log(
      `optimal, bbb 199 x 10, 25 s buffer, resolution ${resolutionMs} ms: ${ms.toFixed(1)} ms/session wall, ${cpuMs.toFixed(1)} ms CPU, ` +
        `${Math.round(cells / files.length)} cells/session (${files.length} fcc-sd traces)`,
    );
  }
}
