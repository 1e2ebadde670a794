/**
 * What the hls.js adapter e2e test needs: the page bundle (hls.js + the adapter, built by vite in lib mode into
 * a temp dir) and a fixture server whose response bodies can be paced to a bandwidth cap the test changes
 * mid-session, until the shaping server of the QA issue exists.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { REPO_ROOT } from '../../test/support/shared-data.js';
import { CONTENT_TYPES } from './static-server.js';

export const FIXTURES_DIR = join(REPO_ROOT, 'fixtures');

/** Builds e2e/support/hlsjs-page-entry.ts (with hls.js) into one ES module; returns its code. */
export async function buildHlsPageBundle(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'abrkit-hlsjs-bundle-'));
  try {
    await build({
      configFile: false,
      logLevel: 'silent',
      root: REPO_ROOT,
      build: {
        outDir,
        emptyOutDir: true,
        minify: false,
        sourcemap: false,
        lib: {
          entry: join(REPO_ROOT, 'e2e/support/hlsjs-page-entry.ts'),
          formats: ['es'],
          fileName: () => 'bundle.js',
        },
      },
    });
    return await readFile(join(outDir, 'bundle.js'), 'utf8');
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

export interface ThrottledServer {
  readonly url: string;
  /** Request paths in order, with the time since the server started. */
  readonly requests: { path: string; atMs: number }[];
  /** Bandwidth cap for body bytes sent from now on (also slows bodies in flight), kbps; null = unthrottled. */
  throttleKbps: number | null;
  close(): Promise<void>;
}

/** Serves `root` (GET) with Content-Length, no caching, bodies paced to `throttleKbps` (see `sendPaced`). */
export async function serveThrottled(root: string): Promise<ThrottledServer> {
  const base = resolve(root);
  const t0 = Date.now();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    state.requests.push({ path, atMs: Date.now() - t0 });
    const headers = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' };
    const file = join(base, normalize(path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403, headers).end();
      return;
    }
    void (async () => {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        res.writeHead(404, headers).end('not found');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        ...headers,
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': String(body.byteLength),
      });
      await sendPaced(res, body, () => state.throttleKbps);
    })().catch(() => res.destroy());
  });
  const state: ThrottledServer = {
    url: '',
    requests: [],
    throttleKbps: null,
    close: () =>
      new Promise<void>((done, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : done()));
      }),
  };
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/**
 * Writes `body` in 1 kB chunks, the first at once (with the headers) and each next one when the cap allows, on
 * a schedule rather than a sleep per chunk so that timer slack does not lower the rate. The receiver's
 * first-to-last-byte rate is then the cap within one chunk (about 2 % on a 50 kB segment).
 */
async function sendPaced(res: ServerResponse, body: Buffer, cap: () => number | null): Promise<void> {
  const chunkBytes = 1024;
  let next = performance.now();
  for (let offset = 0; offset < body.byteLength; offset += chunkBytes) {
    if (res.destroyed) return;
    const chunk = body.subarray(offset, offset + chunkBytes);
    const kbps = cap();
    if (kbps !== null && offset > 0) {
      next = Math.max(next, performance.now() - 50) + (chunk.byteLength * 8) / kbps;
      const waitMs = next - performance.now();
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    } else {
      next = performance.now();
    }
    if (res.destroyed) return;
    res.write(chunk);
  }
  res.end();
}

/** Opens a page on the server's origin with a muted `<video id="v">` and the bundle loaded (`window.startHls`). */
export async function openHlsPage(page: Page, serverUrl: string, bundle: string): Promise<void> {
  await page.route(`${serverUrl}/__hlsjs__.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: bundle }),
  );
  await page.route(`${serverUrl}/__hlsjs__.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body:
        '<!doctype html><html><body><video id="v" muted playsinline width="854" height="480"></video>' +
        '<script type="module">import { startHls } from "/__hlsjs__.js"; window.startHls = startHls; window.hlsPageReady = true;</script></body></html>',
    }),
  );
  await page.goto(`${serverUrl}/__hlsjs__.html`);
  await page.waitForFunction(() => (window as unknown as { hlsPageReady?: boolean }).hlsPageReady === true);
}
