/**
 * MseSink with fakes at the browser boundary it touches (a MediaSource, SourceBuffers, the element's events
 * and currentTime): a fake SourceBuffer "decodes" a media segment as the [start, end] seconds written in its
 * bytes, so buffered ranges, eviction and quota recovery can be checked without a browser.
 */
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import type { SegmentPayload } from '../../src/player/fetch-source.js';
import { buildLadder } from '../../src/player/ladder.js';
import { MseSink, SessionSinkView } from '../../src/player/mse-sink.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { fixturePresentation } from './fixture-ladder.js';

const ladder = buildLadder(fixturePresentation(), () => true);

class FakeRanges {
  constructor(readonly ranges: [number, number][]) {}
  get length(): number {
    return this.ranges.length;
  }
  start(i: number): number {
    return this.ranges[i]![0];
  }
  end(i: number): number {
    return this.ranges[i]![1];
  }
}

/** Fake SourceBuffer updates started and not yet ended, across every buffer (see `settle`). */
let pendingOps = 0;

class FakeSourceBuffer extends EventTarget {
  updating = false;
  mode: AppendMode = 'segments';
  timestampOffset = 0;
  ranges: [number, number][] = [];
  appended: number[] = [];
  removed: [number, number][] = [];
  quotaFailures = 0;
  constructor(readonly mimeType: string) {
    super();
  }
  get buffered(): TimeRanges {
    return new FakeRanges(this.ranges);
  }
  appendBuffer(data: BufferSource): void {
    if (this.quotaFailures > 0) {
      this.quotaFailures--;
      throw new DOMException('full', 'QuotaExceededError');
    }
    const bytes = data as Uint8Array;
    this.appended.push(bytes.byteLength);
    this.updating = true;
    pendingOps++;
    setTimeout(() => {
      pendingOps--;
      if (bytes.byteLength === 16) {
        const [start, end] = new Float64Array(bytes.slice().buffer);
        this.add(start!, end!);
      }
      this.updating = false;
      this.dispatchEvent(new Event('updateend'));
    }, 1);
  }
  remove(start: number, end: number): void {
    this.removed.push([start, end]);
    this.updating = true;
    pendingOps++;
    setTimeout(() => {
      pendingOps--;
      this.ranges = this.ranges
        .flatMap(([s, e]): [number, number][] => {
          if (e <= start || s >= end) return [[s, e]];
          const out: [number, number][] = [];
          if (s < start) out.push([s, start]);
          if (e > end) out.push([end, e]);
          return out;
        })
        .filter(([s, e]) => e > s);
      this.updating = false;
      this.dispatchEvent(new Event('updateend'));
    }, 1);
  }
  abort(): void {}
  changeType(type: string): void {
    this.changedTo = type;
  }
  changedTo: string | null = null;
  private add(start: number, end: number): void {
    const all = [...this.ranges, [start, end] as [number, number]].sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of all) {
      const last = merged.at(-1);
      if (last && r[0] <= last[1] + 1e-6) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.ranges = merged;
  }
}

class FakeMediaSource {
  readyState: ReadyState = 'open';
  duration = Number.NaN;
  buffers: FakeSourceBuffer[] = [];
  ended = 0;
  addSourceBuffer(type: string): FakeSourceBuffer {
    const b = new FakeSourceBuffer(type);
    this.buffers.push(b);
    return b;
  }
  endOfStream(): void {
    this.ended++;
    this.readyState = 'ended';
  }
}

class FakeVideo extends EventTarget {
  currentTime = 0;
  playbackRate = 1;
  seeking = false;
  error = null;
}

function media(startS: number, endS: number): Uint8Array {
  return new Uint8Array(new Float64Array([startS, endS]).buffer);
}

function payload(segmentIndex: number, renditionIndex: number): SegmentPayload {
  const name = ['144p', '240p', '360p', '480p'][renditionIndex]!;
  const startS = segmentIndex * 2;
  return {
    segmentIndex,
    renditionIndex,
    durationMs: 2000,
    init: { url: `${name}/init.mp4`, bytes: new Uint8Array(1) },
    video: { url: `${name}/seg_${segmentIndex}.m4s`, bytes: media(startS, startS + 2) },
    audioInit: { url: 'audio/init.mp4', bytes: new Uint8Array(1) },
    audio: [{ url: `audio/seg_${segmentIndex}.m4s`, bytes: media(startS, startS + 2), durationMs: 2000 }],
  };
}

