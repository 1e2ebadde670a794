/**
 * Issue 18 item 9: idle or slow clients cannot lock `abrkit serve` out. With the default limits (64
 * connections), 200 idle sockets and 100 clients sending their headers a byte at a time must not stop a
 * normal request from being answered within 1 s (the bound; checked against a timer, generously,
 * since the machine is shared).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SHAPING_LIMITS, startShapingServer, type ShapingServer } from '../../src/shaping/index.js';
import { makeServedFolder, timedRequest, type ServedFolder, type TimedResponse } from './helpers.js';

let folder: ServedFolder;
let server: ShapingServer;
const attackers: Socket[] = [];
const timers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  folder = makeServedFolder();
  server = await startShapingServer({ root: folder.root, trace: 'constant:100000' });
});
afterAll(async () => {
  for (const t of timers) clearInterval(t);
  for (const s of attackers) s.destroy();
  await server.close();
  folder.cleanup();
});

/** Opens a connection; resolves once connected (or closed by the server first). */
function open(): Promise<Socket> {
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => {});
  attackers.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

/** The request, or 'timeout' when 1 s passes first. */
function withinOneSecond(url: string): Promise<TimedResponse | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    timedRequest(url).finally(() => clearTimeout(timer)),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), 1000);
    }),
  ]);
}

describe('abrkit serve under idle and slow clients', () => {
  it('answers a normal request within 1 s after 200 idle sockets and 100 slow-header senders', async () => {
    expect(DEFAULT_SHAPING_LIMITS.maxConnections).toBeLessThan(200);
    for (let i = 0; i < 200; i++) await open();
    const slow = await Promise.all(Array.from({ length: 100 }, () => open()));
    const header = 'GET /data.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(200);
    let sent = 0;
    const dribble = setInterval(() => {
      for (const s of slow) if (!s.destroyed) s.write(header[sent % header.length] ?? 'a');
      sent++;
    }, 50);
    timers.push(dribble);
    await new Promise((r) => setTimeout(r, 300)); // the slow senders are mid-headers

    const stats = server.connectionStats();
    expect(stats.open).toBeLessThanOrEqual(DEFAULT_SHAPING_LIMITS.maxConnections);
    expect(stats.evictedIdle).toBeGreaterThanOrEqual(300 - DEFAULT_SHAPING_LIMITS.maxConnections);

    const answer = await withinOneSecond(`${server.url}/data.json`);
    expect(answer).not.toBe('timeout');
    if (answer === 'timeout') return;
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('{"a":1}\n');

    // and again while the slow senders go on opening new connections in their place
    for (let i = 0; i < 50; i++) await open();
    const again = await withinOneSecond(`${server.url}/index.m3u8`);
    expect(again === 'timeout' ? 'timeout' : again.status).toBe(200);
    clearInterval(dribble);
  });

  it('keeps a keep-alive client that is mid-request while idle ones are closed around it', async () => {
    // a request in flight on a slow link is never the one closed to make room
    const slowServer = await startShapingServer({
      root: folder.root,
      trace: 'constant:400',
      limits: { maxConnections: 8 },
    });
    try {
      const download = timedRequest(`${slowServer.url}/small.m4s`); // 20 kB at 400 kbps: 400 ms
      await new Promise((r) => setTimeout(r, 50));
      const idle: Socket[] = [];
      for (let i = 0; i < 40; i++) {
        const s = connect(slowServer.port, '127.0.0.1');
        s.on('error', () => {});
        idle.push(s);
        await new Promise<void>((resolve) => {
          s.once('connect', () => resolve());
          s.once('close', () => resolve());
        });
      }
      const done = await download;
      for (const s of idle) s.destroy();
      expect(done.error).toBeUndefined();
      expect(done.status).toBe(200);
      expect(done.body.length).toBe(20_000);
      expect(slowServer.connectionStats().evictedIdle).toBeGreaterThanOrEqual(40 - 8);
    } finally {
      await slowServer.close();
    }
  });
});
