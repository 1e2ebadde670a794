/**
 * The link model of Sabre (Spiteri, Sitaraman, Sparacio, "From Theory to Practice: Improving Bitrate
 * Adaptation in the DASH Reference Player", MMSys 2018; UMass-LIDS/sabre src/sabre.py, `NetworkModel`):
 * the trace is a loop of periods `{durationMs, bandwidthKbps, latencyMs}` starting at time 0. A download
 * first pays one latency, walked in "latency units" across periods (a latency that outlasts its period is
 * finished at the next period's rate), then moves its bits at each period's bandwidth (kbps = bits/ms).
 * The session clock is the network clock: waits and downloads both advance it.
 *
 * abrkit's own model (`abrkit`) uses this same link: our shaping server paces bytes the same way (wait the
 * period's latency, then send at its rate), so a simulated session and a shaped browser session see the
 * same timing. The two presets differ in the session around it (see presets.ts).
 */
import { AbrkitError } from '../../core/errors.js';
import { periodTable } from '../../traces/columns.js';
import type { NetworkTrace } from '../../traces/model.js';
import { PACE_MIN_TRANSFER_MS } from './types.js';
import type { DownloadOracle, NetworkModel, NetworkModelName, ProgressWalk, TransferPlan } from './types.js';

interface LinkTables {
  readonly durations: Float64Array;
  readonly bandwidths: Float64Array;
  readonly latencies: Float64Array;
  readonly ends: Float64Array;
  readonly loopMs: number;
  /** Bits one whole loop of the trace moves. */
  readonly loopBits: number;
  /** Latency units one whole loop pays off (sum of duration / latency; Infinity if a latency is 0). */
  readonly loopLatencyUnits: number;
}

/**
 * Periods a walk steps through one by one before it skips whole loops of the trace in closed form. Walks
 * this short are exactly Sabre's period-by-period arithmetic (the reproduction depends on it); a longer
 * one (a huge segment on a slow, short trace) costs at most this plus two loops, whatever the sizes.
 */
export const LINK_WALK_STEPS = 10_000;

/** Tables of each trace, kept while the trace lives (a batch runs many sessions on one trace). */
const compiled = new WeakMap<NetworkTrace, LinkTables>();

function compile(trace: NetworkTrace): LinkTables {
  // A packed trace's own columns are shared, not copied (a 10-million-period trace stays one copy).
  const table = periodTable(trace);
  const n = table.length;
  const durations = table.durationsMs;
  const bandwidths = table.bandwidthsKbps;
  const latencies = table.latenciesMs ?? new Float64Array(n).fill(table.constantLatencyMs);
  const ends = new Float64Array(n);
  let t = 0;
  let anyBandwidth = false;
  let loopBits = 0;
  let loopLatencyUnits = 0;
  for (let i = 0; i < n; i++) {
    const durationMs = durations[i]!;
    const bandwidthKbps = bandwidths[i]!;
    const latencyMs = latencies[i]!;
    if (!(durationMs > 0 && bandwidthKbps >= 0 && latencyMs >= 0)) {
      throw new AbrkitError(
        'trace',
        'TRACE_OUT_OF_LIMITS',
        `trace ${trace.name}: period ${i} needs durationMs > 0, bandwidthKbps >= 0 and latencyMs >= 0, ` +
          `got ${durationMs}, ${bandwidthKbps}, ${latencyMs}`,
        { data: { source: trace.name, period: i } },
      );
    }
    t += durationMs;
    ends[i] = t;
    loopBits += bandwidthKbps * durationMs;
    loopLatencyUnits += latencyMs > 0 ? durationMs / latencyMs : Number.POSITIVE_INFINITY;
    if (bandwidthKbps > 0 && durationMs > 0) anyBandwidth = true;
  }
  if (!(t > 0) || !Number.isFinite(t) || !anyBandwidth || !(loopBits > 0)) {
    throw new AbrkitError(
      'trace',
      'TRACE_NO_BANDWIDTH',
      `trace ${trace.name} has no period with time and bandwidth`,
      {
        data: { source: trace.name },
      },
    );
  }
  return { durations, bandwidths, latencies, ends, loopMs: t, loopBits, loopLatencyUnits };
}

/** A position on the looping trace: period `i`, which spans [startMs, endMs) on the session clock. */
interface Cursor {
  i: number;
  startMs: number;
  endMs: number;
}

export class LinkModel implements NetworkModel {
  readonly name: NetworkModelName;
  private readonly durations: Float64Array;
  private readonly bandwidths: Float64Array;
  private readonly latencies: Float64Array;
  /** ends[i] = end of period i within one loop. */
  private readonly ends: Float64Array;
  /** @internal */
  readonly loopMs: number;
  /** @internal bits one loop moves */
  readonly loopBits: number;
  private readonly loopLatencyUnits: number;
  private readonly traceName: string;

