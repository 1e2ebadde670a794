/**
 * The stats overlay on the video (what hls.js's and dash.js's demos show): the rendition being fetched, the
 * resolution the element is playing, the buffer, the estimate, the dropped frames and, live, the latency. Plain text lines,
 * redrawn by main.ts on player events.
 */
import type { Rendition } from 'abrkit';
import { renditionLabel } from './steering.js';

export interface OverlayStats {
  /** The rendition of the latest decision, or null before the first. */
  readonly rendition: Rendition | null;
  /** Why: `auto`, `manual` or `capped`. */
  readonly mode: string;
  readonly bufferLevelMs: number | null;
  readonly estimateKbps: number | null;
  /** Live only: the latest latency and playback rate (undefined: VOD, no line). */
  readonly latency?: { readonly latencyMs: number; readonly playbackRate: number } | null;
}

/** The overlay's lines for these stats and the element's state. */
export function overlayLines(stats: OverlayStats, video: HTMLVideoElement): string[] {
  const quality =
    typeof video.getVideoPlaybackQuality === 'function' ? video.getVideoPlaybackQuality() : null;
  const playing = video.videoHeight > 0 ? `${video.videoWidth}×${video.videoHeight}` : '–';
  return [
    `rendition  ${stats.rendition ? renditionLabel(stats.rendition) : '–'} (${stats.mode})`,
    `playing    ${playing}`,
    `buffer     ${stats.bufferLevelMs === null ? '–' : `${(stats.bufferLevelMs / 1000).toFixed(1)} s`}`,
    `estimate   ${stats.estimateKbps === null ? '–' : `${Math.round(stats.estimateKbps)} kbps`}`,
    `dropped    ${quality ? `${quality.droppedVideoFrames} of ${quality.totalVideoFrames} frames` : '–'}`,
    ...(stats.latency === undefined
      ? []
      : [
          `latency    ${stats.latency === null ? '–' : `${(stats.latency.latencyMs / 1000).toFixed(1)} s at ${stats.latency.playbackRate.toFixed(2)}×`}`,
        ]),
  ];
}

export function renderOverlay(target: HTMLElement, stats: OverlayStats, video: HTMLVideoElement): void {
  target.textContent = overlayLines(stats, video).join('\n');
}
