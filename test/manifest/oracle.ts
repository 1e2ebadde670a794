// hls.js's own parser (M3U8Parser, hls.js 1.7) as the oracle: abrkit must read the same ladder and the same
// segments as hls.js does. Used by oracle.test.ts (hand-written playlists and fixtures) and fuzz.test.ts
// (generated playlists).
import { M3U8Parser } from 'hls.js';
import type { LevelDetails, PlaylistLevelType } from 'hls.js';
import { expect } from 'vitest';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/manifest/index.js';
import type { MasterPlaylist, MediaPlaylist } from '../../src/manifest/index.js';

const MAIN = 'main' as PlaylistLevelType;
/** Our times are rounded to the microsecond; hls.js keeps float seconds. */
const MS_TOLERANCE = 1e-3;

function hlsMediaDetails(text: string, url: string): LevelDetails {
  return M3U8Parser.parseLevelPlaylist(text, url, 0, MAIN, 0, null);
}

/** Parses a master playlist with abrkit and hls.js and expects the same variants and audio renditions. */
export function expectMasterAgrees(text: string, url: string): MasterPlaylist {
  const ours = parseMasterPlaylist(text, url);
  const theirs = M3U8Parser.parseMasterPlaylist(text, url);
  expect(theirs.playlistParsingError).toBeNull();
  // hls.js keeps playlist order; ours is ascending by bitrate: compare in playlist order via the tag line.
  const inPlaylistOrder = [...ours.renditions].sort((a, b) => a.line - b.line);
  expect(inPlaylistOrder).toHaveLength(theirs.levels.length);
  theirs.levels.forEach((level, i) => {
    const r = inPlaylistOrder[i];
    if (!r) throw new Error('length checked above');
    expect(r.uri).toBe(level.url);
    expect(r.peakBitrateKbps).toBe(level.bitrate / 1000);
    const average = level.attrs['AVERAGE-BANDWIDTH'];
    expect(r.bitrateKbps).toBe((average === undefined ? level.bitrate : Number(average)) / 1000);
    expect(r.widthPx).toBe(level.width);
    expect(r.heightPx).toBe(level.height);
    expect(r.codecs).toBe(level.attrs.CODECS);
    const frameRate = level.attrs['FRAME-RATE'];
    expect(r.frameRate).toBe(frameRate === undefined ? undefined : parseFloat(frameRate));
    expect(r.audioGroupId).toBe(level.attrs.AUDIO);
  });
  const media = M3U8Parser.parseMasterPlaylistMedia(text, url, theirs);
  const theirAudio = media.AUDIO ?? [];
  expect(ours.audioRenditions).toHaveLength(theirAudio.length);
  theirAudio.forEach((track, i) => {
    const audio = ours.audioRenditions[i];
    expect(audio?.groupId).toBe(track.groupId);
    expect(audio?.name).toBe(track.name);
    expect(audio?.language).toBe(track.lang);
    expect(audio?.default).toBe(track.default);
    expect(audio?.autoselect).toBe(track.autoselect);
    expect(audio?.channels).toBe(track.channels);
    expect(audio?.uri ?? '').toBe(track.url ?? '');
  });
  return ours;
}

/** Parses a media playlist with abrkit and hls.js and expects the same timing, segments and ranges. */
export function expectMediaAgrees(text: string, url: string): MediaPlaylist {
  const ours = parseMediaPlaylist(text, url);
  const theirs = hlsMediaDetails(text, url);
  expect(theirs.playlistParsingError).toBeNull();
  expect(ours.targetDurationMs).toBe(theirs.targetduration * 1000);
  expect(ours.mediaSequence).toBe(theirs.startSN);
  expect(ours.discontinuitySequence).toBe(theirs.startCC);
  expect(ours.endList).toBe(!theirs.live);
  const theirType =
    theirs.type === 'VOD' ? 'vod' : theirs.type === 'EVENT' ? 'event' : theirs.live ? 'live' : 'vod';
  expect(ours.type).toBe(theirType);
  expect(Math.abs(ours.totalDurationMs - theirs.totalduration * 1000)).toBeLessThan(MS_TOLERANCE);
  expect(ours.segments).toHaveLength(theirs.fragments.length);
  theirs.fragments.forEach((fragment, i) => {
    const segment = ours.segments[i];
    if (!segment) throw new Error('length checked above');
    expect(segment.uri).toBe(fragment.url);
    expect(segment.sequenceNumber).toBe(fragment.sn);
    expect(Math.abs(segment.durationMs - fragment.duration * 1000)).toBeLessThan(MS_TOLERANCE);
    expect(Math.abs(segment.startMs - fragment.start * 1000)).toBeLessThan(MS_TOLERANCE);
    expect(segment.discontinuitySequence).toBe(fragment.cc);
    const [start, end] = fragment.byteRange;
    expect(segment.byteRange).toEqual(
      start === undefined || end === undefined ? undefined : { offsetBytes: start, lengthBytes: end - start },
    );
    const init = fragment.initSegment;
    if (!init) {
      expect(segment.initSegment).toBeUndefined();
    } else {
      expect(segment.initSegment?.uri).toBe(init.url);
      const [initStart, initEnd] = init.byteRange;
      expect(segment.initSegment?.byteRange).toEqual(
        initStart === undefined || initEnd === undefined
          ? undefined
          : { offsetBytes: initStart, lengthBytes: initEnd - initStart },
      );
    }
  });
  return ours;
}
