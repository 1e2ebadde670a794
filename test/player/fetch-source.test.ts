import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import type { AbrkitError } from '../../src/core/errors.js';
import type { DownloadSample } from '../../src/core/types.js';
import { FetchSegmentSource } from '../../src/player/fetch-source.js';
import type { DownloadRecord, SegmentPayload } from '../../src/player/fetch-source.js';
import { buildLadder } from '../../src/player/ladder.js';
import type { LoadCallbacks, LoadProgress, SegmentRequest } from '../../src/session/types.js';
import { BASE_URL, fixturePresentation } from './fixture-ladder.js';
import type { AbrAlgorithm } from '../../src/abr/types.js';
import { EwmaEstimator } from '../../src/estimators/ewma-estimator.js';
import { createTrackedClock } from '../../src/player/tracked-clock.js';
import { BufferModel } from '../../src/session/buffer-model.js';
import { StreamingSession } from '../../src/session/session.js';

const ladder = buildLadder(fixturePresentation(), () => true);

/** A clock that moves 10 ms at every read; timers never fire (no request here times out). */
function steppingClock(): Clock {
  let now = 0;
  return { nowMs: () => (now += 10), setTimer: () => () => {} };
}

/** A fetch over a table of URL -> body; bodies stream in 1000-byte chunks; unknown URLs are 404s. */
function fakeFetch(sizes: (url: string) => number | null, log: string[]): typeof fetch {
  return (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    log.push(url.slice(BASE_URL.length));
    const size = sizes(url);
    if (size === null) return Promise.resolve(new Response('nope', { status: 404, statusText: 'Not Found' }));
    const body = new Uint8Array(size).fill(url.length % 256);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < size; offset += 1000)
          controller.enqueue(body.slice(offset, offset + 1000));
        controller.close();
      },
    });
    return Promise.resolve(new Response(stream, { headers: { 'Content-Length': String(size) } }));
  };
}

function request(segmentIndex: number, renditionIndex: number): SegmentRequest {
  return { segmentIndex, renditionIndex, sizeBytes: null, durationMs: 2000, attempt: 1 };
}

interface Outcome {
  sample?: DownloadSample;
  error?: AbrkitError;
  progress: LoadProgress[];
}

function load(source: FetchSegmentSource, req: SegmentRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { progress: [] };
    const callbacks: LoadCallbacks = {
      onProgress: (p) => outcome.progress.push(p),
      onComplete: (sample) => resolve({ ...outcome, sample }),
      onError: (error) => resolve({ ...outcome, error }),
    };
    source.load(req, callbacks, true);
  });
}

function makeSource(options: {
  segmentOffset?: number;
  audioStart?: number;
  sizes?: (url: string) => number | null;
}) {
  const log: string[] = [];
  const payloads: SegmentPayload[] = [];
  const downloads: DownloadRecord[] = [];
  const inFlight = new Set<AbortController>();
  const source = new FetchSegmentSource({
    ladder,
    clock: steppingClock(),
    segmentOffset: options.segmentOffset ?? 0,
    audioStart: options.audioStart ?? 0,
    timeoutMs: 5000,
    initCache: new Map(),
    onPayload: (p) => payloads.push(p),
    onDownload: (d) => downloads.push(d),
    inFlight,
    fetchImpl: fakeFetch(options.sizes ?? ((url) => (url.endsWith('.mp4') ? 700 : 5000)), log),
  });
  return { source, log, payloads, downloads, inFlight };
}

