/**
 * Writes a DASH MPD (ISO/IEC 23009-1) for a fixture ladder over the very CMAF files the HLS playlists name,
 * so one media set serves both formats: `root/manifest.mpd` beside `root/master.m3u8`.
 *
 * - One video AdaptationSet (a Representation per rendition folder, `id` = the folder name) and one audio
 *   AdaptationSet, each with a SegmentTemplate `$RepresentationID$/seg_$Number%05d$.m4s` (startNumber 0,
 *   ffmpeg's names) and a SegmentTimeline in the track's own timescale, read from the segments (`tfdt` and
 *   sample durations, with mp4box), so every S@t/@d is exact; runs of equal durations use S@r.
 * - `@bandwidth` by the MPD's own definition (src/media/bandwidth.ts `dashBandwidthBps`, minBufferTime 2 s);
 *   `@codecs`, `@width`/`@height`, `@audioSamplingRate` and the channel count from the init segments.
 * - mediaPresentationDuration: the end of the longest track (the audio's last segment ends 21 ms after the
 *   video's).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dashBandwidthBps } from '../../src/media/bandwidth.js';
import { inspectMediaPlaylist, scanMediaPlaylist } from '../../src/media/ladder.js';
import type { InitSegmentInfo, MediaSegmentInfo } from '../../src/media/inspect.js';

/** minBufferTime of the fixture MPDs, and the `@bandwidth` computed for it. */
export const DASH_MIN_BUFFER_TIME_MS = 2000;
export const DASH_MANIFEST_NAME = 'manifest.mpd';

interface Track {
  readonly id: string;
  readonly init: InitSegmentInfo;
  readonly bandwidthBps: number;
  /** [startTicks, durationTicks] of every segment. */
  readonly timeline: readonly (readonly [number, number])[];
}

/** Describes what was written, for the script's log. */
export interface DashRepresentationLine {
  readonly id: string;
  readonly bandwidthBps: number;
  readonly codecs: string;
}

async function readTrack(root: string, id: string): Promise<Track> {
  const scanned = await scanMediaPlaylist(join(root, id, 'index.m3u8'));
  const { init, segments } = await inspectMediaPlaylist(scanned);
  const ticks = (ms: number): number => Math.round((ms * init.timescale) / 1000);
  return {
    id,
    init,
    bandwidthBps: dashBandwidthBps(scanned.segments, DASH_MIN_BUFFER_TIME_MS),
    timeline: segments.map((s: MediaSegmentInfo) => [ticks(s.firstSampleTimeMs), ticks(s.durationMs)]),
  };
}

/** `<S>` elements: `t` where a segment does not follow the previous one, `r` for repeated durations. */
function timelineXml(timeline: readonly (readonly [number, number])[], indent: string): string[] {
  const lines: string[] = [];
  let i = 0;
  let expectedT = -1;
  while (i < timeline.length) {
    const [t, d] = timeline[i] as readonly [number, number];
    let r = 0;
    while (i + r + 1 < timeline.length) {
      const [nt, nd] = timeline[i + r + 1] as readonly [number, number];
      if (nd !== d || nt !== t + (r + 1) * d) break;
      r++;
    }
    const tAttr = t === expectedT ? '' : ` t="${t}"`;
    lines.push(`${indent}<S${tAttr} d="${d}"${r > 0 ? ` r="${r}"` : ''}/>`);
    expectedT = t + (r + 1) * d;
    i += r + 1;
  }
  return lines;
}

function sameTimeline(a: Track, b: Track): boolean {
  return (
    a.init.timescale === b.init.timescale &&
    a.timeline.length === b.timeline.length &&
    a.timeline.every(([t, d], i) => b.timeline[i]?.[0] === t && b.timeline[i]?.[1] === d)
  );
}

/** xs:duration of a number of milliseconds, to the microsecond: `PT40.021333S`. */
function isoDuration(ms: number): string {
  return `PT${Number((ms / 1000).toFixed(6))}S`;
}

function templateXml(track: Track): string[] {
  return [
    `      <SegmentTemplate timescale="${track.init.timescale}" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/seg_$Number%05d$.m4s" startNumber="0">`,
    '        <SegmentTimeline>',
    ...timelineXml(track.timeline, '          '),
    '        </SegmentTimeline>',
    '      </SegmentTemplate>',
  ];
}

/** Reads `root/<name>/` for each video rendition and `root/audio/`, then writes `root/manifest.mpd`. */
export async function writeDashManifest(
  root: string,
  videoNames: readonly string[],
  frameRate: number,
): Promise<DashRepresentationLine[]> {
  const videos: Track[] = [];
  for (const name of videoNames) videos.push(await readTrack(root, name));
  const audio = await readTrack(root, 'audio');
  const first = videos[0];
  if (!first) throw new Error('writeDashManifest: no video renditions');
  for (const v of videos) {
    if (!sameTimeline(first, v))
      throw new Error(
        `${v.id}: its segments are not aligned with ${first.id}'s (one SegmentTemplate needs both)`,
      );
  }
  const end = (t: Track): number => {
    const last = t.timeline[t.timeline.length - 1];
    return last ? ((last[0] + last[1]) * 1000) / t.init.timescale : 0;
  };
  const durationMs = Math.max(end(first), end(audio));
  const maxWidth = Math.max(...videos.map((v) => v.init.widthPx ?? 0));
  const maxHeight = Math.max(...videos.map((v) => v.init.heightPx ?? 0));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Written by scripts/make-fixtures.ts from the files beside it: the same CMAF segments as master.m3u8. -->',
    '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static"' +
      ` mediaPresentationDuration="${isoDuration(durationMs)}" minBufferTime="${isoDuration(DASH_MIN_BUFFER_TIME_MS)}">`,
    '  <Period id="0" start="PT0S">',
    `    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" maxWidth="${maxWidth}" maxHeight="${maxHeight}" frameRate="${frameRate}">`,
    ...templateXml(first),
    ...videos.map(
      (v) =>
        `      <Representation id="${v.id}" bandwidth="${v.bandwidthBps}" codecs="${v.init.codec}" width="${v.init.widthPx ?? 0}" height="${v.init.heightPx ?? 0}"/>`,
    ),
    '    </AdaptationSet>',
    '    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="en" segmentAlignment="true" startWithSAP="1">',
    '      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>',
    ...templateXml(audio),
    `      <Representation id="${audio.id}" bandwidth="${audio.bandwidthBps}" codecs="${audio.init.codec}" audioSamplingRate="${audio.init.sampleRateHz ?? 48000}">`,
    `        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${audio.init.channelCount ?? 2}"/>`,
    '      </Representation>',
    '    </AdaptationSet>',
    '  </Period>',
    '</MPD>',
  ];
  await writeFile(join(root, DASH_MANIFEST_NAME), `${lines.join('\n')}\n`);
  return [...videos, audio].map((t) => ({ id: t.id, bandwidthBps: t.bandwidthBps, codecs: t.init.codec }));
}
