/**
 * Issues 15 and 18, CLI side: usage errors named with a suggestion and exit 2, --version, generator specs as
 * --traces, outputs refused when they clash or would overwrite, atomic writes, progress without a TTY,
 * --shard auto/N, and `abrkit merge` equal byte for byte to the unsharded run (shards as child processes
 * with the array-job variables set), and the README's sim examples run as written.
 */
import { execFile, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { createProgress } from '../../src/cli/progress.js';
import { SessionRecorder } from '../../src/player/recorder.js';
import { didYouMean } from '../../src/cli/suggest.js';
import { resolveShard } from '../../src/sim/batch-plan.js';
import { PALETTE } from '../../src/sim/report-svg.js';
import { cdfStepPoints } from '../../src/sim/report.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { makeHar } from '../traces/har-fixture.js';
import { captureIo, writeFixture } from './helpers.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin', 'abrkit.js');

async function cli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const cap = captureIo(cwd);
  const code = await runCli(argv, cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

describe('usage errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'abrkit-usage-'));
  it('names an unknown option before a missing required one, with a suggestion (exit 2)', async () => {
    const r = await cli(dir, ['sim', '--vidoe', 'x', '--traces', 'constant:1000']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '--vidoe' \(did you mean --video\?\)/);
  });
  it('suggests commands and algorithms; an unknown algorithm exits 2', async () => {
    expect((await cli(dir, ['simm'])).err).toMatch(/did you mean sim\?/);
    const r = await cli(dir, ['sim', '--video', 'synthetic', '--traces', 'constant:1000', '--algo', 'bolaa']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown algorithm 'bolaa' \(did you mean bola\?\)/);
    const choice = await cli(dir, [
      'sim',
      '--video',
      'synthetic',
      '--traces',
      'constant:1000',
      '--network',
      'sabr',
    ]);
    expect(choice.code).toBe(2);
    expect(choice.err).toMatch(
      /argument 'sabr' is invalid\. Allowed choices are .* \(did you mean sabre\?\)/,
    );
    expect(didYouMean('robustmpc', ['robust-mpc', 'mpc'])).toContain('robust-mpc');
    expect(didYouMean('zzz', ['bola'])).toBe('');
  });
  it('serve: a misspelt flag is named before the missing --trace (exit 2)', async () => {
    const r = await cli(dir, ['serve', dir, '--trac', 'constant:1000']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '--trac' \(did you mean --trace\?\)/);
    const missing = await cli(dir, ['serve', dir]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/required option '--trace <trace>' not specified/);
  });
  it('ends quietly when its reader closes the pipe early (`abrkit algos | head -1`)', async () => {
    const { stdout, stderr } = await run(
      'bash',
      ['-c', `set -o pipefail; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} algos | head -1`],
      { cwd: dir },
    );
    expect(stdout).toMatch(/^algorithm\s+description\n$/);
    expect(stderr).toBe('');
  });
  it('prints the version', async () => {
    const r = await cli(dir, ['--version']);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
  });
  it('--opt on optimal is refused as algos says (exit 2), and algos says why', async () => {
    const r = await cli(dir, [
      'sim',
      '--video',
      'synthetic',
      '--traces',
      'constant:1000',
      '--algo',
      'optimal',
      '--opt',
      'optimal.plan=[0]',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/takes no options on the command line/);
    expect((await cli(dir, ['algos'])).out).toMatch(/optimal: \(none on the command line/);
  });
  it('a misspelt generator spec is named with the closest kind; --faults naming no file says so', async () => {
    const r = await cli(dir, ['sim', '--video', 'synthetic', '--traces', 'stp:4000x20s']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/did you mean step\?/);
    const v = await cli(dir, ['sim', '--video', 'synthetc', '--traces', 'constant:1000']);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/synthetc: no such file or folder, nor a video spec \(did you mean synthetic\?\)/);
    const f = await cli(dir, ['serve', dir, '--trace', 'constant:1000', '--faults', 'missing-faults.json']);
    expect(f.code).toBe(1);
    expect(f.err).toMatch(/missing-faults\.json: no such file/);
  });
  it('--workers above the core count warns and runs capped', async () => {
    const r = await cli(dir, [
      'sim',
      '--video',
      'synthetic:segments=4',
      '--traces',
      'constant:1000',
      '--workers',
      '1000',
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/--workers 1000 is more than the \d+ cores; using \d+/);
  });
});

describe('outputs', () => {
  it('refuses clashing outputs, an output on an input, and replacing without --force; /dev/full is named', async () => {
    const fx = writeFixture(11);
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
      '--quiet',
    ];
    const trace = readFileSync(fx.traces[0] ?? '', 'utf8');
    const same = await cli(fx.dir, [...base, '--jsonl', 'x', '--summary', 'x']);
    expect(same.code).toBe(2);
    expect(same.err).toMatch(/both write/);
    const onInput = await cli(fx.dir, [...base, '--jsonl', fx.traces[0] ?? '']);
    expect(onInput.code).toBe(2);
    expect(onInput.err).toMatch(/refusing to overwrite an input/);
    expect(readFileSync(fx.traces[0] ?? '', 'utf8')).toBe(trace);
    const onVideo = await cli(fx.dir, [...base, '--summary', 'movie.json']);
    expect(onVideo.code).toBe(2);
    writeFileSync(join(fx.dir, 'old.json'), 'previous');
    const exists = await cli(fx.dir, [...base, '--summary', 'old.json']);
    expect(exists.code).toBe(2);
    expect(exists.err).toMatch(/exists; pass --force/);
    expect(readFileSync(join(fx.dir, 'old.json'), 'utf8')).toBe('previous');
    const forced = await cli(fx.dir, [...base, '--summary', 'old.json', '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(fx.dir, 'old.json'), 'utf8'))).toHaveProperty('algos');
    const full = await cli(fx.dir, [...base, '--jsonl', '/dev/full']);
    expect(full.code).toBe(1);
    expect(full.err).toBe('abrkit: no space left writing /dev/full\n');
    expect(readdirSync(fx.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('sees through symlinks, dangling ones too: two outputs on one file, or an output on an input, are refused', async () => {
    const fx = writeFixture(13);
    const base = ['sim', '--video', fx.movie, '--traces', fx.traces[0] ?? '', '--algo', 'bba', '--quiet'];
    // lnk.json names a file that does not exist yet: --report through it would land on --summary's file
    symlinkSync('later.json', join(fx.dir, 'lnk.json'));
    const dangling = await cli(fx.dir, [...base, '--report', 'lnk.json', '--summary', 'later.json']);
    expect(dangling.code).toBe(2);
    expect(dangling.err).toMatch(/--report and --summary both write/);
    symlinkSync(fx.traces[0] ?? '', join(fx.dir, 'trace-link'));
    const onInput = await cli(fx.dir, [...base, '--jsonl', 'trace-link', '--force']);
    expect(onInput.code).toBe(2);
    expect(onInput.err).toMatch(/refusing to overwrite an input/);
    // alone, an output through a dangling link writes the file it names and keeps the link
    const alone = await cli(fx.dir, [...base, '--summary', 'lnk.json', '--workers', '0']);
    expect(alone.code).toBe(0);
    expect(JSON.parse(readFileSync(join(fx.dir, 'later.json'), 'utf8'))).toHaveProperty('algos');
    expect(lstatSync(join(fx.dir, 'lnk.json')).isSymbolicLink()).toBe(true);
  });

  it('SIGINT leaves the previous file, no temp file, says so and exits 130', async () => {
    const fx = writeFixture(12);
    writeFileSync(join(fx.dir, 'sum.json'), 'previous');
    const traces = Array.from({ length: 30 }, (_, i) => `markov:seed=${i + 1}`);
    const child = execFile(
      process.execPath,
      [
        BIN,
        'sim',
        '--video',
        'synthetic',
        '--traces',
        ...traces,
        '--algo',
        'optimal',
        '--workers',
        '1',
        '--summary',
        'sum.json',
        '--jsonl',
        'log.jsonl',
        '--force',
      ],
      { cwd: fx.dir },
    );
    let err = '';
    let sent = false;
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && /sessions \d+\/\d+/.test(err)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(130);
    expect(err).toMatch(/interrupted \(SIGINT\) after \d+\/30 sessions: wrote nothing/);
    expect(readFileSync(join(fx.dir, 'sum.json'), 'utf8')).toBe('previous');
    expect(readdirSync(fx.dir).filter((n) => n.endsWith('.tmp') || n === 'log.jsonl')).toEqual([]);
  }, 120_000);
});

describe('progress without a TTY', () => {
  it('is silent on short runs, then prints a line every interval, and nothing with quiet', () => {
    let t = 0;
    const cap = captureIo(tmpdir());
    const p = createProgress(cap.io, { now: () => t, firstAfterMs: 2000, everyMs: 5000 });
    p.update(1, 100);
    t = 1000;
    p.update(2, 100);
    expect(cap.err()).toBe('');
    t = 2500;
    p.update(10, 100);
    t = 3000;
    p.update(11, 100);
    expect(cap.err().split('\n').filter(Boolean)).toHaveLength(1);
    expect(cap.err()).toMatch(/^sessions 10\/100 \(10%\)/);
    p.stop(true);
    expect(cap.err()).toMatch(/sessions 100\/100 done/);
    const quiet = captureIo(tmpdir());
    const q = createProgress(quiet.io, { quiet: true, now: () => t, firstAfterMs: 0 });
    t = 1e6;
    q.update(1, 2);
    expect(quiet.err()).toBe('');
  });
});

describe('report', () => {
  it('has 12 colours pairwise far apart in CIELAB', () => {
    const lab = (hex: string): number[] => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      const f = (v: number): number => (v > 0.008856 ? Math.cbrt(v) : 7.787 * v + 16 / 116);
      const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
      const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
      const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
      return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
    };
    expect(PALETTE).toHaveLength(12);
    for (let i = 0; i < 12; i++)
      for (let j = i + 1; j < 12; j++)
        expect(
          Math.hypot(...lab(PALETTE[i] ?? '').map((v, k) => v - (lab(PALETTE[j] ?? '')[k] ?? 0))),
        ).toBeGreaterThan(20);
  });
  it('names the network and QoE models in its header, and spreads sessions without rebuffering', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abrkit-report-'));
    const base = [
      'sim',
      '--video',
      'synthetic:segments=8',
      '--algo',
      'bola,bba',
      '--workers',
      '0',
      '--quiet',
    ];
    const traces = ['--traces', 'constant:5000', 'constant:6000', 'constant:7000', 'constant:8000'];
    expect((await cli(dir, [...base, ...traces, '--report', 'd.html'])).code).toBe(0);
    const d = readFileSync(join(dir, 'd.html'), 'utf8');
    expect(d).toContain('<li><b>network</b>: abrkit (default)</li>');
    expect(d).toContain('<li><b>qoe</b>: lin (default)</li>');
    const named = await cli(dir, [
      ...base,
      ...traces,
      '--network',
      'sabre',
      '--qoe',
      'log',
      '--report',
      'n.html',
    ]);
    expect(named.code).toBe(0);
    const n = readFileSync(join(dir, 'n.html'), 'utf8');
    expect(n).toContain('<li><b>network</b>: sabre</li>');
    expect(n).toContain('<li><b>qoe</b>: log</li>');
    // 8 sessions on fast links, none rebuffers: 8 dots at 8 distinct x, all in the strip left of x = 0
    const scatter = /<svg id="bitrate-rebuffer"[\s\S]*?<\/svg>/.exec(d)?.[0] ?? '';
    expect(scatter).toContain('class="zero-strip"');
    const xs = [...scatter.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(8);
    expect(new Set(xs).size).toBe(8);
    const strip = /<rect class="zero-strip" x="([\d.]+)"[^>]* width="([\d.]+)"/.exec(scatter);
    const [left, width] = [Number(strip?.[1]), Number(strip?.[2])];
    for (const x of xs) expect(x >= left - 0.1 && x <= left + width + 0.1, String(x)).toBe(true);
  });
  it('draws the CDF as steps: each corner moves in x or in y, never both', () => {
    const pts = cdfStepPoints([3, 1, 2, 2, 5]);
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1] ?? [0, 0];
      const [x1, y1] = pts[i] ?? [0, 0];
      expect(x0 === x1 || y0 === y1).toBe(true);
    }
    expect(pts[pts.length - 1]).toEqual([5, 1]);
  });
});

describe('sweeps beyond one machine', () => {
  it('--shard auto/N reads the array-job variables (0-based)', () => {
    expect(resolveShard('auto/4', { JOB_COMPLETION_INDEX: '0' })).toMatchObject({ index: 1, count: 4 });
    expect(resolveShard('auto/4', { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).toMatchObject({ index: 4 });
    expect(resolveShard('auto/4', { SLURM_ARRAY_TASK_ID: '2' })).toMatchObject({ index: 3 });
    expect(() => resolveShard('auto/4', { SLURM_ARRAY_TASK_ID: '4' })).toThrow(/outside 0\.\.3/);
    expect(() => resolveShard('auto/4', {})).toThrow(/none of JOB_COMPLETION_INDEX/);
    // two schedulers' variables: the same index is fine, different ones are refused, naming both
    expect(resolveShard('auto/4', { JOB_COMPLETION_INDEX: '2', SLURM_ARRAY_TASK_ID: '2' })).toMatchObject({
      index: 3,
      from: 'JOB_COMPLETION_INDEX',
    });
    expect(() => resolveShard('auto/4', { JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '2' })).toThrow(
      /JOB_COMPLETION_INDEX=1 and SLURM_ARRAY_TASK_ID=2 disagree/,
    );
    expect(resolveShard('2/3', {})).toMatchObject({ index: 2, count: 3 });
  });

  it('merging shards run as separate processes equals the unsharded run byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abrkit-merge-'));
    const args = [
      'sim',
      '--video',
      'synthetic:segments=12',
      '--traces',
      'step:4000x20s,500x20s',
      'markov:seed=1',
      'constant:900',
      'cellular:seed=2',
      '--algo',
      'bola,bba,optimal',
      '--workers',
      '1',
      '--quiet',
    ];
    const vars = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX', 'SLURM_ARRAY_TASK_ID'];
    const env = { ...process.env };
    for (const v of vars) delete env[v];
    await Promise.all([
      run(
        process.execPath,
        [BIN, ...args, '--summary', 'all.json', '--jsonl', 'all.jsonl', '--report', 'all.html'],
        { cwd: dir, env },
      ),
      ...vars.map((v, i) =>
        run(
          process.execPath,
          [BIN, ...args, '--shard', 'auto/3', '--summary', `s${i}.json`, '--jsonl', `s${i}.jsonl`],
          { cwd: dir, env: { ...env, [v]: String(i) } },
        ),
      ),
    ]);
    const merged = await cli(dir, [
      'merge',
      's2.json',
      's0.json',
      's1.json',
      '--summary',
      'm.json',
      '--jsonl',
      'm.jsonl',
      '--report',
      'm.html',
    ]);
    expect(merged.err).toMatch(/3 shards, 12 sessions/);
    expect(merged.code).toBe(0);
    for (const [a, b] of [
      ['all.json', 'm.json'],
      ['all.jsonl', 'm.jsonl'],
      ['all.html', 'm.html'],
    ] as const)
      expect(readFileSync(join(dir, b), 'utf8')).toBe(readFileSync(join(dir, a), 'utf8'));
    const quiet = await cli(dir, [
      'merge',
      's0.json',
      's1.json',
      's2.json',
      '--summary',
      'q.json',
      '--quiet',
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe('');
    expect(readFileSync(join(dir, 'q.json'), 'utf8')).toBe(readFileSync(join(dir, 'all.json'), 'utf8'));
    const missing = await cli(dir, ['merge', 's0.json', 's1.json', '--summary', 'x.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/missing shard 3\/3/);
  }, 180_000);
});

/**
 * The README's shell examples after "## The simulator", each command as written (continuation lines joined,
 * comments dropped, a `for ... done` loop kept whole), in order, in one clean folder that sees bin/ and
 * fixtures/ as a clone does. The files a user brings (`session.json`, a player's export, and `session.har`)
 * are made first; `abrkit serve` runs until it prints its URL and then gets SIGINT, as a user's Ctrl-C.
 */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The simulator'));
  const commands: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let loop: string[] | null = null;
    for (const raw of (block[1] ?? '').replace(/\\\n\s*/g, '').split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (loop) {
        loop.push(line);
        if (line === 'done') {
          commands.push(loop.join('\n'));
          loop = null;
        }
      } else if (line.startsWith('for ')) loop = [line];
      else if (line.startsWith('node bin/abrkit.js')) commands.push(line);
    }
  }
  return commands;
}

function writeUserInputs(dir: string): void {
  const recorder = new SessionRecorder();
  for (const [i, rate] of [2500, 2500, 600, 600, 1800].entries()) {
    const t = i * 2000;
    const sizeBytes = 120_000;
    const downloadMs = 40 + (sizeBytes * 8) / rate;
    recorder.addSample({ startMs: t, firstByteMs: t + 40, endMs: t + downloadMs, sizeBytes });
    recorder.addRecord({
      segment: i,
      rendition: 1,
      bitrateKbps: 400,
      sizeBytes,
      downloadMs,
      rebufferMs: 0,
      bufferMs: 4000,
      qoe: 0.4,
    });
  }
  writeFileSync(join(dir, 'session.json'), JSON.stringify(recorder.export(recorder.qoe(0, 0, 500))));
  const downloads = [3000, 800, 2000].map((kbps, i) => ({
    url: `http://cdn/480p/seg_0000${i}.m4s`,
    startMs: i * 2000,
    latencyMs: 50,
    sizeBytes: 150_000,
    kbps,
  }));
  writeFileSync(join(dir, 'session.har'), JSON.stringify(makeHar(downloads)));
}

/** Starts `abrkit serve` as written, waits for its URL on stdout, then interrupts it: it must exit 0. */
async function serveUntilUrl(command: string, cwd: string): Promise<void> {
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/http:\/\/127\.0\.0\.1:\d+\//.test(out)) res();
    });
    void exited.then((c) => rej(new Error(`${command} exited ${c} before printing its URL: ${err}`)));
  });
  child.kill('SIGINT');
  expect(await exited, `${command}: ${err}`).toBe(0);
}

describe("the README's shell examples", () => {
  it('run as written, in order, from a clean working folder', async () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(12);
    const dir = mkdtempSync(join(tmpdir(), 'abrkit-readme-'));
    symlinkSync(join(REPO_ROOT, 'bin'), join(dir, 'bin'));
    symlinkSync(join(REPO_ROOT, 'fixtures'), join(dir, 'fixtures'));
    writeUserInputs(dir);
    for (const command of commands) {
      if (/^node bin\/abrkit\.js serve /.test(command)) await serveUntilUrl(command, dir);
      // A failing command rejects with its exit code and stderr.
      else await run('bash', ['-c', `set -e\n${command}`], { cwd: dir });
    }
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'all.html',
      'all.json',
      'all.jsonl',
      'ladder-dash.json',
      'ladder.json',
      'long',
      'shard-0.json',
      'shard-0.jsonl',
      'shard-1.json',
      'shard-1.jsonl',
      'sim.html',
      'sim.jsonl',
      'summary.json',
    ]);
    for (const file of ['trace.json', 'har-trace.json', 'requests.jsonl'])
      expect(readdirSync(dir), file).toContain(file);
  }, 300_000);
});
