// Property test of the exact MPC search (src/abr/mpc-search.ts): on random contexts its branch and bound must
// return what the plain enumeration of every sequence returns, the same first rendition and the same best score
// bit for bit, with Pensieve's `>=` tie rule (the later sequence in lexicographic order wins).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MpcSearch } from '../../src/abr/mpc-search.js';
import type { QoeTable } from '../../src/qoe/objective.js';

/** mulberry32: the download times and ladders of a case come from its seed, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pensieve's HD scores, and other increasing integer scores for other ladder lengths. */
const HD_SCORES = [1, 2, 3, 12, 15, 20];

interface Case {
  readonly objective: QoeTable;
  /** [position][rendition], seconds. */
  readonly downloadS: number[][];
  readonly horizon: number;
  readonly choices: number;
  readonly bufferS: number;
  readonly segmentS: number;
  readonly lastRendition: number | null;
}

/**
 * The plain enumeration, written like Pensieve's loop: every sequence in lexicographic order, simulated from
 * scratch, `>=` keeps the later of equal scores.
 */
function enumerate(c: Case): { first: number; score: number } {
  const { objective: q, downloadS, horizon: h, choices } = c;
  let best = Number.NEGATIVE_INFINITY;
  let first = 0;
  const total = choices ** h;
  const seq = new Array<number>(h).fill(0);
  for (let code = 0; code < total; code++) {
    let rest = code;
    for (let i = h - 1; i >= 0; i--) {
      seq[i] = rest % choices;
      rest = Math.floor(rest / choices);
    }
    let buffer = c.bufferS;
    let rebuffer = 0;
    let sum = 0;
    let smooth = 0;
    let prev = c.lastRendition ?? seq[0]!;
    for (let pos = 0; pos < h; pos++) {
      const r = seq[pos]!;
      const d = downloadS[pos]![r]!;
      if (buffer < d) {
        rebuffer += d - buffer;
        buffer = 0;
      } else buffer -= d;
      buffer += c.segmentS;
      sum += q.utilityRaw[r]!;
      smooth += Math.abs(q.utilityRaw[r]! - q.utilityRaw[prev]!);
      prev = r;
    }
    const score =
      sum / q.utilityDivisor -
      q.rebufferPenaltyPerS * rebuffer -
      q.smoothPenalty * (smooth / q.utilityDivisor);
    if (score >= best) {
      best = score;
      first = seq[0]!;
    }
  }
  return { first, score: best };
}

function search(c: Case, exhaustive = false): MpcSearch {
  const n = c.objective.utilityRaw.length;
  const s = new MpcSearch(8, n, { exhaustive });
  for (let pos = 0; pos < c.horizon; pos++)
    for (let r = 0; r < n; r++) s.setDownloadS(pos, r, c.downloadS[pos]![r]!);
  return s;
}

function run(s: MpcSearch, c: Case): number {
  return s.run(c.objective, c.horizon, c.choices, c.bufferS, c.segmentS, c.lastRendition);
}

type Utility = 'lin' | 'log' | 'hd';
/** How download times are drawn: from a throughput (near a rung or not), coarse integers (many exact ties),
 * with zero-time downloads, or with outages (infinite times, as a zero prediction gives). */
type Downloads = 'throughput' | 'boundary' | 'coarse' | 'zeros' | 'outage';

interface Params {
  readonly seed: number;
  readonly renditions: number;
  readonly utility: Utility;
  readonly downloads: Downloads;
  readonly horizon: number;
  readonly choicesFraction: number;
  readonly buffer: 'zero' | 'integer' | 'real';
  readonly segmentS: number;
  readonly rebufferPenalty: 'pensieve' | 'top' | 'zero' | 'random';
  readonly smoothPenalty: 'one' | 'zero' | 'random';
  readonly last: 'null' | 'set';
}

/** Sequences above this are not enumerated (the horizon is cut until the case fits). */
const MAX_SEQUENCES = 6000;

function buildCase(p: Params): Case {
  const rand = rng(p.seed);
  const n = p.renditions;
  const kbps: number[] = [];
  let k = 150 + Math.floor(rand() * 400);
  for (let i = 0; i < n; i++) {
    kbps.push(k);
    k += 50 + Math.floor(rand() * (p.downloads === 'coarse' ? 500 : 2500));
  }
  const utilityRaw = new Float64Array(n);
  let divisor = 1;
  if (p.utility === 'lin') {
    kbps.forEach((b, i) => (utilityRaw[i] = b));
    divisor = 1000;
  } else if (p.utility === 'log') kbps.forEach((b, i) => (utilityRaw[i] = Math.log(b / kbps[0]!)));
  else {
    let score = 0;
    for (let i = 0; i < n; i++)
      utilityRaw[i] = n === 6 ? HD_SCORES[i]! : (score += 1 + Math.floor(rand() * 6));
  }
  const top = kbps[n - 1]! / 1000;
  const rebufferPenaltyPerS = { pensieve: 4.3, top, zero: 0, random: rand() * 20 }[p.rebufferPenalty];
  const smoothPenalty = { one: 1, zero: 0, random: rand() * 3 }[p.smoothPenalty];
  const choices = Math.max(1, Math.ceil(p.choicesFraction * n));
  let horizon = p.horizon;
  while (horizon > 1 && choices ** horizon > MAX_SEQUENCES) horizon--;
  const segmentS = p.segmentS;
  // a throughput near rung `pivot`: the hard cases, where neighbouring plans score alike
  const pivot = Math.floor(rand() * n);
  const boundaryKbps = kbps[pivot]! * (0.97 + 0.06 * rand());
  const downloadS = Array.from({ length: horizon }, () => {
    const throughputKbps = p.downloads === 'boundary' ? boundaryKbps : 100 + rand() * 2 * top * 1000;
    return kbps.map((b) => {
      if (p.downloads === 'coarse') return Math.floor(rand() * 4);
      if (p.downloads === 'zeros' && rand() < 0.4) return 0;
      if (p.downloads === 'outage' && rand() < 0.3) return Number.POSITIVE_INFINITY;
      return ((b * segmentS) / throughputKbps) * (0.85 + 0.3 * rand());
    });
  });
  const bufferS = { zero: 0, integer: Math.floor(rand() * 12), real: rand() * 30 }[p.buffer];
  const lastRendition = p.last === 'null' ? null : Math.floor(rand() * n);
  return {
    objective: { utilityRaw, utilityDivisor: divisor, rebufferPenaltyPerS, smoothPenalty },
    downloadS,
    horizon,
    choices,
    bufferS,
    segmentS,
    lastRendition,
  };
}

