/**
 * Startup on the fixture from loopback (run: `npx tsx bench/player-startup.ts`): abrkit/player and hls.js
 * (node_modules/hls.js/dist/hls.min.js) each play fixtures/ladder/master.m3u8 in the same headless chromium
 * run, from a fresh page each time, muted, autoplay allowed. Measured in the page with performance.now()
 * from the `load()` / `loadSource()` call to the first `playing` event (startup) and to the first frame
 * presented (polled each animation frame: the playhead has moved past 0; headless chromium without a GPU
 * does not call `requestVideoFrameCallback`). 7 alternating runs each; the median and
 * range are printed. The fixture server (e2e/support/static-server.ts) adds no delay. Printed, not asserted.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildPlayerBundle } from '../e2e/player-harness.js';
import { launchBrowser, serveStatic } from '../e2e/support/browser.js';
import { REPO_ROOT } from '../test/support/shared-data.js';

interface Startup {
  readonly startupMs: number;
  readonly firstFrameMs: number;
}

const RUNS = Number(process.env.RUNS ?? 7);
const [abrkitCode, hlsCode, server, browser] = await Promise.all([
  buildPlayerBundle(true),
  readFile(join(REPO_ROOT, 'node_modules/hls.js/dist/hls.min.js'), 'utf8'),
  serveStatic(join(REPO_ROOT, 'fixtures')),
  launchBrowser(),
]);

async function open(which: 'abrkit' | 'hls.js'): Promise<Page> {
  const page = await browser.newPage();
  // tsx (esbuild keepNames) wraps named functions of the evaluated code in __name()
  await page.addInitScript('window.__name = (f) => f');
  await page.route(`${server.url}/__lib__.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: which === 'abrkit' ? abrkitCode : hlsCode }),
  );
  const script =
    which === 'abrkit'
      ? '<script type="module">import * as a from "/__lib__.js"; window.lib = a; window.ready = true;</script>'
      : '<script src="/__lib__.js"></script><script>window.lib = window.Hls; window.ready = true;</script>';
  await page.route(`${server.url}/__startup__.html`, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><video id="v" muted></video>${script}` }),
  );
  await page.goto(`${server.url}/__startup__.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return page;
}

async function measure(which: 'abrkit' | 'hls.js'): Promise<Startup> {
  const page = await open(which);
  const result = await page.evaluate(
    ({ which, url }) =>
      new Promise<Startup>((resolve, reject) => {
        const video = document.getElementById('v') as HTMLVideoElement;
        setTimeout(
          () => reject(new Error(`${which}: no first frame after 20 s (readyState ${video.readyState})`)),
          20_000,
        );
        let startupMs = Number.NaN;
        const t0 = performance.now();
        video.addEventListener('playing', () => (startupMs = performance.now() - t0), { once: true });
        // first frame: the first animation frame at which the playhead has moved (headless chromium without a GPU
        // does not call requestVideoFrameCallback)
        const poll = (): void => {
          if (video.currentTime > 0 && !Number.isNaN(startupMs)) {
            resolve({ startupMs, firstFrameMs: performance.now() - t0 });
            return;
          }
          requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
        const lib = (window as unknown as { lib: Record<string, unknown> }).lib;
        if (which === 'abrkit') {
          const player = (
            lib.createPlayer as (o: object) => {
              attach(v: HTMLVideoElement): void;
              load(u: string): Promise<void>;
            }
          )({});
          player.attach(video);
          void player.load(url);
        } else {
          const Hls = lib as unknown as new () => {
            loadSource(u: string): void;
            attachMedia(v: HTMLVideoElement): void;
          };
          const hls = new Hls();
          hls.loadSource(url);
          hls.attachMedia(video);
          void video.play();
        }
      }),
    { which, url: `${server.url}/ladder/master.m3u8` },
  );
  await page.close();
  return result;
}

function summary(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)] ?? Number.NaN;
  return `median ${median.toFixed(0).padStart(5)} ms  (range ${(s[0] ?? 0).toFixed(0)}-${(s.at(-1) ?? 0).toFixed(0)} ms)`;
}

try {
  const results: Record<'abrkit' | 'hls.js', Startup[]> = { abrkit: [], 'hls.js': [] };
  for (let i = 0; i < RUNS; i++) {
    for (const which of ['abrkit', 'hls.js'] as const) results[which].push(await measure(which));
  }
  console.log(
    `startup on fixtures/ladder from loopback, headless chromium, ${RUNS} alternating runs each (fresh page each)`,
  );
  for (const which of ['abrkit', 'hls.js'] as const) {
    console.log(
      `  ${which.padEnd(7)} startup (load -> playing)          ${summary(results[which].map((r) => r.startupMs))}`,
    );
    console.log(
      `  ${which.padEnd(7)} first frame (load -> playhead > 0) ${summary(results[which].map((r) => r.firstFrameMs))}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
