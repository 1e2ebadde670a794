/**
 * `abrkit serve` (src/cli/commands/serve.ts): flags to server options, traces from files or generator specs,
 * fault specs from strings or JSON files, refusals at start, the help text, and a clean stop on SIGINT.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, startServeCommand } from '../../src/cli/commands/serve.js';
import { createContext } from '../../src/cli/context.js';
import type { CliIo } from '../../src/cli/errors.js';
import { UsageError } from '../../src/cli/errors.js';
import { isAbrkitError } from '../../src/core/errors.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { makeServedFolder, timedRequest, type ServedFolder } from './helpers.js';

let folder: ServedFolder;
beforeAll(() => {
  folder = makeServedFolder();
});
afterAll(() => folder.cleanup());

function memoryIo(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    isTTY: false,
    cwd,
    out: () => out,
    err: () => err,
  };
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('abrkit serve', () => {
  it('serves the folder at the printed URL with a generator trace, and says where it listens', async () => {
    const io = memoryIo(folder.dir);
    const server = await startServeCommand(
      'root',
      { trace: 'constant:50000,latencyMs=10', log: 'log.jsonl' },
      createContext(io),
    );
    try {
      expect(io.out()).toBe(`${server.url}/\n`);
      expect(io.err()).toContain('127.0.0.1');
      expect(io.err()).toContain('loopback only');
      const r = await timedRequest(`${server.url}/data.json`);
      expect(r.status).toBe(200);
    } finally {
      await server.close();
    }
    const lines = readFileSync(join(folder.dir, 'log.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ url: '/data.json', status: 200 });
  });

  it('reads trace files and JSON fault files', async () => {
    const tracePath = join(folder.dir, 'trace.json');
    writeFileSync(tracePath, JSON.stringify([{ duration_ms: 1000, bandwidth_kbps: 30000, latency_ms: 5 }]));
    const faultsPath = join(folder.dir, 'faults.json');
    writeFileSync(faultsPath, JSON.stringify({ notFound: { probability: 1 }, pattern: 'data' }));
    const io = memoryIo(folder.dir);
    const server = await startServeCommand(
      'root',
      { trace: 'trace.json', faults: 'faults.json', seed: '3' },
      createContext(io),
    );
    try {
      expect(server.timeline.bandwidthKbpsAt(0)).toBe(30000);
      expect((await timedRequest(`${server.url}/data.json`)).status).toBe(404);
      expect((await timedRequest(`${server.url}/app.js`)).status).toBe(200);
      // each fault is reported on stderr as it happens
      expect(io.err()).toMatch(/fault at [\d.]+ s: GET \/data\.json -> \{"kind":"http","status":404\}/);
      expect(io.err()).not.toContain('app.js');
    } finally {
      await server.close();
    }
  });

  it('refuses unreadable traces and fault specs at start, naming them', async () => {
    const ctx = createContext(memoryIo(folder.dir));
    const badTrace = join(folder.dir, 'bad-trace.txt');
    writeFileSync(badTrace, 'this is not a trace\n');
    const e1 = await failure(() => startServeCommand('root', { trace: 'bad-trace.txt' }, ctx));
    expect(isAbrkitError(e1) && e1.data.source).toBe(badTrace);
    const e2 = await failure(() => startServeCommand('root', { trace: 'missing.json' }, ctx));
    expect(isAbrkitError(e2) && e2.code).toBe('TRACE_NOT_FOUND');
    const e3 = await failure(() => startServeCommand('root', { trace: 'step:fast' }, ctx));
    expect(isAbrkitError(e3) && e3.code).toBe('TRACE_SPEC_INVALID');
    const badFaults = join(folder.dir, 'bad-faults.json');
    writeFileSync(badFaults, '{ not json');
    const e4 = await failure(() =>
      startServeCommand('root', { trace: 'constant:1000', faults: 'bad-faults.json' }, ctx),
    );
    expect(isAbrkitError(e4) && [e4.code, e4.data.source]).toEqual(['FAULT_SPEC_INVALID', badFaults]);
    const e5 = await failure(() =>
      startServeCommand('root', { trace: 'constant:1000', faults: 'reset=2' }, ctx),
    );
    expect(isAbrkitError(e5) && [e5.code, e5.data.source]).toEqual(['FAULT_SPEC_INVALID', '--faults']);
    const e6 = await failure(() =>
      startServeCommand('root', { trace: 'constant:1000', network: 'wifi' }, ctx),
    );
    expect(e6).toBeInstanceOf(UsageError);
    const e7 = await failure(() => startServeCommand('root', { trace: 'constant:1000', port: '70000' }, ctx));
    expect(e7).toBeInstanceOf(UsageError);
  });

  it('documents the fault spec in --help', async () => {
    let help = '';
    const program = new Command('abrkit').exitOverride();
    program.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
    register(program, createContext(memoryIo(folder.dir)));
    for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
    await failure(() => program.parseAsync(['serve', '--help'], { from: 'user' }));
    for (const text of [
      '--trace',
      '--faults',
      '--seed',
      '--loop',
      '--log',
      'outage=A-B',
      'stall=P:MS',
      '127.0.0.1',
    ])
      expect(help).toContain(text);
  });

  it('runs until SIGINT and then closes cleanly', async () => {
    const script = resolve(REPO_ROOT, 'test/shaping/serve-child.ts');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, 'serve', folder.root, '--trace', 'constant:20000'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 15_000;
      while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = out.trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await timedRequest(`${url}data.json`)).status).toBe(200);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(err).toContain('closed after 1 requests');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