const params: fc.Arbitrary<Params> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  renditions: fc.integer({ min: 2, max: 10 }),
  utility: fc.constantFrom<Utility>('lin', 'log', 'hd'),
  downloads: fc.constantFrom<Downloads>('throughput', 'boundary', 'boundary', 'coarse', 'zeros', 'outage'),
  horizon: fc.integer({ min: 1, max: 8 }),
  choicesFraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
  buffer: fc.constantFrom('zero' as const, 'integer' as const, 'real' as const),
  segmentS: fc.constantFrom(1, 2, 3, 4, 0.5),
  rebufferPenalty: fc.constantFrom('pensieve' as const, 'top' as const, 'zero' as const, 'random' as const),
  smoothPenalty: fc.constantFrom('one' as const, 'zero' as const, 'random' as const),
  last: fc.constantFrom('null' as const, 'set' as const),
});

describe('MpcSearch (branch and bound)', () => {
  it('returns the first rendition and the best score, bit for bit, of the plain enumeration', () => {
    let pruned = 0;
    fc.assert(
      fc.property(params, (p) => {
        const c = buildCase(p);
        const want = enumerate(c);
        const s = search(c);
        const got = run(s, c);
        expect(got).toBe(want.first);
        expect(Object.is(s.bestScore, want.score), `score ${s.bestScore} vs ${want.score}`).toBe(true);
        expect(s.sequenceCount).toBe(c.choices ** c.horizon);
        expect(s.scoredCount).toBeLessThanOrEqual(s.sequenceCount);
        if (s.scoredCount < s.sequenceCount) pruned++;
      }),
      { numRuns: 600 },
    );
    // the comparison is only worth something if the pruning happened on a good share of the cases
    expect(pruned).toBeGreaterThan(100);
  });

  it('agrees with its own exhaustive mode on long horizons over a 10-rendition ladder', () => {
    const rand = rng(99);
    for (let trial = 0; trial < 12; trial++) {
      const c = buildCase({
        seed: Math.floor(rand() * 2 ** 31),
        renditions: 10,
        utility: trial % 3 === 0 ? 'log' : 'lin',
        downloads: trial % 2 === 0 ? 'boundary' : 'throughput',
        horizon: 6,
        choicesFraction: 1,
        buffer: 'real',
        segmentS: 3,
        rebufferPenalty: 'top',
        smoothPenalty: 'one',
        last: 'set',
      });
      // buildCase cuts the horizon to what enumerate() can afford; here the exhaustive walk is the reference
      const long: Case = {
        ...c,
        horizon: 6,
        downloadS: Array.from({ length: 6 }, (_, i) => c.downloadS[i % c.horizon]!),
      };
      const exhaustive = search(long, true);
      const fast = search(long);
      expect(run(fast, long), `trial ${trial}`).toBe(run(exhaustive, long));
      expect(Object.is(fast.bestScore, exhaustive.bestScore)).toBe(true);
      expect(exhaustive.scoredCount).toBe(10 ** 6);
    }
  });

  it('scores a small fraction of the sequences on a realistic context, horizon 8 included', () => {
    // bbb-like ladder, throughput 3 Mbps, 12 s of buffer: the bound settles most subtrees near the root
    const kbps = [230, 331, 477, 688, 991, 1427, 2056, 2962, 5027, 6000];
    const objective: QoeTable = {
      utilityRaw: new Float64Array(kbps),
      utilityDivisor: 1000,
      rebufferPenaltyPerS: 6,
      smoothPenalty: 1,
    };
    const s = new MpcSearch(8, kbps.length);
    for (let pos = 0; pos < 8; pos++)
      kbps.forEach((b, r) => s.setDownloadS(pos, r, ((b * 3) / 3000) * (1 + 0.05 * Math.sin(pos + r))));
    const first = s.run(objective, 8, kbps.length, 12, 3, 6);
    expect(s.sequenceCount).toBe(10 ** 8);
    expect(s.scoredCount).toBeLessThan(10 ** 5);
    // the plan it found is no worse than holding any one rendition, scored the same way
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(kbps.length);
  });

  it('turns the pruning off for inputs the bound does not cover, and still agrees', () => {
    // negative smoothness weight: the bound would be wrong, so the search must enumerate
    const c: Case = {
      objective: {
        utilityRaw: new Float64Array([300, 750, 1200]),
        utilityDivisor: 1000,
        rebufferPenaltyPerS: 4.3,
        smoothPenalty: -1,
      },
      downloadS: [
        [1, 2, 3],
        [1, 2.5, 4],
        [0.5, 2, 6],
      ],
      horizon: 3,
      choices: 3,
      bufferS: 2,
      segmentS: 2,
      lastRendition: 0,
    };
    const s = search(c);
    expect(run(s, c)).toBe(enumerate(c).first);
    expect(Object.is(s.bestScore, enumerate(c).score)).toBe(true);
    expect(s.scoredCount).toBe(27);
  });
});
