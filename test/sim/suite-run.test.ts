import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulateSession } from '../../src/sim/simulate.js';
import { loadTraces } from '../../src/sim/load-trace.js';
import { loadVideo } from '../../src/sim/load-video.js';
import { analyzeSuite, suiteJson } from '../../src/sim/suite/output.js';
import { buildSuiteReportHtml } from '../../src/sim/suite/report.js';
import {
  listTraceFiles,
  loadSuiteFile,
  resolveSuitePath,
  runSuite,
  sharedDataDir,
  type SuiteEvent,
} from '../../src/sim/suite/run.js';
import { generateSuiteTraces } from '../../src/sim/suite/sample.js';
import { parseSuite } from '../../src/sim/suite/spec.js';

const KBPS = [300, 1200, 4300];

/** A 6-segment Sabre movie, 5 Sabre traces in a folder, and a suite over them and over generated traces. */
function writeSuite(): { dir: string; suitePath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'abrkit-suite-'));
  writeFileSync(
    join(dir, 'movie.json'),
    JSON.stringify({
      segment_duration_ms: 2000,
      bitrates_kbps: KBPS,
      segment_sizes_bits: Array.from({ length: 6 }, (_, i) => KBPS.map((k) => k * 2000 * (0.9 + 0.05 * i))),
    }),
  );
  mkdirSync(join(dir, 'traces'));
  for (let i = 0; i < 5; i++) {
    writeFileSync(
      join(dir, 'traces', `t${i}.json`),
      JSON.stringify([
        { duration_ms: 3000, bandwidth_kbps: 500 + 900 * i, latency_ms: 30 },
        { duration_ms: 4000, bandwidth_kbps: 400, latency_ms: 30 },
        { duration_ms: 5000, bandwidth_kbps: 3000, latency_ms: 30 },
      ]),
    );
  }
  const suite = {
    name: 'tiny',
    baseline: 'bba',
    algorithms: [
      'throughput',
      { label: 'bola-e-8s', algo: 'bola-e', options: { minimumBufferMs: 8000 } },
      'bola-e',
    ],
    candidates: ['throughput', 'bola-e'],
    sets: [
      {
        name: 'files',
        family: 'real',
        traces: 'traces',
        video: 'movie.json',
        network: 'sabre',
        sample: 3,
        optimalSample: 2,
      },
      {
        name: 'gen',
        family: 'synthetic',
        traces: {
          generate: { kinds: ['markov', 'cellular'], count: 4, seed: 3, options: { durationMs: 30000 } },
        },
        video: 'movie.json',
        network: 'abrkit',
        rebufferPenalty: 10,
      },
      {
        name: 'ladder',
        family: 'synthetic',
        traces: 'traces',
        video: 'synthetic:seed=5,segments=8,segmentS=2,bitratesKbps=200/900/2500',
        playableSegments: 7,
        network: 'sabre',
        sample: 2,
      },
      {
        name: 'absent',
        family: 'real',
        traces: '$SHARED/no-such-folder',
        video: 'movie.json',
        network: 'sabre',
      },
    ],
  };
  const suitePath = join(dir, 'suite.json');
  writeFileSync(suitePath, JSON.stringify(suite));
  return { dir, suitePath };
}

