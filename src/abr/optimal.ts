/**
 * The offline optimum: the best rendition sequence for one session when the whole network trace is known in
 * advance, by dynamic programming. The upper bound algorithms are measured against (Pensieve, Mao et al.,
 * SIGCOMM 2017, §5.2, "offline optimal ... dynamic programming with complete future throughput information";
 * its `test/dp.cc` quantises time and buffer to 50 ms).
 *
 * The state. With a time-varying trace a download's duration depends on its absolute start time, so after
 * segment k the exact state is (time t, buffer b, last rendition r): the rebuffering so far follows from it
 * (R = t + b - (k+1)·D when the startup counts as rebuffer), and the future depends on all three. (chunk,
 * buffer, rendition) alone is not enough. An earlier time is only better than a later one under conditions
 * (a FIFO network and a wait rule that never starts the next download earlier after a later arrival): idle
 * waiting in steps (Pensieve sleeps in 500 ms steps) can break that.
 *
 * The discretisation. States are merged into cells of `resolutionMs` in t and in b (and exact r); a cell keeps
 * the path with the highest QoE so far together with that path's exact t and b, and the search continues from
 * those exact values. Consequences:
 * - the returned plan is always a real sequence and its QoE is exact (the forward simulation of that plan gives
 *   the same number, see `simulatePlan`): it is a lower bound of the true optimum;
 * - it is the true optimum when no two distinct reachable states share a cell. That holds at `resolutionMs: 1`
 *   when the oracle and `waitMs` return integral ms (integral t and b), and at any resolution on short
 *   sessions whose states happen not to collide; the tests prove it by brute force;
 * - otherwise a merge may drop a path whose future was better. The loss per merge is what a shift of less
 *   than `resolutionMs` in start time and buffer can change in the rest of the session: a few 0.1 s of
 *   rebuffering at worst on the tests' random traces (< 0.5 QoE_lin over 5-7 segments at 100 ms), and on the
 *   hsdpa traces the mean optimum did not move between 100 ms and 50 ms (bench). Not a proven bound for every
 *   trace: lower `resolutionMs` to check.
 * On top of the cells, dominated states are dropped (`dominance`, see {@link OptimalPlannerOptions}): exact for
 * FIFO oracles and monotone waits, and what makes long sessions tractable.
 * Cost (bench/sim-speed.ts, CPU time on the shared 2-core dev machine, Pensieve-style prefix-sum oracle):
 * envivio 48 × 6 at the default 100 ms about 0.7 s a session (about 0.3 M cells), 50 ms about 1 s;
 * Sabre's bbb 199 × 10 with a 25 s buffer about 1.5 s at 500 ms and 4 s at 250 ms (0.9 M / 2.1 M cells).
 * Memory: the layers are kept for the backtrack, about 50 bytes a cell.
 */
import { AbrkitError, invalidArgument } from '../core/errors.js';
import type { VideoDescription } from '../videos/model.js';
import { playableSegments } from '../videos/model.js';
import { QOE_LIN, qoeTable, segmentQoe, type QoeTable, type QoeWeights } from '../qoe/objective.js';
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrContext,
  AbrDecision,
  AbrOptions,
} from './types.js';

/**
 * The network as the planner sees it: how long a download of `sizeBytes` started at `startMs` (session time,
 * 0 = the session's first request) takes, ms, latency included. Deterministic. `segmentIndex` is passed for
 * models whose trace position is not a function of session time alone (Pensieve's RTT does not advance its
 * trace clock, so its position is `startMs - 80 * segmentIndex`); most oracles ignore it.
 */
export type DownloadOracle = (startMs: number, sizeBytes: number, segmentIndex: number) => number;

/** How long the player idles before the next download when the buffer (after a segment was added) is `bufferMs`. */
export type WaitPolicy = (bufferMs: number) => number;

/** Pensieve's idle rule: above `maxBufferMs` sleep the excess rounded up to `stepMs` (60000, 500). */
export function steppedWait(maxBufferMs = 60000, stepMs = 500): WaitPolicy {
  return (bufferMs) => (bufferMs > maxBufferMs ? Math.ceil((bufferMs - maxBufferMs) / stepMs) * stepMs : 0);
}

