/**
 * What the player e2e tests share: the player bundle built for the browser (vite `build` in lib mode into a
 * temp dir), a page that loads it, and a small fixture server on 127.0.0.1 that can pace response bodies
 * (a bandwidth cap that the test changes mid-session) and fail chosen paths (HTTP 404), until the shaping
 * server of the QA issue exists.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { REPO_ROOT } from '../test/support/shared-data.js';
import { CONTENT_TYPES } from './support/static-server.js';

/**
 * Builds `entryFile` with everything it imports, lazily imported modules included, into ONE ES module for
 * the browser (a test page loads it as a single script); returns its code.
 */
export async function buildBrowserBundle(entryFile: string, minify = false): Promise<string> {
  const chunks = await buildChunks(entryFile, minify, true);
  return chunks[0]!.code;
}

interface BuiltChunk {
  readonly fileName: string;
  readonly code: string;
  readonly isEntry: boolean;
  readonly imports: readonly string[];
}

async function buildChunks(entryFile: string, minify: boolean, singleFile: boolean): Promise<BuiltChunk[]> {
  const outDir = await mkdtemp(join(tmpdir(), 'abrkit-bundle-'));
  try {
    const output = await build({
      configFile: false,
      logLevel: 'silent',
      root: REPO_ROOT,
      build: {
        outDir,
        emptyOutDir: true,
        minify,
        sourcemap: false,
        write: false,
        lib: { entry: entryFile, formats: ['es'], fileName: () => 'bundle.js' },
        rollupOptions: { output: { inlineDynamicImports: singleFile } },
      },
    });
    const results = (Array.isArray(output) ? output : [output]) as { output: unknown[] }[];
    const chunks: BuiltChunk[] = [];
    for (const result of results) {
      for (const item of result.output as {
        type: string;
        fileName: string;
        code?: string;
        isEntry?: boolean;
        imports?: string[];
      }[]) {
        if (item.type !== 'chunk' || item.code === undefined) continue;
        chunks.push({
          fileName: item.fileName,
          code: item.code,
          isEntry: item.isEntry ?? false,
          imports: item.imports ?? [],
        });
      }
    }
    chunks.sort((a, b) => Number(b.isEntry) - Number(a.isEntry));
    return chunks;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * What a page loads up front for `entryFile`: the entry chunk and every chunk it imports statically,
 * concatenated; chunks reached only through dynamic `import()` (mp4box for playlists without CODECS) are
 * left out, as a browser fetches them only when that path runs.
 */
export async function buildEagerCode(entryFile: string, minify = true): Promise<string> {
  const chunks = await buildChunks(entryFile, minify, false);
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const dep of byName.get(name)?.imports ?? []) visit(dep);
  };
  for (const c of chunks) if (c.isEntry) visit(c.fileName);
  return [...seen].map((name) => byName.get(name)?.code ?? '').join('\n');
}

/** Builds src/player/index.ts into one ES module for the browser; returns its code. */
export function buildPlayerBundle(minify = false): Promise<string> {
  return buildBrowserBundle(join(REPO_ROOT, 'src/player/index.ts'), minify);
}

export interface PacedRequest {
  readonly path: string;
  readonly status: number;
  readonly atMs: number;
}

export interface PacedServer {
  readonly url: string;
  readonly requests: PacedRequest[];
  /** Bandwidth cap for bodies sent from now on (also slows bodies in flight), kbps; null = unthrottled. */
  throttleKbps: number | null;
  /** Paths answered with 404 the next `count` times they are requested. */
  failNext(path: string, count: number): void;
  close(): Promise<void>;
}

/** Serves `root` (GET only) with optional pacing and injected 404s. */
export async function servePaced(root: string): Promise<PacedServer> {
  const base = resolve(root);
  const failures = new Map<string, number>();
  const t0 = Date.now();
  const state: PacedServer = {
    url: '',
    requests: [],
    throttleKbps: null,
    failNext(path, count) {
      failures.set(path, count);
    },
    close: () =>
      new Promise<void>((done, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : done()));
      }),
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const log = (status: number): void => {
      state.requests.push({ path, status, atMs: Date.now() - t0 });
    };
    const headers = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' };
    const left = failures.get(path) ?? 0;
    if (left > 0) {
      failures.set(path, left - 1);
      res.writeHead(404, headers).end('not found (injected)');
      log(404);
      return;
    }
    const file = join(base, normalize(path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403, headers).end();
      log(403);
      return;
    }
    void (async () => {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        res.writeHead(404, headers).end('not found');
        log(404);
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        ...headers,
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': String(body.byteLength),
      });
      log(200);
      await sendPaced(res, body, () => state.throttleKbps);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  (state as { url: string }).url = `http://127.0.0.1:${port}`;
  return state;
}

/** Writes `body` in 4 kB chunks, each after the time the cap allows (no wait when unthrottled). */
async function sendPaced(res: ServerResponse, body: Buffer, cap: () => number | null): Promise<void> {
  const chunkBytes = 4096;
  for (let offset = 0; offset < body.byteLength; offset += chunkBytes) {
    if (res.destroyed) return;
    const chunk = body.subarray(offset, offset + chunkBytes);
    const kbps = cap();
    if (kbps !== null) await new Promise((r) => setTimeout(r, (chunk.byteLength * 8) / kbps));
    if (res.destroyed) return;
    res.write(chunk);
  }
  res.end();
}

/** Opens a page on the fixture server's origin with a muted `<video id="v">` and `window.abrkit` = the bundle. */
export async function openPlayerPage(page: Page, serverUrl: string, bundle: string): Promise<void> {
  await page.route(`${serverUrl}/__player__.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: bundle }),
  );
  await page.route(`${serverUrl}/__player__.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body:
        '<!doctype html><html><body><video id="v" muted playsinline width="854" height="480"></video>' +
        '<script type="module">import * as abrkit from "/__player__.js"; window.abrkit = abrkit; window.abrkitReady = true;</script>' +
        '</body></html>',
    }),
  );
  await page.goto(`${serverUrl}/__player__.html`);
  await page.waitForFunction(() => (window as unknown as { abrkitReady?: boolean }).abrkitReady === true);
}

export const FIXTURES_DIR = join(REPO_ROOT, 'fixtures');
