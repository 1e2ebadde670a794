/**
 * The demo through Vite itself, with the repo's vite.config.ts: `vite` (dev) binds 127.0.0.1, announces it,
 * serves the API and does not leak files outside what it may serve (`/@fs/`, `..`, encoded traversal);
 * `vite build` then `vite preview` serves the built page, the copied fixture and the same API.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  build,
  createLogger,
  createServer,
  preview,
  type Logger,
  type PreviewServer,
  type ViteDevServer,
} from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abrkitDemoServer } from '../../demo/server/plugin.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { rawRequest } from './raw-http.js';

const CONFIG_FILE = join(REPO_ROOT, 'vite.config.ts');
const PACKAGE_JSON = readFileSync(join(REPO_ROOT, 'package.json'), 'utf8');

/** A logger that keeps the info lines (and prints nothing). */
function capturingLogger(lines: string[]): Logger {
  const logger = createLogger('silent');
  return { ...logger, info: (message: string) => void lines.push(message) };
}

/** Requests that must not reveal files outside what the server may serve. */
const LEAK_PROBES = [
  '/@fs/etc/passwd',
  '/@fs//etc/passwd',
  '/@fs/etc/passwd?import&raw',
  `/@fs${REPO_ROOT}/package.json`,
  `/@fs${REPO_ROOT}/src/../package.json`,
  `/@fs${REPO_ROOT}/src/%2e%2e/package.json`,
  `/@fs${REPO_ROOT}/.git/config`,
  `/@fs${REPO_ROOT}/vite.config.ts`,
  '/../package.json',
  '/../package.json?raw',
  '/../../../../../../etc/passwd',
  '/%2e%2e/package.json',
  '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/..%2fpackage.json',
  '/..%5cpackage.json',
  '/node_modules/../package.json',
  '/.git/config',
  '/../.git/config',
  'http://127.0.0.1/../package.json',
];

/**
 * Vite's dependency cache for these servers: their own, so that they never rewrite node_modules/.vite while
 * another test file's dev server (e2e/demo.e2e.test.ts) serves a page from it.
 */
let cacheDir: string;
beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'abrkit-demo-vite-cache-'));
});
afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

function expectNoLeak(body: Buffer): void {
  const text = body.toString();
  expect(text).not.toContain('root:x:0:0');
  expect(text).not.toContain(PACKAGE_JSON.slice(0, 200));
  expect(text).not.toContain('"devDependencies"');
  expect(text).not.toContain('repositoryformatversion');
  expect(text).not.toContain('abrkitDemoServer()');
}

