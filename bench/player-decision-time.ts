/**
 * Decision time in the browser (run: `npx tsx bench/player-decision-time.ts`): every online algorithm's
 * `choose()` in Debian's chromium (headless), on synthetic contexts of Pensieve's 6-rung ladder with known
 * segment sizes (so MPC searches its full 5-segment horizon), then the default algorithm on ladders of 6 to
 * 30 rungs (its plans grow as the cube of the ladder's size). A page's `performance.now()` is coarsened
 * (100 µs without cross-origin isolation), so decisions are timed in batches of 10 and the per-decision time
 * is batch time / 10; p50/p99/max are over 400 batches after a warm-up of 50. Budget (issue 5): p99 < 1 ms.
 * Printed, not asserted.
 */
import { join } from 'node:path';
import { buildBrowserBundle } from '../e2e/player-harness.js';
import { launchBrowser, serveStatic } from '../e2e/support/browser.js';
import { REPO_ROOT } from '../test/support/shared-data.js';
import type { DecisionTiming } from './player-decision-entry.js';

const bundle = await buildBrowserBundle(join(REPO_ROOT, 'bench/player-decision-entry.ts'), true);
const server = await serveStatic(join(REPO_ROOT, 'fixtures'));
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.route(`${server.url}/__bench__.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: bundle }),
  );
  await page.route(`${server.url}/__bench__.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><script type="module">import * as b from "/__bench__.js"; window.bench = b; window.ready = true;</script>',
    }),
  );
  await page.goto(`${server.url}/__bench__.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const version = await page.evaluate(() => navigator.userAgent);
  const rows = await page.evaluate(() =>
    (window as unknown as { bench: { timeAll(): DecisionTiming[] } }).bench.timeAll(),
  );
  console.log(`decision time per choose() in the browser (${version})`);
  console.log(
    'batches of 10 decisions timed with performance.now(); 4000 decisions per algorithm after 500 of warm-up',
  );
  const line = (label: string, r: DecisionTiming): string =>
    `  ${label.padEnd(14)} p50 ${(r.p50Ms * 1000).toFixed(1).padStart(8)} µs  p99 ${(r.p99Ms * 1000).toFixed(1).padStart(8)} µs  max ${(r.maxMs * 1000).toFixed(1).padStart(8)} µs  ${r.p99Ms < 1 ? 'ok' : 'OVER 1 ms'}`;
  for (const r of rows) console.log(line(r.name, r));
  const sizes = [6, 12, 20, 30];
  const ladders = await page.evaluate(
    (n) =>
      (window as unknown as { bench: { timeLadders(s: number[]): DecisionTiming[] } }).bench.timeLadders(n),
    sizes,
  );
  console.log(`the default algorithm by ladder size (200 kbps to 25 Mbps, evenly spaced in log):`);
  for (const r of ladders) console.log(line(`${r.renditions} renditions`, r));
} finally {
  await browser.close();
  await server.close();
}
