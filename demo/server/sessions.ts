/**
 * Shaped sessions (Node): `POST /api/sessions` starts a shaping server (src/shaping) on 127.0.0.1 for a
 * fixture under a trace and optional faults; the page reaches it same-origin through `/shaped/<id>/`
 * (proxy.ts). At most `maxSessions` live at once: a new one closes the oldest.
 */
import { randomBytes } from 'node:crypto';
import { Agent, type ServerResponse } from 'node:http';
import { isAbrkitError } from '../../src/core/errors.js';
import { parseFaultSpec, type FaultSpec } from '../../src/shaping/faults.js';
import { parseLiveFaultSpec, type LiveFaultSpec } from '../../src/shaping/live-faults.js';
import { checkShapingTrace, startShapingServer, type ShapingServer } from '../../src/shaping/server.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import { checkWritableTrace } from '../../src/traces/validate.js';
import { toTraceJson, type Catalog, type TraceJson } from './catalog.js';
import type { ShapedLiveInfo } from '../api-contract.js';
import { ApiError } from './http.js';

export interface ShapedSession {
  readonly id: string;
  readonly fixture: string;
  readonly masterUrl: string;
  readonly trace: TraceJson;
  readonly server: ShapingServer;
  /** Keep-alive connections to the shaping server, closed with the session. */
  readonly agent: Agent;
  readonly createdAt: number;
  /** The live stream's timeline when the session is live, else null. */
  readonly live: ShapedLiveInfo | null;
  /** Counts a proxied answer in flight until `res` closes (a closing session lets them finish). */
  track(res: ServerResponse): void;
}

/** A validated `POST /api/sessions` body. */
export interface SessionRequest {
  readonly fixture: string;
  readonly traceId?: string;
  readonly trace?: NetworkTrace;
  readonly faults?: FaultSpec;
  readonly seed?: number;
  readonly loop?: boolean;
  /** Serve the fixture as a live stream (the shaping server's live mode, src/shaping/live-source.ts). */
  readonly live?: boolean;
  /** With `live`: live faults (stale playlist, playlist 5xx, edge 404; src/shaping/live-faults.ts). */
  readonly liveFaults?: LiveFaultSpec;
}

/**
 * The demo's live stream: a 30 s sliding window, the stream already that old when the session starts so the
 * window is full at once (as hls.js's and dash.js's demos join a running stream).
 */
export const DEMO_LIVE_WINDOW_S = 30;

/** Periods accepted in an inline trace (the body size limit bounds it too). */
export const MAX_INLINE_PERIODS = 100_000;
const MAX_FAULT_SPEC_CHARS = 1000;
const MAX_NAME_CHARS = 200;
const BODY_KEYS = ['fixture', 'traceId', 'trace', 'faults', 'seed', 'loop', 'live', 'liveFaults'];

function bad(code: string, message: string): ApiError {
  return new ApiError(400, code, message);
}

/** Checks a `POST /api/sessions` body; every problem is a 400 naming the field. */
export function parseSessionRequest(body: unknown): SessionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad(
      'BODY_INVALID',
      'the body must be a JSON object { fixture, traceId | trace, faults?, seed?, loop?, live?, liveFaults? }',
    );
  const b = body as Record<string, unknown>;
  const unknownKeys = Object.keys(b).filter((k) => !BODY_KEYS.includes(k));
  if (unknownKeys.length > 0)
    throw bad(
      'BODY_INVALID',
      `unknown field ${unknownKeys.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${BODY_KEYS.join(', ')})`,
    );
  if (typeof b.fixture !== 'string' || b.fixture === '')
    throw bad('FIXTURE_INVALID', 'fixture must be a fixture name from GET /api/config (e.g. "ladder")');
  const hasId = b.traceId !== undefined;
  const hasTrace = b.trace !== undefined;
  if (hasId === hasTrace)
    throw bad(
      'TRACE_INVALID',
      'give exactly one of traceId (an id from GET /api/config) and trace (a NetworkTrace)',
    );
  if (hasId && (typeof b.traceId !== 'string' || b.traceId === ''))
    throw bad('TRACE_INVALID', 'traceId must be a non-empty string');
  let faults: FaultSpec | undefined;
  if (b.faults !== undefined && b.faults !== '') {
    if (typeof b.faults !== 'string')
      throw bad('FAULTS_INVALID', 'faults must be a fault spec string such as "5xx=0.05,stall=0.02:3000"');
    if (b.faults.length > MAX_FAULT_SPEC_CHARS)
      throw bad('FAULTS_INVALID', `faults is longer than ${MAX_FAULT_SPEC_CHARS} characters`);
    try {
      faults = parseFaultSpec(b.faults, 'faults');
    } catch (e) {
      throw bad('FAULTS_INVALID', (e as Error).message);
    }
  }
  if (b.seed !== undefined && !(typeof b.seed === 'number' && Number.isSafeInteger(b.seed)))
    throw bad('SEED_INVALID', `seed must be an integer, got ${JSON.stringify(b.seed)}`);
  if (b.loop !== undefined && typeof b.loop !== 'boolean')
    throw bad('LOOP_INVALID', `loop must be true or false, got ${JSON.stringify(b.loop)}`);
  if (b.live !== undefined && typeof b.live !== 'boolean')
    throw bad('LIVE_INVALID', `live must be true or false, got ${JSON.stringify(b.live)}`);
  let liveFaults: LiveFaultSpec | undefined;
  if (b.liveFaults !== undefined && b.liveFaults !== '') {
    if (typeof b.liveFaults !== 'string')
      throw bad(
        'LIVE_FAULTS_INVALID',
        'liveFaults must be a spec string such as "stale=8000-14000,edge404=0.2"',
      );
    if (b.live !== true) throw bad('LIVE_FAULTS_INVALID', 'liveFaults needs live: true');
    if (b.liveFaults.length > MAX_FAULT_SPEC_CHARS)
      throw bad('LIVE_FAULTS_INVALID', `liveFaults is longer than ${MAX_FAULT_SPEC_CHARS} characters`);
    try {
      liveFaults = parseLiveFaultSpec(b.liveFaults, 'liveFaults');
    } catch (e) {
      throw bad('LIVE_FAULTS_INVALID', (e as Error).message);
    }
  }
  return {
    fixture: b.fixture,
    ...(hasId ? { traceId: b.traceId as string } : { trace: parseInlineTrace(b.trace) }),
    ...(faults === undefined ? {} : { faults }),
    ...(b.seed === undefined ? {} : { seed: b.seed }),
    ...(b.loop === undefined ? {} : { loop: b.loop }),
    ...(b.live === true ? { live: true } : {}),
    ...(liveFaults === undefined ? {} : { liveFaults }),
  };
}

