/**
 * The same-origin door to a shaping server (Node): `/shaped/<id>/<path>` is forwarded to the session's
 * server as `/<path>`, and its answer streamed back chunk by chunk as it arrives, so the shaping server's
 * pacing (latency, rate, stalls, resets) reaches the page unchanged. Range requests, status and the media
 * headers pass through; when the page goes away the upstream request is aborted, and when the upstream
 * connection breaks mid-body (an injected reset) the page's connection is broken too.
 */
import {
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { pipeline } from 'node:stream';
import { ApiError, sendError } from './http.js';
import type { ShapedSession } from './sessions.js';

/** Request headers forwarded to the shaping server. */
const FORWARDED_REQUEST_HEADERS = ['range', 'if-range', 'accept'] as const;
/** Response headers passed back to the page (hop-by-hop and CORS headers are not). */
const PASSED_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'cache-control',
  'retry-after',
  'allow',
  'x-content-type-options',
] as const;

function pick(headers: IncomingHttpHeaders, names: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Forwards `req` to `session`'s shaping server as `target` (an origin-form path and query, already checked). */
export function proxyToSession(
  req: IncomingMessage,
  res: ServerResponse,
  session: ShapedSession,
  target: string,
): void {
  const upstream = request({
    host: '127.0.0.1',
    port: session.server.port,
    method: req.method,
    path: target,
    headers: pick(req.headers, FORWARDED_REQUEST_HEADERS),
    agent: session.agent,
  });
  let done = false;
  session.track(res);
  res.on('close', () => {
    // The page went away before the end: stop the paced transfer upstream. (Not after a complete answer: the
    // keep-alive socket may already carry the next request.)
    if (!done && !res.writableFinished) upstream.destroy();
  });
  upstream.on('response', (answer: IncomingMessage) => {
    res.writeHead(answer.statusCode ?? 502, pick(answer.headers, PASSED_RESPONSE_HEADERS));
    res.flushHeaders(); // time to first byte is part of the shaping
    answer.once('end', () => (done = true));
    pipeline(answer, res, (error) => {
      done = true;
      if (error) {
        upstream.destroy();
        res.destroy(); // an upstream reset or stall cut short reaches the page as a broken connection
      }
    });
  });
  upstream.on('error', (error: Error) => {
    if (done) return;
    done = true;
    if (res.headersSent) res.destroy();
    else
      sendError(res, new ApiError(502, 'UPSTREAM_FAILED', `shaped session ${session.id}: ${error.message}`));
  });
  upstream.end();
}
