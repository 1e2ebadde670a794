/**
 * What the live e2e tests share: fixtures/ladder served as a live stream by the shaping server's live mode
 * (src/shaping/live-source.ts), and a recorder of the player's live events in the page (`window.live`).
 *
 * The latency check is independent of the player's own arithmetic: the page notes the media sequence
 * number of the first video segment downloaded (its URL's `?msn=`) and where its media landed on the
 * element's timeline (the first buffered range of the video SourceBuffer, from `buffer` events). The server's
 * timeline gives that segment's EXT-X-PROGRAM-DATE-TIME (`originEpochMs + msn · 2000` for the fixture's
 * 2 s video segments), so the date at any playhead position, and the true latency, follow from the
 * element's `currentTime` and `Date.now()`, sampled in the same callback as the player's `latency` event.
 */
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import type * as PlayerModule from '../../src/player/index.js';
import { startShapingServer } from '../../src/shaping/index.js';
import type { ShapingServer, ShapingServerOptions } from '../../src/shaping/index.js';
import type { LiveOptions } from '../../src/shaping/live-source.js';
import { FIXTURES_DIR } from '../player-harness.js';

/** The fixture's video segment duration, ms (fixtures/ladder: 20 × 2 s). */
export const FIXTURE_SEGMENT_MS = 2000;

/** fixtures/ladder served live (a 30 s window, the stream already 60 s old so the window is full). */
export function serveLive(
  live: LiveOptions = {},
  options: Partial<ShapingServerOptions> = {},
): Promise<ShapingServer> {
  return startShapingServer({
    root: join(FIXTURES_DIR, 'ladder'),
    trace: 'constant:100000',
    ...options,
    live: { windowS: 30, startS: 60, ...live },
  });
}

/** One `latency` event as the page saw it, with the wall clock and playhead sampled with it. */
export interface LatencySample {
  readonly wallMs: number;
  readonly currentTimeS: number;
  readonly latencyMs: number;
  readonly targetLatencyMs: number;
  readonly liveEdgeS: number;
  readonly programDateTimeMs: number | null;
  readonly playbackRate: number;
}

/** What the page records of a live run beyond `window.run` (player-harness.ts). */
export interface LiveRecord {
  latency: LatencySample[];
  /** `?msn=` of the first video segment downloaded, and where its media landed (s), once known. */
  firstMsn: number | null;
  firstRangeStartS: number | null;
  seeks: number;
}

/** Subscribes the recorder to `window.player` (call right after `startPlayerRun`). */
export async function recordLive(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { player: PlayerModule.Player; live: LiveRecord };
    const video = document.getElementById('v') as HTMLVideoElement;
    const live: LiveRecord = { latency: [], firstMsn: null, firstRangeStartS: null, seeks: 0 };
    w.live = live;
    const player = w.player;
    // through the rxjs twin of the `latency` event, so the e2e checks both
    player.latency$.subscribe((l) =>
      live.latency.push({
        wallMs: Date.now(),
        currentTimeS: video.currentTime,
        latencyMs: l.latencyMs,
        targetLatencyMs: l.targetLatencyMs,
        liveEdgeS: l.liveEdgeS,
        programDateTimeMs: l.programDateTimeMs,
        playbackRate: l.playbackRate,
      }),
    );
    player.download$.subscribe((d) => {
      if (live.firstMsn !== null || d.kind !== 'video' || d.aborted) return;
      const msn = /[?&]msn=(\d+)/.exec(d.url)?.[1];
      if (msn !== undefined) live.firstMsn = Number(msn);
    });
    player.buffer$.subscribe((b) => {
      if (live.firstRangeStartS === null && live.firstMsn !== null && b.rangesS.length > 0)
        live.firstRangeStartS = b.rangesS[0]![0];
    });
    video.addEventListener('seeking', () => live.seeks++);
  });
}

export function getLive(page: Page): Promise<LiveRecord> {
  return page.evaluate(() => (window as unknown as { live: LiveRecord }).live);
}

/**
 * The true latency of each sample, ms: `wallMs` − the program date-time at the playhead, by the server's
 * timeline (see the file comment). Null when the first segment was not placed yet.
 */
export function trueLatencyMs(sample: LatencySample, live: LiveRecord, originEpochMs: number): number | null {
  if (live.firstMsn === null || live.firstRangeStartS === null) return null;
  const dateMs =
    originEpochMs + live.firstMsn * FIXTURE_SEGMENT_MS + (sample.currentTimeS - live.firstRangeStartS) * 1000;
  return sample.wallMs - dateMs;
}