/** Idle exactly until the buffer is back at `maxBufferMs`. */
export function cappedWait(maxBufferMs: number): WaitPolicy {
  return (bufferMs) => (bufferMs > maxBufferMs ? bufferMs - maxBufferMs : 0);
}

/** Everything but the network: reusable across traces. */
export interface OptimalPlannerOptions {
  readonly video: VideoDescription;
  /** Idle rule; default Pensieve's {@link steppedWait}(60000, 500). */
  readonly waitMs?: WaitPolicy;
  /** QoE objective; default QoE_lin (ladder-aware rebuffer penalty, smoothness 1). */
  readonly qoe?: QoeWeights;
  /** Rendition forced on segment 0 (Pensieve: 1), or null to optimise it too. */
  readonly firstRenditionIndex?: number | null;
  /** The rendition segment 0's switch penalty is counted from; null (default): no penalty on segment 0. */
  readonly previousRenditionIndex?: number | null;
  /** Pensieve counts segment 0's whole download as rebuffering (true, default); false: startup is free. */
  readonly startupCountsAsRebuffer?: boolean;
  /** Cell size of the time and buffer discretisation, ms (default 100; Pensieve's dp.cc uses 50). */
  readonly resolutionMs?: number;
  /** Segments to plan; default `playableSegments(video)`. */
  readonly segmentCount?: number;
  /** Highest rendition allowed; default the top. */
  readonly maxRenditionIndex?: number;
  /**
   * Drop dominated states (same rendition, no less utility-minus-smoothness, no later, no more rebuffering):
   * default true. Exact for FIFO oracles with a wait that never starts the next download earlier when the
   * previous one ends later (`cappedWait`); with `steppedWait` a 500 ms rounding can in rare cases break that.
   * false: plain DP over the cells (slow on long sessions).
   */
  readonly dominance?: boolean;
  /**
   * Dominance with slack: a state may be dropped for one with up to this much less QoE gain so far (same
   * rendition, no later, no more rebuffering). Each layer then loses at most this much, so the plan is within
   * `segmentCount * gainToleranceQoe` of the (discretised) optimum. Default 0 (exact).
   */
  readonly gainToleranceQoe?: number;
}

/** A planning problem: the options plus the network. */
export interface OptimalProblem extends OptimalPlannerOptions {
  readonly downloadMs: DownloadOracle;
}

export interface OptimalResult {
  /** Rendition per segment. */
  readonly plan: number[];
  /** Sum of the per-segment QoE terms of `plan`, exactly as `simulatePlan` computes it. */
  readonly qoe: number;
  readonly rebufferMs: number;
  /** DP cells created (diagnostic of the cost). */
  readonly cells: number;
}

export interface PlanSimulation {
  readonly qoe: number;
  readonly rebufferMs: number;
  readonly perSegmentQoe: number[];
  /** Session time when each segment finished downloading, ms. */
  readonly endMs: number[];
  /** Buffer after each segment was added and any idle wait, ms. */
  readonly bufferMs: number[];
}

/** A planner bound to a video and session rules; call `plan(oracle)` once per trace. */
export interface OptimalPlanner {
  plan(downloadMs: DownloadOracle): OptimalResult;
  /** The exact forward simulation of a given plan under the same rules. */
  simulate(downloadMs: DownloadOracle, plan: readonly number[]): PlanSimulation;
}

interface Rules {
  readonly n: number;
  readonly renditions: number;
  readonly segmentMs: number;
  readonly sizes: Float64Array; // n × renditions
  readonly wait: WaitPolicy;
  readonly table: QoeTable;
  readonly first: number | null;
  readonly previous: number | null;
  readonly startupRebuffer: boolean;
  readonly resolutionMs: number;
  readonly dominance: boolean;
  readonly gainTolerance: number;
}

