/**
 * The one link every response of the shaping server shares. Time is trace time (ms since the trace origin,
 * on an injected `Clock`). A scheduler tick (every `tickMs`, plus at every event: a response starting, a
 * stall ending) settles the link since the last settlement: the bits the trace allows over that interval
 * (its integral, minus outage windows) are split equally among the responses able to take bytes
 * (started, not stalled, not held by socket backpressure), work-conserving: a response that needs less than
 * its share takes what it needs and the rest is shared among the others (water-filling). When no response
 * can take bytes the bits are lost, as on a real idle link. Each response keeps a fractional byte credit so
 * nothing is lost to rounding; `res.write` returning false parks it until 'drain'.
 */
import type { Clock } from '../core/clock.js';
import type { TraceTimeline } from './timeline.js';

/** Longest delay setTimeout takes, ms (2^31 − 1); a later time is reached by re-arming. */
const MAX_TIMER_MS = 2_147_483_647;

/** What the pacer needs of a response: Node's ServerResponse fits. */
export interface PacedSink {
  write(chunk: Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface PacedBody {
  readonly sink: PacedSink;
  readonly body: Uint8Array;
  /** Called once the body has been written entirely. */
  onDone(): void;
  /**
   * Byte offset at which `onLimit` is called (once, when exactly that many bytes were written); the pacer
   * sends nothing past it until `onLimit` returns. For resets and stalls.
   */
  readonly limitByte?: number;
  /** Returns 'stop' to drop the body (a reset), or a stall length in ms. */
  onLimit?(): 'stop' | { readonly stallMs: number };
}

interface Flow {
  readonly p: PacedBody;
  sent: number;
  credit: number;
  blocked: boolean;
  stalled: boolean;
  limit: number;
}

export interface SharedLinkOptions {
  readonly timeline: TraceTimeline;
  readonly clock: Clock;
  /** Clock time of trace time 0. */
  readonly originMs: number;
  /** Scheduler tick, ms (default 10). */
  readonly tickMs?: number;
  /** Windows of trace time with no bytes. */
  readonly outages?: readonly { readonly fromMs: number; readonly toMs: number }[];
}

/** The shared, trace-following link. */
export class SharedLink {
  private readonly flows = new Set<Flow>();
  private lastMs: number;
  private cancelTick: (() => void) | null = null;
  private readonly timers = new Set<() => void>();
  private closed = false;
  private readonly tickMs: number;

  constructor(private readonly options: SharedLinkOptions) {
    this.tickMs = options.tickMs ?? 10;
    this.lastMs = this.nowMs();
  }

  /** Trace time now. */
  nowMs(): number {
    return this.options.clock.nowMs() - this.options.originMs;
  }

  /** Number of bodies being sent. */
  get activeCount(): number {
    return this.flows.size;
  }

  /**
   * Runs `callback` at trace time `atMs` (or at once when past), never before it: Node's timers run on a
   * millisecond loop clock and may fire up to a millisecond early, so an early call is re-armed. Cancelled
   * by `close()`.
   */
  at(atMs: number, callback: () => void): () => void {
    let cancel: () => void = () => {};
    const arm = (): void => {
      const current = this.options.clock.setTimer(
        () => {
          this.timers.delete(current);
          if (this.closed) return;
          if (this.nowMs() < atMs) arm();
          else callback();
        },
        // capped to setTimeout's range (a longer delay would fire at once, then re-arm every ms)
        Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(atMs - this.nowMs()))),
      );
      this.timers.add(current);
      cancel = () => {
        this.timers.delete(current);
        current();
      };
    };
    arm();
    return () => cancel();
  }

  /** Starts pacing a body now; returns a function that drops it (client gone). */
  send(p: PacedBody): () => void {
    this.settle();
    const flow: Flow = {
      p,
      sent: 0,
      credit: 0,
      blocked: false,
      stalled: false,
      limit: p.limitByte ?? Number.POSITIVE_INFINITY,
    };
    if (p.body.length === 0) {
      p.onDone();
      return () => {};
    }
    this.flows.add(flow);
    if (flow.limit <= 0) this.hitLimit(flow);
    this.ensureTicking();
    return () => {
      this.flows.delete(flow);
    };
  }

