/**
 * `abrkit algos [--json]`: the registered algorithms with their options and defaults. `--json` prints an
 * array of `{ name, description, options, default }`, exactly one with `default: true`.
 */
import type { Command } from 'commander';
import type { AbrOptionSpec } from '../../abr/types.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import { algorithmInfos, defaultAlgorithm } from '../registry-access.js';
import { formatTable } from '../table.js';

/** One entry of `abrkit algos --json`. */
export interface AlgoListing {
  readonly name: string;
  readonly description: string;
  readonly options: readonly AbrOptionSpec[];
  readonly default: boolean;
}

/** The registry as `abrkit algos --json` prints it. */
export function algoListing(): AlgoListing[] {
  const def = defaultAlgorithm();
  return algorithmInfos().map((info) => ({
    name: info.name,
    description: info.description,
    options: info.options.map((o) => ({ ...o })),
    default: info.name === def,
  }));
}

function optionText(o: AbrOptionSpec): string {
  const range = o.choices
    ? ` {${o.choices.join('|')}}`
    : o.min !== undefined || o.max !== undefined
      ? ` [${o.min ?? ''}..${o.max ?? ''}]`
      : '';
  return `${o.name}=${String(o.default)} (${o.type}${range})`;
}

/**
 * An offline algorithm's description for the command line: its library options (`Option: plan (number[]).`,
 * a plan handed to createAlgorithm) are not `--opt` options, so the table says where they belong instead of
 * listing an option `--opt` refuses (issue 18).
 */
export function cliDescription(description: string): string {
  return description.replace(
    /\s*Options?: ([^.]*)\.\s*$/,
    (_m, what: string) => ` Library option ${what} (createAlgorithm), not on the command line.`,
  );
}

export function register(program: Command, context: CliContext = createContext()): void {
  program
    .command('algos')
    .description('list the ABR algorithms with their options and defaults')
    .option('--json', 'print JSON: [{ name, description, options, default }]')
    .action((flags: { json?: boolean }) => {
      const list = algoListing();
      if (flags.json) {
        context.io.stdout.write(JSON.stringify(list, null, 2) + '\n');
        return;
      }
      const offline = new Set(
        algorithmInfos()
          .filter((i) => i.offline)
          .map((i) => i.name),
      );
      const rows = list.map((a) => [
        `${a.name}${a.default ? ' (default)' : ''}${offline.has(a.name) ? ' (offline)' : ''}`,
        offline.has(a.name) ? cliDescription(a.description) : a.description,
      ]);
      context.io.stdout.write(formatTable(['algorithm', 'description'], rows, 2));
      context.io.stdout.write('\noptions (--opt algo.key=value):\n');
      for (const a of list) {
        const none = offline.has(a.name)
          ? '(none on the command line: the simulator computes its plan from each whole trace)'
          : '(none)';
        context.io.stdout.write(
          `  ${a.name}: ${a.options.length > 0 ? a.options.map(optionText).join(', ') : none}\n`,
        );
      }
    });
}