function resolveRules(o: OptimalPlannerOptions): Rules {
  const video = o.video;
  const count = video.renditions.length;
  const n = o.segmentCount ?? playableSegments(video);
  if (!Number.isInteger(n) || n < 1 || n > video.segmentSizesBytes.length)
    throw invalidArgument('segmentCount', `must be in 1..${video.segmentSizesBytes.length}, got ${n}`);
  const maxR = o.maxRenditionIndex ?? count - 1;
  if (!Number.isInteger(maxR) || maxR < 0 || maxR >= count)
    throw invalidArgument('maxRenditionIndex', `must be in 0..${count - 1}, got ${maxR}`);
  const resolutionMs = o.resolutionMs ?? 100;
  if (!(resolutionMs > 0) || !Number.isFinite(resolutionMs))
    throw invalidArgument('resolutionMs', `must be > 0, got ${resolutionMs}`);
  if (!(video.segmentDurationMs > 0)) throw invalidArgument('video.segmentDurationMs', 'must be > 0');
  const first = o.firstRenditionIndex ?? null;
  if (first !== null && (!Number.isInteger(first) || first < 0 || first >= count))
    throw invalidArgument('firstRenditionIndex', `must be in 0..${count - 1}, got ${first}`);
  const previous = o.previousRenditionIndex ?? null;
  if (previous !== null && (!Number.isInteger(previous) || previous < 0 || previous >= count))
    throw invalidArgument('previousRenditionIndex', `must be in 0..${count - 1}, got ${previous}`);
  const sizes = new Float64Array(n * (maxR + 1));
  for (let k = 0; k < n; k++) {
    const row = video.segmentSizesBytes[k];
    for (let r = 0; r <= maxR; r++) {
      const size = row?.[r];
      if (size === undefined || !(size >= 0) || !Number.isFinite(size))
        throw new AbrkitError(
          'video',
          'BAD_SEGMENT_SIZE',
          `segment ${k} rendition ${r}: size ${String(size)}`,
          {
            data: { source: video.name, segment: k, rendition: r },
          },
        );
      sizes[k * (maxR + 1) + r] = size;
    }
  }
  return {
    n,
    renditions: maxR + 1,
    segmentMs: video.segmentDurationMs,
    sizes,
    wait: o.waitMs ?? steppedWait(),
    table: qoeTable(video.renditions, o.qoe ?? QOE_LIN),
    first,
    previous,
    startupRebuffer: o.startupCountsAsRebuffer ?? true,
    resolutionMs,
    dominance: o.dominance ?? true,
    gainTolerance: o.gainToleranceQoe ?? 0,
  };
}

/** One DP layer: cells keyed by (t bin, b bin, rendition), each with the best path's exact state. */
class Layer {
  size = 0;
  value: Float64Array = new Float64Array(1024);
  /** Utility minus smoothness so far (the QoE without its rebuffer term). */
  gain: Float64Array = new Float64Array(1024);
  rebufferMs: Float64Array = new Float64Array(1024);
  timeMs: Float64Array = new Float64Array(1024);
  bufferMs: Float64Array = new Float64Array(1024);
  rendition: Int32Array = new Int32Array(1024);
  parent: Int32Array = new Int32Array(1024);
  readonly index = new Map<number, number>();

  add(
    key: number,
    value: number,
    gain: number,
    rebufferMs: number,
    t: number,
    b: number,
    r: number,
    parent: number,
  ): void {
    const slot = this.index.get(key);
    if (slot !== undefined) {
      if (value > (this.value[slot] ?? Number.NEGATIVE_INFINITY))
        this.set(slot, value, gain, rebufferMs, t, b, r, parent);
      return;
    }
    if (this.size === this.value.length) this.grow(this.size * 2);
    this.index.set(key, this.size);
    this.set(this.size++, value, gain, rebufferMs, t, b, r, parent);
  }

