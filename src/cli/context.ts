/**
 * What every subcommand gets besides its flags: where to write, how to resolve relative paths, and whether
 * failures should print their stack (`--verbose`).
 */
import { resolve } from 'node:path';
import type { CliIo } from './errors.js';

export interface CliContext {
  readonly io: CliIo;
  /** Set by a subcommand's `--verbose` flag. */
  verbose: boolean;
  /** A path from the command line, resolved against `io.cwd`. */
  resolvePath(path: string): string;
}

/** The context for the process's own streams and working directory. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stderr.isTTY === true,
    cwd: process.cwd(),
  };
}

export function createContext(io: CliIo = processIo()): CliContext {
  return { io, verbose: false, resolvePath: (p) => resolve(io.cwd, p) };
}