/**
 * An inline trace `{ name?, periods: [{ durationMs, bandwidthKbps, latencyMs? }] }` checked with the
 * src/traces rules (`checkWritableTrace`, then `checkShapingTrace` as `abrkit serve` does: the shared
 * physical limits, e.g. periods ≥ 1 ms and bandwidth 0 or ≥ 1 kbps): 400 `TRACE_INVALID` saying which
 * field of which period is wrong.
 */
export function parseInlineTrace(value: unknown): NetworkTrace {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(
      'TRACE_INVALID',
      'trace must be an object { name, periods: [{ durationMs, bandwidthKbps, latencyMs }] }',
    );
  const t = value as Record<string, unknown>;
  if (t.name !== undefined && (typeof t.name !== 'string' || t.name.length > MAX_NAME_CHARS))
    throw bad('TRACE_INVALID', `trace.name must be a string of at most ${MAX_NAME_CHARS} characters`);
  if (!Array.isArray(t.periods)) throw bad('TRACE_INVALID', 'trace.periods must be an array');
  if (t.periods.length > MAX_INLINE_PERIODS)
    throw bad(
      'TRACE_INVALID',
      `trace.periods has ${t.periods.length} periods, more than ${MAX_INLINE_PERIODS}`,
    );
  const periods = t.periods.map((p: unknown, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p))
      throw bad(
        'TRACE_INVALID',
        `trace.periods[${i}] must be an object { durationMs, bandwidthKbps, latencyMs }`,
      );
    const q = p as Record<string, unknown>;
    const field = (key: string, fallback?: number): number => {
      const v = q[key] ?? fallback;
      if (typeof v !== 'number')
        throw bad(
          'TRACE_INVALID',
          `trace.periods[${i}].${key} must be a number, got ${JSON.stringify(v) ?? 'nothing'}`,
        );
      return v;
    };
    return {
      durationMs: field('durationMs'),
      bandwidthKbps: field('bandwidthKbps'),
      latencyMs: field('latencyMs', 0),
    };
  });
  const trace: NetworkTrace = {
    name: typeof t.name === 'string' && t.name !== '' ? t.name : 'uploaded',
    periods,
  };
  try {
    // the field named as in the body first, then the very check the shaping server applies (both hold
    // src/traces' physical limits), so nothing accepted here can stall the server or a simulation
    checkWritableTrace(trace, 'trace');
    checkShapingTrace(trace, 'trace');
  } catch (e) {
    throw bad('TRACE_INVALID', (e as Error).message);
  }
  return trace;
}

export interface SessionManagerOptions {
  readonly catalog: Catalog;
  /** Live sessions at most; creating one more closes the oldest (default 4). */
  readonly maxSessions?: number;
  /**
   * How long a deleted or evicted session's answers in flight may go on before its shaping server is
   * closed under them, ms (default 10 s). New requests to it are 404 at once.
   */
  readonly drainMs?: number;
}