  /** Keeps only the slots listed in `keep` (ascending), in that order. */
  compact(keep: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const s = keep[i] ?? 0;
      this.set(
        i,
        this.value[s] ?? 0,
        this.gain[s] ?? 0,
        this.rebufferMs[s] ?? 0,
        this.timeMs[s] ?? 0,
        this.bufferMs[s] ?? 0,
        this.rendition[s] ?? 0,
        this.parent[s] ?? 0,
      );
    }
    this.size = count;
    this.index.clear();
  }

  private set(
    slot: number,
    value: number,
    gain: number,
    rebufferMs: number,
    t: number,
    b: number,
    r: number,
    parent: number,
  ): void {
    this.value[slot] = value;
    this.gain[slot] = gain;
    this.rebufferMs[slot] = rebufferMs;
    this.timeMs[slot] = t;
    this.bufferMs[slot] = b;
    this.rendition[slot] = r;
    this.parent[slot] = parent;
  }

  private grow(cap: number): void {
    const f = (a: Float64Array): Float64Array => {
      const next = new Float64Array(cap);
      next.set(a);
      return next;
    };
    const i = (a: Int32Array): Int32Array => {
      const next = new Int32Array(cap);
      next.set(a);
      return next;
    };
    this.value = f(this.value);
    this.gain = f(this.gain);
    this.rebufferMs = f(this.rebufferMs);
    this.timeMs = f(this.timeMs);
    this.bufferMs = f(this.bufferMs);
    this.rendition = i(this.rendition);
    this.parent = i(this.parent);
  }
}

/**
 * Drops dominated states: B is dominated by A (same rendition) when A has at least B's gain, started no later
 * (same or earlier time bin) and has rebuffered no more. Exact when the oracle is FIFO (a later start never
 * finishes earlier) and the next start time does not decrease with (t, rebuffering), e.g. `cappedWait`.
 */
function pruneDominated(layer: Layer, res: number, tolerance: number): void {
  const n = layer.size;
  if (n < 2) return;
  let tMin = Number.POSITIVE_INFINITY;
  let tMax = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < n; s++) {
    const t = layer.timeMs[s] ?? 0;
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
  }
  const bins = Math.floor((tMax - tMin) / res) + 1;
  const tree = new Float64Array(bins + 1); // Fenwick tree of prefix minima of rebuffering over time bins
  let gMin = Number.POSITIVE_INFINITY;
  let gMax = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < n; s++) {
    const g = layer.gain[s] ?? 0;
    if (g < gMin) gMin = g;
    if (g > gMax) gMax = g;
  }
  // Order: by rendition, then by gain, highest first. Gains are bucketed (width `quantum`: the tolerance, or
  // the finest width that lets rendition, bucket and slot pack into one exact double so a native numeric sort
  // does the work, about 1e-9 of the gain range); within a bucket, slot order. A state may thus be dropped for
  // one with up to `quantum` less gain: that is the per-layer bound, 0 up to ~1e-9 by default.
  const renditionCount = rendSpan(layer);
  const range = gMax - gMin;
  const buckets = Math.max(1, Math.floor(2 ** 52 / (renditionCount * n)));
  const quantum = Math.max(tolerance, range / buckets);
  const sorted = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    const bucket =
      quantum > 0 ? Math.min(buckets - 1, Math.floor((gMax - (layer.gain[s] ?? 0)) / quantum)) : 0;
    sorted[s] = ((layer.rendition[s] ?? 0) * buckets + bucket) * n + s;
  }
  sorted.sort();
  const time = layer.timeMs;
  const rebuf = layer.rebufferMs;
  const keep = new Int32Array(n);
  let kept = 0;
  let group = -1;
  for (let i = 0; i < n; i++) {
    const key = sorted[i] ?? 0;
    const s = key - Math.floor(key / n) * n;
    const r = layer.rendition[s] ?? 0;
    if (r !== group) {
      tree.fill(Number.POSITIVE_INFINITY);
      group = r;
    }
    const bin = Math.floor(((time[s] ?? 0) - tMin) / res) + 1;
    const rb = rebuf[s] ?? 0;
    let best = Number.POSITIVE_INFINITY;
    for (let j = bin; j > 0; j -= j & -j) best = Math.min(best, tree[j] ?? Number.POSITIVE_INFINITY);
    if (best <= rb) continue;
    for (let j = bin; j <= bins; j += j & -j) if (rb < (tree[j] ?? 0)) tree[j] = rb;
    keep[kept++] = s;
  }
  keep.subarray(0, kept).sort();
  layer.compact(keep, kept);
}

