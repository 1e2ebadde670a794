/**
 * Placing discontinuity sequences on the timeline: the tfdt/mdhd reader (src/mse/timestamps.ts) on the
 * fixture's real segments, `TimelineOffsets` on a looped playlist (src/media/long-vod.ts), and MseSink
 * setting `timestampOffset` before the first append of each lap (a fake SourceBuffer records the order).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMasterPlaylist } from '../../src/manifest/master.js';
import { parseMediaPlaylist } from '../../src/manifest/media.js';
import type { MediaPlaylist } from '../../src/manifest/model.js';
import { buildPresentation } from '../../src/manifest/presentation.js';
import { loopMediaPlaylist } from '../../src/media/long-vod.js';
import { readBaseDecodeTimeS, readTimescale } from '../../src/mse/timestamps.js';
import type { SegmentPayload } from '../../src/player/fetch-source.js';
import { buildLadder } from '../../src/player/ladder.js';
import { MseSink } from '../../src/player/mse-sink.js';
import { createTimelineOffsets } from '../../src/player/timeline-offsets.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { REPO_ROOT } from '../support/shared-data.js';

const LADDER = join(REPO_ROOT, 'fixtures/ladder');
const bytes = (rendition: string, name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(LADDER, rendition, name)));
const seg = (i: number): string => `seg_${String(i).padStart(5, '0')}.m4s`;

/** fixtures/ladder/<rendition>/index.m3u8 looped `laps` times (40 s laps), parsed under http://t.test. */
function looped(rendition: string, laps: number): MediaPlaylist {
  const url = `http://t.test/${rendition}/index.m3u8`;
  const source = parseMediaPlaylist(readFileSync(join(LADDER, rendition, 'index.m3u8'), 'utf8'), url);
  const out = loopMediaPlaylist(source, {
    durationMs: laps * 40_000,
    lapDurationMs: 40_000,
    uriOf: (u) => u.slice(u.lastIndexOf('/') + 1),
  });
  return parseMediaPlaylist(out.text, url);
}

describe('readTimescale / readBaseDecodeTimeS', () => {
  it('reads the fixture: video at 15360 ticks/s in 2 s steps, audio at 48 kHz in 1024-sample frames', () => {
    const video = readTimescale(bytes('480p', 'init.mp4'));
    const audio = readTimescale(bytes('audio', 'init.mp4'));
    expect(video).toBe(15360);
    expect(audio).toBe(48000);
    for (const i of [0, 1, 7, 19])
      expect(readBaseDecodeTimeS(bytes('480p', seg(i)), video!)).toBeCloseTo(2 * i, 9);
    // 94 AAC frames of 1024 samples per 2.005 s segment (the last ones shorter)
    expect(readBaseDecodeTimeS(bytes('audio', seg(1)), audio!)).toBeCloseTo((94 * 1024) / 48000, 9);
  });

  it('returns null for bytes without the boxes, a truncated box or a bad timescale', () => {
    expect(readTimescale(new Uint8Array(16))).toBeNull();
    expect(readTimescale(bytes('480p', seg(0)))).toBeNull(); // a media segment has no moov
    expect(readBaseDecodeTimeS(bytes('480p', 'init.mp4'), 15360)).toBeNull();
    expect(readBaseDecodeTimeS(bytes('480p', seg(3)).slice(0, 40), 15360)).toBeNull();
    expect(readBaseDecodeTimeS(bytes('480p', seg(3)), 0)).toBeNull();
  });

  it('reads a version-1 (64-bit) tfdt', () => {
    const box = (type: string, payload: number[]): number[] => {
      const size = 8 + payload.length;
      return [
        size >>> 24,
        (size >>> 16) & 255,
        (size >>> 8) & 255,
        size & 255,
        ...[...type].map((c) => c.charCodeAt(0)),
        ...payload,
      ];
    };
    // version 1, flags 0, baseMediaDecodeTime = 2^32 + 90000 ticks
    const t = 2 ** 32 + 90_000;
    const time = [
      0,
      0,
      0,
      1,
      (90_000 >>> 24) & 255,
      (90_000 >>> 16) & 255,
      (90_000 >>> 8) & 255,
      90_000 & 255,
    ];
    const segment = new Uint8Array(box('moof', box('traf', box('tfdt', [1, 0, 0, 0, ...time]))));
    expect(readBaseDecodeTimeS(segment, 90_000)).toBeCloseTo(t / 90_000, 6);
  });
});

