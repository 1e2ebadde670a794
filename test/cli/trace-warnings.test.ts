/**
 * What the trace readers change in what they read (periods slower than 1 kbps read as outages, HAR entries
 * dated far from the others) reaches the user: one line on stderr per input in `abrkit sim`, `abrkit serve`
 * and `abrkit trace`, none with `sim --quiet`; and what `trace from-session` writes, `sim` reads back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startServeCommand } from '../../src/cli/commands/serve.js';
import { createContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/main.js';
import { loadTraceFile } from '../../src/sim/load-trace.js';
import { HAR_PROGRESS_EVERY } from '../../src/traces/har.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { harEntry, makeHar } from '../traces/har-fixture.js';
import { captureIo } from './helpers.js';

async function cli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const cap = captureIo(cwd);
  const code = await runCli(argv, cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

/** Lines of `text` that are trace warnings. */
function warnings(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('abrkit: warning: trace '));
}

describe('trace reader warnings in the CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-trace-warn-'));
    // Pensieve cooked (Mbps): lines 1, 2 and 4 are below 1 kbps (0.5, 0.5 and 0.1 kbps).
    writeFileSync(join(dir, 'slow.txt'), '0 0.0005\n1 0.0005\n2 2.0\n3 0.0001\n4 3.0\n5 3.0\n');
    writeFileSync(
      join(dir, 'slow.json'),
      JSON.stringify([
        { duration_ms: 2000, bandwidth_kbps: 3000, latency_ms: 20 },
        { duration_ms: 2000, bandwidth_kbps: 0.25, latency_ms: 20 },
      ]),
    );
    writeFileSync(
      join(dir, 'fine.json'),
      JSON.stringify([{ duration_ms: 2000, bandwidth_kbps: 3000, latency_ms: 20 }]),
    );
  });

  it('sim: one line per input that had slow periods, naming the file, the count and where', async () => {
    const r = await cli(dir, [
      'sim',
      '--video',
      'synthetic:segments=4',
      '--traces',
      'slow.txt',
      'fine.json',
      'slow.json',
      '--algo',
      'bba',
      '--workers',
      '0',
    ]);
    expect(r.code).toBe(0);
    expect(warnings(r.err)).toEqual([
      `abrkit: warning: trace ${join(dir, 'slow.txt')}: 3 periods slower than 1 kbps read as outages (0 kbps): ` +
        'the slowest 0.1 kbps, the first at line 1',
      `abrkit: warning: trace ${join(dir, 'slow.json')}: 1 period slower than 1 kbps read as outages (0 kbps): ` +
        'the slowest 0.25 kbps, the first at period 1',
    ]);
    // the run itself went on, on the outages
    expect(r.out).toMatch(/^bba\s+3\s/m);
  });

  it('sim --quiet: no warning line', async () => {
    const r = await cli(dir, [
      'sim',
      '--video',
      'synthetic:segments=4',
      '--traces',
      'slow.txt',
      '--algo',
      'bba',
      '--workers',
      '0',
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });

  it('serve: the warning is printed with the server banner', async () => {
    const cap = captureIo(dir);
    const server = await startServeCommand(
      resolve(REPO_ROOT, 'fixtures/ladder'),
      { trace: 'slow.txt' },
      createContext(cap.io),
    );
    await server.close();
    expect(warnings(cap.err())).toEqual([
      expect.stringContaining(`trace ${join(dir, 'slow.txt')}: 3 periods slower than 1 kbps read as outages`),
    ]);
  });

  it('trace from-session: slow periods of the export read as outages, said, and the written trace reads back', async () => {
    writeFileSync(
      join(dir, 'export.json'),
      JSON.stringify({
        records: [],
        trace: {
          periods: [
            { durationMs: 1000, bandwidthKbps: 0.5, latencyMs: 10 },
            { durationMs: 1000, bandwidthKbps: 2000, latencyMs: 10 },
          ],
        },
      }),
    );
    const r = await cli(dir, ['trace', 'from-session', 'export.json', '-o', 'from-export.json']);
    expect(r.code).toBe(0);
    expect(warnings(r.err)).toEqual([
      `abrkit: warning: trace ${join(dir, 'export.json')}: 1 period slower than 1 kbps read as outages ` +
        '(0 kbps): the slowest 0.5 kbps, the first at trace period 0',
    ]);
    const back = await loadTraceFile(join(dir, 'from-export.json'));
    expect(back.periods.map((p) => p.bandwidthKbps)).toEqual([0, 2000]);
  });

  it('trace from-session: an export whose records crawl says so too', async () => {
    writeFileSync(
      join(dir, 'records.json'),
      JSON.stringify({
        records: [
          { sizeBytes: 1, downloadMs: 100_000 }, // 0.00008 kbps
          { sizeBytes: 100_000, downloadMs: 400 },
        ],
      }),
    );
    const r = await cli(dir, ['trace', 'from-session', 'records.json']);
    expect(r.code).toBe(0);
    expect(warnings(r.err)).toEqual([
      `abrkit: warning: trace ${join(dir, 'records.json')}: 1 period slower than 1 kbps read as outages ` +
        '(0 kbps), from the records',
    ]);
  });

  it('trace from-session: an out-of-limit period is refused naming the file, the period and the value', async () => {
    writeFileSync(
      join(dir, 'tiny.json'),
      JSON.stringify({ trace: { periods: [{ durationMs: 1e-9, bandwidthKbps: 100, latencyMs: 0 }] } }),
    );
    const r = await cli(dir, ['trace', 'from-session', 'tiny.json']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `abrkit: ${join(dir, 'tiny.json')}: trace period 0: durationMs 1e-9 is below 1 ms, the shortest period\n`,
    );
  });

  it('trace from-har: clock outliers are said on stderr', async () => {
    const seg = (i: number, startMs: number) => ({
      url: `https://cdn.example/v/seg_${i}.m4s`,
      startMs,
      latencyMs: 20,
      sizeBytes: 50_000,
      kbps: 2000,
    });
    const har = makeHar([seg(0, 0), seg(1, 1000), seg(2, 2000)]);
    har.log.entries.push(harEntry(seg(3, 3000), { startedDateTime: '1970-01-01T00:00:00.000Z' }));
    writeFileSync(join(dir, 'outlier.har'), JSON.stringify(har));
    const r = await cli(dir, ['trace', 'from-har', 'outlier.har']);
    expect(r.code).toBe(0);
    expect(warnings(r.err)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^abrkit: warning: trace ${join(dir, 'outlier.har')}: 1 media entry \\(3\\) dated more than 24 h`,
        ),
      ),
    ]);
    // the summary says why it was skipped (it used to say "failed, cached or empty")
    expect(r.err).toContain('from 3 media downloads (skipped: 1 dated far from the others)');
  });

  it('trace from-har: a large HAR prints its progress on stderr', async () => {
    const downloads = Array.from({ length: HAR_PROGRESS_EVERY }, (_, i) => ({
      url: `https://cdn.example/v/seg_${i}.m4s`,
      startMs: i * 500,
      latencyMs: 10,
      sizeBytes: 20_000,
      kbps: 1000 + (i % 5) * 500,
    }));
    writeFileSync(join(dir, 'large.har'), JSON.stringify(makeHar(downloads)));
    const r = await cli(dir, ['trace', 'from-har', 'large.har', '-o', 'large.json']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `${join(dir, 'large.har')}: ${HAR_PROGRESS_EVERY} of ${HAR_PROGRESS_EVERY} HAR entries read\n`,
    );
    // a small HAR prints none
    expect((await cli(dir, ['trace', 'from-har', 'outlier.har'])).err).not.toMatch(/HAR entries read/);
  });
});
