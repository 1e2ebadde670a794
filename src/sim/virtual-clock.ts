/**
 * A virtual `Clock` for the simulator: timers sit in a binary min-heap ordered by (due time, insertion
 * order) and `run()` fires them in that order, jumping the clock to each one's time, until none remain.
 * Nothing here reads real time, so a session runs as fast as the CPU allows and always the same way.
 */
import type { Clock } from '../core/clock.js';
import { invalidArgument } from '../core/errors.js';

interface Timer {
  readonly dueMs: number;
  readonly seq: number;
  callback: (() => void) | null;
}

export class VirtualClock implements Clock {
  private now: number;
  private seq = 0;
  private readonly heap: Timer[] = [];

  constructor(startMs = 0) {
    if (!Number.isFinite(startMs)) throw invalidArgument('startMs', `must be finite, got ${startMs}`);
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    if (Number.isNaN(delayMs)) throw invalidArgument('delayMs', 'must be a number, got NaN');
    const timer: Timer = { dueMs: this.now + (delayMs > 0 ? delayMs : 0), seq: this.seq++, callback };
    this.push(timer);
    return () => {
      timer.callback = null;
    };
  }

  /**
   * A timer due at `dueMs` exactly (now if earlier): `setTimer(cb, dueMs - now)` may round `now + delay` to a
   * neighbour of `dueMs`. The trace source uses it to land where a chain of timers it skipped would have.
   */
  setTimerAt(callback: () => void, dueMs: number): () => void {
    if (Number.isNaN(dueMs)) throw invalidArgument('dueMs', 'must be a number, got NaN');
    const timer: Timer = { dueMs: dueMs > this.now ? dueMs : this.now, seq: this.seq++, callback };
    this.push(timer);
    return () => {
      timer.callback = null;
    };
  }

  /** Timers not yet fired (cancelled ones included until they reach the top). */
  get pending(): number {
    return this.heap.length;
  }

  /** Whether a timer that was not cancelled is still waiting (e.g. after `run(untilMs)` stopped early). */
  hasLiveTimers(): boolean {
    return this.heap.some((t) => t.callback !== null);
  }

  /** Fires timers in time order until none remain (or `untilMs` is reached). Returns how many fired. */
  run(untilMs = Number.POSITIVE_INFINITY): number {
    let fired = 0;
    const heap = this.heap;
    while (heap.length > 0) {
      const top = heap[0]!;
      if (top.dueMs > untilMs) break;
      this.pop();
      const callback = top.callback;
      if (callback === null) continue;
      top.callback = null;
      if (top.dueMs > this.now) this.now = top.dueMs;
      fired++;
      callback();
    }
    if (untilMs !== Number.POSITIVE_INFINITY && untilMs > this.now) this.now = untilMs;
    return fired;
  }

  private static before(a: Timer, b: Timer): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!VirtualClock.before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && VirtualClock.before(heap[r]!, heap[l]!)) c = r;
      if (!VirtualClock.before(heap[c]!, last)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
  }
}