describe('TimelineOffsets', () => {
  const video = looped('144p', 5);
  const audio = looped('audio', 5);
  const init = bytes('144p', 'init.mp4');
  const audioInit = bytes('audio', 'init.mp4');
  const at = (p: MediaPlaylist, lap: number, i: number) =>
    p.segments.find((s) => s.discontinuitySequence === lap && s.index % 20 === i)!;

  it('keeps the first lap at its own timestamps and shifts each later lap to where the playlist plays it', () => {
    const offsets = createTimelineOffsets(0);
    expect(offsets(at(video, 0, 0), bytes('144p', seg(0)), init)).toBe(0);
    for (const lap of [1, 2, 4]) {
      expect(offsets(at(video, lap, 0), bytes('144p', seg(0)), init)).toBeCloseTo(40 * lap, 6);
    }
  });

  it('gives the same offset whichever segment of a lap is seen first (a seek lands mid-lap)', () => {
    const a = createTimelineOffsets(0);
    const b = createTimelineOffsets(0);
    const fromMid = a(at(video, 3, 11), bytes('144p', seg(11)), init);
    const fromStart = b(at(video, 3, 0), bytes('144p', seg(0)), init);
    expect(fromMid).toBeCloseTo(120, 6);
    expect(fromMid).toBeCloseTo(fromStart, 6);
    // cached: a later segment of the lap gets exactly the same number
    expect(a(at(video, 3, 2), bytes('144p', seg(2)), init)).toBe(fromMid);
  });

  it('aligns the audio laps with the video laps (the looped audio is cut to the video lap)', () => {
    const offsets = createTimelineOffsets(0);
    for (const [lap, i] of [
      [1, 0],
      [2, 7],
      [4, 19],
    ] as const) {
      const o = offsets(at(audio, lap, i), bytes('audio', seg(i)), audioInit);
      expect(Math.abs(o - 40 * lap)).toBeLessThan(0.001);
    }
  });

  it('leaves media at its own timestamps when the init segment or the tfdt is unknown', () => {
    const offsets = createTimelineOffsets(0);
    expect(offsets(at(video, 2, 0), bytes('144p', seg(0)), null)).toBe(0);
    expect(offsets(at(video, 2, 0), new Uint8Array(8), init)).toBe(0);
  });

  it('keeps the first sequence’s distance from the playlist for later ones (media not starting at 0)', () => {
    const offsets = createTimelineOffsets(0);
    // as if lap 0's media started at 10 s: segment 5 of lap 0 carries 20 s for playlist time 10 s
    const shifted = { ...at(video, 0, 5) };
    const tfdt10 = new Uint8Array([
      0, 0, 0, 32, 109, 111, 111, 102, 0, 0, 0, 24, 116, 114, 97, 102, 0, 0, 0, 16, 116, 102, 100, 116, 0, 0,
      0, 0, 0, 4, 176, 0,
    ]);
    expect(readBaseDecodeTimeS(tfdt10, 15360)).toBe(20); // 307200 / 15360
    expect(offsets(shifted, tfdt10, init)).toBe(0);
    // lap 1 restarts at 0 in its media: it must play at 40 s of playlist time = 50 s of media time
    expect(offsets(at(video, 1, 0), bytes('144p', seg(0)), init)).toBeCloseTo(50, 6);
  });
});

