/**
 * Test support for the shaping server: a temp folder to serve (with a secret file beside it, outside the
 * root, and a symlink to it inside), and small HTTP clients that time what they receive.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  startShapingServer,
  type ShapingServer,
  type ShapingServerOptions,
} from '../../src/shaping/index.js';
import { createRng } from '../../src/traces/random.js';

export const SECRET = 'TOP-SECRET-abrkit-shaping-test-7f3a9c';

export interface ServedFolder {
  readonly dir: string;
  readonly root: string;
  readonly secretPath: string;
  /** name → contents of the files under root */
  readonly files: ReadonlyMap<string, Buffer>;
  cleanup(): void;
}

/** Deterministic pseudo-random bytes. */
export function bytes(n: number, seed = 1): Buffer {
  const rng = createRng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

/**
 * A temp dir holding `root/` (files of each content type, a 500 kB segment, a subfolder, a hidden file holding
 * the secret, symlinks out of the root) and `secret.txt` beside it.
 */
export function makeServedFolder(): ServedFolder {
  const dir = mkdtempSync(join(tmpdir(), 'abrkit-shaping-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'sub'), { recursive: true });
  const secretPath = join(dir, 'secret.txt');
  writeFileSync(secretPath, SECRET);
  const files = new Map<string, Buffer>([
    ['seg_big.m4s', bytes(500_000, 1)],
    ['seg_a.m4s', bytes(250_000, 2)],
    ['seg_b.m4s', bytes(250_000, 3)],
    ['small.m4s', bytes(20_000, 4)],
    ['index.m3u8', Buffer.from('#EXTM3U\n#EXT-X-VERSION:7\n')],
    ['init.mp4', bytes(800, 5)],
    ['data.json', Buffer.from('{"a":1}\n')],
    ['index.html', Buffer.from('<!doctype html><title>t</title>\n')],
    ['app.js', Buffer.from('export {};\n')],
    ['sub/inner.m4s', bytes(1000, 6)],
  ]);
  for (const [name, content] of files) writeFileSync(join(root, name), content);
  writeFileSync(join(root, '.hidden'), SECRET);
  symlinkSync(secretPath, join(root, 'link-out.txt'));
  symlinkSync(dir, join(root, 'link-dir'));
  return { dir, root, secretPath, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TimedResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** performance.now() when the request was sent, the headers arrived, the body ended. */
  readonly sentMs: number;
  readonly headersMs: number;
  readonly endMs: number;
  /** performance.now() and bytes so far at each chunk. */
  readonly progress: readonly { readonly atMs: number; readonly bytes: number }[];
  /** Set when the connection failed (e.g. reset) before the body ended. */
  readonly error?: string;
}

/**
 * Starts watching how late this thread's timers run; the function returned stops watching and gives the longest
 * delay seen, ms. Server and client share the thread here, so on a loaded machine every timed wait, the
 * server's pacing and the client's reads alike, runs late by up to that much: timing bounds widen by it both
 * ways, and stay as tight as before on an idle machine (a TTFB measured at 574 ms against a 300 ms latency with
 * three busy loops beside the suite on 2 cores).
 */
export function watchLoopLag(): () => number {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    histogram.disable();
    return histogram.max / 1e6;
  };
}

/** GET (or another method) with node:http on a fresh connection, timing headers and body. */
export function timedRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const sentMs = performance.now();
    let status = 0;
    let headersMs = Number.NaN;
    let headers: TimedResponse['headers'] = {};
    const chunks: Buffer[] = [];
    const progress: { atMs: number; bytes: number }[] = [];
    let received = 0;
    let settled = false;
    const done = (error?: string): void => {
      if (settled) return;
      settled = true;
      resolve({
        status,
        headers,
        body: Buffer.concat(chunks),
        sentMs,
        headersMs,
        endMs: performance.now(),
        progress,
        ...(error === undefined ? {} : { error }),
      });
    };
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        status = res.statusCode ?? 0;
        headers = res.headers;
        headersMs = performance.now();
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          received += c.length;
          progress.push({ atMs: performance.now(), bytes: received });
        });
        res.on('end', () => done());
        res.on('error', (e) => done(e.message));
        res.on('aborted', () => done('aborted'));
      },
    );
    req.on('error', (e) => {
      if (status === 0) reject(e);
      else done(e.message);
    });
    req.end();
  });
}

/** Sends raw bytes on a new TCP connection and returns everything received until the server closes or `waitMs` passes. */
export function rawRequest(port: number, text: string | Buffer, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

/** The status code of a raw HTTP response, or 0. */
export function statusOf(raw: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  return m ? Number(m[1]) : 0;
}

/**
 * A shaping server on `folder` for the length of `run`, closed afterwards whatever happens; the tests' usual
 * way to get one.
 */
export async function withShapingServer<T>(
  folder: ServedFolder,
  options: Omit<ShapingServerOptions, 'root'>,
  run: (server: ShapingServer) => Promise<T>,
): Promise<T> {
  const server = await startShapingServer({ root: folder.root, ...options });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}
