import { describe, expect, it } from 'vitest';
import type { AbrAlgorithm } from '../../src/abr/types.js';
import { AbrkitError } from '../../src/core/errors.js';
import type { DownloadSample } from '../../src/core/types.js';
import { BufferModel } from '../../src/session/buffer-model.js';
import { StreamingSession, mediaFromVideo, type SessionOptions } from '../../src/session/session.js';
import type {
  LoadCallbacks,
  LoadHandle,
  SegmentRequest,
  SegmentSource,
  SessionEvents,
} from '../../src/session/types.js';
import { LinkModel } from '../../src/sim/network/link.js';
import { TraceSource } from '../../src/sim/trace-source.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import type { VideoDescription } from '../../src/videos/model.js';
import {
  AbandoningAlgorithm,
  CountingEstimator,
  FixedAlgorithm,
  constantTrace,
  flatVideo,
  simpleQoe,
} from './helpers.js';

interface Setup {
  algorithm: AbrAlgorithm;
  video: VideoDescription;
  trace: NetworkTrace;
  startPlayback?: 'first-append' | 'immediately';
  source?: (clock: VirtualClock) => SegmentSource;
  options?: Partial<SessionOptions>;
}

function run(setup: Setup) {
  const clock = new VirtualClock();
  const source = setup.source
    ? setup.source(clock)
    : new TraceSource(clock, new LinkModel(setup.trace), { progressMinMs: 50, progressMinBytes: 0 });
  const sink = new BufferModel(clock, { startPlayback: setup.startPlayback ?? 'first-append' });
  const estimator = new CountingEstimator();
  const session = new StreamingSession({
    clock,
    source,
    sink,
    algorithm: setup.algorithm,
    media: mediaFromVideo(setup.video),
    throughputEstimator: estimator,
    qoeTerm: simpleQoe,
    bufferTargetMs: 10_000,
    ...setup.options,
  });
  const log: { event: keyof SessionEvents; payload: unknown }[] = [];
  for (const event of ['decision', 'download', 'segment', 'stall', 'idle', 'error', 'end'] as const) {
    session.events.on(event, (payload) => log.push({ event, payload }));
  }
  session.start();
  clock.run();
  return {
    session,
    clock,
    sink,
    estimator,
    log,
    events: (e: keyof SessionEvents) => log.filter((l) => l.event === e).map((l) => l.payload),
  };
}

// 8000 kbps = 1000 bytes/ms; 500 kB take 500 ms
const fast = constantTrace(8000);
const video3 = flatVideo(3, 4000, [1000, 2000], [500_000, 1_000_000]);

describe('StreamingSession: waiting', () => {
  it('sabre policy waits before choosing until buffer + segment <= target, and reports the idle time', () => {
    const algorithm = new FixedAlgorithm(0);
    const { session, events } = run({
      algorithm,
      video: video3,
      trace: fast,
      options: { waitPolicy: 'sabre' },
    });
    // seg0 0-500 (buffer 4000), seg1 500-1000 (buffer 7500); seg2: 7500 + 4000 - 10000 = 1500 ms wait
    expect(algorithm.idles).toEqual([1500]);
    expect(events('idle')).toEqual([{ nowMs: 1000, durationMs: 1500 }]);
    expect(algorithm.contexts.map((c) => c.nowMs)).toEqual([0, 500, 2500]);
    expect(algorithm.contexts[2]!.bufferLevelMs).toBeCloseTo(6000, 9);
    expect(session.records.map((r) => r.bufferMs)).toEqual([4000, 7500, 9500]);
  });

  it('pensieve policy sleeps after a download in 500 ms steps while the buffer is over target', () => {
    const algorithm = new FixedAlgorithm(0);
    const { events } = run({
      algorithm,
      video: video3,
      trace: fast,
      options: { waitPolicy: 'pensieve', bufferTargetMs: 5000 },
    });
    // after seg1 the buffer is 7500 > 5000: sleep ceil(2500/500)*500 = 2500; no sleep after the last segment
    expect(events('idle')).toEqual([{ nowMs: 1000, durationMs: 2500 }]);
    expect(algorithm.contexts.map((c) => c.nowMs)).toEqual([0, 500, 3500]);
    expect(algorithm.contexts[2]!.bufferLevelMs).toBeCloseTo(5000, 9);
  });

  it('honours the decision delay before the download starts', () => {
    const algorithm = new FixedAlgorithm(0, 300);
    const { session } = run({ algorithm, video: flatVideo(2, 4000, [1000], [500_000]), trace: fast });
    expect(algorithm.downloaded.map((s) => s.startMs)).toEqual([300, 1100]);
    expect(session.records[0]!.downloadMs).toBe(500);
  });
});