describe('vite dev server with the demo plugin', () => {
  let server: ViteDevServer;
  let port: number;
  const lines: string[] = [];
  beforeAll(async () => {
    server = await createServer({
      configFile: CONFIG_FILE,
      cacheDir,
      server: { port: 0 },
      customLogger: capturingLogger(lines),
      clearScreen: false,
    });
    await server.listen();
    port = (server.httpServer!.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('binds 127.0.0.1 and says so, with the API, in one line', () => {
    expect((server.httpServer!.address() as AddressInfo).address).toBe('127.0.0.1');
    const banner = lines.filter((l) => l.includes('abrkit demo'));
    expect(banner).toHaveLength(1);
    expect(banner[0]).toContain('127.0.0.1 only');
    expect(banner[0]).toContain('POST /api/sessions');
  });

  it('serves the API and the unshaped fixture', async () => {
    const config = (await (await fetch(`http://127.0.0.1:${port}/api/config`)).json()) as {
      traces: { id: string }[];
    };
    expect(config.traces.map((t) => t.id)).toContain('step-down');
    const master = await fetch(`http://127.0.0.1:${port}/fixtures/ladder/master.m3u8`);
    expect(master.status).toBe(200);
    expect(await master.text()).toBe(
      readFileSync(join(REPO_ROOT, 'fixtures', 'ladder', 'master.m3u8'), 'utf8'),
    );
  });

  it.each(LEAK_PROBES)('does not leak files for %s', async (target) => {
    const r = await rawRequest(port, target);
    expect(r.status).toBeGreaterThanOrEqual(200);
    expectNoLeak(r.body);
  });

  it('refuses /@fs/ outside the allowed folders with 403', async () => {
    for (const target of [
      '/@fs/etc/passwd',
      `/@fs${REPO_ROOT}/package.json`,
      `/@fs${REPO_ROOT}/fixtures/ladder/master.m3u8`,
    ]) {
      expect((await rawRequest(port, target)).status).toBe(403);
    }
  });

  it('refuses traversal under its own routes before Vite sees it', async () => {
    expect((await rawRequest(port, '/fixtures/../package.json')).status).toBe(403);
    expect((await rawRequest(port, '/fixtures/ladder/%2e%2e/%2e%2e/package.json')).status).toBe(403);
    expect((await rawRequest(port, '/fixtures%2f..%2fpackage.json')).status).toBe(400);
  });

  it('closes the shaping sessions when the server closes', async () => {
    const own = await createServer({
      configFile: CONFIG_FILE,
      cacheDir,
      server: { port: 0 },
      logLevel: 'silent',
    });
    await own.listen();
    const ownPort = (own.httpServer!.address() as AddressInfo).port;
    const created = await fetch(`http://127.0.0.1:${ownPort}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fixture: 'ladder', traceId: 'step-down' }),
    });
    expect(created.status).toBe(201);
    const plugin = own.config.plugins.find((p) => p.name === 'abrkit-demo-server') as unknown as {
      apis: { sessions: { ids(): string[]; get(id: string): { server: { port: number } } | undefined } }[];
    };
    const api = plugin.apis.at(-1)!;
    const [id] = api.sessions.ids();
    const shapingPort = api.sessions.get(id!)!.server.port;
    await own.close();
    expect(api.sessions.ids()).toEqual([]);
    // the shaping server stops listening (polled: closing finishes after the Vite server's own close)
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await fetch(`http://127.0.0.1:${shapingPort}/master.m3u8`).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused).toBe(true);
  });

  it('bounds the open connections (here 2: the third is dropped unanswered)', async () => {
    const own = await createServer({
      configFile: false,
      cacheDir,
      root: join(REPO_ROOT, 'demo'),
      server: { port: 0, host: '127.0.0.1' },
      logLevel: 'silent',
      plugins: [abrkitDemoServer({ maxConnections: 2, sharedDataDir: null })],
    });
    await own.listen();
    const ownPort = (own.httpServer!.address() as AddressInfo).port;
    const open = (): Promise<{ socket: Socket; closed: Promise<string> }> =>
      new Promise((resolve) => {
        const socket = connect(ownPort, '127.0.0.1', () => {
          let data = '';
          socket.on('data', (c: Buffer) => (data += c.toString()));
          resolve({ socket, closed: new Promise((done) => socket.on('close', () => done(data))) });
        });
        socket.on('error', () => {});
      });
    const first = await open();
    const second = await open();
    const third = await open();
    expect(await third.closed).toBe('');
    // the first two are still served
    first.socket.write('GET /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(await first.closed).toMatch(/^HTTP\/1\.1 200/);
    second.socket.destroy();
    await own.close();
  });
});

describe('vite build, then vite preview', () => {
  let outDir: string;
  let server: PreviewServer;
  let port: number;
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'abrkit-demo-dist-'));
    await build({ configFile: CONFIG_FILE, build: { outDir, emptyOutDir: true }, logLevel: 'silent' });
    server = await preview({
      configFile: CONFIG_FILE,
      build: { outDir },
      preview: { port: 0 },
      logLevel: 'silent',
    });
    port = (server.httpServer.address() as AddressInfo).port;
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('writes the page and a copy of the bundled fixture', () => {
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
    expect(readFileSync(join(outDir, 'fixtures', 'ladder', 'master.m3u8'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'fixtures', 'ladder', 'master.m3u8'), 'utf8'),
    );
  });

  it('serves the built page on 127.0.0.1', async () => {
    expect((server.httpServer.address() as AddressInfo).address).toBe('127.0.0.1');
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(readFileSync(join(outDir, 'index.html'), 'utf8'));
  });

  it('serves the API: config, a shaped session, delete', async () => {
    const base = `http://127.0.0.1:${port}`;
    const config = (await (await fetch(`${base}/api/config`)).json()) as { traces: { id: string }[] };
    expect(config.traces.map((t) => t.id)).toContain('step-down');
    const created = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fixture: 'ladder', traceId: 'step-down' }),
    });
    expect(created.status).toBe(201);
    const session = (await created.json()) as { id: string; masterUrl: string };
    const master = await fetch(`${base}${session.masterUrl}`);
    expect(master.status).toBe(200);
    expect((await master.text()).startsWith('#EXTM3U')).toBe(true);
    expect((await fetch(`${base}/api/sessions/${session.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it.each(LEAK_PROBES)('does not leak files for %s', async (target) => {
    const r = await rawRequest(port, target);
    expect(r.status).toBeGreaterThanOrEqual(200);
    expectNoLeak(r.body);
  });
});
