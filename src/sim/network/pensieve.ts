/**
 * Pensieve's test-time network model, exactly as `test/fixed_env.py` (Mao, Netravali, Alizadeh, "Neural
 * Adaptive Video Streaming with Pensieve", SIGCOMM 2017; hongzimao/pensieve):
 * - the trace is the cooked samples (time_s, throughput_Mbps); the session starts at line 1 with the trace
 *   clock at time[0]; line i's throughput holds until time[i]; past the last line the pointer goes back to
 *   line 1 with the clock at 0 (so later loops are time[last] long, the first one time[last] - time[0]);
 * - a download of S bytes walks the slots delivering `throughput * 0.95` bytes per second, the last slot
 *   fractionally, then adds the 80 ms RTT once; the RTT does not move the trace clock;
 * - time the player spends idle (its 500 ms sleeps above 60 s of buffer) moves the trace clock.
 * The arithmetic follows the Python line for line (seconds, same evaluation order), so delays agree to the
 * last bits. The RTT is placed before the first byte.
 */
import { AbrkitError } from '../../core/errors.js';
import { pensieveColumns, periodTable } from '../../traces/columns.js';
import type { NetworkTrace } from '../../traces/model.js';
import type { DownloadOracle, NetworkModel, TransferPlan } from './types.js';

export const PENSIEVE_RTT_MS = 80;
export const PENSIEVE_PAYLOAD_PORTION = 0.95;
const B_IN_MB = 1000000.0;
const BITS_IN_BYTE = 8.0;

/**
 * Slots a walk steps through one by one (fixed_env.py's exact arithmetic) before it skips whole loops of
 * the trace in closed form; see LINK_WALK_STEPS in link.ts.
 */
export const PENSIEVE_WALK_STEPS = 10_000;

/** Where the trace clock is: the slot pointer and the trace time (s), like fixed_env's mahimahi_ptr / last_mahimahi_time. */
interface TraceCursor {
  ptr: number;
  lastS: number;
}

/** Conversions of period traces, kept while the trace lives (a batch runs many sessions on one trace). */
const converted = new WeakMap<
  NetworkTrace,
  { timesS: ArrayLike<number>; throughputsMbps: ArrayLike<number> }
>();

/**
 * The cooked samples of a trace: its raw samples when read from Pensieve's format (the packed columns, or
 * `trace.pensieve`), else converted from its periods.
 */
export function pensieveSamples(trace: NetworkTrace): {
  timesS: ArrayLike<number>;
  throughputsMbps: ArrayLike<number>;
} {
  const raw = pensieveColumns(trace);
  if (raw) return raw;
  const cached = converted.get(trace);
  if (cached) return cached;
  // same conversion as ../shared/data's cooked copies: line 0 = (0, b0), line i = (end of period i-1, b(i-1))
  const table = periodTable(trace);
  const timesS = new Float64Array(table.length + 1);
  const throughputsMbps = new Float64Array(table.length + 1);
  throughputsMbps[0] = (table.bandwidthsKbps[0] ?? 0) / 1000;
  let endMs = 0;
  for (let i = 0; i < table.length; i++) {
    endMs += table.durationsMs[i]!;
    timesS[i + 1] = endMs / 1000;
    throughputsMbps[i + 1] = table.bandwidthsKbps[i]! / 1000;
  }
  const samples = { timesS, throughputsMbps };
  converted.set(trace, samples);
  return samples;
}

export class PensieveModel implements NetworkModel {
  readonly name = 'pensieve' as const;
  private readonly times: ArrayLike<number>;
  private readonly bws: ArrayLike<number>;
  private readonly cursor: TraceCursor;
  /** Session time at which `cursor` is; null before the first download. */
  private cursorSessionMs: number | null = null;

