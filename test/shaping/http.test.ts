/**
 * What the shaping server answers (a fast trace so pacing does not slow the tests): ranges, HEAD, CORS,
 * content types, missing files, methods, and the request log (in memory and as JSONL).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange } from '../../src/shaping/files.js';
import { startShapingServer, type ShapingServer } from '../../src/shaping/index.js';
import { makeServedFolder, timedRequest, type ServedFolder } from './helpers.js';

let folder: ServedFolder;
let server: ShapingServer;
const logPath = (): string => join(folder.dir, 'requests.jsonl');
beforeAll(async () => {
  folder = makeServedFolder();
  server = await startShapingServer({
    root: folder.root,
    trace: 'constant:200000,latencyMs=5',
    log: logPath(),
  });
});
afterAll(async () => {
  await server.close();
  folder.cleanup();
});

describe('parseRange', () => {
  it('reads the three single-range forms and refuses ranges past the end', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('bytes=990-', 1000)).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(parseRange('bytes=-10', 1000)).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(parseRange('bytes=500-5000', 1000)).toEqual({ kind: 'partial', start: 500, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-1,5-6', 1000)).toEqual({ kind: 'full' });
    expect(parseRange('items=0-1', 1000)).toEqual({ kind: 'full' });
    expect(parseRange(undefined, 1000)).toEqual({ kind: 'full' });
  });
});

describe('serving files', () => {
  it('answers a Range request with 206 and Content-Range', async () => {
    const r = await timedRequest(`${server.url}/seg_a.m4s`, { headers: { Range: 'bytes=100-1099' } });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe('bytes 100-1099/250000');
    expect(r.headers['content-length']).toBe('1000');
    expect(r.body.equals(folder.files.get('seg_a.m4s')!.subarray(100, 1100))).toBe(true);
    const suffix = await timedRequest(`${server.url}/seg_a.m4s`, { headers: { Range: 'bytes=-10' } });
    expect(suffix.status).toBe(206);
    expect(suffix.body.equals(folder.files.get('seg_a.m4s')!.subarray(250_000 - 10))).toBe(true);
  });

  it('answers 416 to an unsatisfiable range', async () => {
    const r = await timedRequest(`${server.url}/seg_a.m4s`, { headers: { Range: 'bytes=250000-' } });
    expect(r.status).toBe(416);
    expect(r.headers['content-range']).toBe('bytes */250000');
  });

  it('answers HEAD with the length and no body', async () => {
    const r = await timedRequest(`${server.url}/seg_big.m4s`, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe('500000');
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.body.length).toBe(0);
  });

  it('sends CORS headers and answers preflights', async () => {
    const r = await timedRequest(`${server.url}/small.m4s`);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    const exposed = String(r.headers['access-control-expose-headers']);
    expect(exposed).toContain('Content-Length');
    expect(exposed).toContain('Content-Range');
    expect(r.headers['timing-allow-origin']).toBe('*');
    const pre = await timedRequest(`${server.url}/small.m4s`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://example.test',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'range',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('GET');
    expect(String(pre.headers['access-control-allow-headers']).toLowerCase()).toContain('range');
  });

  it('gives each file type its content type', async () => {
    const expected: Record<string, string> = {
      'index.m3u8': 'application/vnd.apple.mpegurl',
      'init.mp4': 'video/mp4',
      'small.m4s': 'video/iso.segment',
      'data.json': 'application/json',
      'index.html': 'text/html; charset=utf-8',
      'app.js': 'text/javascript; charset=utf-8',
    };
    for (const [name, type] of Object.entries(expected)) {
      const r = await timedRequest(`${server.url}/${name}`);
      expect(r.status, name).toBe(200);
      expect(r.headers['content-type'], name).toBe(type);
      expect(r.body.equals(folder.files.get(name)!), name).toBe(true);
    }
  });

  it('serves files in subfolders, answers 404 for missing files and folders, 405 for other methods', async () => {
    expect((await timedRequest(`${server.url}/sub/inner.m4s`)).status).toBe(200);
    expect((await timedRequest(`${server.url}/nope.m4s`)).status).toBe(404);
    expect((await timedRequest(`${server.url}/sub/`)).status).toBe(404);
    expect((await timedRequest(`${server.url}/sub`)).status).toBe(404);
    expect((await timedRequest(`${server.url}/`)).status).toBe(404);
    const post = await timedRequest(`${server.url}/small.m4s`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('logs every request in memory and as JSONL', async () => {
    const before = server.requests.length;
    await timedRequest(`${server.url}/small.m4s?x=1`, { headers: { Range: 'bytes=10-' } });
    const entry = server.requests[before]!;
    expect(entry).toMatchObject({
      url: '/small.m4s?x=1',
      method: 'GET',
      status: 206,
      rangeStart: 10,
      bytes: 20_000 - 10,
      fault: null,
    });
    expect(entry.firstByteMs! - entry.startMs).toBeGreaterThanOrEqual(4.9);
    expect(entry.endMs).toBeGreaterThanOrEqual(entry.firstByteMs!);
    // the log stream is written as entries come; give it a moment to flush
    await new Promise((r) => setTimeout(r, 50));
    const lines = readFileSync(logPath(), 'utf8').trim().split('\n');
    expect(lines.length).toBe(server.requests.length);
    expect(JSON.parse(lines[before]!)).toEqual(JSON.parse(JSON.stringify(entry)));
  });

  it('logs a download the client abandons as aborted, with the bytes sent', async () => {
    const slow = await startShapingServer({ root: folder.root, trace: 'constant:1000' });
    try {
      await new Promise<void>((resolve) => {
        const req = request(`${slow.url}/seg_big.m4s`, { agent: false }, (res) => {
          res.once('data', () => setTimeout(() => req.destroy(), 200));
        });
        req.on('error', () => {});
        req.on('close', () => resolve());
        req.end();
      });
      for (let i = 0; i < 50 && slow.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const entry = slow.requests[0]!;
      expect(entry.aborted).toBe(true);
      expect(entry.status).toBe(200);
      // about 200-250 ms at 1 Mbps: some 25-35 kB of 500 kB
      expect(entry.bytes).toBeGreaterThan(10_000);
      expect(entry.bytes).toBeLessThan(100_000);
    } finally {
      await slow.close();
    }
  });

  it('keeps only the last maxRequestsKept entries in memory, and counts them all', async () => {
    const small = await startShapingServer({
      root: folder.root,
      trace: 'constant:100000',
      maxRequestsKept: 2,
    });
    try {
      for (const name of ['app.js', 'data.json', 'index.html']) await timedRequest(`${small.url}/${name}`);
      expect(small.requests.map((e) => e.url)).toEqual(['/data.json', '/index.html']);
      expect(small.requestCount()).toBe(3);
    } finally {
      await small.close();
    }
  });
});
