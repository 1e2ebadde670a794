/**
 * Hostile inputs to the command line, each found by an audit (session 21): every one must end quickly with
 * one clear line naming the file or flag, never hang, crash with an internal error or write a wrong result.
 * Inputs are generated in a temp dir; `/dev/zero` stands for an endless device or pipe.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from './helpers.js';

async function cli(
  cwd: string,
  argv: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  const cap = captureIo(cwd);
  const code = await runCli(argv, cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

/** Bytes 0-255 except NUL and newline, repeated: binary content a JSON or line reader chokes on. */
function binaryBytes(sizeBytes: number): Buffer {
  const bytes = Buffer.alloc(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) bytes[i] = 0x80 + ((i * 37) % 0x7f) || 0x1b;
  bytes[7] = 0x1b; // ESC: a terminal control sequence must never reach stderr
  return bytes;
}

const SUITE_SET = { name: 'a', family: 'f', video: 'movie.json', network: 'sabre' };

describe('hostile inputs to abrkit', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-hostile-'));
    writeFileSync(
      join(dir, 'movie.json'),
      JSON.stringify({
        segment_duration_ms: 2000,
        bitrates_kbps: [300, 1200],
        segment_sizes_bits: Array.from({ length: 4 }, () => [600_000, 2_400_000]),
      }),
    );
    // Outages long enough that every session stalls: a huge penalty per stall second would overflow.
    writeFileSync(
      join(dir, 'stalls.json'),
      JSON.stringify([
        { duration_ms: 2000, bandwidth_kbps: 400, latency_ms: 20 },
        { duration_ms: 5000, bandwidth_kbps: 0, latency_ms: 20 },
      ]),
    );
  });

  describe('a rebuffer penalty so large that QoE overflows to -Infinity (written as null)', () => {
    it('sim --rebuffer-penalty 1e308 is a usage error naming the flag and its bound', async () => {
      const r = await cli(dir, [
        'sim',
        '--video',
        'movie.json',
        '--traces',
        'stalls.json',
        '--algo',
        'bba',
        '--workers',
        '0',
        '--quiet',
        '--rebuffer-penalty',
        '1e308',
      ]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^abrkit: --rebuffer-penalty: expected a number from 0 to 1000000, got "1e308"\n$/,
      );
    });

    it('suite --rebuffer-penalty and a set\'s "rebufferPenalty" are refused the same way', async () => {
      const suite = (set: object): string => {
        const path = join(dir, `suite-${Math.random().toString(36).slice(2)}.json`);
        writeFileSync(
          path,
          JSON.stringify({
            name: 'x',
            baseline: 'bba',
            algorithms: ['bba'],
            sets: [{ ...SUITE_SET, traces: 'stalls.json', ...set }],
          }),
        );
        return path;
      };
      const flag = await cli(dir, [
        'suite',
        suite({}),
        '--workers',
        '0',
        '--quiet',
        '--rebuffer-penalty',
        '1e308',
      ]);
      expect(flag.code).toBe(2);
      expect(flag.err).toContain('--rebuffer-penalty: expected a number from 0 to 1000000, got "1e308"');
      const file = await cli(dir, ['suite', suite({ rebufferPenalty: 1e308 }), '--workers', '0', '--quiet']);
      expect(file.code).toBe(1);
      expect(file.err).toMatch(
        /sets\[0\]\.rebufferPenalty: must be a number from 0 to 1000000, got 1e\+308\n$/,
      );
    });
  });

  describe('a suite that would generate without end', () => {
    const writeSuite = (name: string, generate: object): string => {
      const path = join(dir, name);
      writeFileSync(
        path,
        JSON.stringify({
          name: 'x',
          baseline: 'bba',
          algorithms: ['bba'],
          sets: [{ ...SUITE_SET, traces: { generate: { kinds: ['markov'], seed: 1, ...generate } } }],
        }),
      );
      return path;
    };

    it('refuses a "count" above 100000 from the file, naming its JSON path', async () => {
      const started = Date.now();
      const r = await cli(dir, ['suite', writeSuite('count.json', { count: 1e9 }), '--workers', '0']);
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        'sets[0].traces.generate.count: must be an integer from 1 to 100000, got 1000000000',
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('refuses traces that would hold more than 10 million periods in all, before making them', async () => {
      const started = Date.now();
      const r = await cli(dir, [
        'suite',
        writeSuite('periods.json', { count: 1000, options: { durationMs: 3_600_000, periodMs: 100 } }),
        '--workers',
        '0',
      ]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        'sets[0].traces.generate: 1000 traces of 36000 periods each make about 36000000 periods, more than the 10000000 a source may generate',
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });

  it('--opt algo.__proto__=… is an unknown option, not silently dropped', async () => {
    const r = await cli(dir, [
      'sim',
      '--video',
      'movie.json',
      '--traces',
      'constant:2000',
      '--algo',
      'bba',
      '--workers',
      '0',
      '--quiet',
      '--opt',
      'bba.__proto__=1',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '__proto__' of 'bba'");
  });

  describe('endless or binary input files', () => {
    for (const command of ['from-har', 'from-session'] as const) {
      it(`trace ${command} /dev/zero ends at once, saying the content is binary`, async () => {
        const r = await cli(dir, ['trace', command, '/dev/zero']);
        expect(r.code).toBe(1);
        expect(r.err).toBe('abrkit: /dev/zero:1: binary content: a NUL byte at offset 0; not a text file\n');
      });
    }

    it('merge /dev/zero is refused as binary, not with an internal RangeError', async () => {
      const r = await cli(dir, ['merge', '/dev/zero', '--summary', join(dir, 'merged.json')]);
      expect(r.code).toBe(1);
      expect(r.err).toBe('abrkit: /dev/zero:1: binary content: a NUL byte at offset 0; not a text file\n');
    });

    it('suite /dev/zero is refused as binary', async () => {
      const r = await cli(dir, ['suite', '/dev/zero', '--quiet']);
      expect(r.code).toBe(1);
      expect(r.err).toBe('abrkit: /dev/zero:1: binary content: a NUL byte at offset 0; not a text file\n');
    });

    it('a Pensieve video_size file that is /dev/zero is refused as binary', async () => {
      const folder = join(dir, 'endless-video');
      mkdirSync(folder);
      symlinkSync('/dev/zero', join(folder, 'video_size_0'));
      const r = await cli(dir, ['sim', '--video', folder, '--traces', 'constant:2000', '--quiet']);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `abrkit: ${join(folder, 'video_size_0')}:1: binary content: a NUL byte at offset 0; not a text file\n`,
      );
    });

    it('a binary Sabre movie is refused as binary, without echoing its bytes', async () => {
      const path = join(dir, 'binary-movie.json');
      writeFileSync(path, binaryBytes(100_000));
      const r = await cli(dir, ['sim', '--video', path, '--traces', 'constant:2000', '--quiet']);
      expect(r.code).toBe(1);
      expect(r.err).toBe(`abrkit: ${path}:1: binary content: invalid UTF-8; not a text file\n`);
    });
  });

  it('merge refuses two shards whose logs are one file (the merged log would repeat it)', async () => {
    const shards = join(dir, 'shards');
    mkdirSync(shards);
    // Both shards log to the same name, the second replacing the first (--force): equal sizes, so only
    // the path tells that the first shard's log is gone.
    for (const i of [1, 2]) {
      const r = await cli(shards, [
        'sim',
        '--video',
        '../movie.json',
        '--traces',
        'constant:2000',
        'constant:900',
        '--algo',
        'bba',
        '--workers',
        '0',
        '--quiet',
        '--force',
        '--shard',
        `${i}/2`,
        '--summary',
        `s${i}.json`,
        '--jsonl',
        'log.jsonl',
      ]);
      expect(r.code).toBe(0);
    }
    const r = await cli(shards, ['merge', 's1.json', 's2.json', '--jsonl', 'all.jsonl']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `abrkit: ${join(shards, 's2.json')}: its log ${join(shards, 'log.jsonl')} is also the log of ${join(shards, 's1.json')}: each shard needs its own --jsonl (or give --logs)\n`,
    );
    expect(existsSync(join(shards, 'all.jsonl'))).toBe(false);
    expect(readFileSync(join(shards, 'log.jsonl'), 'utf8')).not.toBe('');
  });

  describe('flags that named an internal option instead of themselves', () => {
    it('sim --live-duration-s looping 1 ms segments past the 10 million a video may have names the flag', async () => {
      const path = join(dir, 'tiny-segments.json');
      writeFileSync(
        path,
        JSON.stringify({ segment_duration_ms: 1, bitrates_kbps: [300], segment_sizes_bits: [[300]] }),
      );
      const r = await cli(dir, [
        'sim',
        '--video',
        path,
        '--traces',
        'constant:2000',
        '--live',
        '--live-duration-s',
        '604800',
        '--quiet',
      ]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        'abrkit: --live-duration-s: 604800 s of 1 ms segments is 604800000 segments, more than the 10000000 a video may have\n',
      );
    });

    it('sim --playable-segments 0 is a usage error naming the flag', async () => {
      const r = await cli(dir, [
        'sim',
        '--video',
        'movie.json',
        '--traces',
        'constant:2000',
        '--playable-segments',
        '0',
        '--quiet',
      ]);
      expect(r.code).toBe(2);
      expect(r.err).toBe('abrkit: --playable-segments: expected an integer ≥ 1, got "0"\n');
    });
  });

  it('long-vod --duration above a week is a usage error (it would write playlists without end)', async () => {
    const r = await cli(dir, ['long-vod', join(dir, 'long'), '--duration', '100000h']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "abrkit: --duration: expected a positive duration of at most a week (168h) such as 1h, 90m or 600s, got '100000h'\n",
    );
    expect(existsSync(join(dir, 'long'))).toBe(false);
  });
});
