/**
 * Memory per worker of `abrkit sim`: peak RSS of the whole process (main thread + worker threads, read by
 * GNU time from the kernel) for the same sweep in this thread (--workers 0) and with --workers 2, printed,
 * never asserted. The difference divided by the worker count is the cost of a worker thread. Needs /usr/bin/time.
 *
 *   npx tsx bench/sim-workers-memory.ts [--traces 60]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'abrkit.js');
const { values } = parseArgs({ options: { traces: { type: 'string', default: '60' } } });
const traceCount = Number(values.traces);
const traces = Array.from({ length: traceCount }, (_, i) => `markov:seed=${i + 1}`);
const dir = mkdtempSync(join(tmpdir(), 'abrkit-workers-mem-'));

/** Runs once and parses GNU time's line from stderr. */
function run(workers: number): { mb: number; seconds: number } {
  const started = Date.now();
  const result = execFileSync(
    'bash',
    [
      '-c',
      `/usr/bin/time -f 'maxrss_kb=%M' "$@" 2>&1 >/dev/null | grep maxrss_kb`,
      'bench',
      process.execPath,
      BIN,
      'sim',
      '--video',
      'synthetic',
      '--traces',
      ...traces,
      '--algo',
      'bba,bola,robust-mpc',
      '--workers',
      String(workers),
      '--quiet',
    ],
    { cwd: dir },
  ).toString();
  const kb = Number(/maxrss_kb=(\d+)/.exec(result)?.[1] ?? Number.NaN);
  return { mb: kb / 1024, seconds: (Date.now() - started) / 1000 };
}

console.log(`abrkit sim, synthetic video (48 × 4 s), ${traceCount} Markov traces × 3 algorithms`);
let base: number | null = null;
for (const workers of [0, 2]) {
  const { mb, seconds } = run(workers);
  base ??= mb;
  console.log(
    `--workers ${workers}: peak RSS ${mb.toFixed(0)} MB (${(mb - base).toFixed(0)} MB over in-process${workers > 1 ? `, ${((mb - base) / workers).toFixed(0)} MB per worker` : ''}), ${seconds.toFixed(1)} s`,
  );
}
