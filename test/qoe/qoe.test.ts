import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SegmentRecord } from '../../src/core/types.js';
import {
  createQoeModel,
  createQoeTermFunction,
  defaultRebufferPenaltyPerS,
  hdScoresForLadder,
  qoeTable,
  qoeTerm,
  summarizeSession,
} from '../../src/qoe/index.js';
import { hasSharedData, sharedData } from '../support/shared-data.js';

const LADDER = [300, 750, 1200, 1850, 2850, 4300];

function record(segment: number, rendition: number, rebufferMs: number): SegmentRecord {
  return {
    segment,
    rendition,
    bitrateKbps: LADDER[rendition] as number,
    sizeBytes: 1000,
    downloadMs: 1000,
    rebufferMs,
    bufferMs: 4000,
    qoe: 1,
  };
}

// 750 with a 2 s startup stall, up to 1850, 1850 with a 0.5 s stall, down to 300
const LOG = [record(0, 1, 2000), record(1, 3, 0), record(2, 3, 500), record(3, 0, 0)];
const ln = Math.log;

describe('QoE models', () => {
  it('QoE_lin: R/1000 - 4.3·rebuffer_s - |R - R_prev|/1000', () => {
    const term = { bitrateKbps: 1850, prevBitrateKbps: 750, rebufferMs: 500, renditionIndex: 3 };
    expect(qoeTerm('lin', term, LADDER)).toBeCloseTo(1.85 - 4.3 * 0.5 - 1.1, 12);
    expect(createQoeModel('lin', LADDER).breakdown(term)).toEqual({
      quality: 1.85,
      rebufferPenalty: 4.3 * 0.5,
      smoothnessPenalty: expect.closeTo(1.1, 12) as number,
      total: expect.closeTo(1.85 - 2.15 - 1.1, 12) as number,
    });
  });

  it('QoE_log: ln(R/R_min), rebuffer weight 2.66; a top-bitrate base only shifts the quality term', () => {
    const term = { bitrateKbps: 1850, prevBitrateKbps: 4300, rebufferMs: 1000, renditionIndex: 3 };
    const expected = ln(1850 / 300) - 2.66 - Math.abs(ln(1850 / 300) - ln(4300 / 300));
    expect(qoeTerm('log', term, LADDER)).toBeCloseTo(expected, 12);
    const byMax = qoeTerm({ name: 'log', logBaseKbps: 4300 }, term, LADDER);
    expect(byMax - qoeTerm('log', term, LADDER)).toBeCloseTo(ln(300 / 4300), 12);
  });

  it('QoE_hd: scores [1, 2, 3, 12, 15, 20], rebuffer weight 8, previous index looked up when not given', () => {
    const term = { bitrateKbps: 2850, prevBitrateKbps: 1200, rebufferMs: 250, renditionIndex: 4 };
    expect(qoeTerm('hd', term, LADDER)).toBeCloseTo(15 - 8 * 0.25 - 12, 12);
    expect(qoeTerm('hd', { ...term, prevRenditionIndex: 5 }, LADDER)).toBeCloseTo(15 - 2 - 5, 12);
  });

  it('maps HD scores by bitrate rank for other ladders', () => {
    expect(hdScoresForLadder(6)).toEqual([1, 2, 3, 12, 15, 20]);
    expect(hdScoresForLadder(3)).toEqual([1, 12, 20]); // ranks 0, 2.5 -> 3, 5
    expect(hdScoresForLadder(10)).toEqual([1, 2, 2, 3, 3, 12, 12, 15, 15, 20]);
    expect(hdScoresForLadder(1)).toEqual([1]);
    const model = createQoeModel('hd', [100, 200, 400]);
    expect(model.quality(400, 2)).toBe(20);
    expect(createQoeModel({ name: 'hd', hdScores: [0, 5, 9] }, [100, 200, 400]).quality(200, 1)).toBe(5);
  });

  it('rejects bad models and ladders', () => {
    expect(() => createQoeModel('vmaf' as never, LADDER)).toThrow(/model/);
    expect(() => createQoeModel('lin', [])).toThrow(/ladderKbps/);
    expect(() => createQoeModel('lin', [750, 300])).toThrow(/ladderKbps/);
    expect(() => createQoeModel({ name: 'lin', rebufferPenalty: -1 }, LADDER)).toThrow(/rebufferPenalty/);
    expect(() => createQoeModel('hd', LADDER).quality(0, 6)).toThrow(/renditionIndex/);
  });
});

