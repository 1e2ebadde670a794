import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { Fixture } from './helpers.js';
import { captureIo, writeFixture } from './helpers.js';

async function cli(
  cwd: string,
  argv: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  const cap = captureIo(cwd);
  const code = await runCli(argv, cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

describe('abrkit suite', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-cli-suite-'));
    writeFileSync(
      join(dir, 'movie.json'),
      JSON.stringify({
        segment_duration_ms: 2000,
        bitrates_kbps: [300, 1200, 4300],
        segment_sizes_bits: Array.from({ length: 5 }, () => [600_000, 2_400_000, 8_600_000]),
      }),
    );
    const set = (name: string, family: string, seed: number) => ({
      name,
      family,
      traces: {
        generate: { kinds: ['cellular', 'random-walk'], count: 3, seed, options: { durationMs: 20000 } },
      },
      video: 'movie.json',
      network: 'abrkit',
      optimalSample: 1,
    });
    writeFileSync(
      join(dir, 'ok.json'),
      JSON.stringify({
        name: 'cli',
        baseline: 'bba',
        algorithms: ['throughput', 'bola-e'],
        sets: [
          set('one', 'x', 1),
          set('two', 'y', 50),
          { ...set('gone', 'z', 1), video: '$SHARED/none.json' },
        ],
      }),
    );
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        name: 'bad',
        baseline: 'bba',
        algorithms: ['bba'],
        sets: [{ ...set('a', 'b', 1), network: 'wifi' }],
      }),
    );
  });

  it('prints a table per set and the LOFO summary, writes JSON and HTML', async () => {
    const r = await cli(dir, [
      'suite',
      'ok.json',
      '--workers',
      '0',
      '--json',
      'out/s.json',
      '--report',
      'out/s.html',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /== one \[family x\] abrkit model, movie: 3 renditions 300-4300 kbps, 5 segments of 2 s/,
    );
    expect(r.out).toMatch(/^bba\s+-?\d+\.\d\d\s+-?\d+\.\d\d\s+baseline/m);
    expect(r.out).toMatch(/^throughput\s+.*\d+\/\d+\/\d+\s+-?\d+\.\d%/m);
    expect(r.out).toMatch(/^optimal \(1\)\s/m);
    expect(r.out).toContain('== leave one family out');
    expect(r.out).toMatch(/skipped gone: .*none\.json not found/);
    expect(r.err).toMatch(/suite: skipped gone:/);
    expect(r.err).toMatch(/suite: \[1\/3\] one: 10 sessions/);
    const json = JSON.parse(readFileSync(join(dir, 'out/s.json'), 'utf8')) as {
      sets: {
        name: string;
        perTrace: Record<string, { qoe: number[] }>;
        rows: { label: string; qoeMean: number }[];
      }[];
    };
    expect(json.sets.map((s) => s.name)).toEqual(['one', 'two']);
    const q = json.sets[0]!.perTrace['throughput']!.qoe;
    expect(q).toHaveLength(3);
    expect(json.sets[0]!.rows.find((row) => row.label === 'throughput')!.qoeMean).toBeCloseTo(
      q.reduce((a, b) => a + b, 0) / 3,
      9,
    );
    expect(readFileSync(join(dir, 'out/s.html'), 'utf8')).toContain('abrkit suite cli');
  });

  it('--quiet keeps stderr to skipped sets; --only picks sets or families', async () => {
    const r = await cli(dir, ['suite', 'ok.json', '--workers', '0', '--quiet', '--only', 'y']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('== two [family y]');
    expect(r.out).not.toContain('== one');
  });

  it('--rebuffer-penalty overrides every set', async () => {
    const r = await cli(dir, [
      'suite',
      'ok.json',
      '--workers',
      '0',
      '--quiet',
      '--only',
      'one',
      '--rebuffer-penalty',
      '12.5',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('rebuffer penalty 12.50/s');
  });

  it('refuses two outputs on one file, an output on an input and replacing a file without --force (exit 2, before running)', async () => {
    const same = await cli(dir, ['suite', 'ok.json', '--json', 'x.out', '--report', 'x.out']);
    expect(same.code).toBe(2);
    expect(same.err).toContain('--report and --json both write');
    const onInput = await cli(dir, ['suite', 'ok.json', '--json', 'movie.json']);
    expect(onInput.code).toBe(2);
    expect(onInput.err).toContain("is the input set one's video");
    const onSuite = await cli(dir, ['suite', 'ok.json', '--report', 'ok.json']);
    expect(onSuite.code).toBe(2);
    expect(onSuite.err).toContain('is the input suite file');
    expect(JSON.parse(readFileSync(join(dir, 'ok.json'), 'utf8'))).toMatchObject({ name: 'cli' });
    writeFileSync(join(dir, 'old.json'), 'previous');
    const exists = await cli(dir, ['suite', 'ok.json', '--only', 'one', '--json', 'old.json']);
    expect(exists.code).toBe(2);
    expect(exists.err).toContain('exists; pass --force to replace it');
    const forced = await cli(dir, [
      'suite',
      'ok.json',
      '--workers',
      '0',
      '--quiet',
      '--only',
      'one',
      '--json',
      'old.json',
      '--force',
    ]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'old.json'), 'utf8'))).toHaveProperty('sets');
  });

  it('says on stderr which trace files had periods read as outages, as abrkit sim does (none with --quiet)', async () => {
    const slowDir = mkdtempSync(join(tmpdir(), 'abrkit-cli-suite-slow-'));
    writeFileSync(join(slowDir, 'movie.json'), readFileSync(join(dir, 'movie.json')));
    mkdirSync(join(slowDir, 'traces'));
    // Pensieve cooked (Mbps): lines 2 and 4 are 0.5 and 0.1 kbps.
    writeFileSync(join(slowDir, 'traces', 'slow.txt'), '0 2.0\n1 0.0005\n2 2.0\n3 0.0001\n4 3.0\n5 3.0\n');
    writeFileSync(join(slowDir, 'traces', 'fine.txt'), '0 2.0\n1 2.5\n2 3.0\n3 1.0\n');
    writeFileSync(
      join(slowDir, 'slow-suite.json'),
      JSON.stringify({
        name: 'slow',
        baseline: 'bba',
        algorithms: ['throughput'],
        sets: [{ name: 'files', family: 'f', traces: 'traces', video: 'movie.json', network: 'pensieve' }],
      }),
    );
    const r = await cli(slowDir, ['suite', 'slow-suite.json', '--workers', '0']);
    expect(r.code).toBe(0);
    expect(r.err.split('\n').filter((l) => l.startsWith('abrkit: warning: trace '))).toEqual([
      `abrkit: warning: trace ${join(slowDir, 'traces', 'slow.txt')}: 2 periods slower than 1 kbps read as ` +
        'outages (0 kbps): the slowest 0.1 kbps, the first at line 2',
    ]);
    const quiet = await cli(slowDir, ['suite', 'slow-suite.json', '--workers', '0', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe('');
  });

  it('exits 1 naming the file and JSON path for a bad suite, 2 for usage errors', async () => {
    const bad = await cli(dir, ['suite', 'bad.json']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      `abrkit: ${join(dir, 'bad.json')}: sets[0].network: must be one of pensieve, sabre, abrkit, got "wifi"\n`,
    );
    const missing = await cli(dir, ['suite', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('nope.json: no such suite file');
    const unknownSet = await cli(dir, ['suite', 'ok.json', '--only', 'zzz']);
    expect(unknownSet.code).toBe(1);
    expect((await cli(dir, ['suite', 'ok.json', '--workers', 'many'])).code).toBe(2);
    expect((await cli(dir, ['suite', 'ok.json', '--rebuffer-penalty', '-3'])).code).toBe(2);
    expect((await cli(dir, ['suite'])).code).toBe(2);
    expect(existsSync(join(dir, 'out', 'never.json'))).toBe(false);
  });
});

describe('abrkit sim --rebuffer-penalty', () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = writeFixture(5);
  });

  it('changes the measured QoE by the penalty times the stall; a bad value is a usage error', async () => {
    const run = async (extra: string[]) => {
      const r = await cli(fx.dir, [
        'sim',
        '--video',
        fx.movie,
        '--traces',
        fx.traces[0]!,
        '--algo',
        'throughput',
        '--network',
        'sabre',
        '--workers',
        '0',
        '--summary',
        `s${extra.join('')}.json`,
        ...extra,
      ]);
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(join(fx.dir, `s${extra.join('')}.json`), 'utf8')) as {
        algos: Record<string, { qoeMean: number; rebufferSMean: number }>;
      };
    };
    const low = (await run(['--rebuffer-penalty', '1'])).algos['throughput']!;
    const high = (await run(['--rebuffer-penalty', '21'])).algos['throughput']!;
    expect(low.qoeMean - high.qoeMean).toBeCloseTo(20 * low.rebufferSMean, 9);
    const bad = await cli(fx.dir, [
      'sim',
      '--video',
      fx.movie,
      '--traces',
      fx.traces[0]!,
      '--rebuffer-penalty',
      'x',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--rebuffer-penalty: expected a number from 0 to 1000000, got "x"');
  });
});
