/**
 * Progress of a long run on stderr: a bar when stderr is a terminal, else (logs, CI, pipes) a plain line
 * every few seconds once the run has lasted a moment, so a short run prints nothing and a long one is never
 * silent. `--quiet` turns both off. Nothing goes to stdout, which holds the results.
 */
import cliProgress from 'cli-progress';
import type { CliIo } from './errors.js';

export interface ProgressOptions {
  /** Print nothing. */
  readonly quiet?: boolean;
  /** What is counted ("sessions"). */
  readonly unit?: string;
  /** Plain lines: the first once the run has lasted this long, ms. Default 2000. */
  readonly firstAfterMs?: number;
  /** Plain lines: then at most one per this many ms. Default 5000. */
  readonly everyMs?: number;
  /** Clock, ms (tests). Default `Date.now`. */
  readonly now?: () => number;
}

export interface Progress {
  update(done: number, total: number): void;
  /** Ends the display; a plain-line run that printed anything ends with a last line. */
  stop(completed: boolean): void;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** A progress display for `io`. */
export function createProgress(io: CliIo, options: ProgressOptions = {}): Progress {
  if (options.quiet) return { update: () => undefined, stop: () => undefined };
  const unit = options.unit ?? 'sessions';
  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${unit} {bar} {value}/{total} {percentage}% | eta {eta_formatted}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  const now = options.now ?? Date.now;
  const firstAfterMs = options.firstAfterMs ?? 2000;
  const everyMs = options.everyMs ?? 5000;
  const startMs = now();
  let lastLineMs: number | null = null;
  let last = { done: 0, total: 0 };
  // The rate is measured from the first result on: start-up (workers loading) would skew it.
  let first: { done: number; t: number } | null = null;
  return {
    update(done, total) {
      last = { done, total };
      const t = now();
      first ??= { done, t };
      const due = lastLineMs === null ? t - startMs >= firstAfterMs : t - lastLineMs >= everyMs;
      if (!due || done >= total) return;
      lastLineMs = t;
      const elapsed = t - startMs;
      const eta = done > first.done ? ((total - done) * (t - first.t)) / (done - first.done) : Number.NaN;
      io.stderr.write(
        `${unit} ${done}/${total} (${((100 * done) / Math.max(1, total)).toFixed(0)}%), ` +
          `${formatSeconds(elapsed)} elapsed${Number.isFinite(eta) ? `, about ${formatSeconds(eta)} left` : ''}\n`,
      );
    },
    stop(completed) {
      if (lastLineMs === null) return;
      const elapsed = now() - startMs;
      io.stderr.write(
        completed
          ? `${unit} ${last.total}/${last.total} done in ${formatSeconds(elapsed)}\n`
          : `${unit}: stopped at ${last.done}/${last.total} after ${formatSeconds(elapsed)}\n`,
      );
      lastLineMs = null;
    },
  };
}