describe('summarizeSession', () => {
  const options = { segmentDurationMs: 4000, ladderKbps: LADDER, initialBitrateKbps: 750 };

  it('totals QoE_lin, QoE_log and QoE_hd per segment from R_prev = the initial bitrate', () => {
    const s = summarizeSession(LOG, options);
    // lin: 0.75 - 8.6 | 1.85 - 1.1 | 1.85 - 2.15 | 0.3 - 1.55
    expect(s.qoe.lin.total).toBeCloseTo(-7.85 + 0.75 - 0.3 - 1.25, 12);
    expect(s.qoe.lin.meanPerSegment).toBeCloseTo(-8.65 / 4, 12);
    const q = (r: number) => ln(r / 300);
    const log = q(750) - 2.66 * 2 + (q(1850) - (q(1850) - q(750))) + (q(1850) - 2.66 * 0.5) + (0 - q(1850));
    expect(s.qoe.log.total).toBeCloseTo(log, 12);
    // hd: 2 - 16 | 12 - 10 | 12 - 4 | 1 - 11
    expect(s.qoe.hd.total).toBeCloseTo(-14, 12);
    expect(s.recordedQoeTotal).toBe(4);
  });

  it('defaults R_prev of the first segment to its own bitrate', () => {
    const withInitial = summarizeSession([record(0, 3, 0)], options);
    const own = summarizeSession([record(0, 3, 0)], { segmentDurationMs: 4000, ladderKbps: LADDER });
    expect(withInitial.qoe.lin.total).toBeCloseTo(1.85 - 1.1, 12);
    expect(own.qoe.lin.total).toBeCloseTo(1.85, 12);
    expect(own.qoe.hd.total).toBe(12);
  });

  it('counts bitrate, switches, rebuffering and startup', () => {
    const s = summarizeSession(LOG, options);
    expect(s.segmentCount).toBe(4);
    expect(s.avgBitrateKbps).toBe((750 + 1850 + 1850 + 300) / 4);
    expect(s.switchCount).toBe(2);
    expect(s.meanSwitchMagnitudeKbps).toBe((1100 + 1550) / 2);
    expect(s.rebufferMs).toBe(2500);
    expect(s.rebufferCount).toBe(2);
    expect(s.startupDelayMs).toBeNull();
    const excluded = summarizeSession(LOG, { ...options, excludeStartupRebuffer: true });
    expect(excluded.rebufferMs).toBe(500);
    expect(excluded.rebufferCount).toBe(1);
    expect(excluded.startupDelayMs).toBe(2000);
    expect(excluded.qoe.lin.total).toBeCloseTo(s.qoe.lin.total, 12); // QoE keeps the logged stall
    expect(
      summarizeSession(LOG, { ...options, excludeStartupRebuffer: true, startupDelayMs: 1500 })
        .startupDelayMs,
    ).toBe(1500);
  });

  it('computes Sabre’s time averages over the play time (segments + stalls + startup)', () => {
    const s = summarizeSession(LOG, { ...options, excludeStartupRebuffer: true });
    const playTimeMs = 4 * 4000 + 500 + 2000;
    expect(s.playTimeMs).toBe(playTimeMs);
    expect(s.rebufferRatio).toBeCloseTo(500 / playTimeMs, 12);
    const segments = playTimeMs / 4000;
    expect(s.sabre.timeAvgBitrateKbps).toBeCloseTo(4750 / segments, 9);
    expect(s.sabre.timeAvgBitrateChangeKbps).toBeCloseTo(2650 / segments, 9);
    const utility = ln(750 / 300) + 2 * ln(1850 / 300) + ln(300 / 300);
    expect(s.sabre.timeAvgScore).toBeCloseTo((utility - (5 * 500) / 4000) / segments, 12);
    const gp0 = summarizeSession(LOG, { ...options, excludeStartupRebuffer: true, gammaPS: 0 });
    expect(gp0.sabre.timeAvgScore).toBeCloseTo(utility / segments, 12);
  });

  it('handles an empty log and rejects bad options', () => {
    const s = summarizeSession([], options);
    expect(s).toMatchObject({
      segmentCount: 0,
      avgBitrateKbps: 0,
      playTimeMs: 0,
      rebufferRatio: 0,
      startupDelayMs: null,
    });
    expect(s.qoe.lin).toEqual({ total: 0, meanPerSegment: 0 });
    expect(() => summarizeSession(LOG, { ...options, segmentDurationMs: 0 })).toThrow(/segmentDurationMs/);
    expect(() => summarizeSession(LOG, { ...options, gammaPS: -1 })).toThrow(/gammaPS/);
  });
});

