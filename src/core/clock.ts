/**
 * Time is passed in, never read from globals (STYLE.md #4). The player gives the wall clock, the simulator a
 * virtual clock whose timers fire in time order as fast as the CPU allows.
 */
export interface Clock {
  /** Milliseconds on this clock's own time line (monotonic). */
  nowMs(): number;
  /** Calls `callback` once after `delayMs` (0 = as soon as possible, after the current call returns). Returns a cancel function. */
  setTimer(callback: () => void, delayMs: number): () => void;
}