  constructor(trace: NetworkTrace, name: NetworkModelName = 'sabre') {
    this.name = name;
    this.traceName = trace.name;
    let tables = compiled.get(trace);
    if (!tables) {
      tables = compile(trace);
      compiled.set(trace, tables);
    }
    this.durations = tables.durations;
    this.bandwidths = tables.bandwidths;
    this.latencies = tables.latencies;
    this.ends = tables.ends;
    this.loopMs = tables.loopMs;
    this.loopBits = tables.loopBits;
    this.loopLatencyUnits = tables.loopLatencyUnits;
  }

  /** Reused by `locate` (the walks below are not re-entrant), to keep the simulator's loop allocation-free. */
  private readonly scratch: Cursor = { i: 0, startMs: 0, endMs: 0 };

  /** The period containing `tMs` (a period ending exactly at `tMs` is left for the next one). */
  private locate(tMs: number): Cursor {
    const loops = Math.floor(tMs / this.loopMs);
    const base = loops * this.loopMs;
    let within = tMs - base;
    if (within < 0) within = 0;
    const ends = this.ends;
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! > within) hi = mid;
      else lo = mid + 1;
    }
    const c = this.scratch;
    c.i = lo;
    c.endMs = base + ends[lo]!;
    c.startMs = c.endMs - this.durations[lo]!;
    return c;
  }

  private advance(c: Cursor): void {
    c.i = c.i + 1 === this.durations.length ? 0 : c.i + 1;
    c.startMs = c.endMs;
    c.endMs = c.startMs + this.durations[c.i]!;
  }

  /** @internal period containing `tMs` (a shared scratch object: copy what you keep). */
  periodAt(tMs: number): { readonly i: number; readonly endMs: number } {
    return this.locate(tMs);
  }

  /** @internal */
  bandwidthOf(i: number): number {
    return this.bandwidths[i]!;
  }

  /** @internal */
  durationOf(i: number): number {
    return this.durations[i]!;
  }

  /** @internal */
  nextPeriod(i: number): number {
    return i + 1 === this.durations.length ? 0 : i + 1;
  }

  /**
   * Time the latency of a request sent at `startMs` ends (Sabre's `do_latency_delay(1)`). A walk past
   * {@link LINK_WALK_STEPS} periods pays whole loops at once (a loop pays off `loopLatencyUnits`), so it
   * ends within two more loops.
   */
  firstByteMs(startMs: number): number {
    const c = this.locate(startMs);
    let t = startMs;
    let units = 1;
    const limit = LINK_WALK_STEPS + 3 * this.durations.length + 3;
    for (let step = 0; ; step++) {
      const latency = this.latencies[c.i]!;
      const needMs = units * latency;
      const leftMs = c.endMs - t;
      if (needMs <= leftMs) return t + needMs;
      units -= leftMs / latency;
      t = c.endMs;
      this.advance(c);
      if (step >= LINK_WALK_STEPS && c.i === 0) {
        // At a loop boundary: leave (0, loopLatencyUnits] to walk.
        const loops = Math.ceil(units / this.loopLatencyUnits) - 1;
        if (loops > 0) {
          units -= loops * this.loopLatencyUnits;
          t += loops * this.loopMs;
          c.startMs = t;
          c.endMs = t + this.durations[0]!;
        }
      }
      if (step > limit) throw this.noProgress('the latency', startMs);
    }
  }

  /**
   * Time `bits` have moved when the transfer starts at `fromMs`. Past {@link LINK_WALK_STEPS} periods,
   * whole loops (each moving `loopBits`) are skipped in closed form.
   */
  timeAfterBits(fromMs: number, bits: number): number {
    if (!(bits > 0)) return fromMs;
    const c = this.locate(fromMs);
    let t = fromMs;
    let left = bits;
    const limit = LINK_WALK_STEPS + 3 * this.durations.length + 3;
    for (let step = 0; ; step++) {
      const bw = this.bandwidths[c.i]!;
      const leftMs = c.endMs - t;
      if (bw > 0 && left <= leftMs * bw) return t + left / bw;
      if (bw > 0) left -= leftMs * bw;
      t = c.endMs;
      this.advance(c);
      if (step >= LINK_WALK_STEPS && c.i === 0) {
        const loops = Math.ceil(left / this.loopBits) - 1;
        if (loops > 0) {
          left -= loops * this.loopBits;
          t += loops * this.loopMs;
          c.startMs = t;
          c.endMs = t + this.durations[0]!;
        }
      }
      if (step > limit) throw this.noProgress(`${bits} bits`, fromMs);
    }
  }

  /** Bits moved between `fromMs` and `toMs` (whole loops in closed form past {@link LINK_WALK_STEPS}). */
  bitsBetween(fromMs: number, toMs: number): number {
    if (!(toMs > fromMs)) return 0;
    const c = this.locate(fromMs);
    let t = fromMs;
    let bits = 0;
    for (let step = 0; ; step++) {
      const bw = this.bandwidths[c.i]!;
      if (toMs <= c.endMs) return bits + (toMs - t) * bw;
      bits += (c.endMs - t) * bw;
      t = c.endMs;
      this.advance(c);
      if (step >= LINK_WALK_STEPS && c.i === 0) {
        const loops = Math.floor((toMs - t) / this.loopMs);
        if (loops > 0) {
          bits += loops * this.loopBits;
          t += loops * this.loopMs;
          c.startMs = t;
          c.endMs = t + this.durations[0]!;
        }
      }
    }
  }

  /** The typed error of a walk that would not end (a backstop: the closed-form skips make it unreachable). */
  private noProgress(what: string, fromMs: number): AbrkitError {
    return new AbrkitError(
      'trace',
      'LINK_NO_PROGRESS',
      `trace ${this.traceName}: ${what} of a request at ${fromMs / 1000} s would not end on the ${this.name} link ` +
        `(loop of ${this.loopMs} ms moving ${this.loopBits} bits)`,
      { data: { source: this.traceName, atMs: fromMs } },
    );
  }

  /** Request-to-last-byte time of `sizeBytes` sent at `startMs`. Pure. */
  downloadMs(startMs: number, sizeBytes: number): number {
    const first = this.firstByteMs(startMs);
    return this.timeAfterBits(first, sizeBytes * 8) - startMs;
  }

  begin(startMs: number, sizeBytes: number): TransferPlan {
    const firstByteMs = this.firstByteMs(startMs);
    return new LinkTransfer(
      this,
      startMs,
      sizeBytes,
      firstByteMs,
      this.timeAfterBits(firstByteMs, sizeBytes * 8),
    );
  }

  end(): void {
    // stateless: the trace is a function of time
  }

  oracle(): DownloadOracle {
    return {
      network: this.name,
      nonAdvancingMs: 0,
      downloadMs: (startMs, sizeBytes) => this.downloadMs(startMs, sizeBytes),
    };
  }
}