/** 1 + the highest rendition index present in the layer. */
function rendSpan(layer: Layer): number {
  let max = 0;
  for (let s = 0; s < layer.size; s++) max = Math.max(max, layer.rendition[s] ?? 0);
  return max + 1;
}

function checkDownload(d: number, k: number, r: number, t: number): number {
  if (!(d >= 0) || !Number.isFinite(d))
    throw invalidArgument(
      'downloadMs',
      `returned ${d} for segment ${k} rendition ${r} at ${t} ms; must be finite and >= 0`,
    );
  return d;
}

function plan(rules: Rules, downloadMs: DownloadOracle): OptimalResult {
  const { n, renditions: R, segmentMs, sizes, wait, table, resolutionMs: res } = rules;
  const bufferBins = Math.floor((n * segmentMs) / res) + 2;
  const layers: Layer[] = [];
  let cells = 0;
  for (let k = 0; k < n; k++) {
    const layer = new Layer();
    const prevLayer = k === 0 ? null : (layers[k - 1] ?? null);
    const from = prevLayer === null ? 1 : prevLayer.size;
    const rLo = k === 0 && rules.first !== null ? rules.first : 0;
    const rHi = k === 0 && rules.first !== null ? rules.first + 1 : R;
    const last = k === n - 1;
    for (let s = 0; s < from; s++) {
      const t = prevLayer === null ? 0 : (prevLayer.timeMs[s] ?? 0);
      const b = prevLayer === null ? 0 : (prevLayer.bufferMs[s] ?? 0);
      const v = prevLayer === null ? 0 : (prevLayer.value[s] ?? 0);
      const g = prevLayer === null ? 0 : (prevLayer.gain[s] ?? 0);
      const rb = prevLayer === null ? 0 : (prevLayer.rebufferMs[s] ?? 0);
      const prev = prevLayer === null ? rules.previous : (prevLayer.rendition[s] ?? 0);
      for (let r = rLo; r < rHi; r++) {
        const d = checkDownload(downloadMs(t, sizes[k * R + r] ?? 0, k), k, r, t);
        const rebufferMs = k === 0 && !rules.startupRebuffer ? 0 : Math.max(d - b, 0);
        let nb = Math.max(b - d, 0) + segmentMs;
        let nt = t + d;
        if (!last) {
          const w = wait(nb);
          nb -= w;
          nt += w;
        }
        const nv = v + segmentQoe(table, r, prev, rebufferMs / 1000);
        const ng = g + segmentQoe(table, r, prev, 0);
        const key = (Math.floor(nt / res) * bufferBins + Math.floor(nb / res)) * R + r;
        if (!Number.isSafeInteger(key))
          throw invalidArgument('resolutionMs', `too fine for a session reaching ${nt} ms; raise it`);
        layer.add(key, nv, ng, rb + rebufferMs, nt, nb, r, s);
      }
    }
    if (rules.dominance) pruneDominated(layer, res, rules.gainTolerance);
    cells += layer.size;
    layers.push(layer);
  }
  const end = layers[n - 1];
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  if (end) {
    for (let s = 0; s < end.size; s++) {
      const v = end.value[s] ?? Number.NEGATIVE_INFINITY;
      if (best < 0 || v > bestValue) {
        best = s;
        bestValue = v;
      }
    }
  }
  const result: number[] = new Array<number>(n).fill(0);
  for (let k = n - 1, s = best; k >= 0; k--) {
    const layer = layers[k];
    if (!layer) break;
    result[k] = layer.rendition[s] ?? 0;
    s = layer.parent[s] ?? 0;
  }
  const sim = simulate(rules, downloadMs, result);
  return { plan: result, qoe: sim.qoe, rebufferMs: sim.rebufferMs, cells };
}

