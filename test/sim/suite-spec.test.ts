import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALGORITHM } from '../../src/abr/registry.js';
import { AbrkitError } from '../../src/core/errors.js';
import { generateSuiteTraces, sampleEvenly, sampleIndices } from '../../src/sim/suite/sample.js';
import { loadSuiteFile } from '../../src/sim/suite/run.js';
import { parseSuite, type SuiteGeneratedTraces } from '../../src/sim/suite/spec.js';

const SET = {
  name: 'a',
  family: 'fam',
  traces: 'traces/',
  video: 'video.json',
  network: 'sabre',
};

function suite(over: Record<string, unknown> = {}, set: Record<string, unknown> = {}): unknown {
  return {
    name: 's',
    baseline: 'robust-mpc',
    algorithms: ['robust-mpc', 'bola-e'],
    sets: [{ ...SET, ...set }],
    ...over,
  };
}

/** The error `parseSuite` throws for `json`. */
function failure(json: unknown): AbrkitError {
  try {
    parseSuite(json, 'my.json');
  } catch (e) {
    expect(e).toBeInstanceOf(AbrkitError);
    return e as AbrkitError;
  }
  throw new Error('parseSuite accepted a bad suite');
}

describe('parseSuite', () => {
  it('reads a full suite, resolving default and keeping labels and options', () => {
    const spec = parseSuite(
      {
        name: 'full',
        baseline: 'robust-mpc',
        algorithms: [
          'default',
          'robust-mpc',
          { label: 'bola-e-low', algo: 'bola-e', options: { minimumBufferMs: 12000 } },
        ],
        candidates: ['default', { label: 'bba-x', algo: 'bba' }],
        sets: [
          { ...SET, qoe: 'log', rebufferPenalty: 3, sample: 10, optimalSample: 4, playableSegments: 48 },
          {
            ...SET,
            name: 'b',
            traces: {
              generate: {
                kinds: ['markov', 'cellular'],
                count: 4,
                seed: 7,
                options: { durationMs: 1000, cellular: { meanKbps: 900 } },
              },
            },
          },
        ],
      },
      'full.json',
    );
    expect(spec.algorithms.map((a) => [a.label, a.algo])).toEqual([
      ['default', DEFAULT_ALGORITHM],
      ['robust-mpc', 'robust-mpc'],
      ['bola-e-low', 'bola-e'],
      ['bba-x', 'bba'],
    ]);
    expect(spec.algorithms[2]?.options).toEqual({ minimumBufferMs: 12000 });
    expect(spec.candidates).toEqual(['default', 'bba-x']);
    expect(spec.sets[0]).toMatchObject({
      qoe: 'log',
      rebufferPenalty: 3,
      sample: 10,
      optimalSample: 4,
      playableSegments: 48,
    });
    expect(spec.sets[0]?.traces).toEqual({ type: 'files', paths: ['traces/'] });
    expect(spec.sets[1]?.qoe).toBe('lin');
    expect(spec.sets[1]?.traces).toEqual({
      type: 'generate',
      kinds: ['markov', 'cellular'],
      count: 4,
      seed: 7,
      common: { durationMs: 1000 },
      byKind: { cellular: { meanKbps: 900 } },
    });
  });

  it('runs a baseline that is not listed, first; candidates default to every algorithm', () => {
    const spec = parseSuite(suite({ baseline: 'bba' }), 'x.json');
    expect(spec.algorithms.map((a) => a.label)).toEqual(['bba', 'robust-mpc', 'bola-e']);
    expect(spec.baseline).toBe('bba');
    expect(spec.candidates).toEqual(['bba', 'robust-mpc', 'bola-e']);
  });

  it.each([
    [suite({ name: '' }), 'name: must be a non-empty string, got ""'],
    [[], 'must be an object, got an array'],
    [suite({ extra: 1 }), 'extra: unknown key'],
    [suite({ algorithms: [] }), 'algorithms: must list at least one algorithm'],
    [suite({ algorithms: ['robust-mpc', 'nope'] }), "algorithms[1]: unknown algorithm 'nope'"],
    [suite({ algorithms: ['optimal'] }), 'algorithms[0]: the offline optimum is not listed as an algorithm'],
    [suite({ algorithms: [{ algo: 'bola-e', options: { nope: 1 } }] }), 'algorithms[0].options: '],
    [suite({ algorithms: [{ label: 'a b', algo: 'bola-e' }] }), 'algorithms[0].label: must be letters'],
    [
      suite({ algorithms: ['bola-e', { label: 'bola-e', algo: 'bba' }] }),
      "algorithms[1]: label 'bola-e' is already used by another algorithm",
    ],
    [suite({ baseline: 'nope' }), "baseline: unknown algorithm 'nope'"],
    [suite({ candidates: [] }), 'candidates: must list at least one algorithm'],
    [
      suite({ candidates: ['bba', 3] }),
      'candidates[1]: must be an algorithm name or {"label", "algo", "options"}, got 3',
    ],
    [suite({ sets: [] }), 'sets: must list at least one set'],
    [suite({}, { network: 'wifi' }), 'sets[0].network: must be one of pensieve, sabre, abrkit, got "wifi"'],
    [suite({}, { qoe: 'mos' }), 'sets[0].qoe: must be one of lin, log, hd, got "mos"'],
    [suite({}, { family: 3 }), 'sets[0].family: must be a non-empty string, got 3'],
    [suite({}, { video: undefined }), 'sets[0].video: must be a non-empty string, got nothing'],
    [suite({}, { sample: 0 }), 'sets[0].sample: must be an integer ≥ 1, got 0'],
    [suite({}, { sample: 2.5 }), 'sets[0].sample: must be an integer ≥ 1, got 2.5'],
    [suite({}, { sample: 5, optimalSample: 6 }), 'sets[0].optimalSample: must be ≤ sample (5)'],
    [
      suite({}, { rebufferPenalty: -1 }),
      'sets[0].rebufferPenalty: must be a number from 0 to 1000000, got -1',
    ],
    [suite({}, { playableSegments: 'all' }), 'sets[0].playableSegments: must be an integer ≥ 1, got "all"'],
    [suite({}, { traces: [] }), 'sets[0].traces: must list at least one path'],
    [suite({}, { traces: ['a', ''] }), 'sets[0].traces[1]: must be a non-empty string'],
    [suite({}, { traces: { files: 'x' } }), 'sets[0].traces.files: unknown key'],
    [
      suite({}, { traces: { generate: { kinds: ['sine'], count: 2 } } }),
      'sets[0].traces.generate.kinds[0]: must be one of random-walk, markov, cellular, got "sine"',
    ],
    [
      suite({}, { traces: { generate: { kinds: ['markov'], count: 0 } } }),
      'sets[0].traces.generate.count: must be an integer from 1 to 100000',
    ],
    [
      suite({}, { traces: { generate: { kinds: ['markov'], count: 2, options: { meanKbps: 3 } } } }),
      'sets[0].traces.generate.options.meanKbps: unknown key',
    ],
    [
      suite(
        {},
        { traces: { generate: { kinds: ['markov'], count: 2, options: { markov: { meanKbps: 3 } } } } },
      ),
      'sets[0].traces.generate.options.markov.meanKbps: unknown key',
    ],
    [suite({ sets: [SET, SET] }), "sets[1].name: 'a' names two sets"],
    [suite({}, { video: 'synthetic:segments=0' }), 'sets[0].video: bad video spec'],
    [suite({}, { video: 'synthetic:rungs=3' }), 'unknown key "rungs"'],
    [
      suite({}, { video: 'synthetic:segments=10', playableSegments: 11 }),
      "sets[0].playableSegments: must be ≤ the generated video's 10 segments",
    ],
  ])('rejects %j: %s', (json, message) => {
    const e = failure(json);
    expect(e.code).toBe('SUITE_INVALID');
    expect(e.category).toBe('config');
    expect(e.message.startsWith('my.json: ')).toBe(true);
    expect(e.message).toContain(message);
    expect(e.data.source).toBe('my.json');
  });
});

