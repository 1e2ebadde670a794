/**
 * What the trace readers changed in what they read (periods slower than 1 kbps read as outages, HAR entries
 * dated far from the others skipped), said on stderr: one line per input, so a slow period never silently
 * becomes an outage in `abrkit sim`, `abrkit serve` or `abrkit trace`. `--quiet` (where a command has it)
 * turns the lines off; the reading itself does not change.
 */
import type { TraceWarning } from '../traces/limits.js';
import type { CliIo } from './errors.js';

/** The line for one warning: `abrkit: warning: trace <file>: <what, how many, where>`. */
export function traceWarningLine(source: string, message: string): string {
  return `abrkit: warning: trace ${source}: ${message}\n`;
}

/** An `onWarning` for the trace readers that writes each warning on `io.stderr` (nothing when `quiet`). */
export function traceWarningPrinter(io: CliIo, quiet = false): (warning: TraceWarning) => void {
  return (warning) => {
    if (!quiet) io.stderr.write(traceWarningLine(warning.source, warning.message));
  };
}
