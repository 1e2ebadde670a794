/**
 * `startShapingServer`: a loopback HTTP server that serves the files under a folder (HLS playlists and
 * segments) and paces every response body through one shared link following a network trace, with seeded
 * fault injection and a request log. For QA replay of throttled sessions and browser-vs-simulator checks.
 *
 * Timing: the trace clock starts at the first request (or at `originMs` on `clock`). A request sent at trace
 * time t waits the latency of the period holding t (plus a latency spike if one is injected); then the
 * status line and headers go out at once (so time-to-first-byte shows the latency) and the body follows at
 * the link's rate, shared with every other body in flight (see pacer.ts). Without `loop` the last period
 * holds; with it the trace repeats. During an outage (faults.ts) nothing moves and new requests wait for it
 * to end before their latency starts.
 *
 * Hardening: binds 127.0.0.1 unless `host` says otherwise; serves only regular files under `root` (see
 * files.ts for what is refused and how); GET, HEAD and OPTIONS only (405 otherwise); request headers
 * limited in size (431) and in time (`headersTimeoutMs`, `requestTimeoutMs`), idle keep-alive connections
 * closed after `keepAliveTimeoutMs`. At most `limits.maxConnections` connections are open at once, and idle
 * ones cannot lock new clients out (issue 18: 70 idle sockets, or 100 sending headers slowly, made every new
 * request a 503 for up to a minute): a connection beyond the cap closes the connection idle the longest
 * (one with no request in flight: fresh and still sending its headers, or kept alive between requests), and
 * only when every connection has a request in flight does the newcomer get a raw 503. A trace or fault spec
 * that cannot be used is refused at start.
 *
 * Refusals for safety (400, 403, 405, 503, and 500 for a body over `limits.maxBodyBytes` or a file that
 * cannot be read) are answered at once; every other response (files, 404 for a missing file, 416, injected
 * 404/5xx) is paced like a file. A trace whose last period is an outage is refused at start unless looped
 * (held, it would stop every body for ever).
 *
 * Live (`live`): the root's VOD ladder becomes a live stream looping it; live-source.ts answers its media
 * playlists (a sliding window) and segments (404 until available) before any file is read, with live faults;
 * the answers are then paced, faulted and logged like files.
 *
 * Known simplifications: a request pays the latency of the period it is sent in (Sabre walks a latency that
 * outlasts its period into the next one; the two differ only across a period edge); a response body is
 * read into memory before it is sent (fine for HLS segments; at most `limits.maxBodyBytes`); the request log
 * lists entries in the order responses end.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { realpath } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import { AbrkitError, invalidArgument } from '../core/errors.js';
import { createWallClock } from '../core/wall-clock.js';
import type { NetworkTrace } from '../traces/model.js';
import { generateTrace } from '../traces/spec.js';
import { validateTrace } from '../traces/validate.js';
import {
  createFaultPlan,
  parseFaultSpec,
  type FaultDecision,
  type FaultPlan,
  type FaultSpec,
} from './faults.js';
import { checkTarget, contentTypeOf, parseRange, resolveUnderRoot } from './files.js';
import { cmcdLogFields, type CmcdLogFields } from './cmcd-log.js';
import type { LiveFaultDecision } from './live-faults.js';
import { createLiveSource, type LiveAnswer, type LiveOptions, type LiveSource } from './live-source.js';
import { SharedLink } from './pacer.js';
import { TraceTimeline, type ShapingNetwork } from './timeline.js';

/** Bounds on what a client can make the server do. */
export interface ShapingLimits {
  /**
   * Open connections at once (default 64). One more closes the connection idle the longest (no request in
   * flight), or gets a 503 and is closed when every connection has a request in flight.
   */
  readonly maxConnections: number;
  /** Request line + headers, bytes; larger requests get 431 (default 16 KiB). */
  readonly maxHeaderSizeBytes: number;
  /** Time allowed to send the request headers (default 10 s). */
  readonly headersTimeoutMs: number;
  /** Time allowed to send the whole request (default 30 s). */
  readonly requestTimeoutMs: number;
  /** Idle time after which a keep-alive connection is closed (default 5 s). */
  readonly keepAliveTimeoutMs: number;
  /**
   * Longest response body, bytes (default 512 MiB): a body is read into memory before it is paced, so a
   * larger one (a whole multi-GB file) is refused with a 500 naming both sizes; a byte range of it is served.
   */
  readonly maxBodyBytes: number;
}

