import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import {
  cellularTrace,
  constantTrace,
  createRng,
  generateTrace,
  markovTrace,
  parseTraceSpec,
  randomWalkTrace,
  stepTrace,
  traceDurationMs,
  traceMeanBandwidthKbps,
  type NetworkTrace,
} from '../../src/traces/index.js';

function draws(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('createRng (mulberry32)', () => {
  it('is deterministic per seed, and different seeds differ', () => {
    expect(draws(42, 100)).toEqual(draws(42, 100));
    expect(draws(1, 10)).not.toEqual(draws(2, 10));
    expect(draws(0, 10)).not.toEqual(draws(2 ** 32, 10)); // high bits count
    expect(draws(7.9, 5)).toEqual(draws(7, 5)); // truncated
  });
  it('next() is uniform in [0, 1)', () => {
    const xs = draws(3, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 1.5); // |error| < 0.016; the standard error is 0.002
    // Ten equal bins each hold about 10 %.
    const bins = new Array<number>(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]!++;
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200);
  });
  it('normal() has mean 0 and standard deviation 1; int and exponential are in range', () => {
    const rng = createRng(11);
    const zs = Array.from({ length: 20_000 }, () => rng.normal());
    const m = mean(zs);
    const sd = Math.sqrt(mean(zs.map((z) => (z - m) ** 2)));
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    const ints = Array.from({ length: 1000 }, () => rng.int(6));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    const es = Array.from({ length: 20_000 }, () => rng.exponential(3));
    expect(Math.min(...es)).toBeGreaterThanOrEqual(0);
    expect(Math.abs(mean(es) - 3)).toBeLessThan(0.15);
    expect(() => rng.int(0)).toThrow(TypeError);
    expect(() => createRng(Number.NaN)).toThrow(TypeError);
  });
  it('fork() gives an independent but deterministic stream', () => {
    const a = createRng(5).fork();
    const b = createRng(5).fork();
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
  });
});

function expectValid(trace: NetworkTrace): void {
  expect(trace.periods.length).toBeGreaterThan(0);
  for (const p of trace.periods) {
    expect(p.durationMs).toBeGreaterThan(0);
    expect(Number.isFinite(p.bandwidthKbps) && p.bandwidthKbps >= 0).toBe(true);
    expect(p.latencyMs).toBeGreaterThanOrEqual(0);
  }
}

describe('constantTrace and stepTrace', () => {
  it('constant is one period at the bandwidth', () => {
    const t = constantTrace({ bandwidthKbps: 1500, durationMs: 30_000, latencyMs: 40 });
    expect(t.periods).toEqual([{ durationMs: 30_000, bandwidthKbps: 1500, latencyMs: 40 }]);
    expect(t.name).toBe('constant-1500kbps');
    expect(constantTrace({ bandwidthKbps: 1 }).periods[0]!.durationMs).toBe(60_000);
    expect(() => constantTrace({ bandwidthKbps: -1 })).toThrow(TypeError);
  });
  it('step has the steps, in order, with per-step latency overrides', () => {
    const t = stepTrace(
      [
        { durationMs: 20_000, bandwidthKbps: 4000 },
        { durationMs: 20_000, bandwidthKbps: 500, latencyMs: 300 },
      ],
      { latencyMs: 50 },
    );
    expect(t.periods).toEqual([
      { durationMs: 20_000, bandwidthKbps: 4000, latencyMs: 50 },
      { durationMs: 20_000, bandwidthKbps: 500, latencyMs: 300 },
    ]);
    expect(() => stepTrace([])).toThrow(TypeError);
    expect(() => stepTrace([{ durationMs: 0, bandwidthKbps: 1 }])).toThrow(/steps\[0\].durationMs/);
  });
});

