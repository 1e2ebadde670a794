/**
 * The read-only test hook (`window.__abrkitDemo`): what the e2e test and a curious console user can read
 * about the page without scraping the DOM. Every call returns a copy.
 */
import type { PlayerQoe } from 'abrkit/player';
import type { CompareRow } from './compare-protocol.js';
import type { ChartPointCounts } from './charts.js';
import type { DecisionPoint, LogEntry, Stall } from './state.js';

export interface DemoTestHook {
  /** 'loading' until the config is read, then the live player's state ('idle' without one). */
  readonly state: () => string;
  /** True when the page talks to the dev server's shaping API. */
  readonly shaping: () => boolean;
  /** Sessions started since the page loaded. */
  readonly sessions: () => number;
  /** The live session's algorithm and trace name. */
  readonly current: () => {
    algorithm: string;
    trace: string | null;
    url: string;
    /** True when the fixture is served as a live stream. */
    live: boolean;
  } | null;
  readonly chartPoints: () => ChartPointCounts;
  /** The bitrate chart's series, kbps, one per decision. */
  readonly bitrates: () => number[];
  readonly decisions: () => DecisionPoint[];
  readonly stalls: () => Stall[];
  /** The live session's running QoE (null before the first segment). */
  readonly qoe: () => PlayerQoe | null;
  readonly compareRows: () => CompareRow[];
  readonly log: () => LogEntry[];
  /** Errors the page reported (player errors, failed requests to the API, worker failures). */
  readonly errors: () => string[];
  /** The errors shown next to fields, by field id. */
  readonly fieldErrors: () => Record<string, string>;
  /** The viewer's manual rendition pick and cap (null: auto, no cap). */
  readonly steering: () => { manual: number | null; cap: number | null };
  /** The stats overlay's text. */
  readonly overlay: () => string;
  /** Live: the player's latency samples (seconds since the session start, ms, ms, ×), as charted. */
  readonly latency: () => {
    tS: number;
    latencyMs: number;
    targetLatencyMs: number;
    playbackRate: number;
  }[];
}

declare global {
  interface Window {
    __abrkitDemo?: DemoTestHook;
  }
}

export function installHook(hook: DemoTestHook): void {
  Object.defineProperty(window, '__abrkitDemo', { value: Object.freeze(hook), writable: false });
}
