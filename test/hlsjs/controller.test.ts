import { describe, expect, it } from 'vitest';
import type { AbrAlgorithm, AbrContext } from '../../src/abr/types.js';
import { scenarioMpcInfo } from '../../src/abr/scenario-mpc.js';
import { AbrkitError } from '../../src/core/errors.js';
import type { DownloadProgress, DownloadSample } from '../../src/core/types.js';
import {
  abrkitControllerOf,
  createHlsAbrController,
  HLS_EVENTS,
  type AbrkitHlsController,
  type HlsAbrDecision,
} from '../../src/hlsjs/index.js';
import { FakeHls, fragment, makeLevels, ManualClock, type FakeFragment } from './fake-hls.js';

/**
 * hls.js order (height first) differs from bitrate order on purpose:
 * level 0: 200 kbps avg, level 1: 700 kbps avg, level 2: 400 kbps avg, level 3: 2000 kbps (no AVERAGE-BANDWIDTH).
 * abrkit renditions (ascending): 0 = L0, 1 = L2, 2 = L1, 3 = L3.
 */
const LEVELS = [
  { bitrate: 300_000, averageBitrate: 200_000, height: 144, width: 256 },
  { bitrate: 900_000, averageBitrate: 700_000, height: 480, width: 854 },
  { bitrate: 800_000, averageBitrate: 400_000, height: 360, width: 640 },
  { bitrate: 2_000_000, height: 720, width: 1280 },
];
const RENDITION_TO_LEVEL = [0, 2, 1, 3];

interface Script {
  readonly algorithm: AbrAlgorithm;
  readonly contexts: AbrContext[];
  readonly progresses: DownloadProgress[];
  readonly downloads: DownloadSample[];
  resets: number;
}

/** An algorithm that returns `choices` in turn and, while loading, what `abandon` says. */
function scripted(
  choices: readonly number[],
  abandon?: (progress: DownloadProgress, ctx: AbrContext) => number | null,
): Script {
  const script: Script = {
    contexts: [],
    progresses: [],
    downloads: [],
    resets: 0,
    algorithm: {
      name: 'scripted',
      choose(ctx) {
        script.contexts.push(ctx);
        const renditionIndex = choices[script.contexts.length - 1] ?? 0;
        return { renditionIndex, reason: `script ${renditionIndex}`, delayMs: 5 };
      },
      onDownloaded(sample) {
        script.downloads.push(sample);
      },
      reset() {
        script.resets += 1;
      },
      ...(abandon
        ? {
            shouldAbandon(progress: DownloadProgress, ctx: AbrContext) {
              script.progresses.push(progress);
              return abandon(progress, ctx);
            },
          }
        : {}),
    },
  };
  return script;
}

function setup(script: Script, options: Parameters<typeof createHlsAbrController>[1] = {}) {
  const clock = new ManualClock();
  const Ctor = createHlsAbrController(() => script.algorithm, { clock, ...options });
  const hls = new FakeHls(makeLevels(LEVELS));
  const controller = new Ctor(hls);
  hls.abrController = controller;
  return { clock, hls, controller, Ctor };
}

/** Drives one fragment download through hls.js's events: FRAG_LOADING, bytes, FRAG_LOADED. */
function load(
  hls: FakeHls,
  clock: ManualClock,
  frag: FakeFragment,
  { ttfbMs, transferMs, bytes }: { ttfbMs: number; transferMs: number; bytes: number },
): void {
  frag.stats.loading.start = clock.nowMs();
  hls.trigger(HLS_EVENTS.FRAG_LOADING, { frag });
  clock.advance(ttfbMs);
  frag.stats.loading.first = clock.nowMs();
  clock.advance(transferMs);
  frag.stats.loaded = frag.stats.total = bytes;
  frag.stats.loading.end = clock.nowMs();
  hls.trigger(HLS_EVENTS.FRAG_LOADED, { frag });
}

/** The bias-corrected EWMA of (weight, value) pairs with `halfLife`, written from its definition. */
function ewma(samples: readonly (readonly [number, number])[], halfLife: number): number {
  let raw = 0;
  let total = 0;
  for (const [weight, value] of samples) {
    const alpha = Math.pow(0.5, weight / halfLife);
    raw = alpha * raw + (1 - alpha) * value;
    total += weight;
  }
  return raw / (1 - Math.pow(0.5, total / halfLife));
}

