/**
 * What the soak bench (bench/soak.ts) and its shortened e2e version (e2e/soak.e2e.test.ts) share: a long VOD
 * (src/media/long-vod.ts) served by the shaping server under a looped synthetic trace with seeded faults, the
 * player in Debian chromium, and a sampler of what could leak.
 *
 * The page is instrumented before the player bundle loads (`page.addInitScript`): `fetch`, the timer
 * functions and `EventTarget.prototype.add/removeEventListener` are wrapped to count what is open, per kind
 * of target (the video element, MediaSource, SourceBuffers, other). The page script itself adds no listener,
 * timer or fetch (samples are pulled from Node with `page.evaluate`), so what the counters show after
 * `destroy()` is what the player left behind.
 *
 * A sample (every `sampleEveryMs`): the video and audio SourceBuffers' buffered ranges around the playhead,
 * the JS heap through the DevTools protocol (`HeapProfiler.collectGarbage` first, then `Performance.getMetrics`:
 * JSHeapUsedSize, JSEventListeners, Nodes, Documents), the page's open fetches / timers / listeners, the
 * player's `pendingWork()` and its internal queues (read off private fields, for diagnostics only: they may
 * be renamed without notice, and a missing one reads as null).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { writeLongVod } from '../../src/media/long-vod.js';
import type { LongVod } from '../../src/media/long-vod.js';
import { startShapingServer } from '../../src/shaping/index.js';
import type { ShapingServer } from '../../src/shaping/index.js';
import type * as PlayerModule from '../../src/player/index.js';
import { REPO_ROOT } from '../../test/support/shared-data.js';
import { buildPlayerBundle, openPlayerPage } from '../player-harness.js';
import { launchBrowser } from './browser.js';
import type { LaunchedBrowser } from './browser.js';

export interface SoakOptions {
  /** Length of the generated VOD, ms (at least the run's media time). */
  readonly vodDurationMs: number;
  /** Trace spec for the shaping server (looped). */
  readonly trace: string;
  /** Fault spec (seeded by `seed`). */
  readonly faults?: string;
  readonly seed: number;
  /** `createPlayer` options (plain data: they cross into the page). */
  readonly player: { bufferTargetMs: number; backBufferMs: number } & Record<string, unknown>;
  /** The element's playback rate (default 1). */
  readonly playbackRate?: number;
}

/** Page-side counters (see the file comment). */
export interface PageCounters {
  readonly fetchesOpen: number;
  readonly fetchesStarted: number;
  readonly timeoutsActive: number;
  readonly intervalsActive: number;
  /** Listeners currently registered, by target kind (`video`, `MediaSource`, `SourceBuffer`, `AbortSignal`, ...). */
  readonly listeners: Readonly<Record<string, number>>;
}

export interface SoakSample {
  /** Wall time since the run started, ms. */
  readonly atMs: number;
  readonly positionS: number;
  readonly state: string;
  /** Buffered ranges of each SourceBuffer, s. */
  readonly videoRangesS: [number, number][];
  readonly audioRangesS: [number, number][];
  /** Media buffered ahead of / behind the playhead in the range holding it, ms (the larger of the tracks). */
  readonly aheadMs: number;
  readonly behindMs: number;
  /** Buffered media in all ranges, ms (the larger of the tracks). */
  readonly totalBufferedMs: number;
  readonly heap: {
    readonly jsHeapUsedBytes: number;
    readonly jsHeapTotalBytes: number;
    readonly jsEventListeners: number;
    readonly nodes: number;
    readonly documents: number;
  };
  readonly page: PageCounters;
  readonly pendingWork: { timers: number; requests: number };
  /** The player's queues (private fields, diagnostics only). */
  readonly queues: Readonly<Record<string, number | null>>;
  readonly stallCount: number;
  readonly segmentsPlayed: number;
  readonly errors: number;
  readonly retries: number;
}