describe('MseSink on a looped presentation', () => {
  class FakeRanges {
    length = 0;
    start(): number {
      return 0;
    }
    end(): number {
      return 0;
    }
  }
  class FakeSourceBuffer extends EventTarget {
    updating = false;
    mode: AppendMode = 'segments';
    private offset = 0;
    readonly log: string[] = [];
    get timestampOffset(): number {
      return this.offset;
    }
    set timestampOffset(value: number) {
      if (this.updating) throw new DOMException('updating', 'InvalidStateError');
      this.offset = value;
      this.log.push(`offset ${value.toFixed(3)}`);
    }
    get buffered(): TimeRanges {
      return new FakeRanges();
    }
    appendBuffer(data: BufferSource): void {
      const b = data as Uint8Array;
      this.log.push(`append ${b.byteLength}`);
      this.updating = true;
      setTimeout(() => {
        this.updating = false;
        this.dispatchEvent(new Event('updateend'));
      }, 0);
    }
    remove(): void {
      throw new Error('not expected');
    }
    abort(): void {}
  }

  it('sets timestampOffset before the first append of each lap, between appends, in both buffers', async () => {
    const masterUrl = 'http://t.test/master.m3u8';
    const master = parseMasterPlaylist(readFileSync(join(LADDER, 'master.m3u8'), 'utf8'), masterUrl);
    const media = new Map<string, MediaPlaylist>();
    for (const r of ['144p', '240p', '360p', '480p', 'audio'])
      media.set(`http://t.test/${r}/index.m3u8`, looped(r, 3));
    const ladder = buildLadder(buildPresentation(master, media), () => true);
    const buffers: FakeSourceBuffer[] = [];
    const sink = new MseSink({
      video: Object.assign(new EventTarget(), {
        currentTime: 0,
        playbackRate: 1,
        seeking: false,
        error: null,
      }) as unknown as HTMLMediaElement,
      mediaSource: {
        readyState: 'open',
        duration: Number.NaN,
        addSourceBuffer: () => {
          const b = new FakeSourceBuffer();
          buffers.push(b);
          return b;
        },
        endOfStream: () => {},
      } as unknown as MediaSource,
      ladder,
      clock: new VirtualClock(),
      timelineOffsets: createTimelineOffsets,
      backBufferMs: 1e9,
      onFatal: (e) => {
        throw e;
      },
    });
    const audioPlaylist = ladder.audio!.playlist;
    let audioNext = 0;
    for (const segmentIndex of [18, 19, 20, 21, 40]) {
      const v = ladder.renditions[0]!.playlist.segments[segmentIndex]!;
      const audio = [];
      while (
        audioNext < audioPlaylist.segments.length &&
        audioPlaylist.segments[audioNext]!.startMs < v.startMs + v.durationMs - 1
      ) {
        const a = audioPlaylist.segments[audioNext]!;
        if (a.startMs + a.durationMs > v.startMs + 1) {
          audio.push({
            url: a.uri,
            bytes: bytes('audio', seg(a.index % 20)),
            durationMs: a.durationMs,
            index: a.index,
          });
        }
        audioNext++;
      }
      const payload: SegmentPayload = {
        segmentIndex,
        renditionIndex: 0,
        durationMs: v.durationMs,
        init: { url: v.initSegment!.uri, bytes: bytes('144p', 'init.mp4') },
        video: { url: v.uri, bytes: bytes('144p', seg(segmentIndex % 20)) },
        audioInit: { url: audioPlaylist.segments[0]!.initSegment!.uri, bytes: bytes('audio', 'init.mp4') },
        audio,
      };
      sink.appendPayload(payload);
    }
    await new Promise((r) => setTimeout(r, 50));
    const [videoBuffer, audioBuffer] = buffers as [FakeSourceBuffer, FakeSourceBuffer];
    const sizes = (i: number) => `append ${bytes('144p', seg(i)).byteLength}`;
    const init = `append ${bytes('144p', 'init.mp4').byteLength}`;
    expect(videoBuffer.log).toEqual([
      init,
      sizes(18),
      sizes(19),
      'offset 40.000',
      sizes(0),
      sizes(1),
      'offset 80.000',
      sizes(0),
    ]);
    // audio: its laps switch at the same segments, to within a millisecond of the video's offsets
    const offsets = audioBuffer.log.filter((l) => l.startsWith('offset')).map((l) => Number(l.slice(7)));
    expect(offsets).toHaveLength(2);
    expect(Math.abs(offsets[0]! - 40)).toBeLessThan(0.001);
    expect(Math.abs(offsets[1]! - 80)).toBeLessThan(0.001);
    sink.destroy();
  });
});