function simulate(rules: Rules, downloadMs: DownloadOracle, chosen: readonly number[]): PlanSimulation {
  const { n, renditions: R, segmentMs, sizes, wait, table } = rules;
  if (chosen.length !== n) throw invalidArgument('plan', `must have ${n} entries, got ${chosen.length}`);
  let t = 0;
  let b = 0;
  let total = 0;
  let rebufferTotal = 0;
  let prev = rules.previous;
  const perSegmentQoe: number[] = [];
  const endMs: number[] = [];
  const bufferMs: number[] = [];
  for (let k = 0; k < n; k++) {
    const r = chosen[k] ?? -1;
    if (!Number.isInteger(r) || r < 0 || r >= R)
      throw invalidArgument('plan', `entry ${k} must be in 0..${R - 1}, got ${r}`);
    const d = checkDownload(downloadMs(t, sizes[k * R + r] ?? 0, k), k, r, t);
    const rebufferMs = k === 0 && !rules.startupRebuffer ? 0 : Math.max(d - b, 0);
    b = Math.max(b - d, 0) + segmentMs;
    t += d;
    endMs.push(t);
    if (k < n - 1) {
      const w = wait(b);
      b -= w;
      t += w;
    }
    bufferMs.push(b);
    const q = segmentQoe(table, r, prev, rebufferMs / 1000);
    perSegmentQoe.push(q);
    total += q;
    rebufferTotal += rebufferMs;
    prev = r;
  }
  return { qoe: total, rebufferMs: rebufferTotal, perSegmentQoe, endMs, bufferMs };
}

/** Binds the video and the session rules once; `plan(oracle)` then solves one trace. */
export function createOptimalPlanner(options: OptimalPlannerOptions): OptimalPlanner {
  const rules = resolveRules(options);
  return {
    plan: (downloadMs) => plan(rules, downloadMs),
    simulate: (downloadMs, chosen) => simulate(rules, downloadMs, chosen),
  };
}

/** Solves one problem: the best plan (within the stated discretisation) and its exact QoE. */
export function planOptimal(problem: OptimalProblem): OptimalResult {
  return createOptimalPlanner(problem).plan(problem.downloadMs);
}

/** Forward simulation of `plan` under the problem's rules: what `planOptimal`'s QoE is measured with. */
export function simulatePlan(problem: OptimalProblem, chosen: readonly number[]): PlanSimulation {
  return createOptimalPlanner(problem).simulate(problem.downloadMs, chosen);
}

/** Replays a precomputed plan (`{ plan: number[] }`), for the simulator to run the optimum like any algorithm. */
export function createOptimal(options?: AbrOptions): AbrAlgorithm {
  const raw = options?.['plan'];
  if (!Array.isArray(raw) || raw.some((r) => typeof r !== 'number' || !Number.isInteger(r) || r < 0))
    throw new AbrkitError(
      'config',
      'INVALID_OPTION',
      'plan: must be an array of rendition indices (from planOptimal)',
      {
        data: { source: 'optimal options', option: 'plan' },
      },
    );
  const chosen = (raw as number[]).slice();
  return {
    name: 'optimal',
    choose(ctx: AbrContext): AbrDecision {
      const r = chosen[ctx.segmentIndex];
      if (r === undefined)
        throw new AbrkitError(
          'abr',
          'PLAN_TOO_SHORT',
          `optimal: no planned rendition for segment ${ctx.segmentIndex}`,
          {
            data: { source: 'optimal plan', segment: ctx.segmentIndex },
          },
        );
      const capped = Math.min(r, ctx.maxRenditionIndex);
      return {
        renditionIndex: capped,
        reason:
          capped === r
            ? `optimal: planned rendition ${r} (offline plan)`
            : `optimal: planned ${r}, capped to ${capped} by maxRenditionIndex`,
      };
    },
  };
}

/** Runtime part (the player bundles this); the registry joins it with {@link optimalDocs}. */
export const optimalInfo: AbrAlgorithmCore = {
  name: 'optimal',
  options: [],
  offline: true,
  create: createOptimal,
};

/** What `abrkit algos`, the demo and docs show for optimal: not bundled by the player. */
export const optimalDocs: AbrAlgorithmDocs = {
  description:
    'Offline optimum: replays the plan computed by dynamic programming with the whole trace known (planOptimal); simulator only. Option: plan (number[]).',
  citation:
    'H. Mao, R. Netravali, M. Alizadeh, "Neural Adaptive Video Streaming with Pensieve", SIGCOMM 2017 (§5.2, offline optimal)',
  options: {},
};