/**
 * `LinkTransfer.walkProgress`: with at most `minMs * bw * STEP_SHRINK` bits to go, `(bits to go) / bw` rounds
 * to less than `minMs` (1e-9 is far above the rounding of the product and the quotient), so the next point is
 * `last + minMs`, as `max(last + minMs, last + (bits to go) / bw)` gives.
 */
const STEP_SHRINK = 1 - 1e-9;

/**
 * One transfer. Progress queries come in increasing time order, so it keeps a cursor (time, bits so far,
 * period) and walks on from it: a progress report costs O(1) amortised instead of a walk from the first byte.
 */
class LinkTransfer implements TransferPlan {
  private atMs: number;
  private bits = 0;
  private period: number;
  private periodEndMs: number;

  constructor(
    private readonly link: LinkModel,
    readonly startMs: number,
    readonly sizeBytes: number,
    readonly firstByteMs: number,
    readonly endMs: number,
  ) {
    this.atMs = firstByteMs;
    const c = link.periodAt(firstByteMs);
    this.period = c.i;
    this.periodEndMs = c.endMs;
  }

  private rewind(): void {
    this.atMs = this.firstByteMs;
    this.bits = 0;
    const c = this.link.periodAt(this.firstByteMs);
    this.period = c.i;
    this.periodEndMs = c.endMs;
  }

  loadedBytesAt(tMs: number): number {
    if (tMs <= this.firstByteMs) return 0;
    if (tMs >= this.endMs) return this.sizeBytes;
    if (tMs < this.atMs) this.rewind();
    const link = this.link;
    for (let step = 0; tMs > this.periodEndMs; step++) {
      this.bits += (this.periodEndMs - this.atMs) * link.bandwidthOf(this.period);
      this.atMs = this.periodEndMs;
      this.period = link.nextPeriod(this.period);
      if (step >= LINK_WALK_STEPS && this.period === 0)
        this.skipLoops(Math.floor((tMs - this.atMs) / link.loopMs));
      this.periodEndMs = this.atMs + link.durationOf(this.period);
    }
    this.bits += (tMs - this.atMs) * link.bandwidthOf(this.period);
    this.atMs = tMs;
    return Math.min(this.sizeBytes, this.bits / 8);
  }

