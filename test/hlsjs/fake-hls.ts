/**
 * A fake hls.js for the adapter's unit tests: an event bus with `on`/`off`/`trigger`, `levels`, a `media`
 * stub with buffered ranges, `autoLevelCapping`, and a level controller that echoes `nextLoadLevel` into
 * `abrController.nextAutoLevel` as hls.js's does. Plus a manual clock and fragment builders.
 */
import type { Clock } from '../../src/core/clock.js';
import type {
  HlsFragmentLike,
  HlsLevelDetailsLike,
  HlsLevelLike,
  HlsLike,
  HlsLoaderStatsLike,
  HlsMediaLike,
} from '../../src/hlsjs/hls-shape.js';

type Listener = (event: string, data: never) => void;

export class FakeMedia implements HlsMediaLike {
  currentTime = 0;
  playbackRate = 1;
  paused = false;
  ranges: [number, number][] = [];
  get buffered(): HlsMediaLike['buffered'] {
    const ranges = this.ranges;
    return { length: ranges.length, start: (i) => ranges[i]?.[0] ?? 0, end: (i) => ranges[i]?.[1] ?? 0 };
  }
  /** Buffer `aheadS` seconds ahead of the playhead. */
  bufferAhead(aheadS: number): void {
    this.ranges = aheadS > 0 ? [[this.currentTime, this.currentTime + aheadS]] : [];
  }
}

export interface FakeLevelInit {
  bitrate: number;
  averageBitrate?: number;
  height?: number;
  width?: number;
}

export function makeLevels(
  inits: readonly FakeLevelInit[],
  segmentCount = 10,
  durationS = 4,
): HlsLevelLike[] {
  return inits.map((init) => {
    const details: HlsLevelDetailsLike = {
      live: false,
      startSN: 0,
      targetduration: durationS,
      fragments: Array.from({ length: segmentCount }, (_, sn) => ({
        type: 'main',
        sn,
        level: 0,
        duration: durationS,
        stats: newStats(),
      })),
    };
    return { ...init, maxBitrate: init.bitrate, details };
  });
}

export function newStats(): HlsLoaderStatsLike {
  return { aborted: false, loaded: 0, total: 0, loading: { start: 0, first: 0, end: 0 } };
}

export interface FakeFragment extends HlsFragmentLike {
  readonly stats: HlsLoaderStatsLike;
  aborts: number;
}

export function fragment(
  level: number,
  sn: number | 'initSegment',
  type = 'main',
  duration = 4,
): FakeFragment {
  const frag: FakeFragment = {
    type,
    sn,
    level,
    duration,
    stats: newStats(),
    aborts: 0,
    abortRequests() {
      frag.aborts += 1;
      frag.stats.aborted = true;
    },
  };
  return frag;
}

export class FakeHls implements HlsLike {
  levels: HlsLevelLike[];
  media: FakeMedia | null = new FakeMedia();
  config = {
    maxBufferLength: 30,
    maxBufferSize: 60e6,
    maxMaxBufferLength: 30,
    abrEwmaDefaultEstimate: 500_000,
  };
  autoLevelCapping = -1;
  minAutoLevel = 0;
  autoLevelEnabled = true;
  /** Every level hls.js's level controller was set to. */
  readonly nextLoadLevels: number[] = [];
  readonly triggered: { event: string; data: unknown }[] = [];
  /** The controller under test, to echo `nextLoadLevel` into, as hls.js's level controller does. */
  abrController: { nextAutoLevel: number } | null = null;
  private readonly bus = new Map<string, { listener: Listener; context: unknown }[]>();

  constructor(levels: HlsLevelLike[]) {
    this.levels = levels;
  }

  get maxAutoLevel(): number {
    return this.autoLevelCapping === -1 ? this.levels.length - 1 : this.autoLevelCapping;
  }

  set nextLoadLevel(level: number) {
    this.nextLoadLevels.push(level);
    if (this.abrController) this.abrController.nextAutoLevel = level;
  }

  get nextLoadLevel(): number {
    return this.abrController?.nextAutoLevel ?? -1;
  }

  on(event: string, listener: Listener, context?: unknown): void {
    const list = this.bus.get(event) ?? [];
    list.push({ listener, context });
    this.bus.set(event, list);
  }

  off(event: string, listener: Listener, context?: unknown): void {
    const list = this.bus.get(event) ?? [];
    this.bus.set(
      event,
      list.filter((l) => l.listener !== listener || l.context !== context),
    );
  }

  trigger(event: string, data: unknown): boolean {
    this.triggered.push({ event, data });
    for (const { listener, context } of [...(this.bus.get(event) ?? [])]) {
      listener.call(context, event, data as never);
    }
    return true;
  }

  listenerCount(): number {
    let n = 0;
    for (const list of this.bus.values()) n += list.length;
    return n;
  }
}

/** A clock whose timers fire when the test advances it. */
export class ManualClock implements Clock {
  private now = 1000;
  private timers: { at: number; cb: () => void; id: number }[] = [];
  private nextId = 0;

  nowMs(): number {
    return this.now;
  }

  setTimer(cb: () => void, delayMs: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.now + Math.max(0, delayMs), cb, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.now = next.at;
      next.cb();
    }
    this.now = end;
  }
}
