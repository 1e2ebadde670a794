import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { REPO_ROOT, hasSharedData, sharedData } from '../support/shared-data.js';
import type { Fixture } from './helpers.js';
import { JSONL_FIELDS, SEGMENTS, captureIo, writeFixture } from './helpers.js';

const ALGOS = ['bola', 'bba', 'throughput'];

interface Line {
  trace: string;
  algo: string;
  segment: number;
  rendition: number;
  bitrateKbps: number;
  rebufferMs: number;
  qoe: number;
}

async function sim(
  fx: Fixture,
  extra: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  const cap = captureIo(fx.dir);
  const code = await runCli(
    ['sim', '--video', fx.movie, '--traces', ...fx.traces, '--algo', ALGOS.join(','), ...extra],
    cap.io,
  );
  return { code, out: cap.out(), err: cap.err() };
}

function readLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('abrkit sim', () => {
  let fx: Fixture;
  let whole: string[];

  beforeAll(async () => {
    fx = writeFixture();
    const r = await sim(fx, ['--jsonl', 'all.jsonl', '--summary', 'all.json', '--workers', '1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    whole = readLines(join(fx.dir, 'all.jsonl'));
  });

  it('writes one JSONL line per segment with exactly the SegmentRecord fields in order', () => {
    expect(whole).toHaveLength(fx.traces.length * ALGOS.length * SEGMENTS);
    for (const line of whole) expect(Object.keys(JSON.parse(line) as object)).toEqual(JSONL_FIELDS);
  });

  it('orders sessions by trace, then algorithm as given, segments ascending, with trace names from the files', () => {
    const lines = whole.map((l) => JSON.parse(l) as Line);
    let i = 0;
    for (const trace of fx.traceNames) {
      for (const algo of ALGOS) {
        for (let segment = 0; segment < SEGMENTS; segment++, i++) {
          expect(lines[i]).toMatchObject({ trace, algo, segment });
        }
      }
    }
  });

  it('summarises per algorithm from the same sessions as the log', () => {
    const summary = JSON.parse(readFileSync(join(fx.dir, 'all.json'), 'utf8')) as {
      algos: Record<string, Record<string, number>>;
    };
    expect(Object.keys(summary)).toEqual(['algos']);
    expect(Object.keys(summary.algos)).toEqual(ALGOS);
    const lines = whole.map((l) => JSON.parse(l) as Line);
    for (const algo of ALGOS) {
      const a = summary.algos[algo];
      expect(Object.keys(a ?? {})).toEqual([
        'sessions',
        'qoeMean',
        'qoeMedian',
        'bitrateKbpsMean',
        'rebufferSMean',
        'switchesMean',
      ]);
      // Recompute from the log: session QoE = sum of its segments' QoE.
      const mine = lines.filter((l) => l.algo === algo);
      const perTrace = fx.traceNames.map((t) => mine.filter((l) => l.trace === t));
      const qoe = perTrace.map((s) => s.reduce((acc, l) => acc + l.qoe, 0));
      const rebufferS = perTrace.map((s) => s.reduce((acc, l) => acc + l.rebufferMs, 0) / 1000);
      const switches = perTrace.map(
        (s) => s.filter((l, k) => k > 0 && l.rendition !== s[k - 1]?.rendition).length,
      );
      const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;
      expect(a?.sessions).toBe(fx.traces.length);
      expect(a?.qoeMean).toBeCloseTo(mean(qoe), 9);
      const sorted = [...qoe].sort((x, y) => x - y);
      expect(a?.qoeMedian).toBeCloseTo(((sorted[1] ?? 0) + (sorted[2] ?? 0)) / 2, 9);
      expect(a?.rebufferSMean).toBeCloseTo(mean(rebufferS), 9);
      expect(a?.switchesMean).toBeCloseTo(mean(switches), 9);
    }
  });

  it('gives byte-identical output with 2 worker threads', async () => {
    const r = await sim(fx, ['--jsonl', 'w2.jsonl', '--summary', 'w2.json', '--workers', '2']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(fx.dir, 'w2.jsonl'), 'utf8')).toBe(
      readFileSync(join(fx.dir, 'all.jsonl'), 'utf8'),
    );
    expect(readFileSync(join(fx.dir, 'w2.json'), 'utf8')).toBe(
      readFileSync(join(fx.dir, 'all.json'), 'utf8'),
    );
  });

  it('splits into contiguous shards whose concatenated logs equal the whole run', async () => {
    const n = 3;
    const sessionsOf = (lines: readonly string[]): Map<string, string[]> => {
      const m = new Map<string, string[]>();
      for (const l of lines) {
        const { trace, algo } = JSON.parse(l) as Line;
        const key = `${trace}\u0000${algo}`;
        m.set(key, [...(m.get(key) ?? []), l]);
      }
      return m;
    };
    const shards: string[][] = [];
    for (let i = 1; i <= n; i++) {
      const r = await sim(fx, [
        '--jsonl',
        `s${i}.jsonl`,
        '--summary',
        `s${i}.json`,
        '--shard',
        `${i}/${n}`,
        '--workers',
        '2',
      ]);
      expect(r.code).toBe(0);
      shards.push(readLines(join(fx.dir, `s${i}.jsonl`)));
    }
    // Concatenating the shards in order gives the whole run's log, line for line.
    expect(shards.flat()).toEqual(whole);
    expect(sessionsOf(shards.flat()).size).toBe(sessionsOf(whole).size);
    expect(shards.every((lines) => lines.length > 0)).toBe(true);
    const counts = [1, 2, 3].map((i) => {
      const s = JSON.parse(readFileSync(join(fx.dir, `s${i}.json`), 'utf8')) as {
        algos: Record<string, { sessions: number }>;
      };
      return Object.values(s.algos).reduce((acc, a) => acc + a.sessions, 0);
    });
    expect(counts.reduce((a, b) => a + b, 0)).toBe(fx.traces.length * ALGOS.length);
  });

  it('prints a comparison table with a 95% confidence interval for each algorithm', async () => {
    const r = await sim(fx, ['--workers', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/95% CI/);
    for (const algo of ALGOS) expect(r.out).toMatch(new RegExp(`^${algo}\\s+${fx.traces.length}\\s`, 'm'));
  });

  it('reads a Pensieve video_size_N folder too', async () => {
    const cap = captureIo(fx.dir);
    const code = await runCli(
      [
        'sim',
        '--video',
        fx.pensieveVideo,
        '--traces',
        fx.traces[0] ?? '',
        '--algo',
        'bba',
        '--jsonl',
        'p.jsonl',
      ],
      cap.io,
    );
    expect(cap.err()).toBe('');
    expect(code).toBe(0);
    expect(readLines(join(fx.dir, 'p.jsonl'))).toHaveLength(SEGMENTS);
  });

  it('passes algorithm options through --opt and --algo-options (and rejects unknown ones)', async () => {
    const base = [
      'sim',
      '--video',
      fx.movie,
      '--traces',
      fx.traces[0] ?? '',
      '--algo',
      'bba',
      '--workers',
      '0',
    ];
    const ok = captureIo(fx.dir);
    expect(await runCli([...base, '--algo-options', '{}'], ok.io)).toBe(0);
    const bad = captureIo(fx.dir);
    expect(await runCli([...base, '--opt', 'bba.reservoirMs=-5'], bad.io)).toBe(1);
    expect(bad.err()).toMatch(/reservoirMs.*out of range/);
    // an unknown option name is a usage error, like an unknown flag, with the closest name
    const unknown = captureIo(fx.dir);
    expect(await runCli([...base, '--opt', 'bba.reservoirMS=3'], unknown.io)).toBe(2);
    expect(unknown.err()).toMatch(/unknown option 'reservoirMS' of 'bba' \(did you mean reservoirMs\?\)/);
    const unknownJson = captureIo(fx.dir);
    expect(await runCli([...base, '--algo-options', '{"noSuchOption":3}'], unknownJson.io)).toBe(2);
    expect(unknownJson.err()).toMatch(/unknown option 'noSuchOption' of 'bba'/);
    const notListed = captureIo(fx.dir);
    expect(await runCli([...base, '--opt', 'bola.x=3'], notListed.io)).toBe(2);
    const badJson = captureIo(fx.dir);
    expect(await runCli([...base, '--algo-options', '{nope'], badJson.io)).toBe(2);
  });
});

describe('abrkit sim: bad input stops with one line on stderr', () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = writeFixture(5);
    writeFileSync(join(fx.dir, 'garbage.json'), '[{"duration_ms": "soon"}]');
    writeFileSync(
      join(fx.dir, 'ragged.json'),
      JSON.stringify({
        segment_duration_ms: 4000,
        bitrates_kbps: [300, 750],
        segment_sizes_bits: [[1200000, 3000000], [1200000]],
      }),
    );
  });

  const cases: { name: string; args: (fx: Fixture) => string[]; code: number; mention: RegExp }[] = [
    {
      name: 'missing video',
      args: (f) => ['--video', 'nope.json', '--traces', f.traces[0] ?? ''],
      code: 1,
      mention: /nope\.json/,
    },
    {
      name: 'missing trace',
      args: (f) => ['--video', f.movie, '--traces', 'gone.json'],
      code: 1,
      mention: /gone\.json/,
    },
    {
      name: 'unreadable trace',
      args: (f) => ['--video', f.movie, '--traces', join(f.dir, 'garbage.json')],
      code: 1,
      mention: /garbage\.json/,
    },
    {
      name: 'ragged video rows',
      args: (f) => ['--video', join(f.dir, 'ragged.json'), '--traces', f.traces[0] ?? ''],
      code: 1,
      mention: /ragged\.json/,
    },
    {
      name: 'unknown algorithm',
      args: (f) => ['--video', f.movie, '--traces', f.traces[0] ?? '', '--algo', 'bola,nosuch'],
      code: 2,
      mention: /nosuch/,
    },
    {
      name: 'bad option value',
      args: (f) => [
        '--video',
        f.movie,
        '--traces',
        f.traces[0] ?? '',
        '--algo',
        'bba',
        '--opt',
        'bba.reservoirMs="x"',
      ],
      code: 1,
      mention: /bba/,
    },
    {
      name: 'bad --shard',
      args: (f) => ['--video', f.movie, '--traces', f.traces[0] ?? '', '--shard', '4/3'],
      code: 2,
      mention: /--shard/,
    },
    {
      name: 'malformed --shard',
      args: (f) => ['--video', f.movie, '--traces', f.traces[0] ?? '', '--shard', 'half'],
      code: 2,
      mention: /--shard/,
    },
    {
      name: 'bad --workers',
      args: (f) => ['--video', f.movie, '--traces', f.traces[0] ?? '', '--workers', 'many'],
      code: 2,
      mention: /--workers/,
    },
    {
      name: 'unknown flag',
      args: (f) => ['--video', f.movie, '--traces', f.traces[0] ?? '', '--frobnicate'],
      code: 2,
      mention: /frobnicate/,
    },
    { name: 'missing --video', args: (f) => ['--traces', f.traces[0] ?? ''], code: 2, mention: /--video/ },
    {
      name: 'bad --network',
      args: (f) => ['--video', f.movie, '--traces', f.traces[0] ?? '', '--network', 'dialup'],
      code: 2,
      mention: /dialup/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: exit ${c.code}, one line naming it`, async () => {
      const cap = captureIo(fx.dir);
      const code = await runCli(['sim', ...c.args(fx)], cap.io);
      expect(code).toBe(c.code);
      const err = cap.err();
      expect(err.split('\n').filter((l) => l.trim() !== '')).toHaveLength(1);
      expect(err.split('\n')[0]).toMatch(/^abrkit: /);
      expect(err.split('\n')[0]).toMatch(c.mention);
      expect(err).not.toMatch(/\n\s+at /);
      expect(cap.out()).toBe('');
    });
  }
});

describe('abrkit sim: a session over its virtual-time limit names the trace file', () => {
  it('names the file, or the folder and the trace, not the bare trace name (issue 18 item 7)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abrkit-sim-limit-'));
    writeFileSync(
      join(dir, 'huge.json'),
      JSON.stringify({
        segment_duration_ms: 2000,
        bitrates_kbps: [300],
        segment_sizes_bits: [[1e9], [1e9]],
      }),
    );
    const crawl = JSON.stringify([{ duration_ms: 1000, bandwidth_kbps: 1, latency_ms: 600_000 }]);
    writeFileSync(join(dir, 'crawl.json'), crawl);
    mkdirSync(join(dir, 'set'));
    writeFileSync(join(dir, 'set', 'slow.json'), crawl);
    const run = async (traces: string) => {
      const cap = captureIo(dir);
      const code = await runCli(
        ['sim', '--video', 'huge.json', '--traces', traces, '--algo', 'bba', '--workers', '0'],
        cap.io,
      );
      return { code, err: cap.err() };
    };
    const file = await run('crawl.json');
    expect(file.code).toBe(1);
    expect(file.err).toMatch(
      new RegExp(
        `^abrkit: ${join(dir, 'crawl.json')}: the session on the \\w+ network did not finish within its limit`,
      ),
    );
    const folder = await run('set');
    expect(folder.err).toMatch(new RegExp(`^abrkit: ${join(dir, 'set')} \\(trace slow\\): the session`));
  });
});

describe('bin/abrkit.js as a child process', () => {
  const run = promisify(execFile);
  const bin = join(REPO_ROOT, 'bin', 'abrkit.js');

  it('runs from the TypeScript sources and exits 1 with one line for a missing file; --verbose adds the stack', async () => {
    const fx = writeFixture(9);
    const ok = await run(
      process.execPath,
      [bin, 'sim', '--video', fx.movie, '--traces', fx.traces[3] ?? '', '--algo', 'bba', '--workers', '2'],
      {
        cwd: fx.dir,
      },
    );
    expect(ok.stdout).toMatch(/^bba\s+1\s/m);
    const fail = await run(
      process.execPath,
      [bin, 'sim', '--video', 'missing.json', '--traces', fx.traces[0] ?? ''],
      { cwd: fx.dir },
    ).catch((e: { code: number; stderr: string }) => e);
    expect('code' in fail && fail.code).toBe(1);
    expect(fail.stderr.trim().split('\n')).toHaveLength(1);
    expect(fail.stderr).toMatch(/missing\.json/);
    const verbose = await run(
      process.execPath,
      [bin, 'sim', '--video', 'missing.json', '--traces', fx.traces[0] ?? '', '--verbose'],
      {
        cwd: fx.dir,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect('code' in verbose && verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  }, 60_000);

  it('exits 2 on a usage error', async () => {
    const fail = await run(process.execPath, [
      bin,
      'sim',
      '--shard',
      '0/2',
      '--video',
      'x',
      '--traces',
      'y',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect('code' in fail && fail.code).toBe(2);
    expect(fail.stderr).toMatch(/--shard/);
  }, 60_000);
});

describe.skipIf(!hasSharedData)('abrkit sim on the shared Pensieve data (needs ../shared/data)', () => {
  it('reproduces the reference BB mean reward over the 86 HSDPA traces through worker threads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abrkit-shared-'));
    const cap = captureIo(dir);
    const code = await runCli(
      [
        'sim',
        '--video',
        sharedData('videos', 'pensieve-envivio'),
        '--playable-segments',
        '48',
        '--traces',
        sharedData('traces', 'hsdpa-norway-3g-cooked'),
        '--algo',
        'bba',
        '--network',
        'pensieve',
        '--qoe',
        'lin',
        '--workers',
        '2',
        '--summary',
        'bb.json',
        '--jsonl',
        'bb.jsonl',
        '--quiet',
      ],
      cap.io,
    );
    expect(cap.err()).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'bb.json'), 'utf8')) as {
      algos: Record<string, { sessions: number; qoeMean: number }>;
    };
    // data/README.md: BB's mean reward per trace, summed over 48 chunks, is -107.56.
    expect(summary.algos['bba']?.sessions).toBe(86);
    expect(summary.algos['bba']?.qoeMean).toBeCloseTo(-107.56, 1);
    // Trace names are the cooked file names, dots kept, matching the reference logs' suffixes.
    const names = new Set(readLines(join(dir, 'bb.jsonl')).map((l) => (JSON.parse(l) as Line).trace));
    const reference = readdirSync(sharedData('reference', 'pensieve-sim-hsdpa-3g'))
      .filter((f) => f.startsWith('log_sim_bb_'))
      .map((f) => f.slice('log_sim_bb_'.length));
    expect([...names].sort()).toEqual(reference.sort());
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
