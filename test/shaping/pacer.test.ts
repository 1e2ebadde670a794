/**
 * The shared link on a virtual clock (no sockets, no real time), so its arithmetic is checked exactly:
 * rate, equal sharing with work conservation, backpressure, stalls, resets and outages. At 8000 kbps the link
 * moves 1000 bytes per ms, which keeps the expected times easy to work out by hand.
 */
import { describe, expect, it } from 'vitest';
import { SharedLink, type PacedBody, type PacedSink } from '../../src/shaping/pacer.js';
import { TraceTimeline } from '../../src/shaping/timeline.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { generateTrace } from '../../src/traces/spec.js';

interface Recorder extends PacedSink {
  readonly writes: { atMs: number; bytes: number }[];
  total(): number;
  doneAtMs: number | null;
  drain(): void;
}

function recorder(clock: VirtualClock, blockOnWrite: number[] = []): Recorder {
  let drainListener: (() => void) | null = null;
  let n = 0;
  const r: Recorder = {
    writes: [],
    doneAtMs: null,
    total: () => r.writes.reduce((a, w) => a + w.bytes, 0),
    write(chunk) {
      r.writes.push({ atMs: clock.nowMs(), bytes: chunk.length });
      return !blockOnWrite.includes(n++);
    },
    once(_event, listener) {
      drainListener = listener;
    },
    drain() {
      const l = drainListener;
      drainListener = null;
      l?.();
    },
  };
  return r;
}

function setup(spec = 'constant:8000', outages: { fromMs: number; toMs: number }[] = []) {
  const clock = new VirtualClock(0);
  const link = new SharedLink({
    timeline: new TraceTimeline(generateTrace(spec)),
    clock,
    originMs: 0,
    tickMs: 10,
    outages,
  });
  const send = (sink: Recorder, sizeBytes: number, extra: Partial<PacedBody> = {}): void => {
    link.send({
      sink,
      body: new Uint8Array(sizeBytes),
      onDone: () => {
        sink.doneAtMs = clock.nowMs();
      },
      ...extra,
    });
  };
  return { clock, link, send };
}

describe('SharedLink', () => {
  it('sends a body at the trace rate and ends on time', () => {
    const { clock, send } = setup();
    const a = recorder(clock);
    send(a, 100_000);
    clock.run();
    expect(a.total()).toBe(100_000);
    expect(a.doneAtMs).toBeGreaterThanOrEqual(100);
    expect(a.doneAtMs).toBeLessThanOrEqual(101);
    // never ahead of the trace: by each write, at most 1000 B/ms have gone out
    let sent = 0;
    for (const w of a.writes) {
      sent += w.bytes;
      expect(sent).toBeLessThanOrEqual(w.atMs * 1000 + 1);
    }
  });

  it('shares equally, and gives the whole link to the one left', () => {
    const { clock, send } = setup();
    const small = recorder(clock);
    const big = recorder(clock);
    send(small, 50_000);
    send(big, 100_000);
    clock.run();
    // both at 500 B/ms: the small one ends at 100 ms with the big one at 50 kB; its last 50 kB at 1000 B/ms
    expect(small.doneAtMs).toBeGreaterThanOrEqual(100);
    expect(small.doneAtMs).toBeLessThanOrEqual(101);
    expect(big.doneAtMs).toBeGreaterThanOrEqual(150);
    expect(big.doneAtMs).toBeLessThanOrEqual(151);
  });

  it('gives the share of a response held by backpressure to the others until it drains', () => {
    const { clock, send } = setup();
    const held = recorder(clock, [0]);
    const free = recorder(clock);
    send(held, 100_000);
    send(free, 100_000);
    clock.setTimer(() => held.drain(), 50);
    clock.run();
    // 0-10 ms shared (5 kB each), then the free one alone at 1000 B/ms until the drain at 50 ms
    const freeBy50 = free.writes.filter((w) => w.atMs <= 50).reduce((a, w) => a + w.bytes, 0);
    expect(freeBy50).toBeGreaterThanOrEqual(44_000);
    expect(freeBy50).toBeLessThanOrEqual(45_000);
    // 200 kB in all on a link that never idled: the last byte near 200 ms
    expect(Math.max(held.doneAtMs!, free.doneAtMs!)).toBeLessThanOrEqual(201);
    expect(held.total()).toBe(100_000);
  });

  it('stalls at the limit byte, then goes on; or stops there for a reset', () => {
    const stall = setup();
    const s = recorder(stall.clock);
    stall.send(s, 60_000, { limitByte: 30_000, onLimit: () => ({ stallMs: 100 }) });
    stall.clock.run();
    // 30 ms, 100 ms of stall, 30 ms
    expect(s.doneAtMs).toBeGreaterThanOrEqual(160);
    expect(s.doneAtMs).toBeLessThanOrEqual(162);
    expect(s.writes.filter((w) => w.atMs > 31 && w.atMs < 130)).toEqual([]);

    const reset = setup();
    const r = recorder(reset.clock);
    let limits = 0;
    reset.send(r, 60_000, {
      limitByte: 25_000,
      onLimit: () => {
        limits++;
        return 'stop';
      },
    });
    reset.clock.run();
    expect(limits).toBe(1);
    expect(r.total()).toBe(25_000);
    expect(r.doneAtMs).toBeNull();
  });

  it('moves nothing during an outage', () => {
    const { clock, send } = setup('constant:8000', [{ fromMs: 20, toMs: 70 }]);
    const a = recorder(clock);
    send(a, 60_000);
    clock.run();
    expect(a.doneAtMs).toBeGreaterThanOrEqual(110);
    expect(a.doneAtMs).toBeLessThanOrEqual(111);
    expect(a.writes.filter((w) => w.atMs > 20 && w.atMs < 70)).toEqual([]);
  });

  it('follows a step in the trace within one interval', () => {
    const { clock, send } = setup('step:8000x50ms,800x1s');
    const a = recorder(clock);
    send(a, 60_000);
    clock.run();
    // 50 kB in the first 50 ms, then 10 kB at 100 B/ms = 100 ms
    expect(a.doneAtMs).toBeGreaterThanOrEqual(150);
    expect(a.doneAtMs).toBeLessThanOrEqual(151);
  });

  it('stops every timer on close', () => {
    const { clock, link, send } = setup();
    const a = recorder(clock);
    send(a, 100_000);
    let fired = false;
    link.at(500, () => (fired = true));
    link.close();
    clock.run();
    expect(fired).toBe(false);
    expect(a.doneAtMs).toBeNull();
  });
});