describe('createHlsAbrController: levels and decisions', () => {
  it('maps hls.js levels to ascending renditions and answers the mapped level', () => {
    const script = scripted([2, 1]);
    const { controller } = setup(script);
    expect(controller.nextAutoLevel).toBe(1); // rendition 2 = 700 kbps = hls level 1
    const ctx = script.contexts[0]!;
    expect(ctx.renditions.map((r) => r.bitrateKbps)).toEqual([200, 400, 700, 2000]);
    expect(ctx.renditions.map((r) => r.peakBitrateKbps)).toEqual([300, 800, 900, 2000]);
    expect(ctx.renditions.map((r) => r.heightPx)).toEqual([144, 360, 480, 720]);
    expect(ctx.renditions.every((r, i) => r.index === i)).toBe(true);
    expect(ctx.segmentIndex).toBe(0);
    expect(ctx.segmentCount).toBe(10);
    expect(ctx.segmentDurationMs).toBe(4000);
    expect(ctx.lastRenditionIndex).toBeNull();
    expect(ctx.startingUp).toBe(true);
    expect(ctx.maxRenditionIndex).toBe(3);
    expect(ctx.throughput).toEqual({ throughputKbps: 500, sampleCount: 0 }); // hls.config.abrEwmaDefaultEstimate
  });

  it('answers the hls.js level of every rendition', () => {
    for (const [rendition, level] of RENDITION_TO_LEVEL.entries()) {
      const { controller } = setup(scripted([rendition]));
      expect(controller.nextAutoLevel).toBe(level);
    }
  });

  it('decides once per segment however often hls.js asks, then again after the fragment', () => {
    const script = scripted([3, 1]);
    const { controller, hls, clock } = setup(script);
    for (let i = 0; i < 5; i++) expect(controller.nextAutoLevel).toBe(3);
    expect(controller.firstAutoLevel).toBe(3);
    expect(script.contexts).toHaveLength(1);
    // hls.js's level controller echoes the level back (hls.nextLoadLevel = 3): not a force
    hls.nextLoadLevel = 3;
    expect(controller.forcedAutoLevel).toBe(-1);

    hls.media!.currentTime = 1;
    hls.media!.bufferAhead(6);
    load(hls, clock, fragment(3, 0), { ttfbMs: 100, transferMs: 1000, bytes: 1_000_000 });
    expect(controller.nextAutoLevel).toBe(2); // rendition 1 = level 2
    expect(script.contexts).toHaveLength(2);
    const ctx = script.contexts[1]!;
    expect(ctx.segmentIndex).toBe(1);
    expect(ctx.lastRenditionIndex).toBe(3);
    expect(ctx.bufferLevelMs).toBe(6000);
    expect(ctx.startingUp).toBe(false);
    expect(ctx.throughput.sampleCount).toBe(1);
    expect(ctx.latencyMs).toBe(100);
  });

  it('does not decide while a fragment is in flight or the buffer is at its target', () => {
    const script = scripted([1, 2, 0]);
    const { controller, hls, clock } = setup(script);
    expect(controller.nextAutoLevel).toBe(2);
    const frag = fragment(2, 0);
    frag.stats.loading.start = clock.nowMs();
    hls.trigger(HLS_EVENTS.FRAG_LOADING, { frag });
    expect(controller.nextAutoLevel).toBe(2);
    expect(script.contexts).toHaveLength(1);
    frag.stats.loading.first = frag.stats.loading.end = clock.nowMs() + 10;
    frag.stats.loaded = 100_000;
    hls.trigger(HLS_EVENTS.FRAG_LOADED, { frag });
    hls.media!.bufferAhead(30); // maxBufferLength 30 s, maxMaxBufferLength 30 s
    expect(controller.nextAutoLevel).toBe(2); // the last level, no decision
    expect(script.contexts).toHaveLength(1);
    hls.media!.bufferAhead(29);
    expect(controller.nextAutoLevel).toBe(1); // rendition 2 = level 1
    expect(script.contexts).toHaveLength(2);
    expect(script.contexts[1]!.bufferTargetMs).toBe(30_000);
  });

  it('honours autoLevelCapping as maxRenditionIndex and clamps answers', () => {
    const script = scripted([3, 3]);
    const { controller, hls } = setup(script);
    hls.autoLevelCapping = 2; // levels 0..2 allowed: renditions 0 (L0), 1 (L2), 2 (L1)
    expect(controller.nextAutoLevel).toBe(1); // rendition 3 clamped to 2 = level 1
    expect(script.contexts[0]!.maxRenditionIndex).toBe(2);
    hls.autoLevelCapping = 1; // levels 0..1: rendition 1 (L2) is not allowed, so only rendition 0 below it
    hls.trigger(HLS_EVENTS.LEVELS_UPDATED, {});
    expect(controller.nextAutoLevel).toBe(0);
    expect(script.contexts[1]!.maxRenditionIndex).toBe(0);
  });

  it('keeps a level forced by hls.nextAutoLevel until a fragment of it loads', () => {
    const script = scripted([3, 3, 3]);
    const { controller, hls, clock } = setup(script);
    controller.nextAutoLevel = 1;
    expect(controller.forcedAutoLevel).toBe(1);
    expect(controller.nextAutoLevel).toBe(1);
    expect(script.contexts).toHaveLength(0);
    load(hls, clock, fragment(1, 0), { ttfbMs: 50, transferMs: 500, bytes: 200_000 });
    expect(controller.forcedAutoLevel).toBe(-1);
    expect(controller.nextAutoLevel).toBe(3);
    hls.autoLevelCapping = 2;
    controller.nextAutoLevel = 9; // clamped to maxAutoLevel like hls.js
    expect(controller.forcedAutoLevel).toBe(2);
    controller.nextAutoLevel = -1;
    expect(controller.forcedAutoLevel).toBe(-1);
  });

  it('does not decide past the last segment', () => {
    const script = scripted([0]);
    const { controller, hls, clock } = setup(script);
    for (let sn = 0; sn < 10; sn++) {
      void controller.nextAutoLevel;
      load(hls, clock, fragment(0, sn), { ttfbMs: 10, transferMs: 100, bytes: 10_000 });
    }
    expect(script.contexts.map((c) => c.segmentIndex)).toEqual([...Array(10).keys()]);
    expect(controller.nextAutoLevel).toBe(0);
    expect(script.contexts).toHaveLength(10);
  });

  it('emits decisions on the instance, the class and decision$', () => {
    const script = scripted([2]);
    const { controller, Ctor } = setup(script);
    const seen: HlsAbrDecision[] = [];
    const fromClass: HlsAbrDecision[] = [];
    const sub = controller.decision$.subscribe((d) => seen.push(d));
    const off = Ctor.events.on('decision', (d) => fromClass.push(d));
    void controller.nextAutoLevel;
    expect(seen).toEqual([
      {
        segmentIndex: 0,
        renditionIndex: 2,
        level: 1,
        bitrateKbps: 700,
        reason: 'script 2',
        forced: false,
        delayMs: 5,
        nowMs: 1000,
        bufferLevelMs: 0,
        throughputKbps: 500,
      },
    ]);
    expect(fromClass).toEqual(seen);
    sub.unsubscribe();
    off();
    expect(Ctor.algorithmName).toBe('scripted');
  });

  it('reports an out-of-range rendition as an error and uses the lowest', () => {
    const script = scripted([7]);
    const { controller } = setup(script);
    const errors: AbrkitError[] = [];
    controller.on('error', (e) => errors.push(e));
    expect(controller.nextAutoLevel).toBe(0);
    expect(errors[0]).toBeInstanceOf(AbrkitError);
    expect(errors[0]!.code).toBe('ABR_BAD_RENDITION');
  });

  it('rebuilds the rendition map when hls.js replaces its levels', () => {
    const script = scripted([3, 1]);
    const { controller, hls } = setup(script);
    expect(controller.nextAutoLevel).toBe(3);
    hls.levels = makeLevels(LEVELS.slice(0, 2)); // hls.removeLevel(): 200 and 700 kbps left
    hls.trigger(HLS_EVENTS.LEVELS_UPDATED, {});
    expect(controller.nextAutoLevel).toBe(1); // decided again: rendition 1 = 700 kbps = level 1
    expect(script.contexts[1]!.renditions.map((r) => r.bitrateKbps)).toEqual([200, 700]);
  });

  it("samples hls.js's bitrate-test fragment but decides that segment again", () => {
    const script = scripted([1]);
    const { controller, hls, clock } = setup(script);
    load(
      hls,
      clock,
      { ...fragment(0, 0), bitrateTest: true },
      { ttfbMs: 50, transferMs: 100, bytes: 50_000 },
    );
    expect(controller.nextAutoLevel).toBe(2); // rendition 1 = level 2
    expect(script.contexts).toHaveLength(1);
    expect(script.contexts[0]!.segmentIndex).toBe(0);
    expect(script.contexts[0]!.lastRenditionIndex).toBeNull();
    expect(script.contexts[0]!.throughput.sampleCount).toBe(1);
  });

  it('resets the algorithm on a new manifest', () => {
    const script = scripted([1]);
    const { hls } = setup(script);
    hls.trigger(HLS_EVENTS.MANIFEST_LOADING, {});
    expect(script.resets).toBe(1);
  });

  it('abrkitControllerOf finds the controller on an Hls-like object', () => {
    const { controller } = setup(scripted([0]));
    expect(abrkitControllerOf({ abrController: controller })).toBe(controller);
    expect(abrkitControllerOf({ abrController: {} })).toBeNull();
  });
});

