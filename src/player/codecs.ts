/**
 * CODECS for variants whose master playlist leaves it out. MSE needs the exact codec string before a
 * SourceBuffer can be created; when the playlist does not say, it is read from the rendition's init
 * segment with mp4box. mp4box (about 41 kB gzipped) is imported lazily, only on that path, so a player
 * fed playlists with CODECS never downloads it.
 */
import type { ByteRange, Presentation, PresentationRendition } from '../manifest/model.js';

/** The video codecs of a CODECS attribute (as `splitCodecs` in ladder.ts; repeated so this chunk stands alone). */
const videoCodecs = (codecs: string | undefined): string[] =>
  (codecs ?? '').split(',').filter((c) => c.trim() !== '' && !/^\s*(mp4a|ac-3|ec-3|opus|flac|mp3)/i.test(c));

/** Fetches a resource (or a byte range of it) as bytes. */
export type FetchBytes = (url: string, byteRange?: ByteRange) => Promise<Uint8Array>;

/** Reads the codec string of an init segment (the lazily loaded mp4box inspection by default). */
export type ReadInitCodec = (bytes: Uint8Array, source: string) => Promise<string>;

const readWithMp4box: ReadInitCodec = async (bytes, source) => {
  const { inspectInitSegment } = await import('../media/inspect.js');
  return inspectInitSegment(bytes, source).codec;
};

/** True when `presentation` has a playable video variant without a video codec in CODECS. */
export function needsCodecProbe(presentation: Presentation): boolean {
  return presentation.renditions.some((r) => r.playlist && videoCodecs(r.codecs).length === 0);
}

/**
 * A copy of `presentation` in which every variant lacking a video codec gets one read from its init
 * segment, and, when its audio group plays demuxed audio and CODECS names no audio codec, the audio
 * codec read from that group's init segment. Variants without an init segment (EXT-X-MAP) are left as
 * they are. Errors (fetch, a broken init segment) propagate as the typed errors of `fetchBytes` and
 * the inspection, naming the URL.
 */
export async function fillMissingCodecs(
  presentation: Presentation,
  fetchBytes: FetchBytes,
  readCodec: ReadInitCodec = readWithMp4box,
): Promise<Presentation> {
  if (!needsCodecProbe(presentation)) return presentation;
  const probed = new Map<string, Promise<string | null>>();
  const probe = (init: { uri: string; byteRange?: ByteRange } | undefined): Promise<string | null> => {
    if (!init) return Promise.resolve(null);
    const key = `${init.uri}@${init.byteRange?.offsetBytes ?? ''}`;
    let codec = probed.get(key);
    if (!codec) {
      codec = fetchBytes(init.uri, init.byteRange).then((bytes) => readCodec(bytes, init.uri));
      probed.set(key, codec);
    }
    return codec;
  };
  const renditions = await Promise.all(
    presentation.renditions.map(async (r): Promise<PresentationRendition> => {
      if (!r.playlist || videoCodecs(r.codecs).length > 0) return r;
      const video = await probe(r.playlist.segments[0]?.initSegment);
      if (video === null) return r;
      let audio = (r.codecs ?? '')
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== '' && !videoCodecs(c).length);
      if (audio.length === 0 && r.audioGroupId !== undefined) {
        const group = presentation.audioRenditions.find((a) => a.groupId === r.audioGroupId && a.playlist);
        const audioCodec = await probe(group?.playlist?.segments[0]?.initSegment);
        if (audioCodec !== null) audio = [audioCodec];
      }
      return { ...r, codecs: [video, ...audio].join(',') };
    }),
  );
  return { ...presentation, renditions };
}