describe('StreamingSession: stalls and startup', () => {
  // 800 kbps = 100 bytes/ms: 200 kB take 2000 ms, a segment plays 1000 ms
  const slow = constantTrace(800);
  const video = flatVideo(3, 1000, [800], [200_000]);

  it('first-append: the first download is startup, later starvation is stall', () => {
    const { session, sink, events } = run({ algorithm: new FixedAlgorithm(0), video, trace: slow });
    expect(session.records.map((r) => r.rebufferMs)).toEqual([0, 1000, 1000]);
    expect(sink.stallMs()).toBe(2000);
    expect(sink.stallCount()).toBe(2);
    expect(sink.startedAtMs()).toBe(2000);
    expect(events('stall')).toEqual([
      { segmentIndex: 1, durationMs: 1000, endMs: 4000 },
      { segmentIndex: 2, durationMs: 1000, endMs: 6000 },
    ]);
    // QoE term gets this segment's rebuffer
    const qoe = session.records.map((r) => r.qoe);
    [0.8, -0.2, -0.2].forEach((q, i) => expect(qoe[i]).toBeCloseTo(q, 12));
  });

  it('immediately: the first download counts as rebuffer (Pensieve)', () => {
    const { session, sink } = run({
      algorithm: new FixedAlgorithm(0),
      video,
      trace: slow,
      startPlayback: 'immediately',
    });
    expect(session.records.map((r) => r.rebufferMs)).toEqual([2000, 1000, 1000]);
    expect(sink.stallCount()).toBe(3);
  });

  it('reports startingUp until playback starts', () => {
    const algorithm = new FixedAlgorithm(0);
    run({ algorithm, video, trace: slow });
    expect(algorithm.contexts.map((c) => c.startingUp)).toEqual([true, false, false]);
  });
});

describe('StreamingSession: decisions', () => {
  it('fetches segment 0 at the forced rendition without asking the algorithm', () => {
    const algorithm = new FixedAlgorithm(0);
    const { session, events } = run({
      algorithm,
      video: video3,
      trace: fast,
      options: { forcedFirstRendition: 1 },
    });
    expect(algorithm.contexts.map((c) => c.segmentIndex)).toEqual([1, 2]);
    expect(session.records.map((r) => r.rendition)).toEqual([1, 0, 0]);
    expect(algorithm.contexts[0]!.lastRenditionIndex).toBe(1);
    const decisions = events('decision') as SessionEvents['decision'][];
    expect(decisions.map((d) => d.forced)).toEqual([true, false, false]);
    // onDownloaded still hears about segment 0
    expect(algorithm.downloaded).toHaveLength(3);
  });

  it('clamps decisions to maxRenditionIndex and passes the cap in the context', () => {
    const algorithm = new FixedAlgorithm(1);
    const { session } = run({ algorithm, video: video3, trace: fast, options: { maxRenditionIndex: 0 } });
    expect(session.records.map((r) => r.rendition)).toEqual([0, 0, 0]);
    expect(algorithm.contexts[0]!.maxRenditionIndex).toBe(0);
  });

  it('throws an abr AbrkitError for a rendition outside the ladder', () => {
    expect(() => run({ algorithm: new FixedAlgorithm(7), video: video3, trace: fast })).toThrow(AbrkitError);
  });

  it('builds contexts with sizes, counts, estimates and the last rendition', () => {
    const algorithm = new FixedAlgorithm(1);
    run({ algorithm, video: video3, trace: fast });
    const [c0, c1] = algorithm.contexts;
    expect(c0!.segmentCount).toBe(3);
    expect(c0!.segmentSizeBytes(2, 1)).toBe(1_000_000);
    expect(c0!.segmentSizeBytes(9, 0)).toBeNull();
    expect(c0!.lastRenditionIndex).toBeNull();
    expect(c0!.throughput.sampleCount).toBe(0);
    expect(c1!.lastRenditionIndex).toBe(1);
    expect(c1!.throughput.sampleCount).toBe(1);
    expect(c1!.latencyMs).toBeNull();
  });

  it('resets the algorithm and the estimator at start', () => {
    const algorithm = new FixedAlgorithm(0);
    run({ algorithm, video: video3, trace: fast });
    expect(algorithm.resets).toBe(1);
  });
});