describe('seeded generators', () => {
  const generators = {
    randomWalk: (seed: number) => randomWalkTrace({ seed }),
    markov: (seed: number) => markovTrace({ seed }),
    cellular: (seed: number) => cellularTrace({ seed }),
  };
  it.each(Object.entries(generators))('%s is deterministic per seed and differs across seeds', (_n, make) => {
    expect(make(9)).toEqual(make(9));
    expect(make(9).periods).not.toEqual(make(10).periods);
    expectValid(make(9));
  });
  it('fixed-length periods cover the duration, the last one cut', () => {
    const t = randomWalkTrace({ seed: 1, durationMs: 10_500, periodMs: 1000, latencyMs: 20 });
    expect(t.periods.length).toBe(11);
    expect(t.periods[10]!.durationMs).toBe(500);
    expect(traceDurationMs(t)).toBe(10_500);
    expect(t.periods.every((p) => p.latencyMs === 20)).toBe(true);
    expect(t.name).toBe('random-walk-seed1');
  });
  it('random walk stays within its bounds and moves, and starts where asked', () => {
    for (let seed = 0; seed < 20; seed++) {
      const t = randomWalkTrace({ seed, minKbps: 300, maxKbps: 3000, startKbps: 1000, stepSigma: 0.3 });
      const bw = t.periods.map((p) => p.bandwidthKbps);
      expect(bw[0]).toBeCloseTo(1000, 9);
      expect(Math.min(...bw)).toBeGreaterThanOrEqual(300 * (1 - 1e-12));
      expect(Math.max(...bw)).toBeLessThanOrEqual(3000 * (1 + 1e-12));
      const m = traceMeanBandwidthKbps(t);
      expect(m).toBeGreaterThan(300);
      expect(m).toBeLessThan(3000);
      expect(new Set(bw.map((b) => Math.round(b))).size).toBeGreaterThan(50);
    }
    // Steps of ln(bandwidth) have the requested spread (reflections are rare with wide bounds).
    const wide = randomWalkTrace({
      seed: 3,
      durationMs: 2_000_000,
      minKbps: 1,
      maxKbps: 1e9, // TRACE_LIMITS.maxBandwidthKbps
      startKbps: 3e4,
    });
    const logs = wide.periods.map((p) => Math.log(p.bandwidthKbps));
    const steps = logs.slice(1).map((x, i) => x - logs[i]!);
    expect(Math.abs(Math.sqrt(mean(steps.map((s) => s * s))) - 0.15)).toBeLessThan(0.01);
  });
  it('markov: bandwidth sits near its states, stays in a state about 1/switchProbability periods', () => {
    const states = [500, 2000, 6000];
    const t = markovTrace({
      seed: 4,
      statesKbps: states,
      switchProbability: 0.05,
      noiseCov: 0.02,
      durationMs: 2_000_000,
    });
    const bw = t.periods.map((p) => p.bandwidthKbps);
    // With 2 % noise every sample is within 10 % of some state.
    const nearest = bw.map((b) =>
      states.reduce((best, s) => (Math.abs(b - s) < Math.abs(b - best) ? s : best)),
    );
    bw.forEach((b, i) => expect(Math.abs(b - nearest[i]!) / nearest[i]!).toBeLessThan(0.1));
    expect(new Set(nearest)).toEqual(new Set(states));
    let runs = 1;
    for (let i = 1; i < nearest.length; i++) if (nearest[i] !== nearest[i - 1]) runs++;
    const meanRun = nearest.length / runs;
    expect(meanRun).toBeGreaterThan(15); // expected 20
    expect(meanRun).toBeLessThan(26);
    expect(Math.min(...markovTrace({ seed: 1, noiseCov: 2 }).periods.map((p) => p.bandwidthKbps))).toBe(100);
  });
  it('cellular: mean near meanKbps outside outages, and outages of near-zero bandwidth', () => {
    const t = cellularTrace({
      seed: 2,
      durationMs: 3_600_000,
      meanKbps: 4000,
      outagesPerMinute: 1,
      outageKbps: 5,
    });
    const bw = t.periods.map((p) => p.bandwidthKbps);
    const outages = bw.filter((b) => b === 5).length;
    const normal = bw.filter((b) => b !== 5);
    expect(Math.abs(mean(normal) / 4000 - 1)).toBeLessThan(0.1);
    // 60 outages an hour of about 3 s: about 5 % of 500 ms periods.
    expect(outages / bw.length).toBeGreaterThan(0.02);
    expect(outages / bw.length).toBeLessThan(0.1);
    // Log-normal: spread in ln(bandwidth) near sigma = 0.5.
    const logs = normal.map(Math.log);
    const lm = mean(logs);
    expect(Math.abs(Math.sqrt(mean(logs.map((x) => (x - lm) ** 2))) - 0.5)).toBeLessThan(0.05);
    expect(cellularTrace({ seed: 2, outagesPerMinute: 0 }).periods.every((p) => p.bandwidthKbps !== 10)).toBe(
      true,
    );
  });
});

describe('generateTrace specs', () => {
  it('constant and step', () => {
    expect(generateTrace('constant:1000').periods).toEqual([
      { durationMs: 60_000, bandwidthKbps: 1000, latencyMs: 0 },
    ]);
    expect(generateTrace('constant:1000,durationS=5,latencyMs=40').periods).toEqual([
      { durationMs: 5000, bandwidthKbps: 1000, latencyMs: 40 },
    ]);
    const step = generateTrace('step:4000x20s,500x20s,2000x1500ms,300x2');
    expect(step.name).toBe('step:4000x20s,500x20s,2000x1500ms,300x2');
    expect(step.periods.map((p) => [p.bandwidthKbps, p.durationMs])).toEqual([
      [4000, 20_000],
      [500, 20_000],
      [2000, 1500],
      [300, 2000],
    ]);
  });
  it('seeded kinds match the generator called directly', () => {
    expect(generateTrace('random-walk:seed=1,durationS=300').periods).toEqual(
      randomWalkTrace({ seed: 1, durationMs: 300_000 }).periods,
    );
    expect(generateTrace('markov:seed=3,statesKbps=300/750/1200,switchProbability=0.2,name=m').name).toBe(
      'm',
    );
    expect(generateTrace('markov:seed=3,statesKbps=300/750/1200').periods).toEqual(
      markovTrace({ seed: 3, statesKbps: [300, 750, 1200] }).periods,
    );
    expect(generateTrace({ kind: 'cellular', seed: 5, meanKbps: 2000 })).toEqual(
      cellularTrace({ seed: 5, meanKbps: 2000 }),
    );
    expect(parseTraceSpec('cellular:periodS=0.25')).toMatchObject({ kind: 'cellular', periodMs: 250 });
  });
  it('bad specs throw AbrkitError config TRACE_SPEC_INVALID', () => {
    for (const spec of [
      'nope:1',
      'constant',
      'constant:abc',
      'constant:-5',
      'step:',
      'step:4000',
      'step:4000x-1s',
      'random-walk:foo=1',
      'random-walk:seed',
      'markov:switchProbability=2',
      'cellular:correlation=1',
    ]) {
      let caught: unknown;
      try {
        generateTrace(spec);
      } catch (e) {
        caught = e;
      }
      expect(caught, spec).toBeInstanceOf(AbrkitError);
      expect((caught as AbrkitError).category).toBe('config');
      expect((caught as AbrkitError).code).toBe('TRACE_SPEC_INVALID');
      expect((caught as AbrkitError).message).toContain(JSON.stringify(spec));
    }
  });
});