function setup(backBufferMs = 30_000) {
  const clock = new VirtualClock();
  const mediaSource = new FakeMediaSource();
  const video = new FakeVideo();
  const fatal: AbrkitError[] = [];
  const playback: string[] = [];
  const sink = new MseSink({
    video: video as unknown as HTMLMediaElement,
    mediaSource: mediaSource as unknown as MediaSource,
    ladder,
    clock,
    backBufferMs,
    onFatal: (e) => fatal.push(e),
    onPlayback: (e) => playback.push(e),
  });
  const [videoBuffer, audioBuffer] = mediaSource.buffers as [FakeSourceBuffer, FakeSourceBuffer];
  return { clock, mediaSource, video, sink, fatal, playback, videoBuffer, audioBuffer };
}

/**
 * Waits `ms`, then until no fake append or remove is in flight (at most 5 s more): each update ends on a timer and
 * the sink starts the next from its updateend, so on a loaded machine a chain of five outlasted a fixed 30 ms.
 */
async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  const deadline = performance.now() + 5000;
  while (pendingOps > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe('MseSink', () => {
  it('creates one SourceBuffer per track and sets the duration', () => {
    const { mediaSource } = setup();
    expect(mediaSource.buffers.map((b) => b.mimeType)).toEqual([
      'video/mp4; codecs="avc1.4d400c"',
      'audio/mp4; codecs="mp4a.40.2"',
    ]);
    expect(mediaSource.duration).toBe(40);
  });

  it('counts queued media in the buffer level at once, appends init segments only on a switch', async () => {
    const { sink, videoBuffer, audioBuffer } = setup();
    sink.appendPayload(payload(0, 0));
    expect(sink.bufferLevelMs()).toBe(2000);
    sink.appendPayload(payload(1, 0));
    sink.appendPayload(payload(2, 3));
    expect(sink.bufferLevelMs()).toBe(6000);
    await settle();
    expect(sink.bufferLevelMs()).toBeCloseTo(6000, 6);
    // init 144p, seg 0, seg 1, init 480p, seg 2 (1-byte inits, 16-byte segments)
    expect(videoBuffer.appended).toEqual([1, 16, 16, 1, 16]);
    expect(videoBuffer.changedTo).toBe('video/mp4; codecs="avc1.64001f"');
    expect(audioBuffer.appended).toEqual([1, 16, 16, 16]);
  });

  it('evicts behind the playhead beyond the back buffer', async () => {
    const { sink, video, videoBuffer, audioBuffer } = setup(4000);
    for (let i = 0; i < 6; i++) sink.appendPayload(payload(i, 0));
    await settle();
    video.currentTime = 9;
    sink.appendPayload(payload(6, 0));
    await settle();
    expect(videoBuffer.removed.at(-1)).toEqual([0, 5]);
    expect(videoBuffer.ranges).toEqual([[5, 14]]);
    expect(audioBuffer.ranges).toEqual([[5, 14]]);
    expect(sink.bufferLevelMs()).toBeCloseTo(5000, 6);
  });

  it('recovers from QuotaExceededError by evicting behind the playhead and retrying the append', async () => {
    const { sink, video, videoBuffer, fatal } = setup(30_000);
    for (let i = 0; i < 5; i++) sink.appendPayload(payload(i, 0));
    await settle();
    video.currentTime = 8;
    videoBuffer.quotaFailures = 1;
    sink.appendPayload(payload(5, 0));
    await settle();
    expect(fatal).toEqual([]);
    // kept 2 s behind the playhead, then the append went through
    expect(videoBuffer.removed).toEqual([[0, 6]]);
    expect(videoBuffer.ranges).toEqual([[6, 12]]);
  });

  it('ends the stream only after the last segment, once the queues drained; a seek reset drops queued appends silently', async () => {
    const { sink, mediaSource, fatal } = setup();
    const last = ladder.segmentCount - 1;
    sink.appendPayload(payload(0, 0));
    // a session that stopped early (a fatal error) asks to end: ending would cut the duration to 2 s
    sink.endOfStream();
    await settle();
    expect(mediaSource.ended).toBe(0);
    expect(sink.bufferedToEnd(0)).toBe(false);
    sink.appendPayload(payload(last, 0));
    sink.endOfStream();
    expect(mediaSource.ended).toBe(0);
    await settle();
    expect(mediaSource.ended).toBe(1);
    expect(mediaSource.duration).toBe(ladder.durationMs / 1000);
    mediaSource.readyState = 'open';
    sink.appendPayload(payload(1, 0));
    sink.appendPayload(payload(2, 0));
    sink.resetForSeek();
    await settle();
    expect(fatal).toEqual([]);
    expect(sink.bufferLevelMs()).toBeCloseTo(4000, 6);
  });

  it('blames a decode error on the segment being played (or appended), by playlist time', async () => {
    const { sink, video, fatal } = setup();
    for (let i = 0; i < 4; i++) sink.appendPayload(payload(i, 1));
    await settle(150);
    // the decoder runs a little ahead of the playhead: 3.9 s is in segment 1, the error in segment 2
    video.currentTime = 3.9;
    (video as unknown as { error: { code: number; message: string } }).error = { code: 3, message: 'decode' };
    video.dispatchEvent(new Event('error'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({
      code: 'MEDIA_ERROR',
      data: { source: '240p/seg_2.m4s', mediaErrorCode: 3 },
    });
  });

  it('accounts startup and stalls from the element events on the clock, ignoring waits while seeking', () => {
    const { sink, video, clock, playback } = setup();
    expect(sink.started()).toBe(false);
    video.dispatchEvent(new Event('waiting'));
    clock.run(500);
    video.dispatchEvent(new Event('playing'));
    expect(sink.started()).toBe(true);
    expect(sink.startedAt).toBe(500);
    expect(sink.stallCount()).toBe(0);
    clock.run(1000);
    video.dispatchEvent(new Event('waiting'));
    clock.run(1300);
    expect(sink.stallMs()).toBe(300);
    video.dispatchEvent(new Event('playing'));
    clock.run(2000);
    expect([sink.stallMs(), sink.stallCount()]).toEqual([300, 1]);
    sink.resetForSeek();
    video.dispatchEvent(new Event('waiting'));
    clock.run(2500);
    video.dispatchEvent(new Event('playing'));
    expect([sink.stallMs(), sink.stallCount()]).toEqual([300, 1]);
    expect(playback).toEqual(['started', 'stalled', 'resumed']);
  });

  it('reports an append the browser rejects as a fatal media error naming the URL', async () => {
    const { sink, videoBuffer, fatal } = setup();
    videoBuffer.appendBuffer = () => {
      videoBuffer.updating = true;
      setTimeout(() => {
        videoBuffer.updating = false;
        videoBuffer.dispatchEvent(new Event('error'));
        videoBuffer.dispatchEvent(new Event('updateend'));
      }, 1);
    };
    sink.appendPayload(payload(0, 0));
    await settle();
    expect(fatal[0]).toBeInstanceOf(AbrkitError);
    expect(fatal[0]).toMatchObject({
      category: 'media',
      code: 'APPEND_FAILED',
      data: { source: '144p/init.mp4' },
    });
  });
});

describe('SessionSinkView', () => {
  it('offsets segment indices, counts stalls from its start and ignores endOfStream once detached', async () => {
    const { sink, video, clock, mediaSource } = setup();
    video.dispatchEvent(new Event('playing'));
    video.dispatchEvent(new Event('waiting'));
    clock.run(400);
    video.dispatchEvent(new Event('playing'));
    const asked: string[] = [];
    const view = new SessionSinkView(
      sink,
      (s, r) => {
        asked.push(`${s}:${r}`);
        return payload(s, r);
      },
      7,
      () => true,
    );
    expect([view.stallMs(), view.stallCount()]).toEqual([0, 0]);
    view.append({ segmentIndex: 0, renditionIndex: 2, durationMs: 2000, sizeBytes: 16 });
    expect(asked).toEqual(['7:2']);
    view.detached = true;
    view.append({ segmentIndex: 1, renditionIndex: 2, durationMs: 2000, sizeBytes: 16 });
    view.endOfStream();
    await settle();
    expect(asked).toEqual(['7:2']);
    expect(mediaSource.ended).toBe(0);
  });
});
