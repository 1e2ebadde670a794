/**
 * How the CLI fails: one clear line on stderr naming the file (or option) and the problem, exit code 1 for
 * bad input (files, algorithm names, option values) and 2 for usage errors (unknown flags, malformed flag
 * values such as `--shard 3`); the stack only with `--verbose`.
 */
import { CommanderError } from 'commander';
import { isAbrkitError } from '../core/errors.js';

/** Exit code for bad input: a file that cannot be read, an unknown algorithm, a bad option value. */
export const EXIT_INPUT = 1;
/** Exit code for a malformed command line. */
export const EXIT_USAGE = 2;

/** A malformed command line (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where the CLI writes. Tests pass string sinks; `main` passes the process streams. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Whether stderr is a terminal: the progress bar only shows then. */
  readonly isTTY: boolean;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
}

interface NodeSystemError extends Error {
  code?: string;
  path?: string;
  syscall?: string;
}

function systemErrorLine(e: NodeSystemError): string | null {
  if (!e.code || !e.path) return null;
  const what: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory, expected a file',
    ENOTDIR: 'not a directory',
  };
  return `${e.path}: ${what[e.code] ?? e.message}`;
}

/** The single line and the exit code to report `error` with. */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof UsageError) return { line: error.message, exitCode: EXIT_USAGE };
  if (error instanceof CommanderError) {
    return { line: `${error.message.replace(/^error:\s*/, '')} (see abrkit --help)`, exitCode: EXIT_USAGE };
  }
  if (isAbrkitError(error)) return { line: error.message, exitCode: EXIT_INPUT };
  if (error instanceof TypeError) return { line: error.message, exitCode: EXIT_INPUT };
  if (error instanceof Error) {
    const sys = systemErrorLine(error);
    if (sys) return { line: sys, exitCode: EXIT_INPUT };
    return { line: `internal error: ${error.message}`, exitCode: EXIT_INPUT };
  }
  return { line: `internal error: ${String(error)}`, exitCode: EXIT_INPUT };
}

/** Writes the failure to stderr (one line, plus the stack when verbose) and returns the exit code. */
export function reportFailure(error: unknown, io: CliIo, verbose: boolean): number {
  const { line, exitCode } = describeFailure(error);
  io.stderr.write(`abrkit: ${line.split('\n')[0] ?? ''}\n`);
  if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return exitCode;
}
