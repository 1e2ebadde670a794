/**
 * The array-job templates of examples/ (issue 15, sweeps beyond one machine), as a scheduler would run them:
 * the shard count agrees everywhere it is written, and one task's command, run as written with the index
 * variable its scheduler sets, writes that shard (the last index, so the 0-based mapping is checked). `npx`
 * is a shim that runs this clone's bin/abrkit.js, so the templates' `npx --no -- abrkit` works as in a project
 * where abrkit is installed. That the merged shards equal the unsharded run is test/cli/newcomer.test.ts.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared-data.js';
import { writeFixture } from './helpers.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin', 'abrkit.js');
const ARRAY_VARS = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX', 'SLURM_ARRAY_TASK_ID'];

/** A folder holding the templates' inputs (inputs/video.json, inputs/traces/) and an `npx` shim on PATH. */
function sweepFolder(): { dir: string; env: NodeJS.ProcessEnv } {
  const fx = writeFixture(21);
  const dir = mkdtempSync(join(tmpdir(), 'abrkit-examples-'));
  mkdirSync(join(dir, 'inputs', 'traces'), { recursive: true });
  copyFileSync(fx.movie, join(dir, 'inputs', 'video.json'));
  for (const trace of fx.traces) copyFileSync(trace, join(dir, 'inputs', 'traces', basename(trace)));
  const shims = join(dir, 'shims');
  mkdirSync(shims);
  writeFileSync(
    join(shims, 'npx'),
    `#!/bin/sh\n[ "$1" = --no ] || { echo "npx without --no may fetch from the registry" >&2; exit 9; }\n` +
      `shift; [ "$1" = -- ] && shift; [ "$1" = abrkit ] || exit 9; shift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`,
  );
  chmodSync(join(shims, 'npx'), 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${shims}:${process.env.PATH ?? ''}` };
  for (const v of ARRAY_VARS) delete env[v];
  return { dir, env };
}

function shardOf(file: string): unknown {
  return (JSON.parse(readFileSync(file, 'utf8')) as { shard?: unknown }).shard;
}

describe('examples/', () => {
  it('kubernetes/indexed-job.yaml: completions, parallelism and --shard auto/N agree; a pod writes its shard', async () => {
    const yaml = readFileSync(join(REPO_ROOT, 'examples', 'kubernetes', 'indexed-job.yaml'), 'utf8');
    expect(yaml).toMatch(/completionMode: Indexed/);
    const completions = Number(/^\s*completions: (\d+)/m.exec(yaml)?.[1]);
    expect(Number(/^\s*parallelism: (\d+)/m.exec(yaml)?.[1])).toBe(completions);
    // the container's `sh -c` argument: the folded block after `- >-`, up to the next key
    const folded = /- >-\n((?:\s{14}.*\n)+)/.exec(yaml)?.[1] ?? '';
    const command = folded
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ');
    expect(command).toMatch(new RegExp(`--shard auto/${completions}\\b`));
    const { dir, env } = sweepFolder();
    mkdirSync(join(dir, 'out'));
    const last = completions - 1;
    await run('sh', ['-c', command], { cwd: dir, env: { ...env, JOB_COMPLETION_INDEX: String(last) } });
    expect(shardOf(join(dir, 'out', `shard-${last}.json`))).toMatchObject({
      index: completions,
      count: completions,
    });
    readFileSync(join(dir, 'out', `shard-${last}.jsonl`), 'utf8');
  }, 60_000);

  it('slurm/array.sh: --array and --shard auto/N agree; a task writes its shard', async () => {
    const script = join(REPO_ROOT, 'examples', 'slurm', 'array.sh');
    const text = readFileSync(script, 'utf8');
    const [, from, to] = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(text) ?? [];
    expect(Number(from)).toBe(0);
    const count = Number(to) + 1;
    expect(text).toMatch(new RegExp(`--shard auto/${count}\\b`));
    const { dir, env } = sweepFolder();
    mkdirSync(join(dir, 'out'));
    await run('bash', [script], {
      cwd: dir,
      env: { ...env, SLURM_ARRAY_TASK_ID: String(count - 1), SLURM_CPUS_PER_TASK: '1' },
    });
    expect(shardOf(join(dir, 'out', `shard-${count - 1}.json`))).toMatchObject({ index: count, count });
  }, 60_000);
});