  constructor(trace: NetworkTrace) {
    const { timesS, throughputsMbps } = pensieveSamples(trace);
    if (timesS.length < 2 || timesS.length !== throughputsMbps.length) {
      throw new AbrkitError(
        'trace',
        'TRACE_TOO_SHORT',
        `trace ${trace.name} needs at least 2 samples of time and throughput`,
        {
          data: { source: trace.name },
        },
      );
    }
    let delivers = false;
    for (let i = 1; i < timesS.length; i++) {
      if (throughputsMbps[i]! > 0 && timesS[i]! > (i === 1 ? 0 : timesS[i - 1]!)) delivers = true;
    }
    if (!delivers) {
      throw new AbrkitError('trace', 'TRACE_NO_BANDWIDTH', `trace ${trace.name} never delivers a byte`, {
        data: { source: trace.name },
      });
    }
    if (!(timesS[0]! >= 0) || !Number.isFinite(timesS[timesS.length - 1]!)) {
      throw new AbrkitError(
        'trace',
        'TRACE_OUT_OF_LIMITS',
        `trace ${trace.name}: Pensieve sample times must be finite and >= 0, got ${timesS[0]} to ${timesS[timesS.length - 1]}`,
        { data: { source: trace.name } },
      );
    }
    this.times = timesS;
    this.bws = throughputsMbps;
    this.traceName = trace.name;
    // One later loop (from line 1 with the clock at 0 back to the wrap): its length and payload.
    this.loopS = timesS[timesS.length - 1]!;
    let payload = 0;
    for (let i = 1; i < timesS.length; i++) {
      const durationS = timesS[i]! - (i === 1 ? 0 : timesS[i - 1]!);
      payload += ((throughputsMbps[i]! * B_IN_MB) / BITS_IN_BYTE) * durationS * PENSIEVE_PAYLOAD_PORTION;
    }
    this.loopPayloadBytes = payload;
    this.cursor = this.startCursor();
  }

  private readonly traceName: string;
  /** Length of a later loop of the trace clock, s. */
  private readonly loopS: number;
  /** Bytes a later loop delivers. */
  private readonly loopPayloadBytes: number;

  /** Whether a walk of `step` steps may skip whole loops: long enough, and at the start of a later loop. */
  private atLoopStart(c: TraceCursor, step: number): boolean {
    return step >= PENSIEVE_WALK_STEPS && c.ptr === 1 && c.lastS === 0;
  }

  /** A backstop: the closed-form skips make every walk end within two loops past PENSIEVE_WALK_STEPS. */
  private checkSteps(step: number, what: string): void {
    if (step > PENSIEVE_WALK_STEPS + 3 * this.times.length + 3) {
      throw new AbrkitError(
        'trace',
        'LINK_NO_PROGRESS',
        `trace ${this.traceName}: ${what} would not end on the pensieve link (a loop of ${this.loopS} s delivers ${this.loopPayloadBytes} bytes)`,
        { data: { source: this.traceName } },
      );
    }
  }

  private startCursor(): TraceCursor {
    return { ptr: 1, lastS: this.times[0]! };
  }

  /** fixed_env's sleep: advance the trace clock by `ms`. */
  private idle(c: TraceCursor, ms: number): void {
    const times = this.times;
    let sleepMs = ms;
    for (let step = 0; ; step++) {
      if (this.atLoopStart(c, step)) {
        const loops = Math.floor(sleepMs / (this.loopS * 1000));
        if (loops > 0) sleepMs -= loops * this.loopS * 1000;
      }
      this.checkSteps(step, `a sleep of ${ms} ms`);
      const durationS = times[c.ptr]! - c.lastS;
      if (durationS > sleepMs / 1000) {
        c.lastS += sleepMs / 1000;
        return;
      }
      sleepMs -= durationS * 1000;
      c.lastS = times[c.ptr]!;
      c.ptr += 1;
      if (c.ptr >= times.length) {
        c.ptr = 1;
        c.lastS = 0;
      }
    }
  }

  /** fixed_env's download walk: seconds to deliver `sizeBytes` from `c` (c advances). */
  private transferS(c: TraceCursor, sizeBytes: number): number {
    const times = this.times;
    const bws = this.bws;
    let delayS = 0;
    let sent = 0;
    for (let step = 0; ; step++) {
      if (this.atLoopStart(c, step)) {
        // Leave (0, loopPayloadBytes] to walk.
        const loops = Math.ceil((sizeBytes - sent) / this.loopPayloadBytes) - 1;
        if (loops > 0) {
          sent += loops * this.loopPayloadBytes;
          delayS += loops * this.loopS;
        }
      }
      this.checkSteps(step, `a download of ${sizeBytes} bytes`);
      const throughput = (bws[c.ptr]! * B_IN_MB) / BITS_IN_BYTE;
      const durationS = times[c.ptr]! - c.lastS;
      const payload = throughput * durationS * PENSIEVE_PAYLOAD_PORTION;
      if (sent + payload > sizeBytes) {
        const fractionalS = (sizeBytes - sent) / throughput / PENSIEVE_PAYLOAD_PORTION;
        delayS += fractionalS;
        c.lastS += fractionalS;
        return delayS;
      }
      sent += payload;
      delayS += durationS;
      c.lastS = times[c.ptr]!;
      c.ptr += 1;
      if (c.ptr >= times.length) {
        c.ptr = 1;
        c.lastS = 0;
      }
    }
  }

