import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange, serveStatic } from './static-server.js';
import type { StaticServer } from './static-server.js';

describe('serveStatic', () => {
  let root: string;
  let server: StaticServer;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'abrkit-static-'));
    writeFileSync(join(root, 'a.m4s'), new Uint8Array(Array.from({ length: 100 }, (_, i) => i)));
    writeFileSync(join(root, 'p.m3u8'), '#EXTM3U\n');
    server = await serveStatic(root);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves files with HLS content types and no caching', async () => {
    const playlist = await fetch(`${server.url}/p.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('no-store');
    expect(await playlist.text()).toBe('#EXTM3U\n');
    const segment = await fetch(`${server.url}/a.m4s`, { method: 'HEAD' });
    expect(segment.headers.get('content-type')).toBe('video/iso.segment');
    expect(segment.headers.get('content-length')).toBe('100');
  });

  it('answers byte ranges with 206 and Content-Range, and 416 past the end', async () => {
    const r = await fetch(`${server.url}/a.m4s`, { headers: { Range: 'bytes=10-19' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 10-19/100');
    expect([...new Uint8Array(await r.arrayBuffer())]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const tail = await fetch(`${server.url}/a.m4s`, { headers: { Range: 'bytes=-3' } });
    expect([...new Uint8Array(await tail.arrayBuffer())]).toEqual([97, 98, 99]);
    expect((await fetch(`${server.url}/a.m4s`, { headers: { Range: 'bytes=200-' } })).status).toBe(416);
  });

  it('gives 404 for missing files and refuses to leave the root', async () => {
    expect((await fetch(`${server.url}/nope.m4s`)).status).toBe(404);
    expect((await fetch(`${server.url}/..%2f..%2fetc%2fpasswd`)).status).not.toBe(200);
    expect(server.requests.some((r) => r.path === '/nope.m4s' && r.status === 404)).toBe(true);
  });

  it('parseRange handles open, suffix, clamped, multiple and bad ranges', () => {
    expect(parseRange('bytes=0-', 10)).toEqual([0, 9]);
    expect(parseRange('bytes=5-100', 10)).toEqual([5, 9]);
    expect(parseRange('bytes=-20', 10)).toEqual([0, 9]);
    expect(parseRange('bytes=0-1,4-5', 10)).toBeUndefined();
    expect(parseRange('bytes=9-3', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
  });
});
