/**
 * The demo's HTTP API as a connect-style middleware (Node), mounted by the Vite plugin (plugin.ts) on both
 * `vite` and `vite preview`, or on any node http server.
 *
 * - `GET /api/config` → `{ fixtures: [{ name, masterUrl }], traces: [{ id, name, source, description? }],
 *   faults: string[] }`
 * - `GET /api/traces/<id>` → `{ name, periods: [{ durationMs, bandwidthKbps, latencyMs }] }`
 *   (and `warnings: [...]` when the reader read periods slower than 1 kbps as outages)
 * - `GET /api/fixtures/<name>/video` → the fixture's `VideoDescription` (src/sim/load-video.ts), cached
 * - `POST /api/sessions` `{ fixture, traceId? | trace?, faults?, seed?, loop?, live?, liveFaults? }` → 201
 *   `{ id, masterUrl, trace, live }` (`live`: null, or `{ originEpochMs, windowMs }` when the fixture is served
 *   as a live stream: sessions.ts)
 * - `DELETE /api/sessions/<id>` → 204, 404 when unknown
 * - `POST /api/mirrors` `{ url }` → 201 `{ name, url, files, bytes, playlists }`: downloads a VOD HLS stream
 *   into a temporary folder (mirror.ts) so that `name` can be shaped like a fixture (sessions, video); 400
 *   `MIRROR_*` when it cannot be (live, encrypted, too large, unreachable, not HLS)
 * - `GET /shaped/<id>/<path>` → the session's shaping server, streamed (proxy.ts)
 * - `GET /fixtures/<name>/<path>` → unshaped fixture files (static.ts)
 * Refusals are `{ error: { code, message } }` with a 4xx status. Everything else goes to `next()` (Vite).
 *
 * Hardening: a request whose path, once percent-decoded, falls under /api, /shaped or /fixtures is handled
 * here and never passed on; its raw target is checked by src/shaping/files.ts `checkTarget` (400 for NUL,
 * backslashes, encoded slashes, double encoding; 403 for `.`/`..` and hidden segments); methods are limited
 * per route (405 with Allow); POST bodies are JSON only (415), at most `maxBodyBytes` (413) and must arrive
 * within `bodyTimeoutMs` (408); at most `maxSessions` shaping servers live at once.
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTarget } from '../../src/shaping/files.js';
import { EXAMPLE_FAULTS, createCatalog, toTraceJson, type Catalog } from './catalog.js';
import { ApiError, methodNotAllowed, readJsonBody, safeDecode, sendError, sendJson } from './http.js';
import { proxyToSession } from './proxy.js';
import { createSessionManager, parseSessionRequest, type SessionManager } from './sessions.js';
import { createMirrorStore, MirrorError, type MirrorOptions, type MirrorStore } from './mirror.js';
import { serveFixtureFile } from './static.js';

/** The repository root (demo/server/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DemoApiOptions {
  /** Folder of the fixtures (default `<repo>/fixtures`). */
  readonly fixturesRoot?: string;
  /**
   * The shared data folder whose `traces/` are offered (default: `ABRKIT_SHARED_DATA`, else
   * `<repo>/../shared/data`, when it exists); null for none.
   */
  readonly sharedDataDir?: string | null;
  /** Shared traces listed per format folder (default 20). */
  readonly sharedTracesPerFolder?: number;
  /** Live shaping sessions at most; one more closes the oldest (default 4). */
  readonly maxSessions?: number;
  /** Time a deleted or evicted session's answers in flight may finish in, ms (default 10 s). */
  readonly sessionDrainMs?: number;
  /** Largest POST body, bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Time allowed to receive a POST body, ms (default 10 s). */
  readonly bodyTimeoutMs?: number;
  /** Where unexpected errors (500) are reported (default: console.error). */
  readonly onError?: (error: unknown) => void;
  /**
   * Where what a trace reader changed in a shared trace is said, one line per file (periods slower than
   * 1 kbps read as outages; default: console.warn). The page gets it too, as the trace's `warnings`.
   */
  readonly onWarning?: (line: string) => void;
  /** Limits of `POST /api/mirrors` (mirror.ts); null turns the route off (404). */
  readonly mirror?: MirrorOptions | null;
}

export type Next = (error?: unknown) => void;