describe('createHlsAbrController: estimators', () => {
  it('feeds bytes as they arrived with the TTFB apart, pinned to the EWMA formulas', () => {
    const script = scripted([0, 0, 0]);
    const { controller, hls, clock } = setup(script);
    expect(controller.bwEstimator.canEstimate()).toBe(false);
    expect(controller.bwEstimator.getEstimate()).toBe(500_000);
    expect(controller.bwEstimator.getEstimateTTFB()).toBe(100);

    // 1 MB in 1000 ms after a 100 ms TTFB: 8000 kbps
    load(hls, clock, fragment(0, 0), { ttfbMs: 100, transferMs: 1000, bytes: 1_000_000 });
    expect(controller.bwEstimator.canEstimate()).toBe(true);
    expect(controller.bwEstimator.getEstimate()).toBeCloseTo(8_000_000, 3);
    expect(controller.bwEstimator.getEstimateTTFB()).toBeCloseTo(100, 9);
    expect(script.downloads[0]).toEqual({
      startMs: 1000,
      firstByteMs: 1100,
      endMs: 2100,
      sizeBytes: 1_000_000,
    });

    // 1 MB in 2000 ms after a 300 ms TTFB: 4000 kbps
    load(hls, clock, fragment(0, 1), { ttfbMs: 300, transferMs: 2000, bytes: 1_000_000 });
    const samples = [
      [1000, 8000],
      [2000, 4000],
    ] as const;
    const expectedKbps = Math.min(ewma(samples, 3000), ewma(samples, 9000));
    expect(controller.bwEstimator.getEstimate()).toBeCloseTo(expectedKbps * 1000, 6);
    const w = (ttfbMs: number) => Math.SQRT2 * Math.exp(-Math.pow(ttfbMs / 1000, 2) / 2);
    expect(controller.bwEstimator.getEstimateTTFB()).toBeCloseTo(
      ewma(
        [
          [w(100), 100],
          [w(300), 300],
        ],
        9,
      ),
      9,
    );
  });

  it('ignores init segments, audio fragments and fragments with no first byte', () => {
    const script = scripted([0]);
    const { controller, hls, clock } = setup(script);
    load(hls, clock, fragment(0, 'initSegment'), { ttfbMs: 10, transferMs: 10, bytes: 1000 });
    load(hls, clock, fragment(0, 0, 'audio'), { ttfbMs: 10, transferMs: 100, bytes: 50_000 });
    const noBytes = fragment(0, 0);
    hls.trigger(HLS_EVENTS.FRAG_LOADING, { frag: noBytes });
    hls.trigger(HLS_EVENTS.FRAG_LOADED, { frag: noBytes });
    expect(controller.bwEstimator.canEstimate()).toBe(false);
    expect(script.downloads).toHaveLength(0);
  });

  it('measures what arrived of a fragment that failed (hls.js ERROR), marked aborted', () => {
    const script = scripted([0]);
    const { controller, hls, clock } = setup(script);
    const frag = fragment(0, 0);
    frag.stats.loading.start = clock.nowMs();
    hls.trigger(HLS_EVENTS.FRAG_LOADING, { frag });
    clock.advance(100);
    frag.stats.loading.first = clock.nowMs();
    frag.stats.loaded = 50_000;
    clock.advance(400);
    hls.trigger(HLS_EVENTS.ERROR, { fatal: false, details: 'fragLoadTimeOut', frag });
    // 50 kB in 400 ms after the first byte: 1000 kbps
    expect(script.downloads).toEqual([
      { startMs: 1000, firstByteMs: 1100, endMs: 1500, sizeBytes: 50_000, aborted: true },
    ]);
    expect(controller.bwEstimator.getEstimate()).toBeCloseTo(1_000_000, 3);
    hls.trigger(HLS_EVENTS.ERROR, { fatal: false, details: 'fragLoadTimeOut', frag });
    expect(script.downloads).toHaveLength(1); // once per download
  });

  it('resetEstimator(bps) forgets the samples and starts from the given estimate', () => {
    const { controller, hls, clock } = setup(scripted([0, 0]));
    load(hls, clock, fragment(0, 0), { ttfbMs: 100, transferMs: 1000, bytes: 1_000_000 });
    controller.resetEstimator(2_000_000);
    expect(controller.bwEstimator.canEstimate()).toBe(false);
    expect(controller.bwEstimator.getEstimate()).toBeCloseTo(2_000_000, 6);
    expect(controller.bwEstimator.defaultEstimate).toBe(2_000_000);
    expect(controller.bwEstimator.getEstimateTTFB()).toBe(100);
    expect(hls.config.abrEwmaDefaultEstimate).toBe(2_000_000);
  });

  it('uses a named estimator when asked', () => {
    const clock = new ManualClock();
    const script = scripted([0, 0]);
    const Ctor = createHlsAbrController(() => script.algorithm, {
      clock,
      estimator: 'harmonic',
      estimatorOptions: { defaultEstimateKbps: 1000, timing: 'transfer' },
    });
    const hls = new FakeHls(makeLevels(LEVELS));
    const controller = new Ctor(hls);
    expect(controller.bwEstimator.getEstimate()).toBe(1_000_000);
    load(hls, clock, fragment(0, 0), { ttfbMs: 100, transferMs: 1000, bytes: 500_000 }); // 4000 kbps
    load(hls, clock, fragment(0, 1), { ttfbMs: 100, transferMs: 1000, bytes: 1_000_000 }); // 8000 kbps
    expect(controller.bwEstimator.getEstimate()).toBeCloseTo((2 / (1 / 4000 + 1 / 8000)) * 1000, 6);
  });
});

