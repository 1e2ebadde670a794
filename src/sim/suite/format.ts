/**
 * The suite's plain-text output: one table per set and the leave-one-family-out summary. Pure: no Node.
 */
import type { AlgorithmRow, LofoSummary, SetAnalysis, TraceInfluence } from './analysis.js';
import { STALL_REFERENCE } from './analysis.js';
import { formatTable } from '../../cli/table.js';
import { optimumFractionText, POSITIVE_SCOPE_NOTE } from '../batch-stats.js';

/** What a set's heading says about it. */
export interface SetMeta {
  readonly network: string;
  readonly qoe: string;
  readonly rebufferPenaltyPerS: number;
  /** Video name and shape, e.g. "envivio (6 renditions 300-4300 kbps, 48 segments of 4 s)". */
  readonly video: string;
  /** Traces run, and how many the source held before sampling. */
  readonly traceCount: number;
  readonly traceTotal: number;
  readonly optimalCount: number;
}

/** A number with `digits` decimals, '-' for null, undefined or not finite. */
export function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** A fraction as a percentage ('-' for null). */
export function percent(v: number | null | undefined, digits = 1, signed = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const text = `${(v * 100).toFixed(digits)}%`;
  return signed && v >= 0 ? `+${text}` : text;
}

/** `+3.6% ±1.2`: a relative gain and its standard error in points (the error left out when unknown). */
export function gainWithError(gain: number | null, se: number | null): string {
  const g = percent(gain, 1, true);
  return g === '-' || se === null || !Number.isFinite(se) ? g : `${g} ±${(se * 100).toFixed(1)}`;
}

function signed(v: number | null, digits: number): string {
  if (v === null || !Number.isFinite(v)) return '-';
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}

/** The heading line of a set. */
export function setHeading(a: SetAnalysis, meta: SetMeta): string {
  const traces =
    meta.traceCount === meta.traceTotal
      ? `${meta.traceCount} traces`
      : `${meta.traceCount} of ${meta.traceTotal} traces`;
  const optimum = meta.optimalCount > 0 ? `, optimum on ${meta.optimalCount}` : '';
  return (
    `== ${a.name} [family ${a.family}] ${meta.network} model, ${meta.video}, ` +
    `QoE ${meta.qoe} (rebuffer penalty ${fixed(meta.rebufferPenaltyPerS, 2)}/s), ${traces}${optimum}`
  );
}

/** One set's table, its heading and its footer. */
export function formatSetTable(a: SetAnalysis, meta: SetMeta, baseline: string): string {
  const hasStall = a.rows.some((r) => r.stallVsBolaES !== null);
  const header = [
    'algorithm',
    'QoE mean',
    'QoE median',
    `vs ${baseline}`,
    'rebuffer s',
    'switches',
    'W/T/L',
    'of optimum',
    ...(hasStall ? [`stall vs ${STALL_REFERENCE} s`] : []),
  ];
  const rows = a.rows.map((r) => [
    r.label,
    fixed(r.qoeMean, 2),
    fixed(r.qoeMedian, 2),
    r.label === baseline ? 'baseline' : gainWithError(r.relativeGain, r.relativeGainSe),
    fixed(r.rebufferSMean, 2),
    fixed(r.switchesMean, 1),
    r.label === baseline ? '-' : `${r.wins}/${r.ties}/${r.losses}`,
    optimumFractionText(r.optimalFraction, r.optimalFractionScope),
    ...(hasStall ? [r.label === STALL_REFERENCE ? '-' : signed(r.stallVsBolaES, 2)] : []),
  ]);
  if (a.optimal) {
    rows.push([
      `optimal (${a.optimal.sessions})`,
      fixed(a.optimal.qoeMean, 2),
      fixed(a.optimal.qoeMedian, 2),
      '',
      fixed(a.optimal.rebufferSMean, 2),
      fixed(a.optimal.switchesMean, 1),
      '',
      '100.0%',
      ...(hasStall ? [''] : []),
    ]);
  }
  const footer = [
    `QoE: per session, summed over segments; rebuffer s and switches: mean per session. W/T/L: traces where the`,
    `algorithm's QoE beats, ties, loses to ${baseline}'s. vs ${baseline}: relative gain of the mean ± its standard`,
    `error in points (per-trace differences, paired).`,
    a.optimal
      ? `of optimum: mean QoE over the ${a.optimal.sessions} traces the offline optimum ran on / the optimum's mean there.`
      : 'of optimum: the offline optimum did not run on this set.',
    ...(a.rows.some((r) => r.optimalFractionScope === 'positive') ? [POSITIVE_SCOPE_NOTE] : []),
    ...a.rows.flatMap((r) => (r.carriedBy ? [carriedByNote(r, r.carriedBy)] : [])),
  ];
  return `${setHeading(a, meta)}\n${formatTable(header, rows)}${footer.map((l) => `  ${l}`).join('\n')}\n`;
}

/** One line saying that a row's gain rests on one trace, and what it is without it. */
export function carriedByNote(r: AlgorithmRow, c: TraceInfluence): string {
  return (
    `one trace carries ${r.label}'s gain (${percent(r.relativeGain, 1, true)}): without ${c.trace} it is ` +
    `${gainWithError(c.gainWithout, c.gainWithoutSe)}; read the median and W/T/L.`
  );
}

/** The leave-one-family-out summary and the per-family gains of every algorithm. */
export function formatLofo(lofo: LofoSummary, baseline: string, candidates: readonly string[]): string {
  const folds = formatTable(
    [
      'held-out family',
      'chosen',
      'gain on the others',
      'gain on the held-out sets',
      'by mean rank',
      'rank',
      'held-out gain',
    ],
    lofo.folds.map((f) => [
      f.family,
      f.chosen ?? '-',
      percent(f.trainGain, 1, true),
      f.heldOut.length === 0
        ? '-'
        : `${percent(f.heldOutMean, 1, true)} (${f.heldOut.map((h) => `${h.set} ${percent(h.gain, 1, true)}`).join(', ')})`,
      f.byRank.chosen ?? '-',
      fixed(f.byRank.meanRank, 2),
      percent(f.byRank.heldOutMean, 1, true),
    ]),
  );
  const labels = Object.keys(lofo.gainByFamily);
  const byFamily = formatTable(
    ['algorithm', ...lofo.families],
    labels.map((l) => [l, ...lofo.families.map((f) => percent(lofo.gainByFamily[l]?.[f] ?? null, 1, true))]),
  );
  return (
    `== leave one family out (candidates: ${candidates.join(', ')}; gains relative to ${baseline})\n` +
    folds +
    `  For each family held out, the candidate with the best mean relative gain (mean − ${baseline} mean) / |${baseline} mean|\n` +
    `  over the sets of the other families is chosen; its gain on each held-out set follows. By mean rank: the\n` +
    `  candidate ranked best on average over those sets (1 = the highest gain on every one; Demšar, JMLR 2006),\n` +
    `  which one noisy set cannot carry alone, and its mean gain on the held-out sets.\n\n` +
    `== relative gain over ${baseline} per family (mean over the family's sets)\n` +
    byFamily
  );
}
