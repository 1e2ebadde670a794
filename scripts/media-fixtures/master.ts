/**
 * Writes the multivariant (master) playlist of a fixture ladder from what is really on disk, instead of
 * ffmpeg's `-master_pl_name` (ffmpeg 5.1 writes a nominal BANDWIDTH and adds an audio-only variant):
 * - CODECS from the init segments (mp4box), e.g. `avc1.4d401e,mp4a.40.2`;
 * - BANDWIDTH = peak segment bit rate of the video + that of the audio rendition, AVERAGE-BANDWIDTH = the
 *   sum of the averages (RFC 8216bis §4.4.6.2: "the largest sum of peak segment bit rates that is produced
 *   by any playable combination of Renditions"); init segments not counted;
 * - RESOLUTION from the track, FRAME-RATE from the encode.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { averageSegmentBitrateBps, peakSegmentBitrateBps } from '../../src/media/bandwidth.js';
import { inspectMediaPlaylist, scanMediaPlaylist } from '../../src/media/ladder.js';
import type { ScannedMediaPlaylist } from '../../src/media/ladder.js';

export const AUDIO_GROUP_ID = 'aac';

export interface MasterVariantLine {
  readonly uri: string;
  readonly bandwidthBps: number;
  readonly averageBandwidthBps: number;
  readonly codecs: string;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** Scans `root/<name>/index.m3u8` for each video rendition and `root/audio/index.m3u8`, then writes `root/master.m3u8`. */
export async function writeMasterPlaylist(
  root: string,
  videoNames: readonly string[],
  frameRate: number,
): Promise<MasterVariantLine[]> {
  const audio = await scanMediaPlaylist(join(root, 'audio', 'index.m3u8'));
  const audioInfo = await inspectMediaPlaylist(audio);
  const audioPeak = peakSegmentBitrateBps(audio.segments, audio.targetDurationMs);
  const audioAverage = averageSegmentBitrateBps(audio.segments);
  const variants: MasterVariantLine[] = [];
  for (const name of videoNames) {
    const video: ScannedMediaPlaylist = await scanMediaPlaylist(join(root, name, 'index.m3u8'));
    const { init } = await inspectMediaPlaylist(video);
    variants.push({
      uri: `${name}/index.m3u8`,
      bandwidthBps: peakSegmentBitrateBps(video.segments, video.targetDurationMs) + audioPeak,
      averageBandwidthBps: averageSegmentBitrateBps(video.segments) + audioAverage,
      codecs: `${init.codec},${audioInfo.init.codec}`,
      widthPx: init.widthPx ?? 0,
      heightPx: init.heightPx ?? 0,
    });
  }
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${AUDIO_GROUP_ID}",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="${audioInfo.init.channelCount ?? 2}",URI="audio/index.m3u8"`,
  ];
  for (const v of variants) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${v.bandwidthBps},AVERAGE-BANDWIDTH=${v.averageBandwidthBps},` +
        `CODECS="${v.codecs}",RESOLUTION=${v.widthPx}x${v.heightPx},FRAME-RATE=${frameRate.toFixed(3)},AUDIO="${AUDIO_GROUP_ID}"`,
      v.uri,
    );
  }
  await writeFile(join(root, 'master.m3u8'), `${lines.join('\n')}\n`);
  return variants;
}
