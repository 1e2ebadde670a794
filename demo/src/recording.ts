/**
 * The demo's session file: the player's `exportSession()` (per-segment log, observed trace, QoE) plus the
 * trace the network followed and the settings, as one JSON document; and reading one back for replay.
 */
import type { AbrOptions, NetworkTrace, SegmentRecord } from 'abrkit';
import type { SessionExport } from 'abrkit/player';

export const RECORDING_KIND = 'abrkit-demo-session';
export const RECORDING_VERSION = 1;

export interface RecordingSettings {
  readonly fixture: string | null;
  /** The HLS URL played when it was not a shaped fixture. */
  readonly url: string | null;
  readonly algorithm: string;
  readonly algorithmOptions: AbrOptions;
  readonly bufferTargetMs: number;
  readonly faults: string | null;
  /** The server trace's id when it was one. */
  readonly traceId: string | null;
  /** Live: the latency target, ms (absent or null: VOD). */
  readonly liveLatencyTargetMs?: number | null;
}

export interface Recording {
  readonly kind: typeof RECORDING_KIND;
  readonly version: number;
  readonly exportedAt: string;
  readonly settings: RecordingSettings;
  /** The trace the shaping server followed (null: unshaped). */
  readonly trace: NetworkTrace | null;
  readonly session: SessionExport;
}

export function buildRecording(
  settings: RecordingSettings,
  trace: NetworkTrace | null,
  session: SessionExport,
): Recording {
  return {
    kind: RECORDING_KIND,
    version: RECORDING_VERSION,
    exportedAt: new Date().toISOString(),
    settings,
    trace,
    session,
  };
}

/** Offers `recording` as a file download. */
export function downloadRecording(recording: Recording): void {
  const blob = new Blob([JSON.stringify(recording, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `abrkit-session-${recording.settings.algorithm}-${recording.exportedAt.replace(/[:.]/g, '-')}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function fail(source: string, what: string): Error {
  return new Error(`${source}: not an abrkit demo session (${what})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkTrace(value: unknown, source: string): NetworkTrace {
  if (!isObject(value) || !Array.isArray(value.periods) || value.periods.length === 0)
    throw fail(source, '`trace.periods` must be a non-empty array');
  for (const [i, p] of value.periods.entries()) {
    if (
      !isObject(p) ||
      typeof p.durationMs !== 'number' ||
      typeof p.bandwidthKbps !== 'number' ||
      typeof p.latencyMs !== 'number'
    )
      throw fail(source, `trace.periods[${i}] needs durationMs, bandwidthKbps and latencyMs numbers`);
  }
  return value as unknown as NetworkTrace;
}

/** Reads a session file written by {@link buildRecording}; a bad one throws saying what is wrong. */
export function parseRecording(text: string, source: string): Recording {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(source, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(value) || value.kind !== RECORDING_KIND)
    throw fail(source, `"kind" is not "${RECORDING_KIND}"`);
  const settings = value.settings;
  if (!isObject(settings) || typeof settings.algorithm !== 'string')
    throw fail(source, '`settings.algorithm` must be a string');
  if (!isObject(settings.algorithmOptions))
    throw fail(source, '`settings.algorithmOptions` must be an object');
  if (typeof settings.bufferTargetMs !== 'number')
    throw fail(source, '`settings.bufferTargetMs` must be a number');
  const liveTarget = settings.liveLatencyTargetMs;
  if (liveTarget !== undefined && liveTarget !== null && typeof liveTarget !== 'number')
    throw fail(source, '`settings.liveLatencyTargetMs` must be a number or null');
  const session = value.session;
  if (!isObject(session) || !Array.isArray(session.records) || !isObject(session.qoe))
    throw fail(source, '`session.records` and `session.qoe` are missing');
  const trace = value.trace === null ? null : checkTrace(value.trace, source);
  return { ...(value as unknown as Recording), trace };
}

/** The recorded per-segment log as a table. */
export function renderRecords(table: HTMLTableElement, records: readonly SegmentRecord[]): void {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const title of [
    'segment',
    'rendition',
    'bitrate (kbps)',
    'download (ms)',
    'stall (ms)',
    'buffer (s)',
    'QoE term',
  ]) {
    const th = document.createElement('th');
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of records) {
    const tr = body.insertRow();
    for (const text of [
      String(r.segment),
      String(r.rendition),
      r.bitrateKbps.toFixed(0),
      r.downloadMs.toFixed(0),
      r.rebufferMs.toFixed(0),
      (r.bufferMs / 1000).toFixed(1),
      r.qoe.toFixed(3),
    ])
      tr.insertCell().textContent = text;
  }
}