describe('StreamingSession: abandonment', () => {
  it("aborts on shouldAbandon and re-fetches the segment at the returned rendition ('returned')", () => {
    const algorithm = new AbandoningAlgorithm(1, 0);
    const { session, estimator, events } = run({ algorithm, video: video3, trace: fast });
    expect(session.records.map((r) => r.rendition)).toEqual([0, 0, 0]);
    // first progress at 50 ms (50 kB of 1 MB), then abort and fetch 500 kB from 50 ms: ends at 550 ms
    expect(algorithm.progress[0]).toMatchObject({
      segmentIndex: 0,
      renditionIndex: 1,
      startMs: 0,
      nowMs: 50,
      loadedBytes: 50_000,
      totalBytes: 1_000_000,
    });
    const downloads = events('download') as SessionEvents['download'][];
    expect(downloads[0]).toMatchObject({ segmentIndex: 0, renditionIndex: 1, abandonedTo: 0 });
    expect(downloads[0]!.sample).toEqual({
      startMs: 0,
      firstByteMs: 0,
      endMs: 50,
      sizeBytes: 50_000,
      aborted: true,
    });
    expect(downloads[1]!.sample).toEqual({ startMs: 50, firstByteMs: 50, endMs: 550, sizeBytes: 500_000 });
    // the algorithm hears about aborted downloads, the estimator does not (by default)
    expect(algorithm.downloaded.filter((s) => s.aborted)).toHaveLength(3);
    expect(estimator.samples.every((s: DownloadSample) => !s.aborted)).toBe(true);
    expect(estimator.samples).toHaveLength(3);
    // choose once per segment
    expect(algorithm.contexts).toHaveLength(3);
  });

  it("asks the algorithm again after an abandonment with 'choose' (Sabre), and samples aborts when asked", () => {
    const algorithm = new AbandoningAlgorithm(1, 0);
    let calls = 0;
    const original = algorithm.choose.bind(algorithm);
    algorithm.choose = (ctx) => {
      calls++;
      // first ask per segment: 1; re-ask after the abort: 0
      const d = original(ctx);
      return calls % 2 === 1 ? d : { ...d, renditionIndex: 0 };
    };
    const { session, estimator } = run({
      algorithm,
      video: video3,
      trace: fast,
      options: { abandonRefetch: 'choose', sampleAbortedDownloads: true },
    });
    expect(calls).toBe(6);
    expect(session.records.map((r) => r.rendition)).toEqual([0, 0, 0]);
    expect(estimator.samples).toHaveLength(6);
  });
  it('never reports progress nor abandons when abandonment is off (Pensieve has none)', () => {
    const algorithm = new AbandoningAlgorithm(1, 0);
    const { session, estimator } = run({
      algorithm,
      video: video3,
      trace: fast,
      options: { abandonment: false },
    });
    expect(algorithm.progress).toHaveLength(0);
    expect(session.records.map((r) => r.rendition)).toEqual([1, 1, 1]);
    expect(estimator.samples.every((s: DownloadSample) => !s.aborted)).toBe(true);
  });
});

