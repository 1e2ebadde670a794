/**
 * `abrkit suite <suite.json>`: run a generalization suite (src/sim/suite) and print one table per set as it
 * finishes, then the leave-one-family-out summary; `--json` writes every number (per-trace QoE included),
 * `--report` a self-contained HTML report. Progress goes to stderr (`--quiet` silences it).
 *
 * Exit codes: 0 ok; 1 a bad suite file (naming the file and the JSON path) or bad data; 2 usage.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { buildSuiteReportHtml } from '../../sim/suite/report.js';
import { analyzeSuite, setText, suiteJson, summaryText } from '../../sim/suite/output.js';
import {
  loadSuiteFile,
  resolveSuitePath,
  runSuite,
  sharedDataDir,
  type SuiteEvent,
} from '../../sim/suite/run.js';
import type { SuiteSpec } from '../../sim/suite/spec.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import type { CliIo } from '../errors.js';
import { UsageError } from '../errors.js';
import { checkOutputs, writeOutputFile, type CheckedOutput, type InputPath } from '../outputs.js';
import { traceWarningPrinter } from '../trace-warnings.js';
import { parseRebufferPenalty } from './sim.js';

interface SuiteFlags {
  workers?: string;
  json?: string;
  report?: string;
  quiet?: boolean;
  rebufferPenalty?: string;
  only?: string[];
  verbose?: boolean;
  force?: boolean;
}

function parseNonNegativeInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n))
    throw new UsageError(`${flag}: expected an integer ≥ 0, got "${text}"`);
  return n;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Progress lines on stderr: each set's start and end, and a line every few seconds within a long set. */
function progressPrinter(io: CliIo, quiet: boolean, now: () => number = Date.now): (e: SuiteEvent) => void {
  let lastLineMs = 0;
  let setStartMs = 0;
  return (e) => {
    if (e.type === 'skip') {
      // Always shown: a skipped set changes what the tables cover.
      io.stderr.write(`suite: skipped ${e.set}: ${e.reason}\n`);
      return;
    }
    if (quiet) return;
    const t = now();
    if (e.type === 'set-start') {
      setStartMs = t;
      lastLineMs = t;
      io.stderr.write(`suite: [${e.index}/${e.count}] ${e.set}: ${e.sessions} sessions\n`);
    } else if (e.type === 'progress') {
      if (t - lastLineMs < 5000 || e.done >= e.total) return;
      lastLineMs = t;
      io.stderr.write(`suite:   ${e.set}: ${e.done}/${e.total} sessions, ${seconds(t - setStartMs)}\n`);
    } else io.stderr.write(`suite:   ${e.set}: done in ${seconds(e.wallMs)}\n`);
  };
}

/** The suite file and every video and trace path it names: no output may land on one. */
function suiteInputs(spec: SuiteSpec, suitePath: string): InputPath[] {
  const suiteDir = dirname(suitePath);
  const shared = sharedDataDir();
  const inputs: InputPath[] = [{ flag: 'suite file', path: suitePath }];
  for (const set of spec.sets) {
    const video = resolveSuitePath(set.video, suiteDir, shared);
    if (!/^https?:\/\//i.test(video)) inputs.push({ flag: `set ${set.name}'s video`, path: video });
    if (set.traces.type === 'files')
      for (const p of set.traces.paths)
        inputs.push({ flag: `set ${set.name}'s traces`, path: resolveSuitePath(p, suiteDir, shared) });
  }
  return inputs;
}

/** Writes a checked output atomically (temp file, then rename), creating its folder. */
function writeOutput(output: CheckedOutput, text: string): void {
  if (!output.special) mkdirSync(dirname(output.real), { recursive: true });
  writeOutputFile(output, text);
}

export function register(program: Command, context: CliContext = createContext()): void {
  program
    .command('suite')
    .description(
      'run a generalization suite: algorithms × sets of traces, videos and network models; per-set tables and a leave-one-family-out summary',
    )
    .argument('<suite>', 'suite file (JSON; see suites/README.md)')
    .option('--workers <n>', 'worker threads (default: the core count; 0 or 1 runs in this thread)')
    .option('--json <file>', 'write every number as JSON (per-trace QoE included)')
    .option('--report <file>', 'write a self-contained HTML report')
    .option(
      '--rebuffer-penalty <perS>',
      'QoE penalty per second of stall for every set (default: each set’s, else ladder-aware)',
    )
    .option('--only <names...>', 'run only these sets or families (comma-separated or repeated)')
    .option('--force', 'replace existing output files')
    .option('--quiet', 'no progress on stderr')
    .option('--verbose', 'print stack traces on errors')
    .action(async (suiteArg: string, flags: SuiteFlags) => {
      context.verbose = flags.verbose ?? false;
      const workers =
        flags.workers !== undefined ? parseNonNegativeInt('--workers', flags.workers) : undefined;
      const penalty =
        flags.rebufferPenalty !== undefined ? parseRebufferPenalty(flags.rebufferPenalty) : undefined;
      const only = flags.only
        ?.flatMap((o) => o.split(','))
        .map((o) => o.trim())
        .filter((o) => o !== '');
      const suitePath = context.resolvePath(suiteArg);
      const spec = await loadSuiteFile(suitePath);
      // Outputs checked before any work (two on one file, one on an input, an existing one without --force).
      const wanted = [
        ...(flags.json !== undefined ? [{ flag: '--json', path: context.resolvePath(flags.json) }] : []),
        ...(flags.report !== undefined
          ? [{ flag: '--report', path: context.resolvePath(flags.report) }]
          : []),
      ];
      const outputs = checkOutputs(wanted, suiteInputs(spec, suitePath), flags.force ?? false);
      const output = (flag: string) => outputs.find((o) => o.flag === flag);
      const onEvent = progressPrinter(context.io, flags.quiet ?? false);
      const run = await runSuite(spec, {
        suitePath,
        ...(workers !== undefined ? { workers } : {}),
        ...(penalty !== undefined ? { rebufferPenaltyPerS: penalty } : {}),
        ...(only && only.length > 0 ? { only } : {}),
        onEvent,
        // Periods read as outages are said as in abrkit sim (quiet with --quiet).
        onTraceWarning: traceWarningPrinter(context.io, flags.quiet ?? false),
        // Each table as its set finishes, so a long suite shows results early.
        onSetDone: (set) => context.io.stdout.write(`${setText(set, spec.baseline)}\n`),
      });
      const analysis = analyzeSuite(run);
      context.io.stdout.write(summaryText(run, analysis));
      const json = output('--json');
      if (json) writeOutput(json, JSON.stringify(suiteJson(run, analysis), null, 1) + '\n');
      const report = output('--report');
      if (report) writeOutput(report, buildSuiteReportHtml(run, analysis));
    });
}
