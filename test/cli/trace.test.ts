import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { SessionRecorder } from '../../src/player/recorder.js';
import { startShapingServer } from '../../src/shaping/index.js';
import { loadTraceFile } from '../../src/sim/load-trace.js';
import { traceDurationMs } from '../../src/traces/model.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { makeHar, type HarDownloadSpec } from '../traces/har-fixture.js';
import { captureIo } from './helpers.js';

const MASTER = join(REPO_ROOT, 'fixtures', 'ladder', 'master.m3u8');

/** 10 segments of 2 s fetched back to back, on a link that steps 3000 → 800 → 2000 kbps. */
function stepDownloads(): HarDownloadSpec[] {
  const kbps = [3000, 3000, 3000, 800, 800, 800, 2000, 2000, 2000, 2000];
  const out: HarDownloadSpec[] = [];
  let t = 0;
  kbps.forEach((rate, i) => {
    const sizeBytes = 100_000 + 10_000 * i;
    out.push({
      url: `http://cdn/480p/seg_${String(i).padStart(5, '0')}.m4s`,
      startMs: t,
      latencyMs: 50,
      sizeBytes,
      kbps: rate,
    });
    t += 50 + (sizeBytes * 8) / rate + 200;
  });
  return out;
}

async function cli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const cap = captureIo(cwd);
  const code = await runCli(argv, cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

describe('abrkit trace', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-trace-'));
    writeFileSync(join(dir, 'session.har'), JSON.stringify(makeHar(stepDownloads(), { extras: true })));
    const recorder = new SessionRecorder();
    let t = 0;
    for (const [i, rate] of [2500, 2500, 600, 600, 1800].entries()) {
      const sizeBytes = 120_000;
      recorder.addSample({
        startMs: t,
        firstByteMs: t + 40,
        endMs: t + 40 + (sizeBytes * 8) / rate,
        sizeBytes,
      });
      recorder.addRecord({
        segment: i,
        rendition: 1,
        bitrateKbps: 400,
        sizeBytes,
        downloadMs: 40 + (sizeBytes * 8) / rate,
        rebufferMs: 0,
        bufferMs: 4000,
        qoe: 0.4,
      });
      t += 2000;
    }
    const exported = recorder.export(recorder.qoe(0, 0, 500));
    writeFileSync(join(dir, 'export.json'), JSON.stringify(exported));
  });

  it('from-har writes a Sabre trace that loadTraceFile reads, with the link’s rates', async () => {
    const r = await cli(dir, ['trace', 'from-har', 'session.har', '-o', 'har-trace.json']);
    expect(r.err).toMatch(/session: \d+ periods, .* from 10 media downloads, 2 other entries ignored/);
    expect(r.code).toBe(0);
    const trace = await loadTraceFile(join(dir, 'har-trace.json'));
    expect(trace.name).toBe('har-trace');
    const rates = [...new Set(trace.periods.map((p) => p.bandwidthKbps))];
    expect(rates).toEqual([3000, 800, 2000]);
    const last = stepDownloads().at(-1)!;
    expect(traceDurationMs(trace)).toBeCloseTo(
      last.startMs + last.latencyMs + (last.sizeBytes * 8) / last.kbps,
      3,
    );
  });

  it('from-session writes the export’s trace; --format csv and stdout work', async () => {
    const r = await cli(dir, ['trace', 'from-session', 'export.json', '--format', 'csv', '--name', 'rec']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('rec: 5 periods');
    expect(r.err).toContain("from the export's trace (5 segment records)");
    expect(r.out.split('\n')[0]).toBe('time_s,throughput_kbps,latency_ms');
    const file = await cli(dir, ['trace', 'from-session', 'export.json', '-o', 'session-trace.json']);
    expect(file.code).toBe(0);
    const trace = await loadTraceFile(join(dir, 'session-trace.json'));
    const exported = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8')) as {
      trace: { periods: unknown };
    };
    expect(trace.periods).toEqual(exported.trace.periods);
  });

  it('the written trace drives abrkit sim and the shaping server', async () => {
    const sim = await cli(dir, [
      'sim',
      '--video',
      MASTER,
      '--traces',
      'har-trace.json',
      'session-trace.json',
      '--algo',
      'bola',
      '--jsonl',
      'out.jsonl',
      '--workers',
      '1',
    ]);
    expect(sim.code).toBe(0);
    const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { trace: string });
    expect(lines.filter((l) => l.trace === 'har-trace')).toHaveLength(20);
    expect(lines.filter((l) => l.trace === 'session-trace')).toHaveLength(20);

    const trace = await loadTraceFile(join(dir, 'har-trace.json'));
    const server = await startShapingServer({ root: join(REPO_ROOT, 'fixtures', 'ladder'), trace });
    try {
      // The server's timeline follows the recovered trace: 3000 kbps at the start, 800 in the middle.
      expect(server.timeline.bandwidthKbpsAt(100)).toBe(3000);
      const middle = stepDownloads()[4]!;
      expect(server.timeline.bandwidthKbpsAt(middle.startMs + middle.latencyMs + 1)).toBe(800);
      const response = await fetch(`${server.url}/144p/seg_00000.m4s`);
      const body = await response.arrayBuffer();
      expect(response.status).toBe(200);
      const logged = server.requests.find((e) => e.url === '/144p/seg_00000.m4s');
      expect(logged?.bytes).toBe(body.byteLength);
      expect(logged?.firstByteMs).not.toBeNull();
    } finally {
      await server.close();
    }
  });

  it('fails with exit code 1 and one line naming the file for garbage input', async () => {
    writeFileSync(join(dir, 'garbage.har'), 'this is not json');
    const notJson = await cli(dir, ['trace', 'from-har', 'garbage.har']);
    expect(notJson.code).toBe(1);
    expect(notJson.err).toMatch(/^abrkit: .*garbage\.har: not valid JSON/);
    writeFileSync(join(dir, 'no-media.har'), JSON.stringify(makeHar([], { extras: true })));
    const noMedia = await cli(dir, ['trace', 'from-har', 'no-media.har']);
    expect(noMedia.code).toBe(1);
    expect(noMedia.err).toContain('no usable media entry among 2 entries');
    writeFileSync(join(dir, 'shape.json'), '{"records": 3}');
    const shape = await cli(dir, ['trace', 'from-session', 'shape.json']);
    expect(shape.code).toBe(1);
    expect(shape.err).toMatch(/shape\.json: "records" must be an array/);
    const missing = await cli(dir, ['trace', 'from-session', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.json: no such file/);
    const format = await cli(dir, ['trace', 'from-session', 'export.json', '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.err).toContain('--format: must be one of sabre, pensieve, mahimahi, csv');
  });
});
