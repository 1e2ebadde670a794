import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import {
  decodeTraceBytes,
  loadTraceFile,
  loadTraceFileSync,
  loadTraces,
  loadTracesSync,
} from '../../src/sim/load-trace.js';
import { parseTrace } from '../../src/traces/index.js';

let dir = '';
const sabre = '[{"duration_ms": 1000, "bandwidth_kbps": 500, "latency_ms": 20}]\n';
const cooked = '0.0\t1.0\n1.5\t2.0\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'abrkit-load-trace-'));
  mkdirSync(join(dir, 'folder'));
  mkdirSync(join(dir, 'folder', 'nested'));
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'folder', 'b.json'), sabre);
  writeFileSync(join(dir, 'folder', 'a-report.2010-09-13_1003CEST'), cooked);
  writeFileSync(join(dir, 'folder', 'c.csv'), 'time_s,throughput_kbps\n0,100\n4,\n');
  writeFileSync(join(dir, 'folder', '.hidden'), 'garbage');
  writeFileSync(join(dir, 'folder', 'README.md'), '# not a trace');
  writeFileSync(join(dir, 'folder', 'nested', 'x.json'), 'garbage');
  writeFileSync(join(dir, 'nul.txt'), Buffer.from('0 1\n1 2\n2\u0000 3\n', 'latin1'));
  writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x30, 0x20, 0x31, 0x0a, 0x31, 0x20, 0xe9, 0x0a]));
  writeFileSync(join(dir, 'bad.csv'), '0,1\n1,x\n');
  writeFileSync(join(dir, 'bom.json'), `\uFEFF${sabre}`);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<AbrkitError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(AbrkitError);
    return e as AbrkitError;
  }
  return expect.fail('expected a rejection');
}

describe('loadTraceFile', () => {
  it('reads, detects and names the trace after the file', async () => {
    const trace = await loadTraceFile(join(dir, 'folder', 'b.json'));
    expect(trace.name).toBe('b');
    expect(trace.periods).toEqual([{ durationMs: 1000, bandwidthKbps: 500, latencyMs: 20 }]);
    expect((await loadTraceFile(join(dir, 'bom.json'))).periods).toEqual(trace.periods);
    expect(loadTraceFileSync(join(dir, 'folder', 'b.json'))).toEqual(trace);
  });
  it('honours a forced format and reader options', async () => {
    const trace = await loadTraceFile(join(dir, 'folder', 'a-report.2010-09-13_1003CEST'), 'pensieve', {
      latencyMs: 10,
    });
    expect(trace.name).toBe('a-report.2010-09-13_1003CEST');
    expect(trace.periods).toEqual([{ durationMs: 1500, bandwidthKbps: 2000, latencyMs: 10 }]);
  });
  it('a missing file is TRACE_NOT_FOUND naming it', async () => {
    const path = join(dir, 'missing.json');
    const e = await rejection(loadTraceFile(path));
    expect(e.category).toBe('trace');
    expect(e.code).toBe('TRACE_NOT_FOUND');
    expect(e.data.source).toBe(path);
    expect(() => loadTraceFileSync(path)).toThrow(
      expect.objectContaining({ code: 'TRACE_NOT_FOUND' }) as Error,
    );
  });
  it('NUL bytes and invalid UTF-8 are TRACE_BINARY naming file and line', async () => {
    const nul = await rejection(loadTraceFile(join(dir, 'nul.txt')));
    expect([nul.code, nul.data.source, nul.data.line]).toEqual(['TRACE_BINARY', join(dir, 'nul.txt'), 3]);
    const latin = await rejection(loadTraceFile(join(dir, 'latin1.txt')));
    expect([latin.code, latin.data.source, latin.data.line]).toEqual([
      'TRACE_BINARY',
      join(dir, 'latin1.txt'),
      2,
    ]);
  });
  it('parse errors name the file path and line', async () => {
    const e = await rejection(loadTraceFile(join(dir, 'bad.csv')));
    expect([e.code, e.data.source, e.data.line]).toEqual(['TRACE_BAD_NUMBER', join(dir, 'bad.csv'), 2]);
    expect(e.message).toContain(`${join(dir, 'bad.csv')}:2:`);
  });
  it('a folder passed as a file is TRACE_READ_FAILED', async () => {
    expect((await rejection(loadTraceFile(join(dir, 'folder')))).code).toBe('TRACE_READ_FAILED');
  });
});

describe('loadTraces', () => {
  it('expands folders into their regular files sorted by name, skipping hidden, README and subfolders', async () => {
    const traces = await loadTraces([join(dir, 'bom.json'), join(dir, 'folder')]);
    expect(traces.map((t) => t.name)).toEqual(['bom', 'a-report.2010-09-13_1003CEST', 'b', 'c']);
    expect(traces.map((t) => t.sourceFormat)).toEqual(['sabre', 'pensieve', 'sabre', 'csv']);
    expect(loadTracesSync([join(dir, 'bom.json'), join(dir, 'folder')])).toEqual(traces);
  });
  it('errors name the file: missing path, empty folder, bad file inside a folder', async () => {
    expect((await rejection(loadTraces([join(dir, 'nope')]))).code).toBe('TRACE_NOT_FOUND');
    const empty = await rejection(loadTraces([join(dir, 'empty')]));
    expect([empty.code, empty.data.source]).toEqual(['TRACE_EMPTY', join(dir, 'empty')]);
    const bad = await rejection(loadTraces([join(dir, 'folder'), join(dir, 'bad.csv')]));
    expect(bad.data.source).toBe(join(dir, 'bad.csv'));
    expect(() => loadTracesSync([join(dir, 'empty')])).toThrow(AbrkitError);
  });
});

describe('decodeTraceBytes', () => {
  it('property: arbitrary bytes decode and parse to a trace or throw AbrkitError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseTrace(decodeTraceBytes(bytes, 'fuzz.bin'), 'fuzz.bin');
        } catch (e) {
          if (!(e instanceof AbrkitError) || e.data.source !== 'fuzz.bin') throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
