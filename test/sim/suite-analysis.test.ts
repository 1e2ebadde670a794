import { describe, expect, it } from 'vitest';
import {
  analyzeSet,
  leaveOneFamilyOut,
  meanRanks,
  optimalFraction,
  relativeGain,
  relativeGainStandardError,
  singleTraceInfluence,
  winsTiesLosses,
  type SetResults,
  type TraceSeries,
} from '../../src/sim/suite/analysis.js';
import { formatLofo, formatSetTable } from '../../src/sim/suite/format.js';
import { mean, optimumFractionText } from '../../src/sim/batch-stats.js';

function series(
  qoe: number[],
  rebufferS: number[] = qoe.map(() => 0),
  switches: number[] = qoe.map(() => 1),
): TraceSeries {
  return { qoe, rebufferS, switches, bitrateKbpsMean: qoe.map(() => 1000) };
}

/** A set where each algorithm's per-trace QoE is given; means are what the test says. */
function set(name: string, family: string, byAlgo: Record<string, number[]>): SetResults {
  const algorithms: Record<string, TraceSeries> = {};
  for (const [k, v] of Object.entries(byAlgo)) algorithms[k] = series(v);
  return { name, family, traces: (byAlgo['base'] ?? []).map((_, i) => `t${i}`), algorithms };
}