  /** Distributes the bits of (last settlement, now] and writes them. */
  settle(): void {
    const now = this.nowMs();
    const from = this.lastMs;
    this.lastMs = now;
    if (!(now > from) || this.flows.size === 0) return;
    let bytes = this.linkBits(from, now) / 8;
    const open: Flow[] = [];
    for (const f of this.flows) if (!f.blocked && !f.stalled && this.need(f) > 0) open.push(f);
    // water-filling: the smallest needs are met first, the rest share equally
    open.sort((a, b) => this.need(a) - this.need(b));
    let left = open.length;
    for (const f of open) {
      const share = bytes / left;
      const grant = Math.min(share, this.need(f));
      f.credit += grant;
      bytes -= grant;
      left--;
    }
    for (const f of open) this.write(f);
  }

  /** Bytes `f` may still be granted before its end or its limit. */
  private need(f: Flow): number {
    return Math.min(f.p.body.length, f.limit) - f.sent - f.credit;
  }

  private write(f: Flow): void {
    const cap = Math.min(f.p.body.length, f.limit);
    // a credit within a millionth of a byte of the end counts as the end (float sums)
    let n = Math.floor(f.credit + 1e-6);
    n = Math.min(n, cap - f.sent);
    if (n <= 0) return;
    const chunk = f.p.body.subarray(f.sent, f.sent + n);
    f.sent += n;
    f.credit = Math.max(0, f.credit - n);
    const ok = f.p.sink.write(chunk);
    if (!ok) {
      f.blocked = true;
      f.p.sink.once('drain', () => {
        // the time it was held belongs to the others: settle it before it takes a share again
        this.settle();
        f.blocked = false;
      });
    }
    if (f.sent >= f.p.body.length) {
      this.flows.delete(f);
      f.p.onDone();
      return;
    }
    if (f.sent >= f.limit) this.hitLimit(f);
  }

  private hitLimit(f: Flow): void {
    f.limit = Number.POSITIVE_INFINITY;
    f.credit = 0;
    const action = f.p.onLimit?.() ?? 'stop';
    if (action === 'stop') {
      this.flows.delete(f);
      return;
    }
    f.stalled = true;
    this.at(this.nowMs() + action.stallMs, () => {
      this.settle();
      f.stalled = false;
      this.ensureTicking();
    });
  }

  /** Bits the link moves in [fromMs, toMs), outages excluded. */
  linkBits(fromMs: number, toMs: number): number {
    const timeline = this.options.timeline;
    let bits = timeline.bitsBetween(fromMs, toMs);
    for (const o of this.options.outages ?? []) {
      const a = Math.max(fromMs, o.fromMs);
      const b = Math.min(toMs, o.toMs);
      if (b > a) bits -= timeline.bitsBetween(a, b);
    }
    return Math.max(0, bits);
  }

  private ensureTicking(): void {
    if (this.cancelTick !== null || this.closed) return;
    const tick = (): void => {
      this.cancelTick = null;
      if (this.closed) return;
      this.settle();
      if (this.flows.size > 0) this.cancelTick = this.options.clock.setTimer(tick, this.nextDelayMs());
    };
    this.cancelTick = this.options.clock.setTimer(tick, this.nextDelayMs());
  }

  /**
   * The next tick: `tickMs`, or sooner when a body would reach its end (or its fault limit) before then at
   * the current rate and share, so that its last byte leaves on time rather than up to a tick late.
   */
  private nextDelayMs(): number {
    let open = 0;
    let smallestNeed = Number.POSITIVE_INFINITY;
    for (const f of this.flows) {
      if (f.blocked || f.stalled) continue;
      open++;
      smallestNeed = Math.min(smallestNeed, this.need(f));
    }
    if (open === 0) return this.tickMs;
    const bytesPerMs = this.options.timeline.bandwidthKbpsAt(this.nowMs()) / 8 / open;
    if (!(bytesPerMs > 0)) return this.tickMs;
    const finishMs = Math.max(0, smallestNeed) / bytesPerMs;
    return Math.max(1, Math.min(this.tickMs, Math.ceil(finishMs)));
  }

  /** Stops the scheduler and every pending timer; bodies in flight are dropped. */
  close(): void {
    this.closed = true;
    this.cancelTick?.();
    this.cancelTick = null;
    for (const cancel of [...this.timers]) cancel();
    this.timers.clear();
    this.flows.clear();
  }
}
