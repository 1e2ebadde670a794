/**
 * The `abrkit` command: subcommands registered from src/cli/commands/*.ts. `runCli` parses, runs and
 * returns the exit code without touching `process.exit`, so tests can run it in-process; `bin/abrkit.js`
 * calls it with the process's own arguments and streams.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { register as registerAlgos } from './commands/algos.js';
import { register as registerDemoSim } from './commands/demo-sim.js';
import { register as registerLadder } from './commands/ladder.js';
import { register as registerLongVod } from './commands/long-vod.js';
import { register as registerMerge } from './commands/merge.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerSim } from './commands/sim.js';
import { register as registerSuite } from './commands/suite.js';
import { register as registerTrace } from './commands/trace.js';
import type { CliContext } from './context.js';
import { createContext } from './context.js';
import type { CliIo } from './errors.js';
import { EXIT_USAGE, reportFailure } from './errors.js';

/** The package's version, from package.json (two folders up from src/cli and from dist/cli alike). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** Builds the program; subcommands write through `context.io`. */
export function createProgram(context: CliContext): Command {
  const program = new Command('abrkit');
  program
    .description('adaptive-bitrate toolkit: simulate and compare ABR algorithms on network traces')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => context.io.stdout.write(s),
      writeErr: (s) => context.io.stderr.write(s),
      // Errors are printed once, by runCli, as one line.
      outputError: () => undefined,
    });
  registerSim(program, context);
  registerSuite(program, context);
  registerAlgos(program, context);
  registerDemoSim(program, context);
  registerLadder(program, context);
  registerLongVod(program, context);
  registerMerge(program, context);
  registerServe(program, context);
  registerTrace(program, context);
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io?: CliIo): Promise<number> {
  const context = createContext(io);
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (
      error instanceof CommanderError &&
      (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
    ) {
      return 0;
    }
    // Help shown because no subcommand was given: it is already on stderr.
    if (error instanceof CommanderError && error.code === 'commander.help') return EXIT_USAGE;
    const verbose = context.verbose || argv.includes('--verbose');
    return reportFailure(error, context.io, verbose);
  }
}

// Run directly (`node dist/cli/main.js ...` or `npx tsx src/cli/main.ts ...`) as well as through bin/abrkit.js.
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await runCli(process.argv.slice(2));
