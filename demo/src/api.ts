/**
 * The dev server's HTTP API (demo/server), typed. Every call throws a `DemoApiError` with the server's
 * `{ error: { code, message } }` when it answers 4xx/5xx. `loadConfig` returns null when there is no API
 * (a static build served without the plugin): the page then plays unshaped media only.
 */
import type { NetworkTrace, VideoDescription } from 'abrkit';

export type { DemoConfig, FixtureInfo, ShapedLiveInfo, TraceInfo } from '../api-contract.js';
import type { DemoConfig, FixtureInfo, ShapedLiveInfo } from '../api-contract.js';

export interface SessionRequest {
  readonly fixture: string;
  readonly traceId?: string;
  readonly trace?: NetworkTrace;
  readonly faults?: string;
  readonly seed?: number;
  readonly loop?: boolean;
  /** Serve the fixture as a live stream (30 s sliding window, PROGRAM-DATE-TIME). */
  readonly live?: boolean;
  /** With `live`: live faults (`stale=A-B,playlist5xx=P,edge404=P`). */
  readonly liveFaults?: string;
}

export interface ShapedSession {
  readonly id: string;
  /** Same-origin path of the shaped master playlist. */
  readonly masterUrl: string;
  readonly trace: NetworkTrace;
  /** The live stream's timeline, or null for VOD. */
  readonly live: ShapedLiveInfo | null;
}

export class DemoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DemoApiError';
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit =
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  if (!response.ok) {
    let code = `HTTP_${response.status}`;
    let message = `${method} ${path}: HTTP ${response.status}`;
    try {
      const payload = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
      if (typeof payload.error?.code === 'string') code = payload.error.code;
      if (typeof payload.error?.message === 'string') message = `${method} ${path}: ${payload.error.message}`;
    } catch {
      // not JSON: keep the status line
    }
    throw new DemoApiError(response.status, code, message);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function isConfig(value: unknown): value is DemoConfig {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.fixtures) && Array.isArray(v.traces) && Array.isArray(v.faults);
}

/** The server's config, or null when the page is served without the API. */
export async function loadConfig(): Promise<DemoConfig | null> {
  let response: Response;
  try {
    response = await fetch('/api/config');
  } catch {
    return null;
  }
  if (!response.ok) return null;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return null;
  const value: unknown = await response.json();
  return isConfig(value) ? value : null;
}

/** Without the API: the bundled fixture if it is served statically at /fixtures/ladder/. */
export async function probeStaticFixtures(): Promise<FixtureInfo[]> {
  const masterUrl = '/fixtures/ladder/master.m3u8';
  try {
    const response = await fetch(masterUrl, { method: 'GET', cache: 'no-store' });
    if (!response.ok) return [];
    const text = await response.text();
    return text.startsWith('#EXTM3U') ? [{ name: 'ladder', masterUrl }] : [];
  } catch {
    return [];
  }
}

export function fetchTrace(id: string): Promise<NetworkTrace> {
  return request<NetworkTrace>('GET', `/api/traces/${encodeURIComponent(id)}`);
}

export function fetchVideo(fixture: string): Promise<VideoDescription> {
  return request<VideoDescription>('GET', `/api/fixtures/${encodeURIComponent(fixture)}/video`);
}

export function createSession(body: SessionRequest): Promise<ShapedSession> {
  return request<ShapedSession>('POST', '/api/sessions', body);
}

/** What `POST /api/mirrors` answers: the stream copied to the dev server, shaped as fixture `name`. */
export interface MirroredStream {
  readonly name: string;
  readonly url: string;
  readonly files: number;
  readonly bytes: number;
  readonly playlists: number;
}

/** Has the dev server copy a VOD HLS stream so it can be shaped (demo/server/mirror.ts). */
export function mirrorUrl(url: string): Promise<MirroredStream> {
  return request<MirroredStream>('POST', '/api/mirrors', { url });
}

export async function deleteSession(id: string): Promise<void> {
  await request<undefined>('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
}
