/**
 * Launching Debian's chromium for e2e tests, the one way every e2e test does it: a persistent context in a
 * fresh temporary profile (HOME and XDG dirs pointed there too, so nothing leaks between runs or into the
 * user's home), headless, no sandbox, no GPU, no QUIC, no background networking, autoplay allowed.
 * Override the binary with CHROMIUM_PATH.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export { serveStatic } from './static-server.js';
export type { ServedRequest, StaticServer } from './static-server.js';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  /** The temporary profile directory (removed by `close()`). */
  readonly profileDir: string;
  /** A new page (tab) in the context. */
  newPage(): Promise<Page>;
  /** Closes the browser and removes the temporary profile. */
  close(): Promise<void>;
}

/** Launches chromium (CHROMIUM_PATH or /usr/bin/chromium) headless in a fresh temporary profile. */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const tmp = await mkdtemp(join(tmpdir(), 'abrkit-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(tmp, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_ARGS],
      env: { ...process.env, HOME: tmp, XDG_CONFIG_HOME: tmp, XDG_CACHE_HOME: tmp, TMPDIR: tmp },
    });
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    context,
    profileDir: tmp,
    newPage: () => context.newPage(),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        await rm(tmp, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
      }
    },
  };
}
