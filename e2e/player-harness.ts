/**
 * What the browser e2e tests share: bundles built for the browser (vite `build` in lib mode into a temp dir),
 * one page opener for any bundle, the fixtures behind the shaping server (src/shaping: bandwidth as a trace,
 * faults as a seeded spec), and the player run recorder the player and chaos tests read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { startShapingServer } from '../src/shaping/index.js';
import type { ShapingServer, ShapingServerOptions } from '../src/shaping/index.js';
import type * as PlayerModule from '../src/player/index.js';
import { REPO_ROOT } from '../test/support/shared-data.js';

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
        rollupOptions: { output: { codeSplitting: !singleFile } },
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

/** A bandwidth far above the fixture ladder (1.2 Mbps top): what the tests call an unthrottled link, kbps. */
export const FAST_LINK_KBPS = 100_000;

/**
 * Serves fixtures/ through the shaping server on 127.0.0.1: by default over a constant {@link FAST_LINK_KBPS}
 * link without faults; pass a `trace` (e.g. `step:4000x12s,300x60s`) or `faults` (e.g.
 * `404=1,first=1,pattern=/seg_00003/`) to shape it. The trace clock starts at the first request.
 */
export function serveFixtures(options: Partial<ShapingServerOptions> = {}): Promise<ShapingServer> {
  return startShapingServer({ root: FIXTURES_DIR, trace: `constant:${FAST_LINK_KBPS}`, ...options });
}

