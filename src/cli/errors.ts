/**
 * How the CLI fails: one clear line on stderr naming the file (or option) and the problem, exit code 1 for
 * bad input (a file that cannot be read or written, an option value an algorithm refuses) and 2 for usage
 * errors (unknown commands, flags or algorithm names, with a "did you mean"; malformed flag values such as
 * `--shard 3`; outputs that would clash or overwrite); 130 when interrupted. The stack only with `--verbose`.
 * Errors of the operating system are put in words naming the file ("no space left writing out.jsonl"),
 * never shown as an internal error.
 */
import { CommanderError } from 'commander';
import { isAbrkitError } from '../core/errors.js';
import { didYouMean } from './suggest.js';

/** Exit code for bad input: a file that cannot be read, an unknown algorithm, a bad option value. */
export const EXIT_INPUT = 1;
/** Exit code for a malformed command line. */
export const EXIT_USAGE = 2;
/** Exit code of a run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/** A malformed command line (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A run stopped by a signal (exit code 130); the message says what was written. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** An output that could not be written (exit code 1), with the system's reason in words. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
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

const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'not a directory',
  ENOSPC: 'no space left',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  EXDEV: 'cannot rename across file systems',
  EBUSY: 'resource busy',
  ELOOP: 'too many symbolic links',
};

/** The system's reason for `code` in words (`ENOSPC` → "no space left on the device"), if known. */
export function systemReason(code: string | undefined): string | undefined {
  return code === undefined ? undefined : SYSTEM_REASONS[code];
}

function systemErrorLine(e: NodeSystemError): string | null {
  if (!e.code) return null;
  const reason = SYSTEM_REASONS[e.code];
  if (!e.path) return reason ? `${reason} (${e.syscall ?? e.code})` : null;
  return `${e.path}: ${reason ?? e.message}`;
}

/**
 * Commander's message on one line: "unknown option '--vidoe' (did you mean --video?)"; a value outside an
 * option's choices (`--qoe linn`) gets the closest choice too.
 */
function commanderLine(message: string): string {
  const line = message
    .replace(/^error:\s*/, '')
    .replace(/\s*\n\(Did you mean ([^)]*)\)/, ' (did you mean $1)')
    .replace(/\s*\n\s*/g, ' ');
  const choice = /argument '([^']*)' is invalid\. Allowed choices are (.*)\.$/.exec(line);
  if (!choice) return line;
  const hint = didYouMean(choice[1] ?? '', (choice[2] ?? '').split(', '));
  return hint === '' ? line : `${line.slice(0, -1)}${hint}.`;
}

/** The single line and the exit code to report `error` with. */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof UsageError) return { line: error.message, exitCode: EXIT_USAGE };
  if (error instanceof InterruptedError) return { line: error.message, exitCode: EXIT_INTERRUPTED };
  if (error instanceof OutputError) return { line: error.message, exitCode: EXIT_INPUT };
  if (error instanceof CommanderError) {
    return { line: `${commanderLine(error.message)} (see abrkit --help)`, exitCode: EXIT_USAGE };
  }
  // An unknown algorithm is a usage error, like an unknown --network.
  if (isAbrkitError(error) && error.code === 'ABR_UNKNOWN')
    return { line: error.message, exitCode: EXIT_USAGE };
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
