/**
 * Broken variants of the fixture ladder for error tests, each a folder under `fixtures/broken/` with a
 * one-variant `master.m3u8` and an `index.m3u8` whose good segments point back into the ladder's lowest
 * rendition (`../../ladder/<name>/...`), so only the broken file itself is stored. See fixtures/README.md for
 * the error each must give.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { averageSegmentBitrateBps, peakSegmentBitrateBps } from '../../src/media/bandwidth.js';
import { scanMediaPlaylist } from '../../src/media/ladder.js';
import type { MasterVariantLine } from './master.js';

/** The broken segment's index in every case: a few seconds in, after playback has started. */
export const BROKEN_SEGMENT_INDEX = 2;

/** Writes the six broken cases from `ladderRoot/<rendition.uri>`'s media playlist into `brokenRoot`. */
export async function writeBrokenFixtures(
  ladderRoot: string,
  brokenRoot: string,
  rendition: MasterVariantLine,
): Promise<void> {
  await rm(brokenRoot, { recursive: true, force: true });
  const name = rendition.uri.split('/')[0] ?? '';
  const source = await scanMediaPlaylist(join(ladderRoot, rendition.uri));
  const videoCodec = rendition.codecs.split(',')[0] ?? '';
  const back = `../../ladder/${name}`;
  const segmentFile = (i: number) => `seg_${String(i).padStart(5, '0')}.m4s`;

  const master = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    // Video only (the audio rendition is not the point of these cases), so its bit rates are the video's.
    `#EXT-X-STREAM-INF:BANDWIDTH=${peakSegmentBitrateBps(source.segments, source.targetDurationMs)},` +
      `AVERAGE-BANDWIDTH=${averageSegmentBitrateBps(source.segments)},` +
      `CODECS="${videoCodec}",RESOLUTION=${rendition.widthPx}x${rendition.heightPx}`,
    'index.m3u8',
    '',
  ].join('\n');

  /** A media playlist of the source rendition with the init and segment `BROKEN_SEGMENT_INDEX` replaced. */
  const mediaPlaylist = (opts: { initUri?: string; brokenUri?: string; brokenExtinf?: string }): string => {
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      `#EXT-X-TARGETDURATION:${source.targetDurationMs / 1000}`,
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      `#EXT-X-MAP:URI="${opts.initUri ?? `${back}/init.mp4`}"`,
    ];
    source.segments.forEach((segment, i) => {
      const broken = i === BROKEN_SEGMENT_INDEX;
      lines.push(
        broken && opts.brokenExtinf !== undefined
          ? `#EXTINF:${opts.brokenExtinf},`
          : `#EXTINF:${(segment.durationMs / 1000).toFixed(6)},`,
        broken && opts.brokenUri !== undefined ? opts.brokenUri : `${back}/${segmentFile(i)}`,
      );
    });
    lines.push('#EXT-X-ENDLIST', '');
    return lines.join('\n');
  };

  const write = async (caseName: string, files: Record<string, string | Uint8Array>): Promise<void> => {
    const dir = join(brokenRoot, caseName);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'master.m3u8'), master);
    for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  };

  // 1. truncated-segment: the first half of a real segment (its mdat declares more bytes than follow).
  const whole = new Uint8Array(await readFile(join(ladderRoot, name, segmentFile(BROKEN_SEGMENT_INDEX))));
  await write('truncated-segment', {
    'index.m3u8': mediaPlaylist({ brokenUri: segmentFile(BROKEN_SEGMENT_INDEX) }),
    [segmentFile(BROKEN_SEGMENT_INDEX)]: whole.subarray(0, Math.floor(whole.byteLength / 2)),
  });

  // 2. missing-segment: the playlist lists a segment file that does not exist (HTTP 404 / ENOENT).
  await write('missing-segment', {
    'index.m3u8': mediaPlaylist({ brokenUri: segmentFile(BROKEN_SEGMENT_INDEX) }),
  });

  // 3. wrong-codec: the real init segment with its `avc1` sample entry relabelled `hvc1`, so it claims HEVC
  //    without an hvcC box while the master says avc1.
  const init = new Uint8Array(await readFile(join(ladderRoot, name, 'init.mp4')));
  const at = Buffer.from(init).indexOf('avc1');
  if (at < 0) throw new Error(`no 'avc1' sample entry in ${name}/init.mp4`);
  const patched = init.slice();
  patched.set(new TextEncoder().encode('hvc1'), at);
  await write('wrong-codec', { 'index.m3u8': mediaPlaylist({ initUri: 'init.mp4' }), 'init.mp4': patched });

  // 4. malformed-playlist: one EXTINF whose duration is not a number.
  await write('malformed-playlist', { 'index.m3u8': mediaPlaylist({ brokenExtinf: 'two' }) });

  // 5. random-bytes: a segment of seeded random bytes as long as the real one (no MP4 structure at all).
  let seed = 42;
  const noise = whole.map(() => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24);
  await write('random-bytes', {
    'index.m3u8': mediaPlaylist({ brokenUri: segmentFile(BROKEN_SEGMENT_INDEX) }),
    [segmentFile(BROKEN_SEGMENT_INDEX)]: noise,
  });

  // 6. spliced-segment: the playlist points segment 2 at the top rendition's file (another resolution and
  //    profile than the init segment describes; same track id and timescale, so only the decoder can tell).
  await write('spliced-segment', {
    'index.m3u8': mediaPlaylist({ brokenUri: `../../ladder/480p/${segmentFile(BROKEN_SEGMENT_INDEX)}` }),
  });
}
