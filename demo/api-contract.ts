/**
 * The shapes the demo's HTTP API sends, shared by the server (demo/server, Node) and the page (demo/src):
 * one definition, so the two cannot drift. Types only.
 */

/** A fixture ladder the server can shape (`GET /api/config`). */
export interface FixtureInfo {
  readonly name: string;
  /** Unshaped master playlist, same origin. */
  readonly masterUrl: string;
}

/** A network trace the server offers by id (`GET /api/config`; its periods at `GET /api/traces/<id>`). */
export interface TraceInfo {
  readonly id: string;
  readonly name: string;
  readonly source: 'synthetic' | 'shared';
  readonly description?: string;
}

/** `GET /api/config`. */
export interface DemoConfig {
  readonly fixtures: readonly FixtureInfo[];
  readonly traces: readonly TraceInfo[];
  /** Example fault specs. */
  readonly faults: readonly string[];
}

/** A live shaped session's stream (`POST /api/sessions` with `live: true` answers it as `live`). */
export interface ShapedLiveInfo {
  /** Epoch ms at which the stream's segment 0 started: PROGRAM-DATE-TIME of segment `msn` is this + its start. */
  readonly originEpochMs: number;
  /** The sliding window's length, ms. */
  readonly windowMs: number;
}