export interface DemoApi {
  /** The middleware: answers the API's routes, passes the rest to `next`. */
  readonly handle: (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  readonly catalog: Catalog;
  readonly sessions: SessionManager;
  /** Mirrored streams (null when the route is off). */
  readonly mirrors: MirrorStore | null;
  /** Closes every shaping session and removes the mirrors. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
const SESSION_ID = /^[0-9a-f]{16}$/;
const OWN_PREFIXES = ['api', 'shaped', 'fixtures'];

/** The shared data folder by the repo's rules (test/support/shared-data.ts), or null when absent. */
export function defaultSharedDataDir(): string | null {
  const dir = process.env.ABRKIT_SHARED_DATA ?? resolve(REPO_ROOT, '..', 'shared', 'data');
  return existsSync(join(dir, 'traces')) ? dir : null;
}

/**
 * The first segment of the path (of an absolute-form target too), percent-decoded, separators normalized:
 * decides whose request it is, so that `/%61pi/..` or `http://host/fixtures/..` cannot slip past to Vite.
 */
function topSegment(rawTarget: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rawTarget); // absolute-form: GET http://host/path
  const target = absolute === null ? rawTarget : rawTarget.slice(absolute[0].length);
  const q = target.search(/[?#]/);
  const rawPath = q < 0 ? target : target.slice(0, q);
  const decoded = (safeDecode(rawPath) ?? rawPath).replace(/\\/g, '/');
  return decoded.split('/').find((s) => s !== '') ?? '';
}

export function createDemoApi(options: DemoApiOptions = {}): DemoApi {
  const fixturesRoot = options.fixturesRoot ?? join(REPO_ROOT, 'fixtures');
  const mirrors = options.mirror === null ? null : createMirrorStore(options.mirror ?? {});
  const catalog = createCatalog({
    fixturesRoot,
    extraFixtureDir: (name) => mirrors?.dir(name) ?? null,
    sharedDataDir: options.sharedDataDir === undefined ? defaultSharedDataDir() : options.sharedDataDir,
    ...(options.sharedTracesPerFolder === undefined
      ? {}
      : { sharedTracesPerFolder: options.sharedTracesPerFolder }),
    onWarning: options.onWarning ?? ((line) => console.warn(`abrkit demo: warning: ${line}`)),
  });
  const sessions = createSessionManager({
    catalog,
    ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
    ...(options.sessionDrainMs === undefined ? {} : { drainMs: options.sessionDrainMs }),
  });
  const bodyLimits = {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
  };
  const onError = options.onError ?? ((e: unknown) => console.error('abrkit demo server:', e));
  let rootReal: Promise<string> | null = null;
  const fixturesRootReal = (): Promise<string> => (rootReal ??= realpath(fixturesRoot));
  const isFixture = (name: string): Promise<boolean> =>
    catalog.fixtureDir(name).then(
      () => true,
      () => false,
    );

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawTarget = req.url ?? '/';
    const method = req.method ?? 'GET';
    const target = checkTarget(rawTarget);
    if (!target.ok)
      throw new ApiError(
        target.status,
        target.status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST',
        `${target.reason}`,
      );
    const [top, ...rest] = target.segments;
    const path = `/${target.segments.join('/')}`;
    const readOnly = (): void => {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, path, ['GET', 'HEAD']);
    };

    if (top === 'fixtures') {
      readOnly();
      await serveFixtureFile(req, res, await fixturesRootReal(), rest, isFixture);
      return;
    }

    if (top === 'shaped') {
      readOnly();
      const id = rest[0] ?? '';
      const session = SESSION_ID.test(id) ? sessions.get(id) : undefined;
      if (session === undefined)
        throw new ApiError(
          404,
          'SESSION_NOT_FOUND',
          `shaped session ${JSON.stringify(id)} does not exist (or was closed)`,
        );
      if (rest.length < 2)
        throw new ApiError(404, 'NOT_FOUND', `${path}: no such file (directories are not listed)`);
      const q = rawTarget.search(/[?#]/);
      const query = q < 0 ? '' : rawTarget.slice(q).split('#')[0]!;
      proxyToSession(req, res, session, `/${rest.slice(1).map(encodeURIComponent).join('/')}${query}`);
      return;
    }

    // top === 'api'
    const [what, arg, tail, ...extra] = rest;
    if (what === 'config' && arg === undefined) {
      readOnly();
      sendJson(res, 200, {
        fixtures: await catalog.fixtures(),
        traces: await catalog.traces(),
        faults: EXAMPLE_FAULTS,
      });
      return;
    }
    if (what === 'traces' && arg !== undefined && tail === undefined) {
      readOnly();
      sendJson(res, 200, toTraceJson(await catalog.trace(arg), catalog.traceWarnings(arg)));
      return;
    }
    if (what === 'fixtures' && arg !== undefined && tail === 'video' && extra.length === 0) {
      readOnly();
      sendJson(res, 200, await catalog.video(arg));
      return;
    }
    if (what === 'sessions' && arg === undefined) {
      if (method !== 'POST') throw methodNotAllowed(method, path, ['POST']);
      const request = parseSessionRequest(await readJsonBody(req, bodyLimits));
      const session = await sessions.create(request);
      sendJson(
        res,
        201,
        { id: session.id, masterUrl: session.masterUrl, trace: session.trace, live: session.live },
        { Location: `/api/sessions/${session.id}` },
      );
      return;
    }
    if (what === 'mirrors' && arg === undefined && mirrors !== null) {
      if (method !== 'POST') throw methodNotAllowed(method, path, ['POST']);
      const body = await readJsonBody(req, bodyLimits);
      const url = (body as { url?: unknown } | null)?.url;
      if (typeof url !== 'string' || url === '')
        throw new ApiError(400, 'MIRROR_URL_INVALID', 'the body must be { url: "https://…/master.m3u8" }');
      try {
        const m = await mirrors.mirror(url);
        sendJson(res, 201, {
          name: m.name,
          url: m.url,
          files: m.files,
          bytes: m.bytes,
          playlists: m.playlists,
        });
      } catch (e) {
        if (e instanceof MirrorError) throw new ApiError(400, e.code, e.message);
        throw e;
      }
      return;
    }
    if (what === 'sessions' && arg !== undefined && tail === undefined) {
      if (method !== 'DELETE') throw methodNotAllowed(method, path, ['DELETE']);
      if (!(await sessions.delete(arg)))
        throw new ApiError(
          404,
          'SESSION_NOT_FOUND',
          `session ${JSON.stringify(arg)} does not exist (or was closed)`,
        );
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    throw new ApiError(404, 'NOT_FOUND', `${method} ${path}: no such API route (see demo/server/api.ts)`);
  }

  return {
    catalog,
    sessions,
    mirrors,
    handle(req, res, next) {
      if (!OWN_PREFIXES.includes(topSegment(req.url ?? '/'))) {
        next();
        return;
      }
      route(req, res).catch((error: unknown) => {
        if (error instanceof ApiError) sendError(res, error);
        else {
          onError(error);
          sendError(
            res,
            new ApiError(500, 'INTERNAL', error instanceof Error ? error.message : String(error)),
          );
        }
      });
    },
    close: async () => {
      await sessions.closeAll();
      await mirrors?.close();
    },
  };
}