/** Resolves once the server's trace clock (ms since its first request) reaches `traceMs`. */
export async function waitTraceMs(server: ShapingServer, traceMs: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = server.traceNowMs();
    if (now !== null && now >= traceMs) return;
    if (Date.now() > deadline) throw new Error(`trace time ${String(now)} ms did not reach ${traceMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Opens a page on the server's origin with a muted `<video id="v">` (854x480) and `bundle` loaded as a module:
 * the module's namespace is `window[globalName]` when a name is given, else each export is a global of its own
 * (`window.startHls`). Resolves once the module ran.
 */
export async function openBundlePage(
  page: Page,
  serverUrl: string,
  bundle: string,
  globalName?: string,
): Promise<void> {
  await page.route(`${serverUrl}/__bundle__.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: bundle }),
  );
  const expose =
    globalName === undefined ? 'Object.assign(window, mod);' : `window[${JSON.stringify(globalName)}] = mod;`;
  await page.route(`${serverUrl}/__page__.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body:
        '<!doctype html><html><body><video id="v" muted playsinline width="854" height="480"></video>' +
        `<script type="module">import * as mod from "/__bundle__.js"; ${expose} window.bundleReady = true;</script>` +
        '</body></html>',
    }),
  );
  await page.goto(`${serverUrl}/__page__.html`);
  await page.waitForFunction(() => (window as unknown as { bundleReady?: boolean }).bundleReady === true);
}

/** Opens a page on the fixture server's origin with a muted `<video id="v">` and `window.abrkit` = the bundle. */
export function openPlayerPage(page: Page, serverUrl: string, bundle: string): Promise<void> {
  return openBundlePage(page, serverUrl, bundle, 'abrkit');
}

/** What the page records of a player run (kept on `window.run`); times on the page's `performance.now()`. */
export interface PlayerRun {
  states: string[];
  /** Each state change with its time. */
  stateLog: { state: string; atMs: number }[];
  decisions: { segmentIndex: number; renditionIndex: number; reason: string; bufferLevelMs: number }[];
  downloads: {
    url: string;
    kind: string;
    segmentIndex: number;
    renditionIndex: number;
    sizeBytes: number;
    startMs: number;
    firstByteMs: number;
    endMs: number;
    aborted: boolean;
  }[];
  errors: { code: string; message: string; source: string | null }[];
  /** `retry` events: the error (code, URL) and what the player does next. */
  retries: {
    code: string;
    source: string | null;
    segmentIndex: number;
    renditionIndex: number;
    attempt: number;
    delayMs: number;
    nextRenditionIndex: number;
    atMs: number;
  }[];
  /** `loadRetry` events: a playlist request retried. */
  loadRetries: { code: string; url: string; attempt: number }[];
  /** `exclusion` events: a rendition set aside. */
  exclusions: { renditionIndex: number | null; url: string; code: string }[];
  /** `playback` events: pauses, plays, rate changes of the element. */
  playbacks: { reason: string; paused: boolean; connected: boolean }[];
  /** How `load()` ended: null while pending, 'resolved', or the rejection's code and message. */
  loadResult: null | 'resolved' | { code: string; message: string };
  segments: { segment: number; rendition: number; rebufferMs: number; sizeBytes: number }[];
  qoe: { stallCount: number; stallMs: number; startupMs: number | null; segments: number } | null;
  ended: boolean;
}

/**
 * Starts `createPlayer(options)` in a page opened with {@link openPlayerPage}, on `path` at `playbackRate`;
 * the run is recorded in `window.run` and the player is `window.player`.
 */
export async function startPlayerRun(
  page: Page,
  path: string,
  options: Record<string, unknown>,
  playbackRate = 1,
): Promise<void> {
  await page.evaluate(
    async ({ path, options, playbackRate }) => {
      const w = window as unknown as Record<string, unknown>;
      const abrkit = w.abrkit as typeof PlayerModule;
      const video = document.getElementById('v') as HTMLVideoElement;
      const run: PlayerRun = {
        states: [],
        stateLog: [],
        decisions: [],
        downloads: [],
        errors: [],
        retries: [],
        loadRetries: [],
        exclusions: [],
        playbacks: [],
        loadResult: null,
        segments: [],
        qoe: null,
        ended: false,
      };
      w.run = run;
      const player = abrkit.createPlayer(options);
      w.player = player;
      player.state$.subscribe((s) => {
        run.states.push(s);
        run.stateLog.push({ state: s, atMs: performance.now() });
        if (s === 'ended') run.ended = true;
      });
      player.decision$.subscribe((d) => run.decisions.push(d));
      player.download$.subscribe((d) => run.downloads.push({ ...d }));
      player.error$.subscribe((e) =>
        run.errors.push({
          code: e.code,
          message: e.message,
          source: typeof e.data.source === 'string' ? e.data.source : null,
        }),
      );
      player.on('retry', (r) =>
        run.retries.push({
          code: r.error.code,
          source: typeof r.error.data.source === 'string' ? r.error.data.source : null,
          segmentIndex: r.segmentIndex,
          renditionIndex: r.renditionIndex,
          attempt: r.attempt,
          delayMs: r.delayMs,
          nextRenditionIndex: r.nextRenditionIndex,
          atMs: performance.now(),
        }),
      );
      player.on('loadRetry', (r) =>
        run.loadRetries.push({ code: r.error.code, url: r.url, attempt: r.attempt }),
      );
      player.on('exclusion', (x) =>
        run.exclusions.push({ renditionIndex: x.renditionIndex, url: x.url, code: x.error.code }),
      );
      player.on('playback', (p) =>
        run.playbacks.push({ reason: p.reason, paused: p.paused, connected: p.connected }),
      );
      player.segment$.subscribe((r) => run.segments.push(r));
      player.qoe$.subscribe((q) => (run.qoe = q));
      video.playbackRate = playbackRate;
      for (const event of ['playing', 'canplay', 'loadedmetadata'])
        video.addEventListener(event, () => (video.playbackRate = playbackRate));
      player.attach(video);
      try {
        await player.load(path);
        run.loadResult = 'resolved';
      } catch (error) {
        const e = error as { code?: string; message?: string };
        run.loadResult = { code: e.code ?? 'unknown', message: e.message ?? String(error) };
      }
    },
    { path, options, playbackRate },
  );
}

export function getPlayerRun(page: Page): Promise<PlayerRun> {
  return page.evaluate(() => (window as unknown as { run: PlayerRun }).run);
}

/** Waits for `predicate` (an expression over `run`) in the page; on timeout the error shows the run and the element. */
export async function waitPlayerRun(page: Page, predicate: string, timeoutMs: number): Promise<PlayerRun> {
  try {
    await page.waitForFunction(`(() => { const run = window.run; return ${predicate}; })()`, null, {
      timeout: timeoutMs,
    });
  } catch (error) {
    const dump = await page.evaluate(() => {
      const v = document.getElementById('v') as HTMLVideoElement;
      const run = (window as unknown as { run: PlayerRun }).run;
      const ranges = Array.from({ length: v.buffered.length }, (_, i) => [
        v.buffered.start(i),
        v.buffered.end(i),
      ]);
      return JSON.stringify({
        currentTime: v.currentTime,
        paused: v.paused,
        readyState: v.readyState,
        rate: v.playbackRate,
        ranges,
        states: run.states,
        segments: run.segments.map((s) => `${s.segment}@${s.rendition}`).join(' '),
        errors: run.errors,
        retries: run.retries,
      });
    });
    throw new Error(`${String(error)}\n${dump}`, { cause: error });
  }
  return getPlayerRun(page);
}

export const FIXTURES_DIR = join(REPO_ROOT, 'fixtures');