describe('FetchSegmentSource', () => {
  it('fetches the init segment once per rendition, the segment, and the audio that plays alongside', async () => {
    const { source, log, payloads, downloads, inFlight } = makeSource({});
    const first = await load(source, request(0, 2));
    expect(first.error).toBeUndefined();
    // the sample is the video body stream's plus what was fetched alongside it on the same link (5000 + 5000
    // bytes of video and audio, and the two 700-byte init segments fetched for the first time) until the last
    // of them; first byte after the request; progress per chunk of the video
    expect(first.sample?.sizeBytes).toBe(11_400);
    expect(first.sample!.firstByteMs).toBeGreaterThan(first.sample!.startMs);
    const videoEnd = downloads.find((d) => d.kind === 'video');
    const audioEnd = downloads.find((d) => d.kind === 'audio');
    expect(first.sample!.endMs).toBeGreaterThanOrEqual(videoEnd!.endMs);
    expect(first.sample!.endMs).toBeGreaterThanOrEqual(audioEnd!.endMs);
    // and from the first byte of any of them: the init segments' and the audio's bytes count, and came earlier
    const firstBytes = downloads.filter((d) => d.segmentIndex === 0).map((d) => d.firstByteMs);
    expect(first.sample!.firstByteMs).toBe(Math.min(...firstBytes));
    expect(first.sample!.firstByteMs).toBeLessThan(videoEnd!.firstByteMs);
    // progress counts the audio segment streaming alongside (1000-byte chunks in step with the video's)
    expect(first.progress.map((p) => p.loadedBytes)).toEqual([2000, 4000, 6000, 8000, 10_000]);
    expect(first.progress[0]?.totalBytes).toBe(10_000);
    expect(payloads[0]).toMatchObject({ segmentIndex: 0, renditionIndex: 2, durationMs: 2000 });
    expect(payloads[0]?.init?.url).toBe(`${BASE_URL}/ladder/360p/init.mp4`);
    expect(payloads[0]?.audioInit?.url).toBe(`${BASE_URL}/ladder/audio/init.mp4`);
    expect(payloads[0]?.audio.map((a) => a.url.split('/').pop())).toEqual(['seg_00000.m4s']);
    // both init segments are cached from now on: they no longer share the link
    expect((await load(source, request(1, 2))).sample?.sizeBytes).toBe(10_000);
    await load(source, request(2, 0));
    expect(log.filter((u) => u.endsWith('init.mp4'))).toEqual([
      '/ladder/360p/init.mp4',
      '/ladder/audio/init.mp4',
      '/ladder/144p/init.mp4',
    ]);
    // cached init segments are still handed to the sink (it decides whether to append them)
    expect(payloads[1]?.init?.url).toBe(`${BASE_URL}/ladder/360p/init.mp4`);
    expect(payloads.map((p) => p.audio.map((a) => a.url.split('/').pop()))).toEqual([
      ['seg_00000.m4s'],
      ['seg_00001.m4s'],
      ['seg_00002.m4s'],
    ]);
    expect(
      downloads.filter((d) => d.kind === 'video').map((d) => [d.segmentIndex, d.renditionIndex, d.sizeBytes]),
    ).toEqual([
      [0, 2, 5000],
      [1, 2, 5000],
      [2, 0, 5000],
    ]);
    expect(inFlight.size).toBe(0);
  });

  it('requests the init segment and the media segment together, not one after the other', async () => {
    // the init's response is held until the media segment is requested (or 200 ms): a source that waited for
    // the init before requesting the segment would only request it after the timeout
    const log: string[] = [];
    const requested: string[] = [];
    let segmentRequested: () => void = () => {};
    const segmentSeen = new Promise<void>((resolve) => (segmentRequested = resolve));
    const plain = fakeFetch((url) => (url.endsWith('.mp4') ? 700 : 5000), log);
    const gated: typeof fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      requested.push(url.slice(BASE_URL.length));
      if (url.endsWith('/360p/seg_00000.m4s')) segmentRequested();
      if (url.endsWith('/360p/init.mp4'))
        await Promise.race([segmentSeen, new Promise((r) => setTimeout(r, 200))]).then(() =>
          requested.push('init answered'),
        );
      return plain(input, init);
    };
    const source = new FetchSegmentSource({
      ladder,
      clock: steppingClock(),
      segmentOffset: 0,
      audioStart: 0,
      timeoutMs: 5000,
      initCache: new Map(),
      onPayload: () => {},
      fetchImpl: gated,
    });
    const outcome = await load(source, request(0, 2));
    expect(outcome.error).toBeUndefined();
    expect(requested.indexOf('/ladder/360p/seg_00000.m4s')).toBeLessThan(requested.indexOf('init answered'));
    expect(requested.indexOf('/ladder/360p/init.mp4')).toBeLessThan(requested.indexOf('init answered'));
  });

  it('takes every remaining audio segment with the last video segment', async () => {
    const { source, payloads } = makeSource({ segmentOffset: 19, audioStart: 19 });
    await load(source, request(0, 1));
    expect(payloads[0]?.segmentIndex).toBe(19);
    expect(payloads[0]?.audio.map((a) => a.url.split('/').pop())).toEqual(['seg_00019.m4s', 'seg_00020.m4s']);
  });

  it('reports an HTTP error as a non-fatal network error naming the URL, without a payload', async () => {
    const { source, payloads } = makeSource({
      audioStart: 3,
      sizes: (url) => (url.endsWith('240p/seg_00003.m4s') ? null : 900),
    });
    const outcome = await load(source, request(3, 1));
    expect(outcome.error).toMatchObject({
      category: 'network',
      code: 'HTTP_404',
      fatal: false,
      data: { source: `${BASE_URL}/ladder/240p/seg_00003.m4s` },
    });
    expect(payloads).toEqual([]);
    // the audio of segment 3 was not consumed: the retry fetches it again
    await load(source, request(3, 0));
    expect(payloads[0]?.audio.map((a) => a.url.split('/').pop())).toEqual(['seg_00003.m4s']);
  });

  it('abort() returns what arrived, marks it aborted and calls nothing afterwards', async () => {
    const { source, downloads, inFlight } = makeSource({});
    const calls: string[] = [];
    const handle = source.load(
      request(0, 3),
      {
        onProgress: () => calls.push('progress'),
        onComplete: () => calls.push('complete'),
        onError: () => calls.push('error'),
      },
      true,
    );
    expect(inFlight.size).toBe(1);
    const sample = handle.abort();
    expect(sample.aborted).toBe(true);
    expect(sample.sizeBytes).toBe(0);
    expect(inFlight.size).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]);
    expect(downloads.filter((d) => d.kind === 'video')).toEqual([
      expect.objectContaining({ aborted: true, segmentIndex: 0, renditionIndex: 3 }),
    ]);
  });
});

