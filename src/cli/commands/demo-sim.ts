/**
 * `abrkit demo-sim`: compare every online algorithm (plus the offline optimum when registered) on bundled
 * synthetic traces and a synthetic video, print the table and write an HTML report. Needs no data files.
 * Progress goes to stderr whether or not it is a terminal (`--quiet` for none); existing outputs are only
 * replaced with `--force`.
 */
import type { Command } from 'commander';
import type { BatchSpec } from '../../sim/batch-session.js';
import { OPTIMAL_ALGORITHM } from '../../sim/batch-stats.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import { demoTraces, demoVideo } from '../demo-data.js';
import { algorithmInfos, defaultAlgorithm } from '../registry-access.js';
import { runSimulation } from '../run-sim.js';
import { parseCount, parseWorkers } from './sim.js';

/** The demo's algorithms: every online one in registry order, then `optimal` if registered. */
export function demoAlgorithms(): string[] {
  const infos = algorithmInfos();
  const online = infos.filter((i) => !i.offline).map((i) => i.name);
  return infos.some((i) => i.name === OPTIMAL_ALGORITHM) ? [...online, OPTIMAL_ALGORITHM] : online;
}

export function register(program: Command, context: CliContext = createContext()): void {
  program
    .command('demo-sim')
    .description('compare every algorithm on bundled synthetic traces and write out/report.html')
    .option('--report <file>', 'where to write the HTML report', 'out/report.html')
    .option('--summary <file>', 'also write the summary JSON')
    .option('--jsonl <file>', 'also write the per-segment log')
    .option('--workers <n>', 'worker threads (default: the core count)')
    .option('--traces-per-generator <n>', 'seeded traces per random generator', '4')
    .option('--force', 'replace existing output files')
    .option('--quiet', 'no progress on stderr')
    .option('--verbose', 'print stack traces on errors')
    .action(
      async (flags: {
        report: string;
        summary?: string;
        jsonl?: string;
        workers?: string;
        tracesPerGenerator: string;
        force?: boolean;
        quiet?: boolean;
        verbose?: boolean;
      }) => {
        context.verbose = flags.verbose ?? false;
        const workers = flags.workers !== undefined ? parseWorkers(flags.workers) : undefined;
        const perGenerator = parseCount('--traces-per-generator', flags.tracesPerGenerator);
        const video = demoVideo();
        const traces = demoTraces(1, perGenerator);
        const algos = demoAlgorithms();
        const spec: BatchSpec = { video, traces, algos, seed: 1 };
        // Show the default algorithm on the first Markov trace: more telling than a constant link.
        const exampleTrace = Math.max(
          0,
          traces.findIndex((t) => t.name.startsWith('markov')),
        );
        const exampleAlgo = Math.max(0, algos.indexOf(defaultAlgorithm()));
        await runSimulation({
          spec,
          io: context.io,
          force: flags.force ?? false,
          quiet: flags.quiet ?? false,
          ...(workers !== undefined ? { workers } : {}),
          reportPath: flags.report,
          examplePosition: exampleTrace * algos.length + exampleAlgo,
          ...(flags.summary !== undefined ? { summaryPath: flags.summary } : {}),
          ...(flags.jsonl !== undefined ? { jsonlPath: flags.jsonl } : {}),
          reportTitle: 'abrkit demo: algorithms on synthetic traces',
          reportMeta: {
            video: `${video.name} (synthetic VBR, ${video.renditions.length} renditions ${video.renditions[0]?.bitrateKbps}-${video.renditions[video.renditions.length - 1]?.bitrateKbps} kbps, ${video.segmentSizesBytes.length} × ${video.segmentDurationMs / 1000} s)`,
            traces: `${traces.length} synthetic (constant, step, random walk, Markov, cellular; seeded)`,
            algorithms: algos.join(', '),
          },
        });
      },
    );
}