describe('sampling', () => {
  it('takes evenly spaced items, the first always, all when the sample is not smaller', () => {
    expect(sampleIndices(10, 4)).toEqual([0, 2, 5, 7]);
    expect(sampleIndices(5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleIndices(3, 8)).toEqual([0, 1, 2]);
    expect(sampleIndices(4, undefined)).toEqual([0, 1, 2, 3]);
    expect(sampleIndices(7, 0)).toEqual([]);
    expect(sampleEvenly(['a', 'b', 'c', 'd', 'e', 'f'], 3)).toEqual(['a', 'c', 'e']);
  });

  it('is deterministic and spreads over the whole list', () => {
    const a = sampleIndices(500, 80);
    expect(sampleIndices(500, 80)).toEqual(a);
    expect(new Set(a).size).toBe(80);
    expect(a[a.length - 1]).toBeGreaterThan(490);
    for (let i = 1; i < a.length; i++) expect((a[i] ?? 0) - (a[i - 1] ?? 0)).toBeGreaterThanOrEqual(6);
  });

  it('generates seeded traces, cycling kinds, with per-kind options', () => {
    const g: SuiteGeneratedTraces = {
      type: 'generate',
      kinds: ['cellular', 'markov'],
      count: 3,
      seed: 10,
      common: { durationMs: 20_000 },
      byKind: { cellular: { meanKbps: 20_000, outagesPerMinute: 0 } },
    };
    const traces = generateSuiteTraces(g);
    expect(traces.map((t) => t.name)).toEqual(['cellular-seed10', 'markov-seed11', 'cellular-seed12']);
    expect(generateSuiteTraces(g)).toEqual(traces);
    const total = (t: (typeof traces)[number]): number => t.periods.reduce((s, p) => s + p.durationMs, 0);
    for (const t of traces) expect(total(t)).toBe(20_000);
    const mean = (t: (typeof traces)[number]): number =>
      t.periods.reduce((s, p) => s + p.bandwidthKbps * p.durationMs, 0) / total(t);
    // The cellular ones follow their 20 Mbps mean; markov keeps Pensieve's 0.2-4.3 Mbps states.
    expect(mean(traces[0]!)).toBeGreaterThan(8000);
    expect(mean(traces[1]!)).toBeLessThan(5000);
    expect(traces[0]).not.toEqual(traces[2]);
  });
});

describe('the shipped suites', () => {
  it.each(['default.json', 'tune-scenario-mpc.json', 'ladders.json', 'tune-hold.json'])(
    'suites/%s parses and covers every family',
    async (file) => {
      const path = fileURLToPath(new URL(`../../suites/${file}`, import.meta.url));
      const spec = await loadSuiteFile(path);
      const families = new Set(spec.sets.map((s) => s.family));
      for (const f of ['hsdpa', 'fcc', 'pensieve-train', 'puffer', 'oboe', 'synthetic'])
        expect(families).toContain(f);
      for (const c of spec.candidates) expect(spec.algorithms.map((a) => a.label)).toContain(c);
    },
  );

  it('suites/fast.json parses: four families of generated fast or volatile links', async () => {
    const path = fileURLToPath(new URL('../../suites/fast.json', import.meta.url));
    const spec = await loadSuiteFile(path);
    expect(new Set(spec.sets.map((s) => s.family))).toEqual(
      new Set(['lte-like', 'walk-fast', 'steady-fast', 'lte-volatile']),
    );
    for (const set of spec.sets) expect(set.traces.type).toBe('generate');
  });

  it('suites/segments.json parses: every family under both models on 1, 6 and 10 s segments', async () => {
    const path = fileURLToPath(new URL('../../suites/segments.json', import.meta.url));
    const spec = await loadSuiteFile(path);
    expect(new Set(spec.sets.map((s) => s.family))).toEqual(
      new Set(['hsdpa', 'fcc', 'puffer', 'oboe', 'pensieve-train', 'synthetic']),
    );
    expect(new Set(spec.sets.map((s) => s.network))).toEqual(new Set(['pensieve', 'sabre']));
    expect(spec.sets).toHaveLength(36);
  });
});