describe('StreamingSession: errors and events', () => {
  /** A source that fails the first attempt of every segment, then delivers in 100 ms. */
  function flakySource(clock: VirtualClock): SegmentSource {
    return {
      load(request: SegmentRequest, callbacks: LoadCallbacks): LoadHandle {
        const start = clock.nowMs();
        const cancel = clock.setTimer(() => {
          if (request.attempt === 1 && request.renditionIndex === 1) {
            callbacks.onError(
              new AbrkitError('network', 'HTTP_503', 'busy', { fatal: false, data: { source: 'seg' } }),
            );
          } else {
            callbacks.onComplete({
              startMs: start,
              firstByteMs: start + 10,
              endMs: start + 100,
              sizeBytes: request.sizeBytes ?? 0,
            });
          }
        }, 100);
        return {
          abort: () => {
            cancel();
            return { startMs: start, firstByteMs: start, endMs: clock.nowMs(), sizeBytes: 0, aborted: true };
          },
        };
      },
    };
  }

  it('retries through the hook, possibly at another rendition', () => {
    const requests: SegmentRequest[] = [];
    const { session, events } = run({
      algorithm: new FixedAlgorithm(1),
      video: video3,
      trace: fast,
      source: flakySource,
      options: {
        onError: (_error, request) => {
          requests.push(request);
          return { delayMs: 50, renditionIndex: 0 };
        },
      },
    });
    expect(session.records.map((r) => r.rendition)).toEqual([0, 0, 0]);
    expect(requests.map((r) => r.segmentIndex)).toEqual([0, 1, 2]);
    expect((events('error') as SessionEvents['error'][]).every((e) => e.willRetry)).toBe(true);
    expect(session.error).toBeNull();
  });

  it('ends the session with the error when there is no retry hook', () => {
    const { session, events } = run({
      algorithm: new FixedAlgorithm(1),
      video: video3,
      trace: fast,
      source: flakySource,
    });
    expect(session.ended).toBe(true);
    expect(session.records).toHaveLength(0);
    expect(session.error?.code).toBe('HTTP_503');
    const end = events('end') as SessionEvents['end'][];
    expect(end).toHaveLength(1);
    expect(end[0]!.error?.code).toBe('HTTP_503');
  });

  it('emits decision, download and segment per segment and one end, in order', () => {
    const { log } = run({
      algorithm: new FixedAlgorithm(0),
      video: video3,
      trace: fast,
      options: { bufferTargetMs: 60_000 },
    });
    expect(log.map((l) => l.event)).toEqual([
      'decision',
      'download',
      'segment',
      'decision',
      'download',
      'segment',
      'decision',
      'download',
      'segment',
      'end',
    ]);
  });

  it('keeps going when a listener throws', () => {
    const clock = new VirtualClock();
    const session = new StreamingSession({
      clock,
      source: new TraceSource(clock, new LinkModel(fast)),
      sink: new BufferModel(clock),
      algorithm: new FixedAlgorithm(0),
      media: mediaFromVideo(video3),
      throughputEstimator: new CountingEstimator(),
      qoeTerm: simpleQoe,
      bufferTargetMs: 30_000,
    });
    session.events.on('segment', () => {
      throw new Error('listener bug');
    });
    session.start();
    clock.run();
    expect(session.records).toHaveLength(3);
  });

  it('stop() aborts the download in flight and ends the session', () => {
    const clock = new VirtualClock();
    const session = new StreamingSession({
      clock,
      source: new TraceSource(clock, new LinkModel(fast)),
      sink: new BufferModel(clock),
      algorithm: new FixedAlgorithm(0),
      media: mediaFromVideo(video3),
      throughputEstimator: new CountingEstimator(),
      qoeTerm: simpleQoe,
      bufferTargetMs: 30_000,
    });
    session.start();
    clock.run(600); // seg0 done at 500, seg1 in flight
    session.stop();
    clock.run();
    expect(session.ended).toBe(true);
    expect(session.records).toHaveLength(1);
  });

  it('rejects bad options with a TypeError naming them', () => {
    const clock = new VirtualClock();
    const base = {
      clock,
      source: new TraceSource(clock, new LinkModel(fast)),
      sink: new BufferModel(clock),
      algorithm: new FixedAlgorithm(0),
      media: mediaFromVideo(video3),
      throughputEstimator: new CountingEstimator(),
      qoeTerm: simpleQoe,
    };
    expect(() => new StreamingSession({ ...base, bufferTargetMs: 0 })).toThrow(/bufferTargetMs/);
    expect(() => new StreamingSession({ ...base, bufferTargetMs: 1000, forcedFirstRendition: 5 })).toThrow(
      /forcedFirstRendition/,
    );
  });
});