export const DEFAULT_SHAPING_LIMITS: ShapingLimits = {
  maxConnections: 64,
  maxHeaderSizeBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxBodyBytes: 512 * 1024 * 1024,
};

export interface ShapingServerOptions {
  /** Folder whose files are served. */
  readonly root: string;
  /** The trace, or a generator spec such as `constant:2000` or `step:4000x20s,500x20s`. */
  readonly trace: NetworkTrace | string;
  /** `sabre` (default): periods' bandwidth and latency; `pensieve`: 95% payload and an 80 ms RTT. */
  readonly network?: ShapingNetwork;
  /** Repeat the trace (default: the last period holds). */
  readonly loop?: boolean;
  /** A {@link FaultSpec} or a compact spec string (see faults.ts). */
  readonly faults?: FaultSpec | string;
  /** Seed of the fault draws (default 0). */
  readonly seed?: number;
  /** Port (default 0: a free one). */
  readonly port?: number;
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Time source (default: the wall clock, performance.now and setTimeout). */
  readonly clock?: Clock;
  /** Clock time at which the trace starts (default: when the first request arrives). */
  readonly originMs?: number;
  /** A JSONL file to write each request's log entry to (created or truncated at start), or a callback. */
  readonly log?: string | ((entry: RequestLogEntry) => void);
  /**
   * How many entries `requests` keeps, the oldest dropped first (default 100 000), so that an hour-long
   * session keeps bounded memory; the `log` file and callback see every entry.
   */
  readonly maxRequestsKept?: number;
  /** Called with each entry as it is logged (besides `log`). */
  readonly onRequest?: (entry: RequestLogEntry) => void;
  /** Scheduler tick, ms (default 10). */
  readonly tickMs?: number;
  readonly limits?: Partial<ShapingLimits>;
  /** Serve the root's VOD ladder as a live stream looping it (live-source.ts: URLs, options, live faults). */
  readonly live?: LiveOptions;
}

/** A fault as logged: an injected one, or the time a response was held by an outage. */
export type LoggedFault =
  FaultDecision | LiveFaultDecision | { readonly kind: 'outage'; readonly heldMs: number };

/** One request, logged when its response ends (times in trace ms); with its CMCD when it carried any. */
export interface RequestLogEntry extends CmcdLogFields {
  /** Request target (path and query) as sent. */
  url: string;
  method: string;
  status: number;
  /** First byte of a 206's range. */
  rangeStart?: number;
  /** Body bytes sent. */
  bytes: number;
  startMs: number;
  /** When the headers went out; null when the response never started. */
  firstByteMs: number | null;
  endMs: number;
  /**
   * The injected fault, else an outage that held this response (before its first byte, or in flight:
   * `heldMs` is the time lost), else null.
   */
  fault: LoggedFault | null;
  /** True when the body was cut short (reset, client gone, server closed). */
  aborted?: boolean;
}

export interface ShapingServer {
  /** `http://host:port` without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The requests so far (the last `maxRequestsKept`), in the order their responses ended. */
  readonly requests: RequestLogEntry[];
  /** How many requests were logged in all. */
  requestCount(): number;
  /** Open connections now, and how many idle ones were closed to make room for new ones. */
  connectionStats(): { open: number; evictedIdle: number };
  readonly timeline: TraceTimeline;
  /** The live stream when started with `live`, else null. */
  readonly live: LiveSource | null;
  /** Trace time now (ms since the origin), or null before the trace started. */
  traceNowMs(): number | null;
  /** Stops listening, cuts open connections, flushes the log. */
  close(): Promise<void>;
}