describe('per-set analysis', () => {
  it('counts wins, ties and losses per trace, a tie within 1e-9 relative', () => {
    expect(winsTiesLosses([5, 3, 2, 1 + 1e-12, -4], [4, 3, 3, 1, -4.5])).toEqual({
      wins: 2,
      ties: 2,
      losses: 1,
    });
    expect(() => winsTiesLosses([1], [1, 2])).toThrow(RangeError);
  });

  it('gives relative gains over |baseline| and null for a zero baseline', () => {
    expect(relativeGain(12, 10)).toBeCloseTo(0.2, 12);
    expect(relativeGain(-5, -10)).toBeCloseTo(0.5, 12);
    expect(relativeGain(-15, -10)).toBeCloseTo(-0.5, 12);
    expect(relativeGain(3, 0)).toBeNull();
  });

  it('gives the paired standard error of a relative gain', () => {
    // differences 1, 3, 2, 2 (mean 2, sample variance 2/3) over a baseline mean of 10
    expect(relativeGainStandardError([11, 13, 12, 12], [10, 10, 10, 10])).toBeCloseTo(
      Math.sqrt(2 / 3 / 4) / 10,
      12,
    );
    // paired: a spread both share does not count
    expect(relativeGainStandardError([11, 101, 51], [10, 100, 50])).toBeCloseTo(0, 12);
    expect(relativeGainStandardError([1], [2])).toBeNull();
    expect(relativeGainStandardError([1, 2], [1, -1])).toBeNull();
    expect(() => relativeGainStandardError([1], [1, 2])).toThrow(RangeError);
  });

  it('takes the fraction of the optimum as a ratio of means over its traces', () => {
    // traces 1 and 3: algorithm 4 and 8 (mean 6), optimum 10 and 2 (mean 6) → 100%, where a mean of
    // ratios would say (0.4 + 4) / 2 = 220%.
    expect(optimalFraction([100, 4, 100, 8], [1, 3], [10, 2])).toEqual({ fraction: 1, scope: 'all' });
    expect(optimalFraction([1, 2], [0], [-3])).toBeNull();
    // a trace the optimum scores ≤ 0 on stays in both means while the optimum's mean is > 0: leaving it out
    // would leave out the sessions that stall most and flatter every algorithm
    const kept = optimalFraction([5, -40, 7], [0, 1, 2], [10, -3, 10]);
    expect(kept?.scope).toBe('all');
    expect(kept?.fraction).toBeCloseTo((5 - 40 + 7) / (10 - 3 + 10), 12);
    // where the optimum's own mean is ≤ 0 the ratio has no meaning: over its positive traces, and marked
    const positive = optimalFraction([5, -40, 7], [0, 1, 2], [10, -30, 10]);
    expect(positive?.scope).toBe('positive');
    expect(positive?.fraction).toBeCloseTo(12 / 20, 12);
    expect(optimalFraction([1, 2], [], [])).toBeNull();
    expect(optimumFractionText(0.6, 'positive')).toBe('60.0%*');
    expect(optimumFractionText(0.6219, 'all')).toBe('62.2%');
    expect(optimumFractionText(null, null)).toBe('-');
  });

  it('builds the rows: means, medians, stalls against bola-e, optimum', () => {
    const results: SetResults = {
      name: 's',
      family: 'f',
      traces: ['a', 'b', 'c', 'd'],
      algorithms: {
        base: series([10, 20, 30, 100], [1, 0, 0, 3], [2, 2, 4, 4]),
        'bola-e': series([12, 20, 25, 90], [0.5, 0.5, 0, 1]),
        mine: series([11, 25, 35, 1], [0, 0, 0, 10]),
      },
      optimal: { traceIndices: [0, 2], series: series([20, 40], [0, 0], [1, 1]) },
    };
    const a = analyzeSet(results, 'base');
    const row = (l: string) => a.rows.find((r) => r.label === l)!;
    expect(a.rows.map((r) => r.label)).toEqual(['base', 'bola-e', 'mine']);
    expect(row('base')).toMatchObject({
      qoeMean: 40,
      qoeMedian: 25,
      rebufferSMean: 1,
      switchesMean: 3,
      wins: 0,
      ties: 4,
      losses: 0,
    });
    expect(row('mine')).toMatchObject({
      qoeMean: 18,
      qoeMedian: 18,
      wins: 3,
      ties: 0,
      losses: 1,
      rebufferSMean: 2.5,
    });
    expect(row('mine').relativeGain).toBeCloseTo((18 - 40) / 40, 12);
    expect(row('mine').relativeGainSe).not.toBeNull();
    expect(row('base').relativeGainSe).toBeNull();
    // over traces a and c: (11 + 35) / 2 = 23 against (20 + 40) / 2 = 30
    expect(row('mine').optimalFraction).toBeCloseTo(23 / 30, 12);
    expect(row('base').optimalFraction).toBeCloseTo(20 / 30, 12);
    expect(row('base').optimalFractionScope).toBe('all');
    expect(row('mine').stallVsBolaES).toBeCloseTo(2.5 - 0.5, 12);
    expect(row('bola-e').stallVsBolaES).toBe(0);
    expect(row('bola-e')).toMatchObject({ wins: 1, ties: 1, losses: 2 });
    expect(a.optimal).toMatchObject({ sessions: 2, qoeMean: 30, qoeMedian: 30 });

    const text = formatSetTable(
      a,
      {
        network: 'sabre',
        qoe: 'lin',
        rebufferPenaltyPerS: 6,
        video: 'v',
        traceCount: 4,
        traceTotal: 40,
        optimalCount: 2,
      },
      'base',
    );
    expect(text).toContain('4 of 40 traces, optimum on 2');
    expect(text).toMatch(
      /mine\s+18\.00\s+18\.00\s+-55\.0% ±64\.2\s+2\.50\s+1\.0\s+3\/0\/1\s+76\.7%\s+\+2\.00/,
    );
    expect(text).toMatch(/optimal \(2\)\s+30\.00/);
  });

  it('says when one trace carries a gain, and what the gain is without it', () => {
    const names = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const base = names.map((_, i) => 50 + (i % 5));
    // +1 on every trace but one, where an outage catches this algorithm's session (-1000)
    const mine = base.map((b, i) => (i === 7 ? b - 1000 : b + 1 + (i % 3) * 0.1));
    const c = singleTraceInfluence(mine, base, names);
    expect(c?.trace).toBe('t7');
    const restBase = base.filter((_, i) => i !== 7);
    const restMine = mine.filter((_, i) => i !== 7);
    expect(c?.gainWithout).toBeCloseTo(relativeGain(mean(restMine), mean(restBase))!, 12);
    expect(c?.gainWithoutSe).toBeCloseTo(relativeGainStandardError(restMine, restBase)!, 12);
    expect(relativeGain(mean(mine), mean(base))!).toBeLessThan(0);
    expect(c!.gainWithout).toBeGreaterThan(0);
    // the same gain spread over every trace: no single trace carries it
    const spread = base.map((b, i) => b - 50 + (i % 2));
    expect(singleTraceInfluence(spread, base, names)).toBeNull();
    // the largest difference only a little above the rest does not carry it either
    const mild = base.map((b, i) => b + (i === 3 ? 3 : 1 + (i % 4) * 0.5));
    expect(singleTraceInfluence(mild, base, names)).toBeNull();
    expect(singleTraceInfluence([1, 2], [1, 1], ['a', 'b'])).toBeNull();
    expect(() => singleTraceInfluence([1, 2, 3], [1, 2, 3], ['a'])).toThrow(RangeError);

    // in the set's rows and its text table
    const a = analyzeSet(
      { name: 's', family: 'f', traces: names, algorithms: { base: series(base), mine: series(mine) } },
      'base',
    );
    expect(a.rows.find((r) => r.label === 'base')!.carriedBy).toBeNull();
    expect(a.rows.find((r) => r.label === 'mine')!.carriedBy?.trace).toBe('t7');
    const text = formatSetTable(
      a,
      {
        network: 'pensieve',
        qoe: 'lin',
        rebufferPenaltyPerS: 4.3,
        video: 'v',
        traceCount: 20,
        traceTotal: 20,
        optimalCount: 0,
      },
      'base',
    );
    expect(text).toMatch(/one trace carries mine's gain \(-\d+\.\d%\): without t7 it is \+\d+\.\d% ±\d+\.\d/);
  });

  it('needs the baseline among the algorithms', () => {
    expect(() => analyzeSet(set('s', 'f', { a: [1] }), 'base')).toThrow(/baseline 'base'/);
  });
});

describe('leave one family out', () => {
  // Families A (sets a1, a2), B (b1), C (c1). Baseline means are 10 everywhere (per-trace [5, 15]).
  // Relative gains (x = mean of the 2 traces):
  //          a1     a2     b1     c1
  //   p    +0.5   +0.3   -0.1   +0.1
  //   q    +0.1   +0.1   +0.4   +0.2
  const sets = [
    set('a1', 'A', { base: [5, 15], p: [10, 20], q: [6, 16] }),
    set('a2', 'A', { base: [5, 15], p: [8, 18], q: [6, 16] }),
    set('b1', 'B', { base: [5, 15], p: [4, 14], q: [9, 19] }),
    set('c1', 'C', { base: [5, 15], p: [6, 16], q: [7, 17] }),
  ].map((s) => analyzeSet(s, 'base'));

  it('chooses on the other families and scores on the held-out one', () => {
    const lofo = leaveOneFamilyOut(sets, ['p', 'q']);
    expect(lofo.families).toEqual(['A', 'B', 'C']);
    const fold = (f: string) => lofo.folds.find((x) => x.family === f)!;
    // A held out: on b1, c1 p scores (-0.1 + 0.1) / 2 = 0, q (0.4 + 0.2) / 2 = 0.3 → q; on A q gains 0.1, 0.1
    expect(fold('A').chosen).toBe('q');
    expect(fold('A').trainGain).toBeCloseTo(0.3, 12);
    expect(fold('A').heldOut.map((h) => h.set)).toEqual(['a1', 'a2']);
    expect(fold('A').heldOut[0]?.gain).toBeCloseTo(0.1, 12);
    expect(fold('A').heldOutMean).toBeCloseTo(0.1, 12);
    // B held out: p (0.5 + 0.3 + 0.1) / 3 = 0.3, q (0.1 + 0.1 + 0.2) / 3 = 0.133 → p, which loses 10% on b1
    expect(fold('B').chosen).toBe('p');
    expect(fold('B').trainGain).toBeCloseTo(0.3, 12);
    expect(fold('B').heldOutMean).toBeCloseTo(-0.1, 12);
    // C held out: p (0.5 + 0.3 - 0.1) / 3 = 0.233, q (0.1 + 0.1 + 0.4) / 3 = 0.2 → p
    expect(fold('C').chosen).toBe('p');
    expect(fold('C').heldOutMean).toBeCloseTo(0.1, 12);
    // per-family gains of every algorithm, baseline included
    expect(lofo.gainByFamily['p']?.['A']).toBeCloseTo(0.4, 12);
    expect(lofo.gainByFamily['q']?.['B']).toBeCloseTo(0.4, 12);
    expect(lofo.gainByFamily['base']?.['C']).toBe(0);
    const text = formatLofo(lofo, 'base', ['p', 'q']);
    expect(text).toMatch(/B\s+p\s+\+30\.0%\s+-10\.0% \(b1 -10\.0%\)/);
  });

  it('restricts the choice to the candidates and has no choice without other families', () => {
    expect(leaveOneFamilyOut(sets, ['q']).folds.every((f) => f.chosen === 'q')).toBe(true);
    const one = leaveOneFamilyOut([sets[0]!, sets[1]!], ['p', 'q']);
    const noGains = [
      { set: 'a1', gain: null },
      { set: 'a2', gain: null },
    ];
    expect(one.folds).toEqual([
      {
        family: 'A',
        chosen: null,
        trainGain: null,
        heldOut: noGains,
        heldOutMean: null,
        byRank: { chosen: null, meanRank: null, heldOut: noGains, heldOutMean: null },
      },
    ]);
  });

  it('ranks candidates per set, ties sharing their mean rank, a missing gain last', () => {
    expect(meanRanks([[0.3, 0.1, 0.2]], 3)).toEqual([1, 3, 2]);
    expect(meanRanks([[0.1, 0.1, 0.2]], 3)).toEqual([2.5, 2.5, 1]);
    expect(meanRanks([[null, 0.1, null]], 3)).toEqual([2.5, 1, 2.5]);
    expect(
      meanRanks(
        [
          [0.3, 0.1],
          [0.1, 0.2],
          [0.5, 0.4],
        ],
        2,
      ),
    ).toEqual([4 / 3, 5 / 3]);
    expect(meanRanks([], 2)).toEqual([null, null]);
  });

  it('chooses by mean rank beside mean gain: one noisy set cannot carry the rank alone', () => {
    // on the training family T, p wins one set by 90 points and loses three by 2; q wins those three
    const noisy = [
      set('t1', 'T', { base: [5, 15], p: [14, 24], q: [5, 15] }),
      set('t2', 'T', { base: [5, 15], p: [4.8, 14.8], q: [5.1, 15.1] }),
      set('t3', 'T', { base: [5, 15], p: [4.8, 14.8], q: [5.1, 15.1] }),
      set('t4', 'T', { base: [5, 15], p: [4.8, 14.8], q: [5.1, 15.1] }),
      set('h1', 'H', { base: [5, 15], p: [4.5, 14.5], q: [5.5, 15.5] }),
    ].map((s) => analyzeSet(s, 'base'));
    const fold = leaveOneFamilyOut(noisy, ['p', 'q']).folds.find((f) => f.family === 'H')!;
    // mean gain: p (0.9 - 0.06) / 4 = 0.21 against q 0.0075 → p; mean rank: p (1 + 2 + 2 + 2) / 4 = 1.75, q 1.25
    expect(fold.chosen).toBe('p');
    expect(fold.heldOutMean).toBeCloseTo(-0.05, 12);
    expect(fold.byRank.chosen).toBe('q');
    expect(fold.byRank.meanRank).toBeCloseTo(1.25, 12);
    expect(fold.byRank.heldOutMean).toBeCloseTo(0.05, 12);
    const text = formatLofo(leaveOneFamilyOut(noisy, ['p', 'q']), 'base', ['p', 'q']);
    expect(text).toMatch(/H\s+p\s+\+21\.0%\s+-5\.0% \(h1 -5\.0%\)\s+q\s+1\.25\s+\+5\.0%/);
  });
});
