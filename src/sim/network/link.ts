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
import type { NetworkTrace } from '../../traces/model.js';
import type { DownloadOracle, NetworkModel, NetworkModelName, TransferPlan } from './types.js';

interface LinkTables {
  readonly durations: Float64Array;
  readonly bandwidths: Float64Array;
  readonly latencies: Float64Array;
  readonly ends: Float64Array;
  readonly loopMs: number;
}

/** Tables of each trace, kept while the trace lives (a batch runs many sessions on one trace). */
const compiled = new WeakMap<NetworkTrace, LinkTables>();

function compile(trace: NetworkTrace): LinkTables {
  const n = trace.periods.length;
  const durations = new Float64Array(n);
  const bandwidths = new Float64Array(n);
  const latencies = new Float64Array(n);
  const ends = new Float64Array(n);
  let t = 0;
  let anyBandwidth = false;
  for (let i = 0; i < n; i++) {
    const p = trace.periods[i]!;
    durations[i] = p.durationMs;
    bandwidths[i] = p.bandwidthKbps;
    latencies[i] = p.latencyMs;
    t += p.durationMs;
    ends[i] = t;
    if (p.bandwidthKbps > 0 && p.durationMs > 0) anyBandwidth = true;
  }
  if (!(t > 0) || !anyBandwidth) {
    throw new AbrkitError(
      'trace',
      'TRACE_NO_BANDWIDTH',
      `trace ${trace.name} has no period with time and bandwidth`,
      {
        data: { source: trace.name },
      },
    );
  }
  return { durations, bandwidths, latencies, ends, loopMs: t };
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
  private readonly loopMs: number;

  constructor(trace: NetworkTrace, name: NetworkModelName = 'sabre') {
    this.name = name;
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

  /** Time the latency of a request sent at `startMs` ends (Sabre's `do_latency_delay(1)`). */
  firstByteMs(startMs: number): number {
    const c = this.locate(startMs);
    let t = startMs;
    let units = 1;
    for (let guard = 0; ; guard++) {
      const latency = this.latencies[c.i]!;
      const needMs = units * latency;
      const leftMs = c.endMs - t;
      if (needMs <= leftMs) return t + needMs;
      units -= leftMs / latency;
      t = c.endMs;
      this.advance(c);
      if (guard > 10_000_000)
        throw new AbrkitError('internal', 'LINK_NO_PROGRESS', 'latency walk does not end');
    }
  }

  /** Time `bits` have moved when the transfer starts at `fromMs`. */
  timeAfterBits(fromMs: number, bits: number): number {
    if (!(bits > 0)) return fromMs;
    const c = this.locate(fromMs);
    let t = fromMs;
    let left = bits;
    for (;;) {
      const bw = this.bandwidths[c.i]!;
      const leftMs = c.endMs - t;
      if (bw > 0 && left <= leftMs * bw) return t + left / bw;
      if (bw > 0) left -= leftMs * bw;
      t = c.endMs;
      this.advance(c);
    }
  }

  /** Bits moved between `fromMs` and `toMs`. */
  bitsBetween(fromMs: number, toMs: number): number {
    if (!(toMs > fromMs)) return 0;
    const c = this.locate(fromMs);
    let t = fromMs;
    let bits = 0;
    for (;;) {
      const bw = this.bandwidths[c.i]!;
      if (toMs <= c.endMs) return bits + (toMs - t) * bw;
      bits += (c.endMs - t) * bw;
      t = c.endMs;
      this.advance(c);
    }
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
    while (tMs > this.periodEndMs) {
      this.bits += (this.periodEndMs - this.atMs) * link.bandwidthOf(this.period);
      this.atMs = this.periodEndMs;
      this.period = link.nextPeriod(this.period);
      this.periodEndMs += link.durationOf(this.period);
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
    for (;;) {
      const bw = link.bandwidthOf(this.period);
      const leftBits = (this.periodEndMs - this.atMs) * bw;
      if (bw > 0 && target - this.bits <= leftBits) return this.atMs + (target - this.bits) / bw;
      this.bits += leftBits;
      this.atMs = this.periodEndMs;
      this.period = link.nextPeriod(this.period);
      this.periodEndMs += link.durationOf(this.period);
    }
  }
}