  /** Bytes delivered in the first `seconds` of transfer from `c` (c unchanged). */
  private bytesWithin(from: TraceCursor, seconds: number): number {
    const c = { ...from };
    let left = seconds;
    let bytes = 0;
    for (let step = 0; left > 0; step++) {
      if (this.atLoopStart(c, step)) {
        const loops = Math.floor(left / this.loopS);
        if (loops > 0) {
          bytes += loops * this.loopPayloadBytes;
          left -= loops * this.loopS;
          if (!(left > 0)) break;
        }
      }
      this.checkSteps(step, `the progress of a download after ${seconds} s`);
      const throughput = (this.bws[c.ptr]! * B_IN_MB) / BITS_IN_BYTE;
      const durationS = this.times[c.ptr]! - c.lastS;
      const stepS = Math.min(durationS, left);
      bytes += throughput * stepS * PENSIEVE_PAYLOAD_PORTION;
      left -= stepS;
      if (left <= 0) break;
      c.lastS = this.times[c.ptr]!;
      c.ptr += 1;
      if (c.ptr >= this.times.length) {
        c.ptr = 1;
        c.lastS = 0;
      }
    }
    return bytes;
  }

  begin(startMs: number, sizeBytes: number): TransferPlan {
    if (this.cursorSessionMs !== null && startMs > this.cursorSessionMs)
      this.idle(this.cursor, startMs - this.cursorSessionMs);
    const from = { ...this.cursor };
    const after = { ...this.cursor };
    const delayMs = this.transferS(after, sizeBytes) * 1000 + PENSIEVE_RTT_MS;
    const firstByteMs = startMs + PENSIEVE_RTT_MS;
    const endMs = startMs + delayMs;
    return new PensieveTransfer(this, from, after, startMs, firstByteMs, endMs, sizeBytes);
  }

  end(plan: TransferPlan, atMs: number): void {
    if (!(plan instanceof PensieveTransfer))
      throw new AbrkitError('internal', 'FOREIGN_PLAN', 'plan from another model');
    if (atMs >= plan.endMs) {
      this.cursor.ptr = plan.after.ptr;
      this.cursor.lastS = plan.after.lastS;
    } else {
      this.cursor.ptr = plan.from.ptr;
      this.cursor.lastS = plan.from.lastS;
      const transferredMs = atMs - plan.firstByteMs;
      if (transferredMs > 0) this.idle(this.cursor, transferredMs);
    }
    this.cursorSessionMs = atMs;
  }

  /** @internal used by PensieveTransfer */
  bytesFrom(from: TraceCursor, seconds: number): number {
    return this.bytesWithin(from, seconds);
  }

  /** @internal used by PensieveTransfer */
  secondsFor(from: TraceCursor, sizeBytes: number): number {
    return this.transferS({ ...from }, sizeBytes);
  }

  /**
   * The oracle on the trace clock: `startMs` is trace time since the session's start (time[0]); a download's
   * RTT does not advance it (`nonAdvancingMs` 80).
   */
  oracle(): DownloadOracle {
    return {
      network: 'pensieve',
      nonAdvancingMs: PENSIEVE_RTT_MS,
      downloadMs: (startMs, sizeBytes) => {
        const c = this.locate(startMs);
        return this.transferS(c, sizeBytes) * 1000 + PENSIEVE_RTT_MS;
      },
    };
  }

  /** The cursor `offsetMs` of trace clock after the session start, found by binary search (O(log n)). */
  private locate(offsetMs: number): TraceCursor {
    const times = this.times;
    const last = times[times.length - 1]!;
    const firstLoopS = last - times[0]!;
    let s = offsetMs / 1000;
    let lastS: number;
    if (s < firstLoopS) lastS = times[0]! + s;
    else {
      s -= firstLoopS;
      lastS = last > 0 ? s - Math.floor(s / last) * last : 0;
    }
    let lo = 1;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! > lastS) hi = mid;
      else lo = mid + 1;
    }
    return { ptr: lo, lastS };
  }
}

class PensieveTransfer implements TransferPlan {
  constructor(
    private readonly model: PensieveModel,
    readonly from: TraceCursor,
    readonly after: TraceCursor,
    readonly startMs: number,
    readonly firstByteMs: number,
    readonly endMs: number,
    readonly sizeBytes: number,
  ) {}

  loadedBytesAt(tMs: number): number {
    if (tMs <= this.firstByteMs) return 0;
    if (tMs >= this.endMs) return this.sizeBytes;
    return Math.min(this.sizeBytes, this.model.bytesFrom(this.from, (tMs - this.firstByteMs) / 1000));
  }

  timeAtBytes(bytes: number): number {
    if (bytes >= this.sizeBytes) return this.endMs;
    if (!(bytes > 0)) return this.firstByteMs;
    return this.firstByteMs + this.model.secondsFor(this.from, bytes) * 1000;
  }
}