describe.skipIf(!hasSharedData)('QoE_lin against Pensieve’s own reward logs', () => {
  it('reproduces every chunk reward of the robustMPC and BB reference logs', () => {
    const folder = sharedData('reference', 'pensieve-sim-hsdpa-3g');
    const files = readdirSync(folder);
    const model = createQoeModel('lin', LADDER);
    let checked = 0;
    for (const file of files) {
      const rows = readFileSync(`${folder}/${file}`, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.split(/\s+/).map(Number));
      let prev = 750; // Pensieve's first previous bitrate: index 1
      for (const [, bitrate, , rebufferS, , , reward] of rows) {
        const R = bitrate as number;
        const term = model.term({
          bitrateKbps: R,
          prevBitrateKbps: prev,
          rebufferMs: (rebufferS as number) * 1000,
          renditionIndex: LADDER.indexOf(R),
        });
        expect(term).toBeCloseTo(reward as number, 9);
        prev = R;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('gives the README’s mean session QoE_lin: robustMPC -99.83, BB -107.56 over the 86 traces', () => {
    const folder = sharedData('reference', 'pensieve-sim-hsdpa-3g');
    const meanTotal = (prefix: string): number => {
      const files = readdirSync(folder).filter((f) => f.startsWith(prefix));
      expect(files).toHaveLength(86);
      let sum = 0;
      for (const file of files) {
        const records: SegmentRecord[] = readFileSync(`${folder}/${file}`, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l, segment) => {
            const [, bitrate, bufferS, rebufferS, bytes, delayMs, reward] = l.split(/\s+/).map(Number);
            return {
              segment,
              rendition: LADDER.indexOf(bitrate as number),
              bitrateKbps: bitrate as number,
              sizeBytes: bytes as number,
              downloadMs: delayMs as number,
              rebufferMs: (rebufferS as number) * 1000,
              bufferMs: (bufferS as number) * 1000,
              qoe: reward as number,
            };
          });
        expect(records).toHaveLength(48);
        const summary = summarizeSession(records, {
          segmentDurationMs: 4000,
          ladderKbps: LADDER,
          initialBitrateKbps: 750,
        });
        expect(summary.qoe.lin.total).toBeCloseTo(summary.recordedQoeTotal, 6);
        sum += summary.qoe.lin.total;
      }
      return sum / files.length;
    };
    expect(meanTotal('log_sim_mpc_')).toBeCloseTo(-99.83, 2);
    expect(meanTotal('log_sim_bb_')).toBeCloseTo(-107.56, 2);
  });
});

describe('createQoeTermFunction', () => {
  const renditions = LADDER.map((bitrateKbps, index) => ({ index, bitrateKbps }));

  it('scores the session loop’s segment facts, with no switch term for the first segment', () => {
    const lin = createQoeTermFunction('lin');
    const first = {
      renditionIndex: 3,
      bitrateKbps: 1850,
      lastRenditionIndex: null,
      lastBitrateKbps: null,
      rebufferMs: 1000,
      renditions,
    };
    expect(lin(first)).toBeCloseTo(1.85 - 4.3, 12);
    const next = { ...first, lastRenditionIndex: 1, lastBitrateKbps: 750, rebufferMs: 0 };
    expect(lin(next)).toBeCloseTo(1.85 - 1.1, 12);
    expect(createQoeTermFunction('hd')(next)).toBe(12 - 10);
    expect(createQoeTermFunction({ name: 'log', rebufferPenalty: 0 })(first)).toBeCloseTo(ln(1850 / 300), 12);
  });
});

describe('ladder-aware rebuffer penalty (Pensieve’s rule: a stall second costs the top rendition’s utility)', () => {
  it('is the top bitrate in Mbps for lin, ln(top/bottom) to two decimals for log, 8 for hd', () => {
    expect(defaultRebufferPenaltyPerS('lin', LADDER)).toBe(4.3);
    expect(defaultRebufferPenaltyPerS('log', LADDER)).toBe(2.66);
    expect(defaultRebufferPenaltyPerS('hd', LADDER)).toBe(8);
    const fourK = [1000, 2500, 5000, 8000, 16000, 35000];
    expect(defaultRebufferPenaltyPerS('lin', fourK)).toBe(35);
    expect(defaultRebufferPenaltyPerS('log', fourK)).toBe(3.56);
    expect(() => defaultRebufferPenaltyPerS('lin', [])).toThrow(/ladderKbps/);
  });

  it('is the default of every QoE in abrkit: models, term functions, planner tables', () => {
    const fourK = [1000, 2500, 5000, 8000, 16000, 35000];
    expect(createQoeModel('lin', fourK).rebufferPenalty).toBe(35);
    expect(createQoeModel({ name: 'lin', rebufferPenalty: 4.3 }, fourK).rebufferPenalty).toBe(4.3);
    const renditions = fourK.map((bitrateKbps, index) => ({ index, bitrateKbps }));
    expect(qoeTable(renditions).rebufferPenaltyPerS).toBe(35);
    const term = createQoeTermFunction('lin');
    const oneSecondStall = term({
      renditionIndex: 0,
      bitrateKbps: 1000,
      lastRenditionIndex: 0,
      lastBitrateKbps: 1000,
      rebufferMs: 1000,
      renditions,
    });
    expect(oneSecondStall).toBeCloseTo(1 - 35, 12);
  });
});
