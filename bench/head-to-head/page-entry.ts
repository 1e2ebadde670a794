/**
 * The head-to-head page script (bundled by vite with hls.js, the adapter and the player): `startRun(config)`
 * plays `config.src` in `<video id="v">` with one contender and records, with the same code for every
 * contender, what the element shows: the time of the first `playing` event and of the first frame (the
 * playhead has moved), stalls (`waiting` after the first `playing`, until the next `playing`), the rendition
 * on screen (`videoHeight`, sampled every 200 ms and on `resize`) with the playhead and the buffer ahead, and
 * `getVideoPlaybackQuality()` at the end. The page never computes metrics: bench/head-to-head/metrics.ts does.
 */
import Hls from 'hls.js';
import { createDynamicDash } from '../../src/abr/dynamic.js';
import { createRobustMpc } from '../../src/abr/robust-mpc.js';
import type { AbrFactory, AbrOptions } from '../../src/abr/types.js';
import { createHlsAbrController } from '../../src/hlsjs/index.js';
import { createPlayer } from '../../src/player/index.js';
import { startPeer, type Peer } from './peers.js';

export interface PageRunConfig {
  readonly src: string;
  /** `hlsjs` (hls.js 1.7), `abrkit` (abrkit/player), or a peer with its own ABR: `dashjs`, `shaka` (peers.ts). */
  readonly player: 'hlsjs' | 'abrkit' | 'dashjs' | 'shaka';
  /**
   * `default` (hls.js's own ABR; in abrkit's player its default algorithm), `throughput`, `bola`, `robust-mpc`
   * or `dynamic-dash`.
   */
  readonly algorithm: string;
  /** Options over the algorithm's bench defaults (`--opt`); for `abrkit` + `default`, the default algorithm's. */
  readonly algorithmOptions?: AbrOptions;
}

export interface PageSample {
  /** performance.now() - t0, ms (t0: just before the player is asked to load). */
  readonly ms: number;
  readonly timeS: number;
  /** `videoHeight` of the frame on screen (0 before the first). */
  readonly height: number;
  readonly bufferAheadS: number;
}

export interface PageStall {
  readonly startMs: number;
  endMs: number | null;
  /** Playhead when it started. */
  readonly atTimeS: number;
}

export interface PageRun {
  readonly config: PageRunConfig;
  firstPlayingMs: number | null;
  firstFrameMs: number | null;
  stalls: PageStall[];
  samples: PageSample[];
  ended: boolean;
  endedMs: number | null;
  errors: string[];
  /** ABR decisions the algorithm made (abrkit contenders; hls.js's default ABR does not report them). */
  decisions: number;
  /** `hls.bandwidthEstimate` (hls.js contenders) at the end, bps. */
  bandwidthEstimateBps: number | null;
  droppedFrames: number | null;
  totalFrames: number | null;
  durationS: number | null;
  done: boolean;
}

declare global {
  interface Window {
    h2h?: PageRun;
    h2hFinish?: () => void;
  }
}

const SAMPLE_INTERVAL_MS = 200;

/** The algorithms by the names the bench uses, as factories (the same for the adapter and the player). */
const ALGORITHMS: Record<string, { factory: AbrFactory | string; options?: AbrOptions }> = {
  throughput: { factory: 'throughput' },
  bola: { factory: 'bola' },
  'robust-mpc': { factory: createRobustMpc },
  'scenario-mpc': { factory: 'scenario-mpc' },
  'dynamic-dash': { factory: createDynamicDash, options: { preset: 'dashjs' } },
};

