/**
 * Golden decision sequences of every registered algorithm on one small synthetic session, through the real
 * simulator (issue 3: "golden decision sequences on small synthetic traces"). The trace steps from 4000
 * kbps down to 900 kbps (t = 16-36 s) and back up; the ladder is 500/1500/3000 kbps with 2 s segments whose
 * sizes vary by ±20%. The pinned sequences are regression anchors: a change to an algorithm, an estimator
 * or the loop that moves any decision shows up here and must be explained. Next to them, properties that
 * hold for any correct implementation: every online algorithm climbs while the link is fast and comes down
 * during the drop, and the offline optimum scores at least as well as every online algorithm.
 */
import { describe, expect, it } from 'vitest';
import { listAlgorithms } from '../../src/abr/registry.js';
import { simulateSession } from '../../src/sim/simulate.js';
import type { NetworkModelName } from '../../src/sim/network/types.js';
import { stepTrace } from '../../src/traces/generators.js';
import type { VideoDescription } from '../../src/videos/model.js';

const BITRATES_KBPS = [500, 1500, 3000];
const video: VideoDescription = {
  name: 'golden',
  segmentDurationMs: 2000,
  renditions: BITRATES_KBPS.map((bitrateKbps, index) => ({ index, bitrateKbps })),
  segmentSizesBytes: Array.from({ length: 20 }, (_, s) =>
    BITRATES_KBPS.map((b) => Math.round(((b * 2000) / 8) * (s % 3 === 0 ? 1.2 : 0.9))),
  ),
};
const trace = stepTrace(
  [
    { durationMs: 16_000, bandwidthKbps: 4000 },
    { durationMs: 20_000, bandwidthKbps: 900 },
    { durationMs: 30_000, bandwidthKbps: 4000 },
  ],
  { latencyMs: 40, name: 'golden-step' },
);

const GOLDEN: Record<string, Partial<Record<NetworkModelName, string>>> = {
  throughput: { sabre: '02222222222100100000', abrkit: '02222222222001100000' },
  bba: { sabre: '00000011112222222220', abrkit: '00000011112222222220' },
  bola: { sabre: '00222222222220100000', abrkit: '00222222222220100100' },
  'bola-e': { sabre: '02222222222210000000', abrkit: '02222222222210000000' },
  dynamic: { sabre: '02222222222100100000', abrkit: '02222222222001100000' },
  'dynamic-dash': { sabre: '02222222222100100000', abrkit: '02222222222001100000' },
  mpc: { sabre: '02222222222221100012', abrkit: '02222222222221100012' },
  'robust-mpc': { sabre: '02222222222200000001', abrkit: '02222222222200000001' },
  'scenario-mpc': { sabre: '01222222222211000011', abrkit: '01222222222211000011' },
  'l2a-ll': { sabre: '02222222222200000000', abrkit: '02222222222200000000' },
  optimal: { sabre: '00000111222222222222', abrkit: '11111111112222222222' },
};

function run(algorithm: string, network: NetworkModelName): { sequence: string; qoe: number } {
  const { records, summary } = simulateSession({ video, trace, algorithm, network });
  return { sequence: records.map((r) => r.rendition).join(''), qoe: summary.totalQoe };
}

describe('golden sessions', () => {
  it('covers every registered algorithm', () => {
    expect(Object.keys(GOLDEN).sort()).toEqual(
      listAlgorithms()
        .map((i) => i.name)
        .sort(),
    );
  });

  for (const [algorithm, byNetwork] of Object.entries(GOLDEN)) {
    for (const [network, expected] of Object.entries(byNetwork) as [NetworkModelName, string][]) {
      it(`${algorithm} on the ${network} model`, () => {
        const { sequence } = run(algorithm, network);
        expect(sequence).toBe(expected);
        if (algorithm === 'optimal' || algorithm === 'bba') return;
        // reacts to the link: reaches the top while it is fast, leaves it during the drop (segments 12-17)
        expect(sequence.slice(0, 8)).toContain('2');
        expect(sequence.slice(12, 18)).toMatch(/[01]/);
      });
    }
  }

  for (const network of ['sabre', 'abrkit'] as const) {
    it(`the offline optimum scores at least every online algorithm on the ${network} model`, () => {
      const best = run('optimal', network).qoe;
      for (const info of listAlgorithms().filter((i) => !i.offline)) {
        expect(best).toBeGreaterThanOrEqual(run(info.name, network).qoe - 1e-9);
      }
    });
  }
});