describe('createHlsAbrController: emergency switch', () => {
  function startLoad(hls: FakeHls, clock: ManualClock, frag: FakeFragment) {
    frag.stats.loading.start = clock.nowMs();
    hls.trigger(HLS_EVENTS.FRAG_LOADING, { frag });
  }

  it('checks shouldAbandon every 100 ms and aborts to the lower rendition it returns', () => {
    let calls = 0;
    const script = scripted([3], () => (++calls >= 3 ? 1 : null));
    const { controller, hls, clock } = setup(script);
    const abandons: unknown[] = [];
    controller.on('abandon', (a) => abandons.push(a));
    expect(controller.nextAutoLevel).toBe(3);
    hls.media!.bufferAhead(3);
    const frag = fragment(3, 0);
    startLoad(hls, clock, frag);
    clock.advance(50);
    frag.stats.loading.first = clock.nowMs(); // t = 1050
    frag.stats.loaded = 10_000;
    frag.stats.total = 1_000_000;
    clock.advance(50); // first check at 1100
    expect(script.progresses).toHaveLength(1);
    expect(script.progresses[0]).toEqual({
      segmentIndex: 0,
      renditionIndex: 3,
      startMs: 1000,
      firstByteMs: 1050,
      nowMs: 1100,
      loadedBytes: 10_000,
      totalBytes: 1_000_000,
    });
    frag.stats.loaded = 30_000;
    clock.advance(200); // checks at 1200 (null) and 1300 (abandon to rendition 1)
    expect(script.progresses).toHaveLength(3);
    expect(frag.aborts).toBe(1);
    expect(hls.triggered.map((t) => t.event)).toContain(HLS_EVENTS.FRAG_LOAD_EMERGENCY_ABORTED);
    expect(hls.nextLoadLevels).toEqual([2]); // rendition 1 = level 2
    expect(controller.nextAutoLevel).toBe(2);
    expect(controller.forcedAutoLevel).toBe(2);
    expect(abandons).toEqual([
      {
        segmentIndex: 0,
        fromRenditionIndex: 3,
        toRenditionIndex: 1,
        toLevel: 2,
        nowMs: 1300,
        loadedBytes: 30_000,
        totalBytes: 1_000_000,
        bufferLevelMs: 3000,
      },
    ]);
    // the bytes that arrived are a sample (30 kB in 250 ms = 960 kbps), marked aborted
    expect(script.downloads).toEqual([
      { startMs: 1000, firstByteMs: 1050, endMs: 1300, sizeBytes: 30_000, aborted: true },
    ]);
    expect(controller.bwEstimator.getEstimate()).toBeCloseTo(960_000, 3);
    clock.advance(1000);
    expect(script.progresses).toHaveLength(3); // timer stopped
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops checking when the fragment completes, and never checks the lowest rendition', () => {
    const script = scripted([2, 0], () => null);
    const { controller, hls, clock } = setup(script);
    void controller.nextAutoLevel;
    load(hls, clock, fragment(1, 0), { ttfbMs: 100, transferMs: 250, bytes: 100_000 });
    const during = script.progresses.length;
    expect(during).toBe(3); // at 100, 200, 300 ms
    clock.advance(1000);
    expect(script.progresses).toHaveLength(during);
    expect(controller.nextAutoLevel).toBe(0);
    load(hls, clock, fragment(0, 1), { ttfbMs: 100, transferMs: 500, bytes: 100_000 });
    expect(script.progresses).toHaveLength(during);
  });

  it('makes no emergency switch when the level was chosen by hand', () => {
    const script = scripted([3], () => 0);
    const { controller, hls, clock } = setup(script);
    void controller.nextAutoLevel;
    hls.autoLevelEnabled = false;
    const frag = fragment(3, 0);
    startLoad(hls, clock, frag);
    clock.advance(500);
    expect(script.progresses).toHaveLength(0);
    expect(frag.aborts).toBe(0);
  });
});

