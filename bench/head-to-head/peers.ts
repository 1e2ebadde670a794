/**
 * The head-to-head's peer players on the page (page-entry.ts hands them the video element): dash.js 5 and
 * Shaka Player 5, each exactly as an app would start it with its defaults, so their own ABR decides:
 *
 * - dash.js: `MediaPlayer().create().initialize(video, mpd, true)`. Its default ABR is the DYNAMIC strategy
 *   (BOLA when the buffer is high, the throughput rule when it is low, with the insufficient-buffer, switch-
 *   history, dropped-frames and abandon rules; `hybridSwitchBufferTime` 12 s); buffer target 18 s
 *   (`bufferTimeDefault`), 30 s at the top quality (`bufferTimeAtTopQuality`).
 * - Shaka: `new shaka.Player()`, `attach(video)`, `load(src)` after `shaka.polyfill.installAll()`. Its default
 *   ABR is `SimpleAbrManager`: an EWMA bandwidth estimate (2 s / 5 s half-lives, 1 Mbps before any sample),
 *   the highest variant whose bandwidth fits 85 % of it (`bandwidthUpgradeTarget`; down below 95 %,
 *   `bandwidthDowngradeTarget`); buffering goal 10 s.
 *
 * Their throughput estimates at the end of a run (kbps) are read for the record, as `hls.bandwidthEstimate` is.
 */
import { MediaPlayer } from 'dashjs';
import shaka from 'shaka-player';

export type PeerName = 'dashjs' | 'shaka';

export interface Peer {
  /** The player's own throughput estimate now, bits per second (null when it has none). */
  estimateBps(): number | null;
}

/** The part of Shaka's API the bench uses (its generated typings type `Player` as any). */
interface ShakaPlayerLike {
  attach(video: HTMLMediaElement): Promise<void>;
  load(src: string): Promise<void>;
  addEventListener(type: 'error', listener: (event: Event & { detail?: { code?: number } }) => void): void;
  getStats(): { estimatedBandwidth: number };
}

interface ShakaLike {
  Player: new () => ShakaPlayerLike;
  polyfill: { installAll(): void };
}

/** Starts `name` on `src` in `video`; fatal errors go to `fail`. */
export function startPeer(
  name: PeerName,
  src: string,
  video: HTMLVideoElement,
  fail: (message: string) => void,
): Peer {
  if (name === 'dashjs') {
    const player = MediaPlayer().create();
    player.on(MediaPlayer.events.ERROR, (e: { error?: { code?: number; message?: string } }) =>
      fail(`dash.js error ${e.error?.code ?? '?'}: ${e.error?.message ?? ''}`),
    );
    player.initialize(video, src, true);
    return {
      estimateBps: () => {
        const kbps = player.getAverageThroughput('video');
        return Number.isFinite(kbps) && kbps > 0 ? kbps * 1000 : null;
      },
    };
  }
  const lib = shaka as unknown as ShakaLike;
  lib.polyfill.installAll();
  const player = new lib.Player();
  player.addEventListener('error', (e) =>
    fail(`shaka error ${e.detail?.code ?? JSON.stringify(e.detail ?? null).slice(0, 200)}`),
  );
  player
    .attach(video)
    .then(() => player.load(src))
    .then(() => video.play())
    .catch((e: unknown) => fail(`shaka load: ${String((e as { code?: number }).code ?? e)}`));
  return {
    estimateBps: () => {
      const bps = player.getStats().estimatedBandwidth;
      return Number.isFinite(bps) && bps > 0 ? bps : null;
    },
  };
}
