import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { register, runLadderCommand } from '../../src/cli/commands/ladder.js';
import { createContext } from '../../src/cli/context.js';
import type { CliContext } from '../../src/cli/context.js';
import { UsageError } from '../../src/cli/errors.js';
import { readHlsLadder } from '../../src/media/ladder.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { BROKEN_DIR, LADDER_DIR } from './fixtures.js';

/** A CLI context writing into strings, with `cwd` = the repo root. */
function stringContext(): { context: CliContext; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const context = createContext({
    stdout: { write: (s: string) => stdout.push(s) },
    stderr: { write: (s: string) => stderr.push(s) },
    isTTY: false,
    cwd: REPO_ROOT,
  });
  return { context, stdout, stderr };
}

describe('abrkit ladder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-ladder-cli-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes Sabre movie JSON through commander, with --inspect, paths relative to cwd', async () => {
    const { context, stderr } = stringContext();
    const program = new Command('abrkit').exitOverride();
    register(program, context);
    const out = join(dir, 'video.json');
    await program.parseAsync(['ladder', 'fixtures/ladder', '--out', out, '--inspect'], { from: 'user' });
    const movie = JSON.parse(readFileSync(out, 'utf8')) as {
      segment_duration_ms: number;
      bitrates_kbps: number[];
      segment_sizes_bits: number[][];
    };
    const video = await readHlsLadder(LADDER_DIR);
    expect(movie.segment_duration_ms).toBe(2000);
    expect(movie.bitrates_kbps).toHaveLength(4);
    expect(movie.segment_sizes_bits[0]).toEqual(video.segmentSizesBytes[0]?.map((b) => b * 8));
    expect(stderr.join('')).toContain('keyframes aligned');
  });

  it('prints the VideoDescription with --format abrkit and a --name to stdout', async () => {
    const { context, stdout } = stringContext();
    const { video } = await runLadderCommand(LADDER_DIR, { format: 'abrkit', name: 'fixture' }, context);
    expect(video.name).toBe('fixture');
    expect(JSON.parse(stdout.join(''))).toEqual(JSON.parse(JSON.stringify(video)));
  });

  it('rejects an unknown format, and --inspect catches a broken init segment', async () => {
    const { context } = stringContext();
    await expect(runLadderCommand(LADDER_DIR, { format: 'dash' }, context)).rejects.toThrow(UsageError);
    await expect(
      runLadderCommand(join(BROKEN_DIR, 'wrong-codec'), { inspect: true }, context),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_CODEC',
    });
  });
});
