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

let server: Server;
let base = '';
const body = Buffer.alloc(64_000, 7);
/** When the server wrote each chunk of `/paced`, on the same clock as the client's samples. */
let pacedWriteMs: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/paced') {
      // 4 chunks of 16 kB, 100 ms apart: transfer time ≈ 300 ms after the first byte, latency ≈ 50 ms.
      res.writeHead(200, { 'content-length': String(body.length) });
      pacedWriteMs = [];
      let i = 0;
      const send = (): void => {
        pacedWriteMs.push(performance.now());
        res.write(body.subarray(i * 16_000, (i + 1) * 16_000));
        i++;
        if (i < 4) setTimeout(send, 100);
        else res.end();
      };
      setTimeout(send, 50);
    } else if (url === '/range') {
      // the Range header echoed, padded to the length of the range it names
      const echo = req.headers.range ?? '';
      const m = /^bytes=(\d+)-(\d+)$/.exec(echo);
      const length = m ? Number(m[2]) - Number(m[1]) + 1 : Buffer.byteLength(echo);
      res.writeHead(206, { 'content-length': String(length) });
      res.end(Buffer.concat([Buffer.from(echo), Buffer.alloc(Math.max(0, length - echo.length), 32)]));
    } else if (url === '/truncated') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(500));
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (url === '/stall') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10));
    } else {
      res.writeHead(404);
      res.end('no');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('fetchSegment', () => {
  it('measures latency and transfer apart from the streamed body and reports progress', async () => {
    const progress: number[] = [];
    const result = await fetchSegment(`${base}/paced`, {
      clock,
      onProgress: (loaded) => progress.push(loaded),
    });
    expect(result.bytes.byteLength).toBe(64_000);
    const { startMs, firstByteMs, endMs, sizeBytes } = result.sample;
    expect(sizeBytes).toBe(64_000);
    expect(firstByteMs - startMs).toBeGreaterThanOrEqual(40);
    // Ordered against when the server wrote, not against nominal gaps (a loaded machine delays the
    // client's reads, which shortens any measured gap): the first byte is stamped once it exists and
    // before the last chunk was sent (300 ms later), the end once the last chunk was written.
    expect(pacedWriteMs).toHaveLength(4);
    expect(firstByteMs).toBeGreaterThanOrEqual(pacedWriteMs[0]! - 1);
    expect(firstByteMs).toBeLessThan(pacedWriteMs[3]!);
    expect(endMs).toBeGreaterThanOrEqual(pacedWriteMs[3]! - 1);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.at(-1)).toBe(64_000);
  });

  it('sends a Range header for byte ranges', async () => {
    const result = await fetchSegment(`${base}/range`, {
      clock,
      byteRange: { offsetBytes: 100, lengthBytes: 50 },
    });
    expect(new TextDecoder().decode(result.bytes).trimEnd()).toBe('bytes=100-149');
  });

  it('turns an HTTP error into a non-fatal network AbrkitError naming the URL', async () => {
    const error = await fetchSegment(`${base}/missing`, { clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbrkitError);
    expect(error).toMatchObject({ category: 'network', code: 'HTTP_404', fatal: false });
    expect((error as AbrkitError).message).toContain('/missing');
  });

  it('reports a body cut short as a network error, not as a short success', async () => {
    const error = await fetchSegment(`${base}/truncated`, { clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbrkitError);
    expect((error as AbrkitError).category).toBe('network');
    expect(['TRUNCATED', 'NETWORK_ERROR']).toContain((error as AbrkitError).code);
  });

  it('times out when no byte arrives for timeoutMs, and aborts on the caller signal', async () => {
    const timeout = await fetchSegment(`${base}/stall`, { clock, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(timeout).toMatchObject({ code: 'TIMEOUT', fatal: false });
    const controller = new AbortController();
    const pending = fetchSegment(`${base}/stall`, { clock, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