export interface SessionManager {
  create(request: SessionRequest): Promise<ShapedSession>;
  get(id: string): ShapedSession | undefined;
  /**
   * Ends the session: new requests to it are 404 at once; its shaping server closes when the answers in
   * flight end (or after `drainMs`). Resolves once closed when nothing was in flight, else at once. False
   * when there is no session with this id.
   */
  delete(id: string): Promise<boolean>;
  /** Live session ids, oldest first. */
  ids(): string[];
  /** Closes every session now, answers in flight cut. */
  closeAll(): Promise<void>;
}

export const DEFAULT_MAX_SESSIONS = 4;
export const DEFAULT_DRAIN_MS = 10_000;

export function createSessionManager(options: SessionManagerOptions): SessionManager {
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  const live = new Map<string, ShapedSession>(); // insertion order = age
  const inFlight = new Map<string, { count: number; drained: (() => void) | null }>();
  const closing = new Set<Promise<void>>();
  let starting = 0;
  let closed = false;

  const stop = async (session: ShapedSession): Promise<void> => {
    live.delete(session.id);
    inFlight.delete(session.id);
    session.agent.destroy();
    await session.server.close();
  };
  /**
   * Stops `session` once its answers in flight end, or after drainMs; resolves then. At most `maxSessions`
   * drain at once (beyond, a session stops at once), so at most twice that many shaping servers exist.
   */
  const drainThenStop = (session: ShapedSession): Promise<void> => {
    live.delete(session.id);
    const flight = inFlight.get(session.id);
    const drain = flight !== undefined && flight.count > 0 && closing.size < maxSessions;
    const done = (async () => {
      if (drain) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          flight.drained = resolve;
          timer = setTimeout(resolve, drainMs);
        });
        clearTimeout(timer);
      }
      await stop(session);
    })().catch(() => {}); // closing a shaping server does not fail; nothing to report if it did
    closing.add(done);
    void done.then(() => closing.delete(done));
    return done;
  };

  async function create(request: SessionRequest): Promise<ShapedSession> {
    if (closed) throw new ApiError(503, 'SERVER_CLOSING', 'the demo server is shutting down');
    const root = await options.catalog.fixtureDir(request.fixture);
    const trace =
      request.trace ??
      (await options.catalog.trace(request.traceId ?? '')); /* one is set (parseSessionRequest) */
    if (starting >= maxSessions)
      throw new ApiError(429, 'TOO_MANY_SESSIONS', `${starting} sessions are already starting; try again`);
    starting++;
    let server: ShapingServer;
    try {
      server = await startShapingServer({
        root,
        trace,
        host: '127.0.0.1',
        ...(request.faults === undefined ? {} : { faults: request.faults }),
        ...(request.seed === undefined ? {} : { seed: request.seed }),
        ...(request.loop === undefined ? {} : { loop: request.loop }),
        maxRequestsKept: 10_000,
        ...(request.live === true
          ? {
              live: {
                windowS: DEMO_LIVE_WINDOW_S,
                startS: DEMO_LIVE_WINDOW_S,
                ...(request.liveFaults === undefined ? {} : { faults: request.liveFaults }),
              },
            }
          : {}),
      });
    } catch (e) {
      if (isAbrkitError(e) || e instanceof TypeError) throw new ApiError(400, 'SESSION_INVALID', e.message);
      throw e;
    } finally {
      starting--;
    }
    if (closed) {
      await server.close();
      throw new ApiError(503, 'SERVER_CLOSING', 'the demo server is shutting down');
    }
    const id = randomBytes(8).toString('hex');
    const flight = { count: 0, drained: null as (() => void) | null };
    inFlight.set(id, flight);
    const session: ShapedSession = {
      id,
      fixture: request.fixture,
      masterUrl: `/shaped/${id}/master.m3u8`,
      trace: toTraceJson(
        trace,
        request.traceId === undefined ? [] : options.catalog.traceWarnings(request.traceId),
      ),
      server,
      agent: new Agent({ keepAlive: true, maxSockets: 16 }),
      createdAt: Date.now(),
      live:
        server.live === null
          ? null
          : {
              originEpochMs: server.live.originEpochMs,
              windowMs: server.live.windowMs,
            },
      track(res) {
        flight.count++;
        res.once('close', () => {
          flight.count--;
          if (flight.count === 0) flight.drained?.();
        });
      },
    };
    live.set(id, session);
    while (live.size > maxSessions) {
      const oldest = live.values().next().value!;
      void drainThenStop(oldest); // removes it from `live` at once
    }
    return session;
  }

  return {
    create,
    get: (id) => live.get(id),
    async delete(id) {
      const session = live.get(id);
      if (session === undefined) return false;
      const draining = (inFlight.get(id)?.count ?? 0) > 0;
      const done = drainThenStop(session);
      if (!draining) await done;
      return true;
    },
    ids: () => [...live.keys()],
    async closeAll() {
      closed = true;
      for (const flight of inFlight.values()) flight.drained?.(); // sessions draining: close them now
      await Promise.all([...[...live.values()].map(stop), ...closing]);
    },
  };
}
