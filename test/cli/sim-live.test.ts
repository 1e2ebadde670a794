/**
 * `abrkit sim --live --latency-target-ms N`: live sessions through the batch runner (JSONL with the latency,
 * summary and table with the mean latency, LoL+ QoE by default), and its usage errors.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo, writeFixture } from './helpers.js';

describe('abrkit sim --live', () => {
  it('logs latency per segment, summarises it per algorithm, and says so in the table', async () => {
    const fx = writeFixture();
    const cap = captureIo(fx.dir);
    const code = await runCli(
      [
        'sim',
        '--video',
        fx.movie,
        '--traces',
        'step:6000x20s,800x20s',
        '--algo',
        'bola,throughput',
        '--live',
        '--latency-target-ms',
        '8000',
        '--jsonl',
        'live.jsonl',
        '--summary',
        'live.json',
        '--workers',
        '1',
      ],
      cap.io,
    );
    expect(cap.err()).toBe('');
    expect(code).toBe(0);
    const lines = readFileSync(join(fx.dir, 'live.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(Object.keys(lines[0]!).slice(-3)).toEqual(['qoe', 'latencyMs', 'playbackRate']);
    for (const l of lines) {
      expect(l.latencyMs!).toBeGreaterThanOrEqual(4000); // a 4 s segment is out only once it has ended
      expect(l.playbackRate!).toBeLessThanOrEqual(1.1);
    }
    const summary = JSON.parse(readFileSync(join(fx.dir, 'live.json'), 'utf8')) as {
      algos: Record<string, { latencyMsMean: number }>;
    };
    const bolaLines = lines.filter((l) => (l as unknown as { algo: string }).algo === 'bola');
    const meanLatency = bolaLines.reduce((s, l) => s + l.latencyMs!, 0) / bolaLines.length;
    expect(summary.algos['bola']!.latencyMsMean).toBeCloseTo(meanLatency, 9);
    expect(cap.out()).toMatch(/latency s/);
    rmSync(fx.dir, { recursive: true, force: true });
  });

  it('loops the video to --live-duration-s', async () => {
    const fx = writeFixture();
    const cap = captureIo(fx.dir);
    const code = await runCli(
      [
        'sim',
        '--video',
        fx.movie,
        '--traces',
        'constant:8000',
        '--algo',
        'l2a-ll',
        '--live',
        '--live-duration-s',
        '120',
        '--jsonl',
        'long.jsonl',
        '--workers',
        '1',
      ],
      cap.io,
    );
    expect(cap.err()).toBe('');
    expect(code).toBe(0);
    // 12 segments of 4 s in the fixture, looped to 120 s: 30 segments
    const lines = readFileSync(join(fx.dir, 'long.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(30);
    rmSync(fx.dir, { recursive: true, force: true });
  });

  it('refuses the live flags without --live, and bad values', async () => {
    const fx = writeFixture();
    for (const [extra, message] of [
      [['--latency-target-ms', '3000'], '--latency-target-ms needs --live'],
      [['--live', '--latency-target-ms', 'soon'], '--latency-target-ms: expected'],
      [['--live-duration-s', '60'], '--live-duration-s needs --live'],
      [['--live', '--live-duration-s', '0'], '--live-duration-s: expected'],
    ] as const) {
      const cap = captureIo(fx.dir);
      const code = await runCli(['sim', '--video', fx.movie, '--traces', 'constant:3000', ...extra], cap.io);
      expect(code).toBe(2);
      expect(cap.err()).toContain(message);
    }
    rmSync(fx.dir, { recursive: true, force: true });
  });
});