describe('FetchSegmentSource behind the session loop: abandonment on body-stream progress', () => {
  /** A fetch whose bodies trickle in 1000-byte chunks every 2 ms and stop when the request is aborted. */
  const slowFetch =
    (log: string[]): typeof fetch =>
    (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      log.push(url.slice(BASE_URL.length));
      const size = url.endsWith('.mp4') ? 500 : 20_000;
      let timer: ReturnType<typeof setInterval> | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          let sent = 0;
          timer = setInterval(() => {
            const n = Math.min(1000, size - sent);
            controller.enqueue(new Uint8Array(n));
            sent += n;
            if (sent >= size) {
              clearInterval(timer);
              controller.close();
            }
          }, 2);
          init?.signal?.addEventListener('abort', () => {
            clearInterval(timer);
            controller.error(new DOMException('aborted', 'AbortError'));
          });
        },
      });
      return Promise.resolve(new Response(stream, { headers: { 'Content-Length': String(size) } }));
    };

  it('aborts the download the algorithm gives up on and fetches the segment at the lower rendition', async () => {
    const clock = createTrackedClock();
    const log: string[] = [];
    const downloads: DownloadRecord[] = [];
    const inFlight = new Set<AbortController>();
    let payload: SegmentPayload | undefined;
    const source = new FetchSegmentSource({
      ladder,
      clock,
      segmentOffset: 0,
      audioStart: 0,
      timeoutMs: 5000,
      initCache: new Map(),
      onPayload: (p) => (payload = p),
      onDownload: (d) => downloads.push(d),
      inFlight,
      fetchImpl: slowFetch(log),
    });
    const algorithm: AbrAlgorithm = {
      name: 'abandon-at-5kB',
      choose: () => ({ renditionIndex: 3, reason: 'top' }),
      shouldAbandon: (progress) => (progress.renditionIndex === 3 && progress.loadedBytes >= 5000 ? 0 : null),
    };
    const session = new StreamingSession({
      clock,
      source,
      sink: new BufferModel(clock),
      algorithm,
      media: { ...ladder, segmentCount: 1, segmentSizeBytes: () => null },
      throughputEstimator: new EwmaEstimator(),
      qoeTerm: () => 0,
      bufferTargetMs: 10_000,
    });
    const ended = new Promise<void>((resolve) => session.events.on('end', () => resolve()));
    session.start();
    await ended;
    expect(session.error).toBeNull();
    // 20 000 bytes of video plus the 20 000 of the audio segment and the 500 of the 144p init fetched
    // alongside (one link)
    expect(session.records.map((r) => [r.segment, r.rendition, r.sizeBytes])).toEqual([[0, 0, 40_500]]);
    const video = downloads.filter((d) => d.kind === 'video');
    expect(video.map((d) => [d.renditionIndex, d.aborted])).toEqual([
      [3, true],
      [0, false],
    ]);
    // the algorithm saw 5000 bytes of video and audio together
    expect(video[0]!.sizeBytes).toBeGreaterThanOrEqual(1000);
    expect(video[0]!.sizeBytes).toBeLessThan(5000);
    expect(payload?.video.url).toBe(`${BASE_URL}/ladder/144p/seg_00000.m4s`);
    expect(log).toContain('/ladder/480p/seg_00000.m4s');
    expect(inFlight.size).toBe(0);
    expect(clock.activeTimers).toBe(0);
  });
});