/** The instrumentation, run in the page before anything else (serialized by playwright: self-contained). */
function instrumentPage(): void {
  const w = window as unknown as Record<string, unknown>;
  const counters = {
    fetchesOpen: 0,
    fetchesStarted: 0,
    timeouts: new Set<number>(),
    intervals: new Set<number>(),
    listeners: new Map<string, number>(),
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(target, ...)
  const origAdd = EventTarget.prototype.addEventListener;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(target, ...)
  const origRemove = EventTarget.prototype.removeEventListener;
  const kindOf = (t: EventTarget): string => {
    if (typeof HTMLMediaElement !== 'undefined' && t instanceof HTMLMediaElement) return 'video';
    if (typeof MediaSource !== 'undefined' && t instanceof MediaSource) return 'MediaSource';
    if (typeof SourceBuffer !== 'undefined' && t instanceof SourceBuffer) return 'SourceBuffer';
    if (typeof SourceBufferList !== 'undefined' && t instanceof SourceBufferList) return 'SourceBufferList';
    if (t instanceof AbortSignal) return 'AbortSignal';
    if (t === window) return 'window';
    if (t === document) return 'document';
    return t.constructor?.name ?? 'other';
  };
  // target -> "type|capture" -> original listener -> the function actually registered
  const registry = new WeakMap<EventTarget, Map<string, Map<unknown, EventListener>>>();
  const bump = (t: EventTarget, by: number): void => {
    const kind = kindOf(t);
    counters.listeners.set(kind, (counters.listeners.get(kind) ?? 0) + by);
  };
  const captureOf = (o: boolean | AddEventListenerOptions | EventListenerOptions | undefined): boolean =>
    typeof o === 'boolean' ? o : Boolean(o?.capture);
  EventTarget.prototype.addEventListener = function (
    this: EventTarget,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (listener === null) return;
    const key = `${type}|${captureOf(options)}`;
    let byKey = registry.get(this);
    if (!byKey) registry.set(this, (byKey = new Map<string, Map<unknown, EventListener>>()));
    let byListener = byKey.get(key);
    if (!byListener) byKey.set(key, (byListener = new Map<unknown, EventListener>()));
    if (byListener.has(listener)) return; // a duplicate registration is ignored by the DOM too
    const listeners = byListener;
    const forget = (): void => {
      if (listeners.delete(listener)) bump(this, -1);
    };
    const once = typeof options === 'object' && options.once === true;
    const registered: EventListener = function (this: unknown, event: Event) {
      if (once) forget();
      if (typeof listener === 'function') listener.call(this, event);
      else listener.handleEvent(event);
    };
    byListener.set(listener, registered);
    bump(this, 1);
    const signal = typeof options === 'object' ? options.signal : undefined;
    if (signal) origAdd.call(signal, 'abort', forget, { once: true });
    origAdd.call(this, type, registered, options);
  };
  EventTarget.prototype.removeEventListener = function (
    this: EventTarget,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    if (listener === null) return;
    const byListener = registry.get(this)?.get(`${type}|${captureOf(options)}`);
    const registered = byListener?.get(listener);
    if (!byListener || !registered) {
      origRemove.call(this, type, listener, options);
      return;
    }
    byListener.delete(listener);
    bump(this, -1);
    origRemove.call(this, type, registered, options);
  };

  const origSetTimeout = window.setTimeout.bind(window);
  const origClearTimeout = window.clearTimeout.bind(window);
  const origSetInterval = window.setInterval.bind(window);
  const origClearInterval = window.clearInterval.bind(window);
  window.setTimeout = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    const id: number = origSetTimeout(
      (...a: unknown[]) => {
        counters.timeouts.delete(id);
        if (typeof handler === 'function') (handler as (...x: unknown[]) => void)(...a);
      },
      ms,
      ...args,
    );
    counters.timeouts.add(id);
    return id;
  }) as typeof window.setTimeout;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined) counters.timeouts.delete(id);
    origClearTimeout(id);
  }) as typeof window.clearTimeout;
  window.setInterval = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    const id: number = origSetInterval(handler, ms, ...args);
    counters.intervals.add(id);
    return id;
  }) as typeof window.setInterval;
  window.clearInterval = ((id?: number) => {
    if (id !== undefined) counters.intervals.delete(id);
    origClearInterval(id);
  }) as typeof window.clearInterval;

  // A fetch is open from the call until its promise rejects, or its body is read to the end, cancelled or
  // errors, or its signal aborts, or its response is garbage-collected unread (an error status whose body
  // nobody reads: nothing holds it open then). The player reads bodies through `body.getReader()`.
  const origFetch = window.fetch.bind(window);
  const unread = new FinalizationRegistry<() => void>((close) => close());
  const reading = new Set<Response>();
  interface FetchState {
    open: boolean;
    /** The response while its body is read (then `unread` must not close it). */
    held: Response | null;
  }
  // Made here, not inside the fetch wrapper: a closure there would capture the wrapper's scope, response
  // included, and as `unread`'s held value it would keep its own target alive (every response leaked).
  const closer = (state: FetchState) => (): void => {
    if (state.held) reading.delete(state.held);
    state.held = null;
    if (!state.open) return;
    state.open = false;
    counters.fetchesOpen--;
  };
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    counters.fetchesStarted++;
    counters.fetchesOpen++;
    const state: FetchState = { open: true, held: null };
    const close = closer(state);
    const signal = init?.signal ?? undefined;
    if (signal) {
      if (signal.aborted) close();
      else origAdd.call(signal, 'abort', close, { once: true });
    }
    let response: Response;
    try {
      response = await origFetch(input, init);
    } catch (error) {
      close();
      throw error;
    }
    const body = response.body;
    if (!body) {
      close();
      return response;
    }
    unread.register(response, close);
    let wrapped: ReadableStream<Uint8Array> | null = null;
    const track =
      <T>(read: () => Promise<T>) =>
      async (): Promise<T> => {
        try {
          return await read();
        } finally {
          close();
        }
      };
    Object.defineProperties(response, {
      body: {
        get() {
          if (!wrapped) {
            // held while its body is read, so `unread` cannot close it early
            reading.add(response);
            state.held = response;
            const reader = body.getReader();
            wrapped = new ReadableStream<Uint8Array>({
              async pull(controller) {
                try {
                  const { done, value } = await reader.read();
                  if (done) {
                    close();
                    controller.close();
                  } else controller.enqueue(value);
                } catch (error) {
                  close();
                  controller.error(error);
                }
              },
              cancel(reason) {
                close();
                return reader.cancel(reason);
              },
            });
          }
          return wrapped;
        },
      },
      arrayBuffer: { value: track(() => Response.prototype.arrayBuffer.call(response)) },
      text: { value: track(() => Response.prototype.text.call(response)) },
      json: { value: track(() => Response.prototype.json.call(response) as Promise<unknown>) },
      blob: { value: track(() => Response.prototype.blob.call(response)) },
    });
    return response;
  };

  w.__soak = {
    counters: () => ({
      fetchesOpen: counters.fetchesOpen,
      fetchesStarted: counters.fetchesStarted,
      timeoutsActive: counters.timeouts.size,
      intervalsActive: counters.intervals.size,
      listeners: Object.fromEntries(counters.listeners),
    }),
  };
}

