/**
 * The trace as a function of real time, for the shaping server: bandwidth and latency at a trace time, and
 * the bits the link moves between two trace times (the trace integral). The same arithmetic as the Sabre
 * link model in src/sim/network/link.ts (periods of duration/bandwidth/latency, kbps = bits per ms), with one
 * difference the server needs: without `loop` the last period holds forever instead of the trace repeating.
 *
 * `network: 'pensieve'` applies Pensieve's test-time model (Mao et al., SIGCOMM 2017, test/fixed_env.py):
 * only 95% of the trace's throughput carries payload, and every request pays the fixed 80 ms RTT instead of
 * the period's latency.
 */
import { AbrkitError } from '../core/errors.js';
import { latencyAt, periodTable } from '../traces/columns.js';
import type { NetworkTrace } from '../traces/model.js';
import { PENSIEVE_PAYLOAD_PORTION, PENSIEVE_RTT_MS } from '../sim/network/pensieve.js';

export type ShapingNetwork = 'sabre' | 'pensieve';

export class TraceTimeline {
  private readonly ends: Float64Array;
  private readonly bandwidths: Float64Array;
  private readonly latencies: Float64Array;
  /** One pass of the trace, ms. */
  readonly durationMs: number;

  constructor(
    readonly trace: NetworkTrace,
    readonly network: ShapingNetwork = 'sabre',
    readonly loop = false,
  ) {
    const table = periodTable(trace);
    const n = table.length;
    this.ends = new Float64Array(n);
    this.bandwidths = new Float64Array(n);
    this.latencies = new Float64Array(n);
    const portion = network === 'pensieve' ? PENSIEVE_PAYLOAD_PORTION : 1;
    let t = 0;
    let anyBandwidth = false;
    for (let i = 0; i < n; i++) {
      const durationMs = table.durationsMs[i]!;
      const bandwidthKbps = table.bandwidthsKbps[i]!;
      t += durationMs;
      this.ends[i] = t;
      this.bandwidths[i] = bandwidthKbps * portion;
      this.latencies[i] = network === 'pensieve' ? PENSIEVE_RTT_MS : latencyAt(table, i);
      if (bandwidthKbps > 0 && durationMs > 0) anyBandwidth = true;
    }
    if (!(t > 0) || !anyBandwidth) {
      throw new AbrkitError(
        'trace',
        'TRACE_NO_BANDWIDTH',
        'the trace has no period with time and bandwidth',
        {
          data: { source: trace.name },
        },
      );
    }
    this.durationMs = t;
  }

  /** Index of the period holding trace time `tMs` and the trace time that period ends (Infinity when held). */
  private locate(tMs: number): { i: number; endMs: number } {
    const t = Math.max(0, tMs);
    const last = this.ends.length - 1;
    let base = 0;
    let within = t;
    if (this.loop) {
      const loops = Math.floor(t / this.durationMs);
      base = loops * this.durationMs;
      within = t - base;
    } else if (t >= this.durationMs) {
      return { i: last, endMs: Number.POSITIVE_INFINITY };
    }
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! > within) hi = mid;
      else lo = mid + 1;
    }
    const endMs = !this.loop && lo === last ? Number.POSITIVE_INFINITY : base + this.ends[lo]!;
    return { i: lo, endMs };
  }

  /**
   * The trace time from which the link never moves a byte again, or null: without `loop`, when the last
   * period (held for ever) is an outage, the end of the last period with bandwidth.
   */
  deadForeverFromMs(): number | null {
    if (this.loop) return null;
    let i = this.bandwidths.length - 1;
    if (this.bandwidths[i]! > 0) return null;
    while (i > 0 && !(this.bandwidths[i - 1]! > 0)) i--;
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  /** Link bandwidth at trace time `tMs`, kbps (after the Pensieve payload portion when that model is used). */
  bandwidthKbpsAt(tMs: number): number {
    return this.bandwidths[this.locate(tMs).i]!;
  }

  /** Latency (request to first byte) of a request sent at trace time `tMs`. */
  latencyMsAt(tMs: number): number {
    return this.latencies[this.locate(tMs).i]!;
  }

  /** Bits the link moves in [fromMs, toMs) of trace time. */
  bitsBetween(fromMs: number, toMs: number): number {
    if (!(toMs > fromMs)) return 0;
    let t = Math.max(0, fromMs);
    let bits = 0;
    for (let guard = 0; t < toMs; guard++) {
      const { i, endMs } = this.locate(t);
      const until = Math.min(endMs, toMs);
      bits += (until - t) * this.bandwidths[i]!;
      // A zero-length step can only come from float rounding at a period edge: nudge past it.
      t = until > t ? until : t + 1e-9;
      if (guard > 10_000_000) break;
    }
    return bits;
  }
}