/** Starts one run; the record is `window.h2h`, complete when `done` is true (ended, fatal error or finish). */
export function startRun(config: PageRunConfig): void {
  const video = document.getElementById('v') as HTMLVideoElement;
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const run: PageRun = {
    config,
    firstPlayingMs: null,
    firstFrameMs: null,
    stalls: [],
    samples: [],
    ended: false,
    endedMs: null,
    errors: [],
    decisions: 0,
    bandwidthEstimateBps: null,
    droppedFrames: null,
    totalFrames: null,
    durationS: null,
    done: false,
  };
  window.h2h = run;

  const bufferAheadS = (): number => {
    const t = video.currentTime;
    for (let i = 0; i < video.buffered.length; i++) {
      if (video.buffered.start(i) <= t + 0.1 && t < video.buffered.end(i)) return video.buffered.end(i) - t;
    }
    return 0;
  };
  const sample = (): void => {
    run.samples.push({
      ms: now(),
      timeS: video.currentTime,
      height: video.videoHeight,
      bufferAheadS: bufferAheadS(),
    });
    if (run.firstFrameMs === null && video.currentTime > 0) run.firstFrameMs = now();
  };
  const openStall = (): PageStall | undefined => {
    const last = run.stalls.at(-1);
    return last && last.endMs === null ? last : undefined;
  };
  const nearEnd = (): boolean => Number.isFinite(video.duration) && video.currentTime >= video.duration - 0.3;

  video.addEventListener('playing', () => {
    if (run.firstPlayingMs === null) run.firstPlayingMs = now();
    const stall = openStall();
    if (stall) stall.endMs = now();
  });
  video.addEventListener('waiting', () => {
    if (run.firstPlayingMs === null || run.ended || nearEnd() || openStall()) return;
    run.stalls.push({ startMs: now(), endMs: null, atTimeS: video.currentTime });
  });
  video.addEventListener('resize', sample);
  // first frame: the first animation frame at which the playhead has moved (headless chromium without a GPU
  // does not call requestVideoFrameCallback)
  const poll = (): void => {
    if (run.firstFrameMs !== null || run.done) return;
    if (video.currentTime > 0) run.firstFrameMs = now();
    else requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);

  let hls: Hls | null = null;
  let peer: Peer | null = null;
  const finish = (): void => {
    if (run.done) return;
    clearInterval(timer);
    sample();
    const stall = openStall();
    if (stall) stall.endMs = now();
    const quality = video.getVideoPlaybackQuality();
    run.droppedFrames = quality.droppedVideoFrames;
    run.totalFrames = quality.totalVideoFrames;
    run.durationS = Number.isFinite(video.duration) ? video.duration : null;
    if (hls) run.bandwidthEstimateBps = hls.bandwidthEstimate;
    if (peer) run.bandwidthEstimateBps = peer.estimateBps();
    run.done = true;
  };
  window.h2hFinish = finish;
  video.addEventListener('ended', () => {
    run.ended = true;
    run.endedMs = now();
    finish();
  });
  const fail = (message: string): void => {
    run.errors.push(message);
    finish();
  };

  if (config.player === 'dashjs' || config.player === 'shaka') {
    peer = startPeer(config.player, config.src, video, fail);
    return;
  }
  const algo = config.algorithm === 'default' ? null : ALGORITHMS[config.algorithm];
  if (config.algorithm !== 'default' && !algo) {
    fail(`unknown algorithm '${config.algorithm}'`);
    return;
  }
  const options: AbrOptions | undefined =
    algo?.options || config.algorithmOptions ? { ...algo?.options, ...config.algorithmOptions } : undefined;
  if (config.player === 'hlsjs') {
    let hlsConfig: Partial<Hls['config']> = {};
    if (algo) {
      const Abr = createHlsAbrController(algo.factory, { algorithmOptions: options });
      Abr.events.on('decision', () => run.decisions++);
      hlsConfig = { abrController: Abr };
    }
    hls = new Hls(hlsConfig);
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (data.fatal) fail(`hls.js ${data.type}: ${data.details}`);
    });
    hls.loadSource(config.src);
    hls.attachMedia(video);
    video.play().catch(() => {});
  } else {
    // `default`: the player as `createPlayer()` makes it (its default algorithm, scenario-mpc)
    const player = createPlayer(
      algo ? { abr: algo.factory, abrOptions: options } : options ? { abrOptions: options } : {},
    );
    player.on('decision', () => run.decisions++);
    player.on('error', (e) => fail(`abrkit ${e.message}`));
    player.attach(video);
    player.load(config.src).catch((e: unknown) => fail(`abrkit load: ${String(e)}`));
  }
}
