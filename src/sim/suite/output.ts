/**
 * A suite run as data: the analysis of every set, the leave-one-family-out summary, and the JSON document of
 * `abrkit suite --json` (all numbers, per-trace series included, so anyone can recompute the tables).
 */
import { DEFAULT_ALGORITHM } from '../../abr/registry.js';
import {
  analyzeSet,
  leaveOneFamilyOut,
  type LofoSummary,
  type SetAnalysis,
  TIE_TOLERANCE,
} from './analysis.js';
import { formatLofo, formatSetTable } from './format.js';
import type { SuiteRun, SuiteSetRun } from './run.js';

export interface SuiteAnalysis {
  readonly sets: readonly { readonly run: SuiteSetRun; readonly analysis: SetAnalysis }[];
  readonly lofo: LofoSummary;
}

/** Analyses every set of a run and the LOFO summary over them. */
export function analyzeSuite(run: SuiteRun): SuiteAnalysis {
  const sets = run.sets.map((s) => ({ run: s, analysis: analyzeSet(s.results, run.spec.baseline) }));
  return {
    sets,
    lofo: leaveOneFamilyOut(
      sets.map((s) => s.analysis),
      run.spec.candidates,
    ),
  };
}

/** One set's table as printed. */
export function setText(set: SuiteSetRun, baseline: string): string {
  return formatSetTable(analyzeSet(set.results, baseline), set.meta, baseline);
}

/** The closing text: algorithms, skipped sets, the LOFO summary and the wall time. */
export function summaryText(run: SuiteRun, analysis: SuiteAnalysis): string {
  const lines: string[] = [];
  if (run.sets.length > 0) lines.push(formatLofo(analysis.lofo, run.spec.baseline, run.spec.candidates));
  for (const s of run.skipped) lines.push(`skipped ${s.set}: ${s.reason}`);
  const sessions = run.sets.reduce(
    (n, s) =>
      n +
      Object.values(s.results.algorithms).reduce((m, a) => m + a.qoe.length, 0) +
      (s.results.optimal?.traceIndices.length ?? 0),
    0,
  );
  lines.push(
    `suite ${run.spec.name}: ${run.sets.length} sets run, ${run.skipped.length} skipped, ${sessions} sessions in ` +
      `${(run.wallMs / 1000).toFixed(1)} s (default = ${DEFAULT_ALGORITHM})`,
  );
  return lines.join('\n') + '\n';
}

/** The `--json` document. */
export function suiteJson(run: SuiteRun, analysis: SuiteAnalysis): unknown {
  return {
    suite: run.spec.name,
    defaultAlgorithm: DEFAULT_ALGORITHM,
    baseline: run.spec.baseline,
    candidates: run.spec.candidates,
    algorithms: run.spec.algorithms,
    definitions: {
      qoe: 'per session: the sum of its segments’ QoE terms',
      wins: `per trace against the baseline; a tie when |qoe − baseline| ≤ ${TIE_TOLERANCE} · max(1, |baseline|)`,
      relativeGain: '(mean − baseline mean) / |baseline mean|',
      relativeGainSe:
        'standard error of relativeGain: standard deviation of the per-trace differences from the baseline / √n / |baseline mean|',
      optimalFraction:
        'mean QoE over the optimum’s traces / the optimum’s mean QoE there; where that mean is ≤ 0, over the traces the optimum scores > 0 on only (optimalFractionScope "positive")',
      stallVsBolaES: 'mean stall per session minus bola-e’s, s',
      carriedBy:
        'the trace whose QoE differs most from the baseline’s, when leaving it out moves relativeGain by more than twice its standard error over the other traces (gainWithout ± gainWithoutSe); null otherwise',
      lofo: 'per held-out family: the candidate with the best mean relative gain over the other families’ sets; byRank: the candidate with the best mean rank there (1 = the highest gain on a set, ties share their mean rank)',
    },
    wallMs: run.wallMs,
    sets: analysis.sets.map(({ run: s, analysis: a }) => ({
      name: s.spec.name,
      family: s.spec.family,
      network: s.meta.network,
      qoe: s.meta.qoe,
      rebufferPenaltyPerS: s.meta.rebufferPenaltyPerS,
      video: { path: s.videoPath, description: s.meta.video },
      tracePaths: s.tracePaths,
      traceTotal: s.meta.traceTotal,
      sample: s.spec.sample ?? null,
      optimalSample: s.spec.optimalSample ?? null,
      wallMs: s.wallMs,
      rows: a.rows,
      optimal: a.optimal,
      traces: s.results.traces,
      perTrace: s.results.algorithms,
      optimalPerTrace: s.results.optimal
        ? { traceIndices: s.results.optimal.traceIndices, ...s.results.optimal.series }
        : null,
    })),
    skipped: run.skipped,
    lofo: analysis.lofo,
  };
}
