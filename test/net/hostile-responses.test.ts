/**
 * fetchSegment's byte ranges against servers that do not answer them as asked: RFC 9110 §14.2 lets a server
 * ignore Range and send the whole resource (200), and a 206 shorter than its range means the range passed the
 * end of the file. Either way the bytes returned must be the range asked for, or a typed error: never the whole
 * file, or a part of the range, passed off as the segment.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { createWallClock } from '../../src/core/wall-clock.js';
import { fetchSegment } from '../../src/net/fetch-segment.js';

const clock = createWallClock(
  () => performance.now(),
  (cb, ms) => setTimeout(cb, ms),
  (h) => clearTimeout(h),
);

const file = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
let server: Server;
let base = '';
const rangesSeen: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    rangesSeen.push(req.headers.range);
    if (req.url === '/ignores-range') {
      res.writeHead(200, { 'content-length': String(file.length) });
      res.end(file);
    } else if (req.url === '/clamps-range') {
      // a 206 of what is left of the file from the range's start (the range passes the end)
      const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const slice = file.subarray(start);
      res.writeHead(206, {
        'content-length': String(slice.length),
        'content-range': `bytes ${start}-${file.length - 1}/${file.length}`,
      });
      res.end(slice);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('fetchSegment with a byte range', () => {
  it('takes the range out of a 200 that sent the whole resource, and measures what was sent', async () => {
    const result = await fetchSegment(`${base}/ignores-range`, {
      clock,
      byteRange: { offsetBytes: 100, lengthBytes: 50 },
    });
    expect(result.status).toBe(200);
    expect(Buffer.from(result.bytes).equals(file.subarray(100, 150))).toBe(true);
    expect(result.sample.sizeBytes).toBe(1000);
  });

  it('refuses a 200 whose whole resource ends before the range does, naming the URL and sizes', async () => {
    const error = await fetchSegment(`${base}/ignores-range`, {
      clock,
      byteRange: { offsetBytes: 990, lengthBytes: 50 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbrkitError);
    expect(error).toMatchObject({ category: 'network', code: 'BAD_RANGE_RESPONSE', fatal: false });
    expect((error as AbrkitError).data.source).toBe(`${base}/ignores-range`);
    expect((error as AbrkitError).message).toContain('1000 bytes');
    expect((error as AbrkitError).message).toContain('bytes=990-1039');
  });

  it('refuses a 206 shorter than its range (the range passes the end of the file)', async () => {
    const error = await fetchSegment(`${base}/clamps-range`, {
      clock,
      byteRange: { offsetBytes: 900, lengthBytes: 200 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ category: 'network', code: 'BAD_RANGE_RESPONSE', fatal: false });
    expect((error as AbrkitError).message).toContain('100 bytes');
    const ok = await fetchSegment(`${base}/clamps-range`, {
      clock,
      byteRange: { offsetBytes: 900, lengthBytes: 100 },
    });
    expect(Buffer.from(ok.bytes).equals(file.subarray(900))).toBe(true);
  });

  it('throws a TypeError for a range that no Range header can express, before any request', async () => {
    const seen = rangesSeen.length;
    for (const byteRange of [
      { offsetBytes: 0, lengthBytes: 0 },
      { offsetBytes: -1, lengthBytes: 10 },
      { offsetBytes: 0, lengthBytes: 1.5 },
      { offsetBytes: Number.MAX_SAFE_INTEGER, lengthBytes: 10 },
    ]) {
      await expect(fetchSegment(`${base}/ignores-range`, { clock, byteRange })).rejects.toThrow(TypeError);
    }
    expect(rangesSeen.length).toBe(seen);
  });
});
