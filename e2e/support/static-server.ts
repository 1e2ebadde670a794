/**
 * A tiny static file server for e2e tests and tools: node:http on 127.0.0.1, a free port, single byte ranges
 * (RFC 9110 §14), HEAD, the content types HLS players expect, no caching, CORS open. Logs every request so a
 * test can assert what the player fetched.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.m4a': 'audio/mp4',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServedRequest {
  readonly method: string;
  /** URL path, query removed. */
  readonly path: string;
  readonly range?: string;
  readonly status: number;
}

export interface StaticServer {
  /** Origin without a trailing slash: `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Every request answered so far, in order. */
  readonly requests: readonly ServedRequest[];
  close(): Promise<void>;
}

/** Serves the files under `root` (GET and HEAD, byte ranges) on 127.0.0.1 at a free port. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const base = resolve(root);
  const requests: ServedRequest[] = [];
  const server = createServer((req, res) => {
    handle(base, req, res).then(
      (status) => requests.push(logged(req, status)),
      (error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(error));
        requests.push(logged(req, 500));
      },
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolveClose()));
      }),
  };
}

function logged(req: IncomingMessage, status: number): ServedRequest {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const range = req.headers.range;
  return range === undefined
    ? { method: req.method ?? 'GET', path, status }
    : { method: req.method ?? 'GET', path, range, status };
}

async function handle(base: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const common = {
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': 'no-store',
    'Accept-Ranges': 'bytes',
  };
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      ...common,
      'Access-Control-Allow-Headers': 'Range',
      'Access-Control-Allow-Methods': 'GET, HEAD',
    });
    res.end();
    return 204;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return end(res, 405, common);
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return end(res, 400, common);
  }
  const file = join(base, normalize(urlPath));
  if (file !== base && !file.startsWith(base + sep)) return end(res, 403, common);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return end(res, 404, common);

  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const size = info.size;
  let start = 0;
  let endByte = size - 1;
  let status = 200;
  const range = req.headers.range;
  if (range !== undefined) {
    const parsed = parseRange(range, size);
    if (parsed === null) {
      return end(res, 416, { ...common, 'Content-Range': `bytes */${size}` });
    }
    if (parsed !== undefined) {
      [start, endByte] = parsed;
      status = 206;
    }
  }
  const headers: Record<string, string> = {
    ...common,
    'Content-Type': type,
    'Content-Length': String(endByte - start + 1),
  };
  if (status === 206) headers['Content-Range'] = `bytes ${start}-${endByte}/${size}`;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return status;
  }
  await new Promise<void>((resolveStream, reject) => {
    const stream = createReadStream(file, { start, end: endByte });
    stream.on('error', reject);
    res.on('close', () => resolveStream());
    stream.pipe(res);
  });
  return status;
}

/**
 * One `bytes=` range as [first, last] (inclusive). `undefined` = ignore the header (multiple ranges or
 * another unit: serve the whole file, as RFC 9110 allows); `null` = unsatisfiable (416).
 */
export function parseRange(header: string, size: number): [number, number] | undefined | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, first, last] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return null;
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return null;
  return [start, end];
}

function end(res: ServerResponse, status: number, headers: Record<string, string>): number {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain' });
  res.end(status === 404 ? 'not found' : String(status));
  return status;
}