export interface SoakRun {
  readonly page: Page;
  readonly server: ShapingServer;
  readonly vod: LongVod;
  /** Takes one sample. */
  sample(): Promise<SoakSample>;
  /** Calls `player.destroy()` in the page and returns the counters just after and `settleMs` later. */
  destroyPlayer(settleMs?: number): Promise<{
    pendingWork: { timers: number; requests: number };
    counters: PageCounters;
    videoSrc: string;
  }>;
  close(): Promise<void>;
}

/** Starts a soak run: VOD, server, browser, instrumented page, player playing. */
export async function startSoak(options: SoakOptions): Promise<SoakRun> {
  const dir = await mkdtemp(join(tmpdir(), 'abrkit-soak-'));
  let browser: LaunchedBrowser | null = null;
  let server: ShapingServer | null = null;
  try {
    const vod = await writeLongVod({
      sourceDir: join(REPO_ROOT, 'fixtures/ladder'),
      outDir: join(dir, 'vod'),
      durationMs: options.vodDurationMs,
    });
    server = await startShapingServer({
      root: join(dir, 'vod'),
      trace: options.trace,
      loop: true,
      ...(options.faults === undefined ? {} : { faults: options.faults }),
      seed: options.seed,
      maxRequestsKept: 1000,
    });
    const bundle = await buildPlayerBundle();
    browser = await launchBrowser();
    const page = await browser.newPage();
    // tsx (esbuild keepNames) wraps named functions of evaluated code in __name(): make it a no-op
    await page.addInitScript('window.__name = (f) => f');
    await page.addInitScript(instrumentPage);
    await openPlayerPage(page, server.url, bundle);
    const cdp: CDPSession = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.evaluate(
      async ({ url, playerOptions, rate }) => {
        const w = window as unknown as Record<string, unknown>;
        const abrkit = w.abrkit as typeof PlayerModule;
        const video = document.getElementById('v') as HTMLVideoElement;
        const status = { state: 'idle', segments: 0, errors: 0, retries: 0, stallCount: 0 };
        w.soakStatus = status;
        const player = abrkit.createPlayer(playerOptions);
        w.player = player;
        player.on('state', (s) => {
          status.state = s;
          if (s === 'playing' || s === 'loading') video.playbackRate = rate;
        });
        player.on('segment', () => status.segments++);
        player.on('error', () => status.errors++);
        player.on('retry', () => status.retries++);
        player.on('qoe', (q) => (status.stallCount = q.stallCount));
        video.playbackRate = rate;
        player.attach(video);
        await player.load(url);
      },
      { url: `${server.url}/master.m3u8`, playerOptions: options.player, rate: options.playbackRate ?? 1 },
    );
    const startedAt = Date.now();
    const srv = server;
    const b = browser;
    return {
      page,
      server: srv,
      vod,
      sample: async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        const { metrics } = await cdp.send('Performance.getMetrics');
        const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
        const inPage = await page.evaluate(readPageState);
        const range = (ranges: [number, number][]) => {
          let ahead = 0;
          let behind = 0;
          let total = 0;
          for (const [s, e] of ranges) {
            total += (e - s) * 1000;
            if (inPage.positionS >= s - 0.1 && inPage.positionS <= e + 0.1) {
              ahead = Math.max(0, (e - inPage.positionS) * 1000);
              behind = Math.max(0, (inPage.positionS - s) * 1000);
            }
          }
          return { ahead, behind, total };
        };
        const v = range(inPage.videoRangesS);
        const a = range(inPage.audioRangesS);
        return {
          atMs: Date.now() - startedAt,
          positionS: inPage.positionS,
          state: inPage.state,
          videoRangesS: inPage.videoRangesS,
          audioRangesS: inPage.audioRangesS,
          aheadMs: Math.max(v.ahead, a.ahead),
          behindMs: Math.max(v.behind, a.behind),
          totalBufferedMs: Math.max(v.total, a.total),
          heap: {
            jsHeapUsedBytes: metric('JSHeapUsedSize'),
            jsHeapTotalBytes: metric('JSHeapTotalSize'),
            jsEventListeners: metric('JSEventListeners'),
            nodes: metric('Nodes'),
            documents: metric('Documents'),
          },
          page: inPage.counters,
          pendingWork: inPage.pendingWork,
          queues: inPage.queues,
          stallCount: inPage.stallCount,
          segmentsPlayed: inPage.segments,
          errors: inPage.errors,
          retries: inPage.retries,
        };
      },
      destroyPlayer: async (settleMs = 1000) => {
        await page.evaluate(() => {
          const w = window as unknown as { player: { destroy(): void } };
          w.player.destroy();
        });
        await page.waitForTimeout(settleMs);
        // unread responses count as open until collected (see `unread` in instrumentPage)
        await cdp.send('HeapProfiler.collectGarbage');
        await page.waitForTimeout(200);
        return page.evaluate(() => {
          const w = window as unknown as {
            player: { pendingWork(): { timers: number; requests: number } };
            __soak: { counters(): PageCounters };
          };
          const video = document.getElementById('v') as HTMLVideoElement;
          return {
            pendingWork: w.player.pendingWork(),
            counters: w.__soak.counters(),
            videoSrc: video.getAttribute('src') ?? '',
          };
        });
      },
      close: async () => {
        await b.close();
        await srv.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs in the page: what a sample reads there. */
function readPageState(): {
  positionS: number;
  state: string;
  videoRangesS: [number, number][];
  audioRangesS: [number, number][];
  counters: PageCounters;
  pendingWork: { timers: number; requests: number };
  queues: Record<string, number | null>;
  stallCount: number;
  segments: number;
  errors: number;
  retries: number;
} {
  const w = window as unknown as Record<string, unknown>;
  const video = document.getElementById('v') as HTMLVideoElement;
  const player = w.player as Record<string, unknown> & {
    pendingWork(): { timers: number; requests: number };
  };
  const status = w.soakStatus as {
    state: string;
    segments: number;
    errors: number;
    retries: number;
    stallCount: number;
  };
  const rangesOf = (b: TimeRanges | undefined): [number, number][] => {
    if (!b) return [];
    const out: [number, number][] = [];
    for (let i = 0; i < b.length; i++) out.push([b.start(i), b.end(i)]);
    return out;
  };
  const sink = player.sink as Record<string, unknown> | null;
  const track = (name: string): Record<string, unknown> | null =>
    (sink?.[name] as Record<string, unknown> | null | undefined) ?? null;
  const queueLength = (t: Record<string, unknown> | null): number | null => {
    const q = t?.queue as { length?: number } | undefined;
    return typeof q?.length === 'number' ? q.length : null;
  };
  const size = (x: unknown): number | null => {
    if (x instanceof Map || x instanceof Set) return x.size;
    if (Array.isArray(x)) return x.length;
    return null;
  };
  const recorder = player.recorder as Record<string, unknown> | undefined;
  const sbs: SourceBuffer[] = [];
  const mediaSource = player.mediaSource as MediaSource | null;
  if (mediaSource)
    for (let i = 0; i < mediaSource.sourceBuffers.length; i++) sbs.push(mediaSource.sourceBuffers[i]!);
  let videoRanges: [number, number][] = [];
  let audioRanges: [number, number][] = [];
  try {
    videoRanges = rangesOf(sbs[0]?.buffered);
    audioRanges = rangesOf(sbs[1]?.buffered);
  } catch {
    // removed SourceBuffers
  }
  const soak = w.__soak as { counters(): PageCounters };
  return {
    positionS: video.currentTime,
    state: status.state,
    videoRangesS: videoRanges,
    audioRangesS: audioRanges,
    counters: soak.counters(),
    pendingWork: player.pendingWork(),
    queues: {
      payloads: size(player.payloads),
      inFlight: size(player.inFlight),
      completions: size(player.completions),
      initCache: size(player.initCache),
      videoQueue: queueLength(track('videoTrack')),
      audioQueue: queueLength(track('audioTrack')),
      videoUrlsQueued: size(track('videoTrack')?.urls),
      audioUrlsQueued: size(track('audioTrack')?.urls),
      recorderRecords: size(recorder?.out),
      recorderSamples: size(recorder?.samples),
      // what the per-segment logs weigh as JSON (a proxy for their heap share), bytes
      recorderJsonBytes: recorder ? JSON.stringify([recorder.out, recorder.samples]).length : null,
      sessionRecords: size(
        ((player.running as Record<string, unknown> | null)?.session as Record<string, unknown> | undefined)
          ?.out,
      ),
    },
    stallCount: status.stallCount,
    segments: status.segments,
    errors: status.errors,
    retries: status.retries,
  };
}

/** Least-squares slope of `y` over `x` (same units per x unit), NaN with fewer than two points. */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}