describe('createHlsAbrController: destroy and options', () => {
  it('destroy removes every listener and timer', () => {
    const script = scripted([3], () => null);
    const { controller, hls, clock } = setup(script);
    expect(hls.listenerCount()).toBeGreaterThan(0);
    void controller.nextAutoLevel;
    const frag = fragment(3, 0);
    frag.stats.loading.start = clock.nowMs();
    hls.trigger(HLS_EVENTS.FRAG_LOADING, { frag });
    expect(clock.pendingTimers).toBe(1);
    controller.destroy();
    expect(hls.listenerCount()).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(controller.nextAutoLevel).toBe(-1);
    clock.advance(1000);
    expect(script.progresses).toHaveLength(0);
  });

  it('rejects unknown algorithms, options and bad values where the app configures them', () => {
    expect(() => createHlsAbrController('nope')).toThrow(AbrkitError);
    expect(() => createHlsAbrController('nope')).toThrow(/unknown ABR algorithm 'nope'/);
    expect(() => createHlsAbrController('bola', { algorithmOptions: { nope: 1 } })).toThrow(AbrkitError);
    expect(() => createHlsAbrController('bola', { bogus: 1 } as never)).toThrow(TypeError);
    expect(() => createHlsAbrController('bola', { bufferTargetMs: -1 })).toThrow(/bufferTargetMs/);
    expect(() => createHlsAbrController('bola', { estimator: 'nope' })).toThrow(AbrkitError);
    expect(() => createHlsAbrController(42 as never)).toThrow(TypeError);
  });

  it("takes the player's default 'scenario-mpc' by name and by its runtime info", () => {
    const byName = createHlsAbrController('scenario-mpc', { algorithmOptions: { horizon: 3 } });
    expect(byName.algorithmName).toBe('scenario-mpc');
    expect(() => createHlsAbrController('scenario-mpc', { algorithmOptions: { horizon: 0 } })).toThrow(
      /option 'horizon'/,
    );
    const hls = new FakeHls(makeLevels(LEVELS));
    const controller: AbrkitHlsController = new (createHlsAbrController(scenarioMpcInfo))(hls);
    expect(controller.algorithm.name).toBe('scenario-mpc');
  });

  it("runs a registered algorithm by name ('throughput')", () => {
    const clock = new ManualClock();
    const Ctor = createHlsAbrController('throughput', { clock });
    const hls = new FakeHls(makeLevels(LEVELS));
    const controller: AbrkitHlsController = new Ctor(hls);
    hls.abrController = controller;
    expect(controller.algorithm.name).toBe('throughput');
    expect(controller.nextAutoLevel).toBe(0); // Sabre's rule: lowest before any sample
    hls.media!.bufferAhead(20);
    load(hls, clock, fragment(0, 0), { ttfbMs: 20, transferMs: 100, bytes: 500_000 }); // 40 Mbps
    expect(controller.nextAutoLevel).toBe(3); // the top rendition = hls level 3
  });
});
