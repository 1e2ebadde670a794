/**
 * hls.js levels ↔ abrkit renditions, and the buffer level from the media element.
 *
 * hls.js sorts its levels by height, then bitrate (level-controller), so its order is usually but not
 * always ascending bitrate; abrkit's renditions are ascending by the bitrate the ABR logic reasons with
 * (AVERAGE-BANDWIDTH when present, else BANDWIDTH). `LevelMap` keeps both orders and maps between them.
 */
import type { Rendition } from '../core/types.js';
import type { HlsLevelLike, HlsMediaLike } from './hls-shape.js';

/** The renditions of a set of hls.js levels and the index maps both ways. */
export interface LevelMap {
  /** The `hls.levels` array this map was built from (identity, to notice a new one). */
  readonly levels: readonly HlsLevelLike[];
  /** Ascending by `bitrateKbps`; `renditions[i].index === i`. */
  readonly renditions: readonly Rendition[];
  /** `renditionToLevel[renditionIndex]` = hls.js level index. */
  readonly renditionToLevel: readonly number[];
  /** `levelToRendition[levelIndex]` = abrkit rendition index. */
  readonly levelToRendition: readonly number[];
}

/** Builds the map; ties in bitrate keep hls.js's order. */
export function buildLevelMap(levels: readonly HlsLevelLike[]): LevelMap {
  const entries = levels.map((level, levelIndex) => {
    const peakKbps = level.bitrate / 1000;
    const averageKbps =
      level.averageBitrate !== undefined && level.averageBitrate > 0 ? level.averageBitrate / 1000 : peakKbps;
    return { level, levelIndex, bitrateKbps: averageKbps, peakKbps };
  });
  entries.sort((a, b) => a.bitrateKbps - b.bitrateKbps || a.levelIndex - b.levelIndex);
  const levelToRendition = new Array<number>(levels.length).fill(0);
  const renditions: Rendition[] = entries.map((e, index) => {
    levelToRendition[e.levelIndex] = index;
    const codecs = e.level.codecSet ?? e.level.videoCodec;
    return {
      index,
      bitrateKbps: e.bitrateKbps,
      peakBitrateKbps: e.peakKbps,
      ...(e.level.width ? { widthPx: e.level.width } : {}),
      ...(e.level.height ? { heightPx: e.level.height } : {}),
      ...(e.level.frameRate ? { frameRate: e.level.frameRate } : {}),
      ...(codecs ? { codecs } : {}),
    };
  });
  return { levels, renditions, renditionToLevel: entries.map((e) => e.levelIndex), levelToRendition };
}

/**
 * The highest rendition whose every lower-or-equal rendition is an allowed level (`minLevel..maxLevel` in
 * hls.js order), so that `renditions[0..result]` are all allowed. 0 when even the lowest is not.
 */
export function maxRenditionForLevels(map: LevelMap, maxLevel: number): number {
  let max = -1;
  for (let r = 0; r < map.renditionToLevel.length; r++) {
    const level = map.renditionToLevel[r] ?? 0;
    if (level > maxLevel) break;
    max = r;
  }
  return Math.max(0, max);
}

/** Gaps smaller than this between buffered ranges are played through (hls.js `maxBufferHole` default 0.1 s). */
export const BUFFER_HOLE_S = 0.1;

/**
 * Media buffered ahead of the playhead, ms: from `currentTime` to the end of the buffered range holding it,
 * jumping gaps under `holeS` (hls.js's `BufferHelper.bufferInfo` does the same). 0 with no media.
 */
export function bufferAheadMs(media: HlsMediaLike | null, holeS = BUFFER_HOLE_S): number {
  if (!media) return 0;
  const { buffered } = media;
  const position = media.currentTime;
  let end = position;
  for (let i = 0; i < buffered.length; i++) {
    const start = buffered.start(i);
    const rangeEnd = buffered.end(i);
    if (rangeEnd <= end) continue;
    if (start - end > holeS) break; // a gap ahead: playback stops there
    end = rangeEnd;
  }
  return Math.max(0, (end - position) * 1000);
}
