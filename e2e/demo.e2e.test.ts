/**
 * The demo page (demo/, issues 7, 15, 16) in Debian chromium, served by the real Vite config (vite.config.ts,
 * with the demo server plugin): under the `step-down` trace with the throughput rule, the charts fill in, the
 * bitrate chart shows a downswitch after the step, hovering it shows the decision's reason, the simulator
 * comparison fills in next to the session's row, nothing is logged as an error, and the page fits a 390 px
 * screen. Live: the toggle plays the fixture as a live stream near its latency target, with the latency chart
 * and a live simulator comparison. Every control changes something (and every control is listed as
 * exercised), a typed URL is shaped through a copy, a recording replays, the page works without the API, and
 * `vite build` + `vite preview` load and play. A screenshot of each state goes to a temporary folder
 * (printed) or ABRKIT_ARTIFACTS.
 */
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build, createServer, preview } from 'vite';
import type { PreviewServer, ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { listAlgorithms } from '../src/index.js';
import { parseSessionExport } from '../src/traces/session-export.js';
import type {} from '../demo/src/hook.js'; // window.__abrkitDemo's type
import { launchBrowser, type LaunchedBrowser } from './support/browser.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG_FILE = join(REPO, 'vite.config.ts');
/** Screenshots of each state: a temporary folder (printed), or ABRKIT_ARTIFACTS. */
const ARTIFACTS = process.env.ABRKIT_ARTIFACTS ?? join(tmpdir(), `abrkit-demo-screens-${process.pid}`);
/** When the step-down trace drops from 4000 to 400 kbps (demo/server's catalog), s. */
const STEP_AT_S = 12;

function baseUrl(server: { httpServer: { address(): AddressInfo | string | null } | null }): string {
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the server is not listening on a TCP port');
  return `http://127.0.0.1:${address.port}/`;
}

/** Opens `url`, collecting console errors and uncaught page errors into `errors`. */
async function openDemo(browser: LaunchedBrowser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => {
    // with the URL: a failed resource's message does not name it
    if (message.type() === 'error') errors.push(`console: ${message.text()} ${message.location().url}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(url);
  await page.waitForFunction(
    () => window.__abrkitDemo !== undefined && window.__abrkitDemo.state() !== 'loading',
  );
  return page;
}

/** Waits for `predicate` in the page; on timeout the error shows what the page knew. */
async function waitPage(
  page: Page,
  /** A function run in the page, or an expression (to close over a value from the test). */
  predicate: (() => boolean) | string,
  timeoutMs: number,
  what: string,
): Promise<void> {
  try {
    await page.waitForFunction(predicate, null, { timeout: timeoutMs, polling: 250 });
  } catch (error) {
    const dump = await page.evaluate(() => {
      const h = window.__abrkitDemo;
      return JSON.stringify({
        state: h?.state(),
        current: h?.current(),
        points: h?.chartPoints(),
        bitrates: h?.bitrates(),
        errors: h?.errors(),
        log: h?.log().slice(-8),
      });
    });
    throw new Error(`waiting for ${what}: ${String(error)}\n${dump}`, { cause: error });
  }
}

describe('the demo page', () => {
  let browser: LaunchedBrowser;
  let dev: ViteDevServer;
  let cacheDir: string;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    console.log(`demo e2e: screenshots in ${ARTIFACTS}`);
    // a cold dependency cache, as on a fresh checkout (and nothing shared with other dev servers)
    cacheDir = await mkdtemp(join(tmpdir(), 'abrkit-demo-vite-cache-'));
    [browser, dev] = await Promise.all([
      launchBrowser(),
      createServer({
        configFile: CONFIG_FILE,
        root: join(REPO, 'demo'),
        cacheDir,
        logLevel: 'warn',
        // no file watching: other edits to src/ must not reload the page mid-test
        server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false, watch: null },
      }),
    ]);
    await dev.listen();
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.close();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  // The two live-session tests run one after the other (each page keeps a shaping session and the server keeps
  // at most 4); the control test, which starts many sessions, runs beside the build test, which has its own
  // preview server and API, so those two run concurrently.
  describe('live sessions', () => {
    it('plays under the step-down trace: charts fill, the bitrate steps down, the simulator compares', async ({
      expect,
    }) => {
      const errors: string[] = [];
      const page = await openDemo(browser, baseUrl(dev), errors);
      expect(await page.evaluate(() => window.__abrkitDemo!.shaping())).toBe(true);

      // every registered online algorithm is offered, the offline optimum is not
      const offered = await page.$$eval('#algorithm option', (options) =>
        options.map((o) => (o as HTMLOptionElement).value),
      );
      const online = listAlgorithms()
        .filter((a) => !a.offline)
        .map((a) => a.name);
      expect(offered).toEqual(online);

      const sessionsBefore = await page.evaluate(() => window.__abrkitDemo!.sessions());
      // mark the page and its <video>: a restart in place keeps both
      await page.evaluate(() => {
        document.querySelector('video')!.dataset.marker = 'kept';
      });
      await page.selectOption('#trace', 'step-down');
      await page.selectOption('#algorithm', 'throughput');
      await waitPage(
        page,
        () => {
          const c = window.__abrkitDemo?.current();
          return c?.algorithm === 'throughput' && c.trace === 'step-down';
        },
        10_000,
        'the throughput rule on step-down',
      );
      // switching restarted the session in place: same page and element, more sessions
      expect(await page.evaluate(() => window.__abrkitDemo!.sessions())).toBeGreaterThan(sessionsBefore);
      expect(await page.evaluate(() => document.querySelector('video')!.dataset.marker)).toBe('kept');

      // a decision after the step chose less than the highest bitrate chosen before it
      await waitPage(
        page,
        () => {
          const decisions = window.__abrkitDemo?.decisions() ?? [];
          const before = decisions.filter((d) => d.tS < 12).map((d) => d.bitrateKbps);
          const top = Math.max(...before);
          return decisions.some((d) => d.tS > 12 && d.bitrateKbps < top);
        },
        60_000,
        'a downswitch after the step',
      );
      const decisions = await page.evaluate(() => window.__abrkitDemo!.decisions());
      const topBefore = Math.max(...decisions.filter((d) => d.tS < STEP_AT_S).map((d) => d.bitrateKbps));
      const after = decisions.filter((d) => d.tS > STEP_AT_S);
      expect(Math.min(...after.map((d) => d.bitrateKbps))).toBeLessThan(topBefore);
      // the bitrate chart draws what was decided
      expect(await page.evaluate(() => window.__abrkitDemo!.bitrates())).toEqual(
        (await page.evaluate(() => window.__abrkitDemo!.decisions())).map((d) => d.bitrateKbps),
      );

      const points = await page.evaluate(() => window.__abrkitDemo!.chartPoints());
      expect(points.buffer).toBeGreaterThan(0);
      expect(points.throughputTrace).toBeGreaterThanOrEqual(2);
      expect(points.throughputMeasured).toBeGreaterThan(0);
      expect(points.throughputEstimate).toBeGreaterThan(0);
      expect(points.bitrate).toBeGreaterThan(0);

      // hovering the bitrate chart shows a decision's reason
      const overlay = page.locator('#chart-bitrate .u-over');
      await overlay.scrollIntoViewIfNeeded();
      const box = await overlay.boundingBox();
      expect(box).not.toBeNull();
      await page.mouse.move(box!.x + box!.width * 0.3, box!.y + box!.height * 0.5);
      await page.mouse.move(box!.x + box!.width * 0.5, box!.y + box!.height * 0.5, { steps: 4 });
      await expect.poll(() => page.textContent('#reason')).toMatch(/^Segment \d+ at \d+ kbps .*: .+/);

      // the simulator comparison: every registered algorithm (the optimum included), next to the live row
      await waitPage(
        page,
        () => (window.__abrkitDemo?.compareRows().length ?? 0) >= 2,
        30_000,
        'the simulator comparison',
      );
      const rows = await page.evaluate(() => window.__abrkitDemo!.compareRows());
      expect(rows.map((r) => r.algorithm).sort()).toEqual(
        listAlgorithms()
          .map((a) => a.name)
          .sort(),
      );
      for (const row of rows) {
        expect(row.error, row.algorithm).toBeUndefined();
        expect(Number.isFinite(row.qoe), row.algorithm).toBe(true);
        expect(row.segments, row.algorithm).toBeGreaterThan(0);
      }
      const tableText = await page.textContent('#compare-table');
      // the player's row says it is partial, with how far it got
      expect(tableText).toMatch(/this session \(partial, \d+ of 20 segments\): throughput/);
      expect(tableText).toContain("This session's row is partial");
      expect(tableText).toContain('sim: optimal (upper bound)');

      expect(await page.evaluate(() => window.__abrkitDemo!.errors())).toEqual([]);
      expect(errors).toEqual([]);

      await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      // the charts follow the width: nothing wider than the screen
      await waitPage(
        page,
        () => document.documentElement.scrollWidth <= window.innerWidth,
        5_000,
        'the page to fit 390 px',
      );
      const chartWidth = await page.evaluate(
        () =>
          document.querySelector<HTMLCanvasElement>('#chart-bitrate canvas')?.getBoundingClientRect().width ??
          0,
      );
      expect(chartWidth).toBeGreaterThan(0);
      expect(chartWidth).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(ARTIFACTS, 'demo-390.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);

    it('live: the toggle serves the fixture as a live stream, the player follows the edge, the latency chart fills', async ({
      expect,
    }) => {
      const errors: string[] = [];
      const page = await openDemo(browser, baseUrl(dev), errors);
      await waitPage(page, () => (window.__abrkitDemo?.sessions() ?? 0) >= 1, 10_000, 'the first session');
      expect(await page.isHidden('#latency-panel')).toBe(true);
      expect(await page.isDisabled('#latency-target')).toBe(true);
      await page.selectOption('#trace', 'step-down');
      await page.check('#live');
      // live picks the low-latency algorithm and starts a live session at once
      await waitPage(page, () => window.__abrkitDemo?.current()?.live === true, 15_000, 'a live session');
      expect(await page.inputValue('#algorithm')).toBe('l2a-ll');
      expect(await page.isEnabled('#latency-target')).toBe(true);
      expect(await page.isVisible('#latency-panel')).toBe(true);
      // play some seconds
      await waitPage(
        page,
        () => (window.__abrkitDemo?.latency().length ?? 0) >= 20,
        40_000,
        '10 s of latency samples',
      );
      const samples = await page.evaluate(() => window.__abrkitDemo!.latency());
      // the target is the page's (6 s: three target durations of the fixture's 2 s segments)
      for (const s of samples) expect(s.targetLatencyMs).toBe(6000);
      // the player joined at the target and stays near it: never past its jump limit (target + three target
      // durations), within 2.5 s of the target once playing, and it plays at a rate in [1, 1.1]
      for (const s of samples) expect(s.latencyMs).toBeLessThan(6000 + 6000 + 1000);
      for (const s of samples.slice(4)) expect(Math.abs(s.latencyMs - 6000)).toBeLessThan(2500);
      for (const s of samples) {
        expect(s.playbackRate).toBeGreaterThanOrEqual(1);
        expect(s.playbackRate).toBeLessThanOrEqual(1.1 + 1e-9);
      }
      // the latency chart draws them: latency, target and playback rate
      const points = await page.evaluate(() => window.__abrkitDemo!.chartPoints());
      expect(points.latency).toBeGreaterThanOrEqual(samples.length);
      expect(points.latencyTarget).toBe(points.latency);
      expect(points.playbackRate).toBe(points.latency);
      expect(points.bitrate).toBeGreaterThan(0);
      // live segments (?msn=) came through the shaping session: the decisions go on past the first window
      const decisions = await page.evaluate(() => window.__abrkitDemo!.decisions());
      expect(decisions.length).toBeGreaterThan(5);
      expect(await page.evaluate(() => window.__abrkitDemo!.overlay())).toMatch(
        /latency +\d+\.\d s at 1\.\d\d×/,
      );
      expect(await page.textContent('#qoe')).toMatch(/mean latency\d+\.\d s/);
      // the simulator runs live too, with the same latency target; the offline optimum (VOD only) is left out
      await waitPage(
        page,
        () => (window.__abrkitDemo?.compareRows().length ?? 0) >= 2,
        30_000,
        'the live simulator comparison',
      );
      const rows = await page.evaluate(() => window.__abrkitDemo!.compareRows());
      expect(rows.map((r) => r.algorithm)).not.toContain('optimal');
      for (const row of rows) {
        expect(row.error, row.algorithm).toBeUndefined();
        expect(row.meanLatencyMs, row.algorithm).toBeGreaterThan(3000);
        expect(row.meanLatencyMs, row.algorithm).toBeLessThan(12_000);
      }
      const table = await page.textContent('#compare-table');
      expect(table).toContain('mean latency (s)');
      expect(table).toMatch(/this session, live stream \(partial, \d+ segments\): l2a-ll/);
      expect(table).toContain('plans VOD sessions only');
      // the link carries live, and opening it plays live again; no error anywhere
      const link = await page.inputValue('#share-link');
      expect(link).toMatch(/live=1/);
      const shared = await openDemo(browser, link, errors);
      await waitPage(
        shared,
        () => window.__abrkitDemo?.current()?.live === true,
        15_000,
        'the shared live session',
      );
      expect(await shared.isChecked('#live')).toBe(true);
      expect(await shared.inputValue('#algorithm')).toBe('l2a-ll');
      await shared.close();
      expect(await page.evaluate(() => window.__abrkitDemo!.errors())).toEqual([]);
      expect(await page.evaluate(() => window.__abrkitDemo!.fieldErrors())).toEqual({});
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'demo-live.png'), fullPage: true });
      // live faults: a bad spec is shown next to its field, a good one starts a session with them
      await page.fill('#live-faults', 'nonsense=1');
      await page.press('#live-faults', 'Tab');
      await expect
        .poll(() => page.evaluate(() => Object.keys(window.__abrkitDemo!.fieldErrors())))
        .toEqual(['live-faults']);
      await page.fill('#live-faults', 'stale=4000-8000');
      await page.press('#live-faults', 'Tab');
      await waitPage(
        page,
        () => /live faults stale=4000-8000/.test(window.__abrkitDemo?.log()[0]?.text ?? ''),
        15_000,
        'a session with live faults',
      );
      expect(await page.evaluate(() => window.__abrkitDemo!.fieldErrors())).toEqual({});
      expect(await page.inputValue('#share-link')).toMatch(/liveFaults=stale%3D4000-8000/);
      // a bad latency target is shown next to its field; switching live off restores the algorithm
      await page.fill('#latency-target', '0');
      await page.press('#latency-target', 'Tab');
      await expect
        .poll(() => page.evaluate(() => Object.keys(window.__abrkitDemo!.fieldErrors())))
        .toEqual(['latency-target']);
      await page.fill('#latency-target', '6');
      await page.uncheck('#live');
      await waitPage(
        page,
        () => window.__abrkitDemo?.current()?.live === false,
        15_000,
        'a VOD session again',
      );
      expect(await page.inputValue('#algorithm')).not.toBe('l2a-ll');
      expect(await page.isHidden('#latency-panel')).toBe(true);
      await page.close();
    }, 120_000);

    it('replays an uploaded trace and an exported session, and plays unshaped without the API', async ({
      expect,
    }) => {
      const errors: string[] = [];
      const page = await openDemo(browser, baseUrl(dev), errors);
      await waitPage(page, () => (window.__abrkitDemo?.sessions() ?? 0) >= 1, 10_000, 'the first session');

      // an uploaded Sabre JSON trace is parsed in the page and POSTed: the new session follows it
      const sabre = [
        { duration_ms: 6000, bandwidth_kbps: 3000, latency_ms: 30 },
        { duration_ms: 30000, bandwidth_kbps: 900, latency_ms: 30 },
      ];
      await page.setInputFiles('#trace-file', {
        name: 'uploaded-steps.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(sabre)),
      });
      await waitPage(
        page,
        () =>
          window.__abrkitDemo?.current()?.trace === 'uploaded-steps' &&
          (window.__abrkitDemo?.qoe()?.segments ?? 0) >= 3,
        20_000,
        'a session on the uploaded trace',
      );
      expect(await page.textContent('#trace-description')).toContain('2 periods');

      // export: the session file has the player's export, the trace and the settings
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
      const path = await download.path();
      const recording = JSON.parse(await readFile(path, 'utf8')) as {
        kind: string;
        settings: { algorithm: string; bufferTargetMs: number };
        trace: { name: string; periods: unknown[] };
        session: { records: unknown[]; qoe: { segments: number } };
      };
      expect(recording.kind).toBe('abrkit-demo-session');
      expect(recording.trace.name).toBe('uploaded-steps');
      expect(recording.trace.periods).toHaveLength(2);
      expect(recording.session.records.length).toBeGreaterThanOrEqual(3);
      const recordedAlgorithm = recording.settings.algorithm;
      // `abrkit trace from-session` on this very file: the throughput the player observed, not the input trace
      const fromSession = parseSessionExport(await readFile(path, 'utf8'), path);
      expect(fromSession.container).toBe('demo-session');
      expect(fromSession.records).toBe(recording.session.records.length);
      expect(fromSession.trace.periods).toEqual(
        (recording.session as unknown as { trace: { periods: unknown[] } }).trace.periods,
      );
      expect(fromSession.trace.periods.length).toBeGreaterThanOrEqual(3);
      expect(fromSession.inputTrace).toEqual({ name: 'uploaded-steps', periods: 2 });

      // load it back: a new shaped session on its trace with its algorithm, its records shown
      const sessionsBefore = await page.evaluate(() => window.__abrkitDemo!.sessions());
      await page.selectOption('#algorithm', recordedAlgorithm === 'bba' ? 'bola' : 'bba');
      await page.setInputFiles('#load-session', path);
      await waitPage(
        page,
        // the replay itself, not the session the algorithm change above started (a different algorithm)
        `(window.__abrkitDemo?.current()?.trace ?? '') === 'uploaded-steps' &&
          window.__abrkitDemo?.current()?.algorithm === ${JSON.stringify(recordedAlgorithm)} &&
          (window.__abrkitDemo?.sessions() ?? 0) >= 3`,
        20_000,
        'the replay session',
      );
      expect(await page.evaluate(() => window.__abrkitDemo!.sessions())).toBeGreaterThan(sessionsBefore);
      expect(await page.evaluate(() => window.__abrkitDemo!.current()?.algorithm)).toBe(recordedAlgorithm);
      expect(await page.locator('#recorded-table tbody tr').count()).toBe(recording.session.records.length);
      expect(await page.textContent('#compare-table')).toContain(`recorded: ${recordedAlgorithm}`);
      // the warning about the algorithm picked before (bba) went with it
      expect(await page.isVisible('#algorithm-warning')).toBe(recordedAlgorithm === 'bba');
      await page.screenshot({ path: join(ARTIFACTS, 'demo-replay.png'), fullPage: true });
      // a new session (not the replay) clears the recorded rows
      await page.selectOption('#algorithm', recordedAlgorithm === 'bola' ? 'throughput' : 'bola');
      await waitPage(
        page,
        () => !(document.querySelector('#compare-table')?.textContent ?? '').includes('recorded:'),
        10_000,
        'the recorded row to go',
      );
      expect(await page.isHidden('#recorded')).toBe(true);
      expect(errors).toEqual([]);
      await page.close();

      // without the API (a static host): unshaped /fixtures media plays, and the page says shaping is off
      const bare = await browser.newPage();
      const bareErrors: string[] = [];
      bare.on('pageerror', (error) => bareErrors.push(`pageerror: ${error.message}`));
      await bare.route('**/api/**', (route) => route.fulfill({ status: 404, body: 'not found' }));
      await bare.goto(baseUrl(dev));
      await waitPage(
        bare,
        () => {
          const h = window.__abrkitDemo;
          return h !== undefined && h.state() === 'playing' && h.bitrates().length > 1;
        },
        20_000,
        'unshaped playback without the API',
      );
      expect(await bare.evaluate(() => window.__abrkitDemo!.shaping())).toBe(false);
      expect(await bare.evaluate(() => window.__abrkitDemo!.current()?.url)).toBe(
        '/fixtures/ladder/master.m3u8',
      );
      expect(await bare.isVisible('#banner')).toBe(true);
      expect(await bare.textContent('#banner')).toContain('Shaping unavailable');
      await bare.screenshot({ path: join(ARTIFACTS, 'demo-no-api.png'), fullPage: true });
      // what needs the API is off: live and shaping a URL
      expect(await bare.isDisabled('#live')).toBe(true);
      expect(await bare.isDisabled('#shape-url')).toBe(true);
      // a typed HLS URL plays unshaped too (here the fixture's own URL)
      await bare.fill('#hls-url', '/fixtures/ladder/master.m3u8?typed');
      await bare.click('#play-url');
      await waitPage(
        bare,
        () => {
          const h = window.__abrkitDemo;
          return h?.current()?.url === '/fixtures/ladder/master.m3u8?typed' && h.bitrates().length > 1;
        },
        20_000,
        'the typed URL to play',
      );
      expect(await bare.evaluate(() => window.__abrkitDemo!.current()?.trace)).toBeNull();
      expect(bareErrors).toEqual([]);
      await bare.close();
    }, 120_000);
  });

  describe('controls and the build', { concurrent: true }, () => {
    it('every control changes something, with a screenshot of each state', async ({ expect }) => {
      const errors: string[] = [];
      const page = await openDemo(browser, baseUrl(dev), errors);
      const sessions = (): Promise<number> => page.evaluate(() => window.__abrkitDemo!.sessions());
      const shot = (name: string): Promise<Buffer> =>
        page.screenshot({ path: join(ARTIFACTS, `demo-${name}.png`), fullPage: true });
      /** Waits for a new session after `act`. */
      const restarts = async (what: string, act: () => Promise<unknown>): Promise<void> => {
        const before = await sessions();
        await act();
        await page
          .waitForFunction((n) => (window.__abrkitDemo?.sessions() ?? 0) > n, before, { timeout: 15_000 })
          .catch(async (error: unknown) => {
            const log = await page.evaluate(() => window.__abrkitDemo!.log().slice(-4));
            throw new Error(`${what}: no new session: ${String(error)} ${JSON.stringify(log)}`);
          });
        expect(await sessions(), what).toBeGreaterThan(before);
      };
      await waitPage(page, () => (window.__abrkitDemo?.decisions().length ?? 0) >= 2, 20_000, 'decisions');
      await shot('initial');

      // no dead control: every control of the page is exercised by one of these tests (a new one must be
      // added here, and to a test); the option fields (data-option) are exercised through reservoirMs
      const controlIds = await page.$$eval('main input[id], main select[id], main button[id]', (els) =>
        els.map((e) => e.id),
      );
      expect(controlIds.sort()).toEqual(
        [
          'sample', // oscillation and single-360p samples below
          'fixture', // disabled: one bundled video (asserted below)
          'algorithm',
          'algorithm-fix',
          'trace',
          'trace-file', // the replay test
          'faults',
          'buffer-target',
          'live', // the live test
          'latency-target', // the live test
          'live-faults', // the live test
          'estimator',
          'start-estimate',
          'rendition',
          'cap',
          'restart',
          'hls-url', // shaped below; unshaped in the replay test and the 360p sample
          'shape-url',
          'play-url',
          'export', // the replay test
          'load-session', // the replay test
          'share-link',
          'copy-link',
          'compare',
        ].sort(),
      );
      expect(await page.isDisabled('#fixture')).toBe(true);
      expect(await page.$$eval('#fixture option', (o) => o.length)).toBe(1);

      // the legends show no `--` before any hover, and the stats overlay shows the session
      for (const chart of ['buffer', 'throughput', 'bitrate']) {
        expect(await page.textContent(`#chart-${chart} .u-legend`), chart).not.toContain('--');
      }
      await expect
        .poll(() => page.evaluate(() => window.__abrkitDemo!.overlay()))
        .toMatch(
          /rendition +\d+p · \d+ kbps \(auto\)[\s\S]*buffer +\d+\.\d s[\s\S]*dropped +\d+ of \d+ frames/,
        );

      // rendition pickers carry resolution labels next to kbps
      const renditionLabels = await page.$$eval('#rendition option', (o) =>
        o.map((x) => (x as HTMLOptionElement).text),
      );
      expect(renditionLabels[0]).toBe('Auto');
      expect(renditionLabels.slice(1)).toEqual([
        expect.stringMatching(/^144p · \d+ kbps$/),
        expect.stringMatching(/^240p · \d+ kbps$/),
        expect.stringMatching(/^360p · \d+ kbps$/),
        expect.stringMatching(/^480p · \d+ kbps$/),
      ]);

      // a manual pick applies from the next segment, without a restart; the overlay says so
      const pickSessions = await sessions();
      await page.selectOption('#rendition', '2');
      await waitPage(
        page,
        () =>
          (window.__abrkitDemo?.decisions() ?? []).some(
            (d) => d.renditionIndex === 2 && d.reason.startsWith('manual pick: 360p'),
          ),
        30_000,
        'a manual 360p decision',
      );
      expect(await sessions()).toBe(pickSessions);
      expect(await page.evaluate(() => window.__abrkitDemo!.overlay())).toContain('(manual)');
      await shot('manual-360p');
      // a cap below the pick holds it down
      await page.selectOption('#cap', '1');
      await waitPage(
        page,
        () =>
          (window.__abrkitDemo?.decisions() ?? []).some(
            (d) => d.renditionIndex === 1 && d.reason.includes('(capped at 240p'),
          ),
        30_000,
        'a capped decision',
      );
      await page.selectOption('#rendition', '');
      await page.selectOption('#cap', '');
      expect(await page.evaluate(() => window.__abrkitDemo!.steering())).toEqual({ manual: null, cap: null });

      // bba with the 10 s buffer target is flagged, and the fix raises the target
      await restarts('algorithm', () => page.selectOption('#algorithm', 'bba'));
      expect(await page.isVisible('#algorithm-warning')).toBe(true);
      expect(await page.textContent('#algorithm-warning-text')).toMatch(
        /15 s buffered.*buffer target is 10 s/,
      );
      await shot('bba-warning');
      await restarts('fix', () => page.click('#algorithm-fix'));
      expect(await page.inputValue('#buffer-target')).toBe('20');
      expect(await page.isHidden('#algorithm-warning')).toBe(true);
      // an option change restarts too
      await restarts('option', () =>
        page
          .fill('[data-option="reservoirMs"]', '3000')
          .then(() => page.press('[data-option="reservoirMs"]', 'Tab')),
      );

      // a bad setting shows its error next to its field, and the next good start clears it
      await page.fill('#buffer-target', '1');
      await page.press('#buffer-target', 'Tab');
      await expect
        .poll(() => page.evaluate(() => Object.keys(window.__abrkitDemo!.fieldErrors())))
        .toEqual(['buffer-target']);
      expect((await page.evaluate(() => window.__abrkitDemo!.fieldErrors()))['buffer-target']).toContain(
        'between 2 and 120 s',
      );
      expect(await page.isVisible('[data-error-for="buffer-target"]')).toBe(true);
      expect(await page.getAttribute('#buffer-target', 'aria-invalid')).toBe('true');
      await shot('field-error');
      await page.fill('#buffer-target', '20');
      await page.fill('#faults', 'nonsense=1');
      await page.press('#faults', 'Tab');
      await expect
        .poll(() => page.evaluate(() => Object.keys(window.__abrkitDemo!.fieldErrors())))
        .toEqual(['faults']);
      expect((await page.evaluate(() => window.__abrkitDemo!.fieldErrors())).faults).toMatch(/nonsense/);
      await restarts('faults cleared', () =>
        page.fill('#faults', '').then(() => page.press('#faults', 'Tab')),
      );
      expect(await page.evaluate(() => window.__abrkitDemo!.fieldErrors())).toEqual({});

      // estimator, start estimate, trace, restart button: each starts a new session that uses it
      await restarts('estimator', () => page.selectOption('#estimator', 'harmonic'));
      await restarts('start estimate', () =>
        page.fill('#start-estimate', '1200').then(() => page.press('#start-estimate', 'Tab')),
      );
      expect(await page.evaluate(() => window.__abrkitDemo!.log()[0]?.text)).toMatch(
        /estimator harmonic, start estimate 1200 kbps/,
      );
      await restarts('trace', () => page.selectOption('#trace', 'constant-1500'));
      expect(await page.evaluate(() => window.__abrkitDemo!.current()?.trace)).toBe('constant-1500');
      await restarts('restart button', () => page.click('#restart'));

      // the link carries the settings; opening it restores them
      const link = await page.inputValue('#share-link');
      expect(link).toMatch(/algorithm=bba/);
      expect(link).toMatch(/buffer=20/);
      expect(link).toMatch(/estimator=harmonic/);
      expect(link).toMatch(/start=1200/);
      expect(link).toMatch(/opt\.reservoirMs=3000/);
      expect(link).toMatch(/trace=constant-1500/);
      expect(page.url()).toBe(link);
      const copyText = await page.textContent('#copy-link');
      await page.click('#copy-link');
      await expect.poll(() => page.textContent('#copy-link')).not.toBe(copyText);
      const shared = await openDemo(browser, link, errors);
      await waitPage(shared, () => (window.__abrkitDemo?.sessions() ?? 0) >= 1, 10_000, 'the shared session');
      expect(await shared.inputValue('#algorithm')).toBe('bba');
      expect(await shared.inputValue('[data-option="reservoirMs"]')).toBe('3000');
      expect(await shared.inputValue('#buffer-target')).toBe('20');
      expect(await shared.inputValue('#estimator')).toBe('harmonic');
      expect(await shared.inputValue('#start-estimate')).toBe('1200');
      expect(await shared.evaluate(() => window.__abrkitDemo!.current()?.trace)).toBe('constant-1500');
      await shared.close();

      // sample streams: a shaped scenario, and one rendition's playlist on its own
      await restarts('sample', () => page.selectOption('#sample', 'oscillation'));
      expect(await page.evaluate(() => window.__abrkitDemo!.current())).toMatchObject({
        algorithm: 'bola',
        trace: 'oscillation',
      });
      // the compare button runs the simulator again
      await waitPage(page, () => (window.__abrkitDemo?.compareRows().length ?? 0) > 0, 30_000, 'rows');
      await page.evaluate(() => document.querySelector('#compare-table')!.replaceChildren());
      await page.click('#compare');
      await expect.poll(() => page.textContent('#compare-table'), { timeout: 20_000 }).toMatch(/sim: /);

      await restarts('single-rendition sample', () => page.selectOption('#sample', 'single-360p'));
      expect(await page.evaluate(() => window.__abrkitDemo!.current()?.url)).toBe(
        '/fixtures/ladder/360p/index.m3u8',
      );
      await waitPage(
        page,
        () => (window.__abrkitDemo?.bitrates().length ?? 0) >= 2,
        20_000,
        'the 360p sample',
      );
      await shot('sample-360p');

      // a typed URL, shaped: the dev server copies the stream and plays the copy under the trace
      await restarts('shaped URL', async () => {
        await page.fill('#hls-url', '/fixtures/ladder/master.m3u8?own');
        expect(await page.isChecked('#shape-url')).toBe(true);
        await page.click('#play-url');
      });
      await waitPage(
        page,
        () => {
          const h = window.__abrkitDemo;
          return (h?.current()?.url ?? '').startsWith('/shaped/') && (h?.bitrates().length ?? 0) >= 2;
        },
        30_000,
        'the shaped copy of a typed URL',
      );
      expect(await page.evaluate(() => window.__abrkitDemo!.current()?.trace)).toBe('oscillation');
      expect(
        await page.evaluate(() =>
          window.__abrkitDemo!.log().some((e) => /copied to the dev server/.test(e.text)),
        ),
      ).toBe(true);
      expect(await page.inputValue('#share-link')).toMatch(/shape=1/);
      await shot('url-shaped');
      // a setting changed restarts the same URL (its copy is kept), not the bundled video
      await restarts('trace on the shaped URL', () => page.selectOption('#trace', 'constant-1500'));
      await waitPage(
        page,
        () =>
          window.__abrkitDemo?.current()?.trace === 'constant-1500' &&
          (window.__abrkitDemo?.log() ?? []).some((e) => /master\.m3u8\?own: copied/.test(e.text)),
        20_000,
        'the shaped URL under the new trace',
      );

      expect(await page.evaluate(() => window.__abrkitDemo!.errors())).toEqual([]);
      expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
      await page.close();

      // modules that fail to load (Vite's 504 after `npm ci` under `npm start`): the page says what to do
      const broken = await browser.newPage();
      await broken.route('**/src/main.ts*', (route) =>
        route.fulfill({ status: 504, contentType: 'text/plain', body: 'Outdated Optimize Dep' }),
      );
      await broken.goto(baseUrl(dev));
      await broken.waitForSelector('#load-failure:not([hidden])', { timeout: 15_000 });
      expect(await broken.textContent('#load-failure')).toMatch(
        /main\.ts failed to load.*run npm start again/s,
      );
      await broken.screenshot({ path: join(ARTIFACTS, 'demo-load-failure.png') });
      await broken.close();
    }, 240_000);

    it('builds with `vite build` and the build loads and plays under `vite preview`', async ({ expect }) => {
      const outDir = await mkdtemp(join(tmpdir(), 'abrkit-demo-build-'));
      let server: PreviewServer | undefined;
      try {
        await build({
          configFile: CONFIG_FILE,
          root: join(REPO, 'demo'),
          logLevel: 'warn',
          build: { outDir, emptyOutDir: true },
        });
        expect((await stat(join(outDir, 'index.html'))).isFile()).toBe(true);
        server = await preview({
          configFile: CONFIG_FILE,
          root: join(REPO, 'demo'),
          logLevel: 'warn',
          build: { outDir },
          preview: { port: 0, host: '127.0.0.1', strictPort: false },
        });
        const errors: string[] = [];
        const page = await openDemo(browser, baseUrl(server), errors);
        await waitPage(
          page,
          () => {
            const h = window.__abrkitDemo;
            return (
              h !== undefined &&
              h.state() === 'playing' &&
              h.chartPoints().buffer > 0 &&
              h.bitrates().length > 1
            );
          },
          30_000,
          'the built page to play',
        );
        expect(await page.evaluate(() => (document.querySelector('video')?.currentTime ?? 0) > 0)).toBe(true);
        // `vite preview` has the demo API too: the session is shaped and the built worker runs the simulator
        expect(await page.evaluate(() => window.__abrkitDemo!.shaping())).toBe(true);
        await waitPage(
          page,
          () => (window.__abrkitDemo?.compareRows().length ?? 0) > 0,
          20_000,
          'the simulator comparison in the build',
        );
        expect(errors).toEqual([]);
        await page.close();
      } finally {
        await server?.close();
        await rm(outDir, { recursive: true, force: true });
      }
    }, 120_000);
  });
});