describe('runSuite', () => {
  let dir: string;
  let suitePath: string;
  const events: SuiteEvent[] = [];
  let run: Awaited<ReturnType<typeof runSuite>>;

  beforeAll(async () => {
    ({ dir, suitePath } = writeSuite());
    const spec = await loadSuiteFile(suitePath);
    run = await runSuite(spec, {
      suitePath,
      workers: 0,
      sharedDir: join(dir, 'shared'),
      onEvent: (e) => events.push(e),
    });
  });

  it('runs the sets it has data for, samples deterministically, skips the rest with a reason', () => {
    expect(run.sets.map((s) => s.spec.name)).toEqual(['files', 'gen', 'ladder']);
    expect(run.skipped).toEqual([
      {
        set: 'absent',
        reason: `${join(dir, 'shared', 'no-such-folder')} not found (set ABRKIT_SHARED_DATA to the shared data folder)`,
      },
    ]);
    const files = run.sets[0]!;
    // 3 of 5, evenly spaced by name: t0, t1, t3; the optimum on 2 of those: t0, t1
    expect(files.results.traces).toEqual(['t0', 't1', 't3']);
    expect(files.results.optimal?.traceIndices).toEqual([0, 1]);
    expect(files.meta).toMatchObject({
      traceCount: 3,
      traceTotal: 5,
      optimalCount: 2,
      rebufferPenaltyPerS: 4.3,
    });
    expect(Object.keys(files.results.algorithms)).toEqual(['bba', 'throughput', 'bola-e-8s', 'bola-e']);
    const gen = run.sets[1]!;
    expect(gen.results.traces).toEqual(['markov-seed3', 'cellular-seed4', 'markov-seed5', 'cellular-seed6']);
    expect(gen.meta.rebufferPenaltyPerS).toBe(10);
    expect(gen.results.optimal).toBeUndefined();
    expect(
      events.filter((e) => e.type === 'set-start').map((e) => e.type === 'set-start' && e.sessions),
    ).toEqual([14, 16, 8]);
    // a generated video: the spec's ladder, played for playableSegments
    const ladder = run.sets[2]!;
    expect(ladder.meta.rebufferPenaltyPerS).toBe(2.5);
    for (const label of Object.keys(ladder.results.algorithms))
      expect(ladder.results.algorithms[label]!.qoe).toHaveLength(2);
    expect(events.filter((e) => e.type === 'skip')).toHaveLength(1);
  });

  it('keeps per-trace numbers equal to single simulated sessions', async () => {
    const video = await loadVideo(join(dir, 'movie.json'));
    const [t] = await loadTraces([join(dir, 'traces', 't3.json')]);
    const files = run.sets[0]!.results;
    const own = simulateSession({
      video,
      trace: t!,
      network: 'sabre',
      algorithm: 'bola-e',
      algorithmOptions: { minimumBufferMs: 8000 },
    });
    expect(files.algorithms['bola-e-8s']?.qoe[2]).toBeCloseTo(own.summary.totalQoe, 9);
    const gen = run.sets[1]!.results;
    const trace = generateSuiteTraces({
      type: 'generate',
      kinds: ['markov', 'cellular'],
      count: 2,
      seed: 3,
      common: { durationMs: 30000 },
      byKind: {},
    })[1]!;
    const bba = simulateSession({
      video,
      trace,
      network: 'abrkit',
      algorithm: 'bba',
      rebufferPenaltyPerS: 10,
    });
    expect(gen.algorithms['bba']?.qoe[1]).toBeCloseTo(bba.summary.totalQoe, 9);
    expect(gen.algorithms['bba']?.rebufferS[1]).toBeCloseTo(bba.summary.rebufferMs / 1000, 9);
    const [t0] = await loadTraces([join(dir, 'traces', 't0.json')]);
    const opt0 = simulateSession({ video, trace: t0!, network: 'sabre', algorithm: 'optimal' });
    expect(files.optimal?.series.qoe[0]).toBeCloseTo(opt0.summary.totalQoe, 9);
  });

  it('analyses, writes JSON with per-trace QoE and a self-contained report', () => {
    const analysis = analyzeSuite(run);
    const files = analysis.sets[0]!.analysis;
    const optimal = run.sets[0]!.results.optimal!;
    for (const row of files.rows) {
      const q = run.sets[0]!.results.algorithms[row.label]!.qoe;
      const mean = optimal.traceIndices.map((i) => q[i]!).reduce((a, b) => a + b, 0) / 2;
      const best = optimal.series.qoe.reduce((a, b) => a + b, 0) / 2;
      expect(row.optimalFraction).toBeCloseTo(mean / best, 12);
      expect(row.wins + row.ties + row.losses).toBe(3);
    }
    expect(analysis.lofo.families).toEqual(['real', 'synthetic']);
    expect(analysis.lofo.folds.map((f) => f.chosen).every((c) => c === 'throughput' || c === 'bola-e')).toBe(
      true,
    );
    const json = JSON.parse(JSON.stringify(suiteJson(run, analysis))) as {
      sets: { name: string; perTrace: Record<string, { qoe: number[] }>; traces: string[] }[];
      skipped: unknown[];
      baseline: string;
    };
    expect(json.baseline).toBe('bba');
    expect(json.sets[1]?.perTrace['throughput']?.qoe).toEqual(
      run.sets[1]!.results.algorithms['throughput']!.qoe,
    );
    expect(json.skipped).toHaveLength(1);
    const html = buildSuiteReportHtml(run, analysis);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain('bola-e-8s');
    expect(html).toContain('id="family-gain"');
  });
});

describe('suite paths', () => {
  it('resolves $SHARED, relative and absolute paths', () => {
    expect(resolveSuitePath('$SHARED/traces/oboe', '/s', '/data')).toBe('/data/traces/oboe');
    expect(resolveSuitePath('x/y.json', '/s/dir', '/data')).toBe('/s/dir/x/y.json');
    expect(resolveSuitePath('/abs/v.json', '/s', '/data')).toBe('/abs/v.json');
    expect(sharedDataDir({ ABRKIT_SHARED_DATA: '/elsewhere' })).toBe('/elsewhere');
    expect(sharedDataDir({}).endsWith(join('shared', 'data'))).toBe(true);
  });

  it('lists a folder’s trace files by name without hidden files and READMEs', () => {
    const d = mkdtempSync(join(tmpdir(), 'abrkit-suite-list-'));
    for (const n of ['b', 'a', '.hidden', 'README.md']) writeFileSync(join(d, n), '0 1\n');
    mkdirSync(join(d, 'sub'));
    expect(listTraceFiles([d])).toEqual([join(d, 'a'), join(d, 'b')]);
  });

  it('reports a missing file and bad JSON with the file name', async () => {
    await expect(loadSuiteFile('/no/such/suite.json')).rejects.toThrow(
      '/no/such/suite.json: no such suite file',
    );
    const d = mkdtempSync(join(tmpdir(), 'abrkit-suite-bad-'));
    writeFileSync(join(d, 's.json'), '{"name": ');
    await expect(loadSuiteFile(join(d, 's.json'))).rejects.toThrow(/s\.json: not JSON/);
  });

  it('names the set of a generator that refuses its options', async () => {
    const d = mkdtempSync(join(tmpdir(), 'abrkit-suite-gen-'));
    const spec = parseSuite(
      {
        name: 'g',
        baseline: 'bba',
        algorithms: ['bba'],
        sets: [
          {
            name: 'g',
            family: 'f',
            video: join(d, 'movie.json'),
            network: 'sabre',
            traces: {
              generate: {
                kinds: ['random-walk'],
                count: 1,
                options: { 'random-walk': { minKbps: 900, maxKbps: 100 } },
              },
            },
          },
        ],
      },
      join(d, 's.json'),
    );
    writeFileSync(
      join(d, 'movie.json'),
      JSON.stringify({ segment_duration_ms: 2000, bitrates_kbps: [300], segment_sizes_bits: [[600000]] }),
    );
    await expect(runSuite(spec, { suitePath: join(d, 's.json'), workers: 0 })).rejects.toThrow(
      /s\.json: sets\[0\]\.traces\.generate: .*maxKbps/,
    );
  });
});
