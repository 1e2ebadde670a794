/**
 * `abrkitDemoServer()`: the Vite plugin that gives `vite` (dev) and `vite preview` the same demo API
 * (api.ts: config, traces, fixture videos, shaped sessions, unshaped fixture media), prints at start which
 * address it is bound to and what the API is, closes the shaping sessions with the server, and on
 * `vite build` copies the bundled fixture(s) into the output so the static demo can play unshaped media.
 */
import { cp, lstat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Connect, Logger, Plugin, PreviewServer, ViteDevServer } from 'vite';
import { REPO_ROOT, createDemoApi, type DemoApi, type DemoApiOptions } from './api.js';

export interface DemoServerPluginOptions extends DemoApiOptions {
  /** Fixtures copied into `<outDir>/fixtures/` by `vite build` (default `['ladder']`). */
  readonly staticFixtures?: readonly string[];
  /** Open connections the server accepts; Node drops the next ones (default 256). */
  readonly maxConnections?: number;
  /** Time a client gets to send its request headers, ms (default 10 s; Node checks every 30 s). */
  readonly headersTimeoutMs?: number;
}

export const DEFAULT_MAX_CONNECTIONS = 256;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** The plugin, plus the API instances it mounted (for tests and tools). */
export interface DemoServerPlugin extends Plugin {
  /** The API of each server this plugin configured, latest last. */
  readonly apis: readonly DemoApi[];
}

export const API_SUMMARY =
  'GET /api/config, GET /api/traces/:id, GET /api/fixtures/:name/video, POST /api/sessions, ' +
  'DELETE /api/sessions/:id, POST /api/mirrors; media at /fixtures/:name/… (unshaped) and /shaped/:id/… (shaped)';

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

/** The start line: where it listens, whether that is loopback only, and the API. */
export function bannerLine(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') return `abrkit demo API: ${API_SUMMARY}`;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  const where = isLoopback(address.address)
    ? `bound to ${address.address} only (loopback; pass --host to change)`
    : `bound to ${address.address}: REACHABLE FROM OTHER MACHINES (the default is 127.0.0.1)`;
  return `abrkit demo on http://${host}:${address.port}, ${where}. API: ${API_SUMMARY}`;
}

export function abrkitDemoServer(options: DemoServerPluginOptions = {}): DemoServerPlugin {
  const apis: DemoApi[] = [];
  const mount = (server: ViteDevServer | PreviewServer, logger: Logger): void => {
    const api = createDemoApi({
      ...options,
      onError: options.onError ?? ((e: unknown) => logger.error(`abrkit demo server: ${String(e)}`)),
    });
    apis.push(api);
    server.middlewares.use(api.handle as Connect.NextHandleFunction);
    const http = server.httpServer;
    if (http === null) return; // middleware mode: the host server owns closing and limits
    // Vite creates the server; bound what a client can hold (idle keep-alive: Node's 5 s default)
    if (http.maxConnections === null || http.maxConnections === undefined)
      http.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if ('headersTimeout' in http)
      http.headersTimeout = Math.min(
        http.headersTimeout,
        options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      );
    const announce = (): void => logger.info(bannerLine(http.address()));
    if (http.listening) announce();
    else http.once('listening', announce);
    http.once('close', () => {
      void api.close();
      const i = apis.indexOf(api);
      if (i >= 0) apis.splice(i, 1);
    });
  };
  const fixturesRoot = options.fixturesRoot ?? join(REPO_ROOT, 'fixtures');

  return {
    name: 'abrkit-demo-server',
    apis,
    configureServer(server) {
      mount(server, server.config.logger);
    },
    configurePreviewServer(server) {
      mount(server, server.config.logger);
    },
    async writeBundle(output) {
      if (output.dir === undefined) return;
      for (const name of options.staticFixtures ?? ['ladder']) {
        const from = join(fixturesRoot, name);
        await cp(from, resolve(output.dir, 'fixtures', name), {
          recursive: true,
          // regular files and folders only: no hidden files, no symlinks (which could point anywhere)
          filter: async (path) =>
            !/[\\/]\./.test(path.slice(from.length)) && !(await lstat(path)).isSymbolicLink(),
        });
      }
    },
  };
}