const SAFE_HEADERS: OutgoingHttpHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, Content-Type',
  'Timing-Allow-Origin': '*',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * The check every trace the server paces passes (`abrkit serve`, the demo API, tests): src/traces' shared
 * physical limits (`validateTrace`: periods ≥ 1 ms, bandwidth 0 or ≥ 1 kbps, latency ≤ 10 min, ...),
 * so that no accepted trace can make a scheduler tick walk millions of periods. Throws
 * `AbrkitError('trace', ...)` naming `source` and the period; returns the trace.
 */
export function checkShapingTrace(trace: NetworkTrace, source: string = trace.name): NetworkTrace {
  return validateTrace(trace, source);
}

/** Starts the server; resolves once it listens. Throws `AbrkitError` for a bad root, trace or fault spec. */
export async function startShapingServer(options: ShapingServerOptions): Promise<ShapingServer> {
  const limits: ShapingLimits = { ...DEFAULT_SHAPING_LIMITS, ...options.limits };
  for (const [key, value] of Object.entries(limits))
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value)))
      throw invalidArgument(`limits.${key}`, `must be a positive number, got ${String(value)}`);
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw invalidArgument('limits.headersTimeoutMs', 'must not exceed limits.requestTimeoutMs');
  // a tick of 0 would spin, of Infinity never settle; an origin of NaN would move no byte ever
  if (options.tickMs !== undefined && !(Number.isFinite(options.tickMs) && options.tickMs > 0))
    throw invalidArgument('tickMs', `must be a positive number of ms, got ${options.tickMs}`);
  if (options.originMs !== undefined && !Number.isFinite(options.originMs))
    throw invalidArgument('originMs', `must be a finite clock time, got ${options.originMs}`);
  if (options.network !== undefined && options.network !== 'sabre' && options.network !== 'pensieve')
    throw invalidArgument('network', `must be 'sabre' or 'pensieve', got ${JSON.stringify(options.network)}`);
  const trace = checkShapingTrace(
    typeof options.trace === 'string' ? generateTrace(options.trace) : options.trace,
  );
  const timeline = new TraceTimeline(trace, options.network ?? 'sabre', options.loop ?? false);
  const deadFromMs = timeline.deadForeverFromMs();
  if (deadFromMs !== null) {
    throw new AbrkitError(
      'trace',
      'TRACE_ENDS_IN_OUTAGE',
      `the trace ends in an outage (0 kbps from ${deadFromMs / 1000} s) and, not looped, its last period ` +
        'holds for ever: no response body would move after that; loop the trace (--loop, loop: true) or end ' +
        'it on a period above 0 kbps',
      { data: { source: trace.name } },
    );
  }
  let plan: FaultPlan | null = null;
  if (options.faults !== undefined) {
    const spec = typeof options.faults === 'string' ? parseFaultSpec(options.faults) : options.faults;
    plan = createFaultPlan(spec, options.seed ?? 0);
  }
  const rootReal = await realRoot(options.root);
  const live =
    options.live === undefined ? null : await createLiveSource(rootReal, options.live, options.seed);
  const clock =
    options.clock ??
    createWallClock(
      () => performance.now(),
      (cb, ms) => setTimeout(cb, ms),
      (h) => clearTimeout(h),
    );
  const host = options.host ?? '127.0.0.1';
  let logStream: WriteStream | null = null;
  if (typeof options.log === 'string') {
    let fd: number;
    try {
      fd = openSync(options.log, 'w');
    } catch (e) {
      throw new AbrkitError(
        'config',
        'SERVE_LOG_INVALID',
        `cannot write the request log: ${(e as Error).message}`,
        {
          data: { source: options.log },
          cause: e,
        },
      );
    }
    logStream = createWriteStream('', { fd });
    logStream.on('error', () => {
      logStream = null; // a log that fails later (disk full) must not bring the server down
    });
  }
  const onLog = typeof options.log === 'function' ? options.log : null;

  const requests: RequestLogEntry[] = [];
  let link: SharedLink | null = options.originMs === undefined ? null : makeLink(options.originMs);
  function makeLink(originMs: number): SharedLink {
    return new SharedLink({
      timeline,
      clock,
      originMs,
      ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
      outages: plan?.outages ?? [],
    });
  }
  const getLink = (): SharedLink => (link ??= makeLink(clock.nowMs()));

  const maxKept = options.maxRequestsKept ?? 100_000;
  if (!(Number.isInteger(maxKept) && maxKept >= 0))
    throw invalidArgument('maxRequestsKept', `must be an integer ≥ 0, got ${maxKept}`);
  let requestsSeen = 0;
  const record = (entry: RequestLogEntry): void => {
    requestsSeen++;
    requests.push(entry);
    if (requests.length > maxKept) requests.splice(0, requests.length - maxKept);
    logStream?.write(`${JSON.stringify(entry)}\n`);
    onLog?.(entry);
    options.onRequest?.(entry);
  };

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSizeBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    (req, res) => {
      if (refused.has(req.socket)) return;
      const connection = connections.get(req.socket);
      if (connection !== undefined) {
        connection.busy++;
        res.once('close', () => {
          connection.busy--;
          connection.idleSince = ++idleSequence;
        });
      }
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { ...SAFE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
        } else res.destroy();
      });
    },
  );
  // A backstop beyond which Node itself drops connections; up to it, the refused ones get an explicit 503.
  server.maxConnections = limits.maxConnections + 64;
  /** Open connections, each with its requests in flight and when it last became idle (a sequence number). */
  const connections = new Map<Socket, { busy: number; idleSince: number }>();
  const refused = new Set<Socket>();
  let idleSequence = 0;
  let evictions = 0;
  /** Closes the connection idle the longest; false when every connection has a request in flight. */
  const evictIdle = (): boolean => {
    let oldest: Socket | null = null;
    let since = Number.POSITIVE_INFINITY;
    for (const [socket, state] of connections)
      if (state.busy === 0 && state.idleSince < since) {
        oldest = socket;
        since = state.idleSince;
      }
    if (oldest === null) return false;
    connections.delete(oldest);
    oldest.destroy();
    evictions++;
    return true;
  };
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => {});
    if (connections.size >= limits.maxConnections && !evictIdle()) {
      refused.add(socket);
      socket.on('close', () => refused.delete(socket));
      const body = 'too many connections\n';
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n` +
          `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    connections.set(socket, { busy: 0, idleSince: ++idleSequence });
    socket.on('close', () => connections.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const l = getLink();
    const entry: RequestLogEntry = {
      url: req.url ?? '',
      method: req.method ?? '',
      status: 0,
      bytes: 0,
      startMs: l.nowMs(),
      firstByteMs: null,
      endMs: 0,
      fault: null,
      ...cmcdLogFields(req.url ?? '', req.headers),
    };
    let finished = false;
    let drop: (() => void) | null = null;
    const finish = (aborted: boolean): void => {
      if (finished) return;
      finished = true;
      entry.endMs = l.nowMs();
      if (aborted) entry.aborted = true;
      if (entry.fault === null) {
        // an outage that paused this body in flight or, for a response that never started (the client gave
        // up while the outage held it), that held it until the client left
        const fromMs = entry.firstByteMs ?? entry.startMs;
        let overlapMs = 0;
        for (const o of plan?.outages ?? [])
          overlapMs += Math.max(0, Math.min(entry.endMs, o.toMs) - Math.max(fromMs, o.fromMs));
        if (overlapMs > 0) entry.fault = { kind: 'outage', heldMs: Math.round(overlapMs) };
      }
      drop?.();
      record(entry);
    };
    res.on('close', () => finish(true));
    const immediate = (status: number, text: string, extra: OutgoingHttpHeaders = {}): void => {
      entry.status = status;
      entry.firstByteMs = l.nowMs();
      const body = Buffer.from(text);
      res.writeHead(status, {
        ...SAFE_HEADERS,
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': body.length,
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : body, () => {
        entry.bytes = req.method === 'HEAD' ? 0 : body.length;
        finish(false);
      });
    };

    if (req.method === 'OPTIONS') {
      entry.status = 204;
      entry.firstByteMs = l.nowMs();
      const asked = req.headers['access-control-request-headers'];
      res.writeHead(204, {
        ...SAFE_HEADERS,
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers':
          typeof asked === 'string' && /^[\w\s,-]*$/.test(asked) && asked.trim() !== '' ? asked : 'Range',
        'Access-Control-Max-Age': '600',
        'Content-Length': 0,
      });
      res.end(() => finish(false));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      immediate(405, 'method not allowed\n', { Allow: 'GET, HEAD, OPTIONS' });
      return;
    }
    const target = checkTarget(entry.url);
    if (!target.ok) {
      immediate(target.status, `${target.status === 403 ? 'forbidden' : 'bad request'}: ${target.reason}\n`);
      return;
    }
    const liveAnswer: LiveAnswer | null = live?.answer(target.segments, entry.url) ?? null;
    const file = liveAnswer?.kind === 'response' ? null : await resolveUnderRoot(rootReal, target.segments);
    if (finished) return;

    // What to send: status, headers, body.
    let status = 200;
    let headers: OutgoingHttpHeaders = { ...SAFE_HEADERS, 'Accept-Ranges': 'bytes' };
    let body: Uint8Array = new Uint8Array(0);
    let contentLength: number;
    if (liveAnswer?.kind === 'response') {
      status = liveAnswer.status;
      body = liveAnswer.body;
      headers['Content-Type'] = liveAnswer.contentType;
      contentLength = body.length;
      entry.fault = liveAnswer.fault;
    } else if (file === null) {
      status = 404;
      body = Buffer.from('not found\n');
      headers['Content-Type'] = 'text/plain; charset=utf-8';
      contentLength = body.length;
    } else {
      const range = parseRange(
        typeof req.headers.range === 'string' ? req.headers.range : undefined,
        file.sizeBytes,
      );
      headers['Content-Type'] = contentTypeOf(file.path);
      if (range.kind === 'unsatisfiable') {
        status = 416;
        headers['Content-Range'] = `bytes */${file.sizeBytes}`;
        headers['Content-Type'] = 'text/plain; charset=utf-8';
        body = Buffer.from('range not satisfiable\n');
        contentLength = body.length;
      } else {
        const start = range.kind === 'partial' ? range.start : 0;
        const end = range.kind === 'partial' ? range.end : file.sizeBytes - 1;
        contentLength = end - start + 1;
        if (req.method === 'GET' && contentLength > limits.maxBodyBytes) {
          immediate(
            500,
            `the body would be ${contentLength} bytes, more than the ${limits.maxBodyBytes} this server ` +
              'holds in memory for one response (limits.maxBodyBytes): ask for a byte range\n',
          );
          return;
        }
        if (range.kind === 'partial') {
          status = 206;
          headers['Content-Range'] = `bytes ${start}-${end}/${file.sizeBytes}`;
          entry.rangeStart = start;
        }
        if (req.method === 'GET') {
          try {
            body = await readRange(file.path, start, contentLength);
          } catch (e) {
            // gone or unreadable since it was found (EMFILE, EIO, removed): say so without the server's paths
            if (!finished) immediate(500, `cannot read the file: ${errorCode(e)}\n`);
            return;
          }
        }
        if (finished) return;
      }
    }

    // Faults (GET only).
    const fault =
      req.method === 'GET' && !(liveAnswer?.kind === 'response' && liveAnswer.status !== 200)
        ? (plan?.decide(entry.url, body.length) ?? null)
        : null;
    let spikeMs = 0;
    if (fault !== null) {
      entry.fault = fault;
      if (fault.kind === 'http') {
        status = fault.status;
        body = Buffer.from(`injected fault: ${fault.status}\n`);
        headers = { ...SAFE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' };
        contentLength = body.length;
      } else if (fault.kind === 'spike') spikeMs = fault.ms;
    }
    headers['Content-Length'] = contentLength;
    if (req.method === 'HEAD') body = new Uint8Array(0);

    // Latency (after any outage), then headers, then the paced body.
    const outageEnd = plan?.outageEndAt(entry.startMs) ?? null;
    const sendAt = outageEnd ?? entry.startMs;
    const firstByteAt = sendAt + timeline.latencyMsAt(sendAt) + spikeMs;
    let heldMs = sendAt - entry.startMs;
    const activate = (): void => {
      if (finished) return;
      const now = l.nowMs();
      const heldUntil = plan?.outageEndAt(now) ?? null;
      if (heldUntil !== null) {
        heldMs += heldUntil - now;
        drop = l.at(heldUntil, activate);
        return;
      }
      if (entry.fault === null && heldMs > 0) entry.fault = { kind: 'outage', heldMs: Math.round(heldMs) };
      entry.status = status;
      res.writeHead(status, headers);
      res.flushHeaders();
      entry.firstByteMs = now;
      const sink = {
        write: (chunk: Uint8Array): boolean => {
          entry.bytes += chunk.length;
          return res.write(chunk);
        },
        once: (event: 'drain', listener: () => void) => res.once(event, listener),
      };
      const limitByte = fault?.kind === 'reset' || fault?.kind === 'stall' ? fault.atByte : undefined;
      drop = l.send({
        sink,
        body,
        onDone: () => {
          res.end(() => finish(false));
        },
        ...(limitByte === undefined ? {} : { limitByte }),
        onLimit: () => {
          if (fault?.kind === 'stall') return { stallMs: fault.ms };
          finish(true);
          req.socket.resetAndDestroy();
          return 'stop';
        },
      });
    };
    drop = l.at(firstByteAt, activate);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    link?.close();
    logStream?.destroy();
    const code = (e as { code?: unknown }).code;
    throw new AbrkitError(
      'config',
      'SERVE_LISTEN_FAILED',
      `cannot listen on ${host}:${options.port ?? 0}: ${String(code ?? e)}`,
      {
        data: { source: `${host}:${options.port ?? 0}` },
        cause: e,
      },
    );
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    host,
    requests,
    timeline,
    live,
    requestCount: () => requestsSeen,
    connectionStats: () => ({ open: connections.size, evictedIdle: evictions }),
    traceNowMs: () => (link === null ? null : link.nowMs()),
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        link?.close();
        server.closeAllConnections();
        for (const s of [...connections.keys(), ...refused]) s.destroy();
        await stopped;
        if (logStream !== null) {
          const stream = logStream;
          await new Promise<void>((resolve) => stream.end(() => resolve()));
        }
      })();
      return closing;
    },
  };
}

async function realRoot(root: string): Promise<string> {
  try {
    const real = await realpath(root);
    if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
    return real;
  } catch (e) {
    throw new AbrkitError(
      'config',
      'SERVE_ROOT_INVALID',
      'the folder to serve does not exist or is not a folder',
      {
        data: { source: root },
        cause: e,
      },
    );
  }
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'read error';
}

async function readRange(path: string, start: number, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? buffer : buffer.subarray(0, done);
  } finally {
    await handle.close();
  }
}