  timeAtBytes(bytes: number): number {
    if (bytes >= this.sizeBytes) return this.endMs;
    if (!(bytes > 0)) return this.firstByteMs;
    const target = bytes * 8;
    if (target < this.bits) this.rewind();
    const link = this.link;
    for (let step = 0; ; step++) {
      const bw = link.bandwidthOf(this.period);
      const leftBits = (this.periodEndMs - this.atMs) * bw;
      if (bw > 0 && target - this.bits <= leftBits) return this.atMs + (target - this.bits) / bw;
      this.bits += leftBits;
      this.atMs = this.periodEndMs;
      this.period = link.nextPeriod(this.period);
      if (step >= LINK_WALK_STEPS && this.period === 0) {
        this.skipLoops(Math.ceil((target - this.bits) / link.loopBits) - 1);
      }
      this.periodEndMs = this.atMs + link.durationOf(this.period);
    }
  }

  /**
   * `TransferPlan.walkProgress`: `loadedBytesAt` and `timeAtBytes` inlined on local copies of the cursor for
   * the common case (the point in the cursor's period, at or after it); anything else calls them.
   */
  walkProgress(w: ProgressWalk, times: number[]): void {
    const { endMs, firstByteMs, sizeBytes, link } = this;
    const { untilMs, maxCount, minMs, minBytes } = w;
    const paceSpanMs = w.paceByMs - firstByteMs; // NaN: no pace rule
    const paceFromMs = paceSpanMs > 0 ? firstByteMs + PACE_MIN_TRANSFER_MS : Number.POSITIVE_INFINITY;
    let lastMs = w.lastMs;
    let lastBytes = w.lastBytes;
    let atMs = w.nextMs;
    let clockMs = w.clockMs;
    let n = w.count;
    // the cursor, in locals (written back around the general calls and at the end)
    let cursorMs = this.atMs;
    let bits = this.bits;
    let periodEndMs = this.periodEndMs;
    let bw = link.bandwidthOf(this.period);
    // bits that move in a little less than minMs at bw: a smaller remainder to the next byte step arrives
    // before `last + minMs` even after rounding, so that is the next point (no division needed)
    let stepBits = minMs * bw * STEP_SHRINK;
    w.full = false;
    while (atMs < endMs) {
      if (!(atMs < untilMs) && !(atMs >= paceFromMs)) break;
      // loadedBytesAt(atMs) (a point not skipped asks it again when reported: the same answer)
      let bytes: number;
      if (atMs <= firstByteMs) bytes = 0;
      else if (atMs >= cursorMs && !(atMs > periodEndMs)) {
        bits += (atMs - cursorMs) * bw;
        cursorMs = atMs;
        bytes = Math.min(sizeBytes, bits / 8);
      } else {
        this.atMs = cursorMs;
        this.bits = bits;
        bytes = this.loadedBytesAt(atMs);
        cursorMs = this.atMs;
        bits = this.bits;
        periodEndMs = this.periodEndMs;
        bw = link.bandwidthOf(this.period);
        stepBits = minMs * bw * STEP_SHRINK;
      }
      if (!(atMs < untilMs) && !(bytes * paceSpanMs >= sizeBytes * (atMs - firstByteMs))) break;
      const delayMs = atMs - clockMs;
      if (delayMs > 0) clockMs += delayMs;
      lastMs = atMs;
      lastBytes = bytes;
      times[n++] = clockMs;
      if (n >= maxCount) {
        w.full = true;
        break;
      }
      // timeAtBytes(lastBytes + minBytes)
      const wantBytes = lastBytes + minBytes;
      let byBytesMs: number;
      if (wantBytes >= sizeBytes) byBytesMs = endMs;
      else if (!(wantBytes > 0)) byBytesMs = firstByteMs;
      else {
        const target = wantBytes * 8;
        if (!(target < bits) && bw > 0 && target - bits <= (periodEndMs - cursorMs) * bw) {
          if (target - bits <= stepBits && cursorMs === lastMs) {
            atMs = lastMs + minMs;
            continue;
          }
          byBytesMs = cursorMs + (target - bits) / bw;
        } else {
          this.atMs = cursorMs;
          this.bits = bits;
          byBytesMs = this.timeAtBytes(wantBytes);
          cursorMs = this.atMs;
          bits = this.bits;
          periodEndMs = this.periodEndMs;
          bw = link.bandwidthOf(this.period);
          stepBits = minMs * bw * STEP_SHRINK;
        }
      }
      atMs = Math.max(lastMs + minMs, byBytesMs);
    }
    this.atMs = cursorMs;
    this.bits = bits;
    w.lastMs = lastMs;
    w.lastBytes = lastBytes;
    w.nextMs = atMs;
    w.clockMs = clockMs;
    w.count = n;
  }

  /** Moves the cursor (at the start of a loop) `loops` whole loops on. */
  private skipLoops(loops: number): void {
    if (!(loops > 0)) return;
    this.bits += loops * this.link.loopBits;
    this.atMs += loops * this.link.loopMs;
  }
}
