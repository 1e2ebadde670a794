/**
 * The shaping server against hostile inputs the other files do not cover: a body too large to hold in memory,
 * a file that cannot be read once found, a trace whose last period (held for ever without `loop`) is an
 * outage, outage windows that never end, options that would stall the link, and a live ladder naming
 * malformed URIs. Each gets a clear, typed answer instead of an internal error or a request that never ends.
 */
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { generateTrace } from '../../src/traces/spec.js';
import {
  MAX_FAULT_DELAY_MS,
  parseFaultSpec,
  startShapingServer,
  type ShapingServer,
} from '../../src/shaping/index.js';
import { makeServedFolder, rawRequest, statusOf, timedRequest, type ServedFolder } from './helpers.js';

// opening a file named unreadable.m4s fails as it would once the process is out of file descriptors
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  return {
    ...actual,
    open: (path: string, ...rest: unknown[]) =>
      String(path).endsWith('unreadable.m4s')
        ? Promise.reject(
            Object.assign(new Error(`EMFILE: too many open files, open '${path}'`), { code: 'EMFILE' }),
          )
        : (actual.open as (...a: unknown[]) => unknown)(path, ...rest),
  };
});

let folder: ServedFolder;
beforeAll(() => {
  folder = makeServedFolder();
  writeFileSync(join(folder.root, 'unreadable.m4s'), 'x');
  // a sparse 5 GiB file: more than a Node Buffer holds (4 GiB), and no disk space used
  const fd = openSync(join(folder.root, 'huge.m4s'), 'w');
  ftruncateSync(fd, 5 * 1024 ** 3);
  closeSync(fd);
});
afterAll(() => folder.cleanup());

const get = (target: string, extra = ''): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;

describe('a body larger than the server sends whole', () => {
  it('is refused with a message naming the size and the limit, logged with its status; a range of it is served', async () => {
    const server = await startShapingServer({ root: folder.root, trace: 'constant:100000' });
    try {
      const raw = await rawRequest(server.port, get('/huge.m4s'));
      expect(statusOf(raw)).toBe(500);
      expect(raw).not.toContain('internal error');
      expect(raw).not.toContain(folder.root);
      expect(raw).toContain('5368709120 bytes');
      expect(raw).toContain('byte range');
      const range = await rawRequest(server.port, get('/huge.m4s', 'Range: bytes=4294967290-4294967299\r\n'));
      expect(statusOf(range)).toBe(206);
      await expect.poll(() => server.requests.length).toBe(2);
      expect(server.requests[0]).toMatchObject({ url: '/huge.m4s', status: 500 });
      expect(server.requests[0]!.aborted).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('takes its limit from limits.maxBodyBytes, and checks it', async () => {
    const server = await startShapingServer({
      root: folder.root,
      trace: 'constant:100000',
      limits: { maxBodyBytes: 100_000 },
    });
    try {
      expect((await timedRequest(`${server.url}/seg_big.m4s`)).status).toBe(500);
      const small = await timedRequest(`${server.url}/small.m4s`);
      expect(small.status).toBe(200);
      expect(small.body.equals(folder.files.get('small.m4s')!)).toBe(true);
      const range = await timedRequest(`${server.url}/seg_big.m4s`, { headers: { Range: 'bytes=0-99' } });
      expect(range.status).toBe(206);
      expect(range.body.length).toBe(100);
      // HEAD sends no body: it is answered whatever the size
      expect((await timedRequest(`${server.url}/huge.m4s`, { method: 'HEAD' })).status).toBe(200);
    } finally {
      await server.close();
    }
    await expect(
      startShapingServer({ root: folder.root, trace: 'constant:1000', limits: { maxBodyBytes: -1 } }),
    ).rejects.toThrow(TypeError);
  });
});

describe('a file that cannot be read once found', () => {
  it('is answered 500 with the error code, not the server path, and logged with that status', async () => {
    const server = await startShapingServer({ root: folder.root, trace: 'constant:100000' });
    try {
      const raw = await rawRequest(server.port, get('/unreadable.m4s'));
      expect(statusOf(raw)).toBe(500);
      expect(raw).toContain('cannot read the file: EMFILE');
      expect(raw).not.toContain(folder.root);
      await expect.poll(() => server.requests.length).toBe(1);
      expect(server.requests[0]).toMatchObject({ url: '/unreadable.m4s', status: 500 });
      expect(server.requests[0]!.aborted).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('a trace that ends in an outage', () => {
  it('is refused without loop (its last period would hold the link dead for ever), naming the trace', async () => {
    const error = await startShapingServer({
      root: folder.root,
      trace: 'step:1000x1s,0x1s',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbrkitError);
    expect(error).toMatchObject({ category: 'trace', code: 'TRACE_ENDS_IN_OUTAGE' });
    expect((error as AbrkitError).data.source).toBe(generateTrace('step:1000x1s,0x1s').name);
    expect((error as AbrkitError).message).toContain('loop');
  });

  it('is served with loop: a request made in the outage ends in the next loop', async () => {
    const server = await startShapingServer({
      root: folder.root,
      trace: 'step:100000x500ms,0x500ms',
      loop: true,
    });
    try {
      const response = await timedRequest(`${server.url}/small.m4s`);
      expect(response.status).toBe(200);
      expect(response.body.length).toBe(20_000);
    } finally {
      await server.close();
    }
  });
});

describe('outage windows', () => {
  it('are refused beyond 24 h each, as stalls and spikes are', () => {
    const error = (() => {
      try {
        parseFaultSpec('outage=0-1e300', '--faults');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toMatchObject({ code: 'FAULT_SPEC_INVALID', data: { source: '--faults' } });
    expect((error as Error).message).toContain('24 h');
    expect(() => parseFaultSpec(`outage=1000-${1000 + MAX_FAULT_DELAY_MS}`)).not.toThrow();
    expect(() => parseFaultSpec(`outage=1000-${1001 + MAX_FAULT_DELAY_MS}`)).toThrow(/24 h/);
  });
});

describe('options from code', () => {
  it('are refused with a TypeError naming them when they would stall or silently change the link', async () => {
    const bad: [string, Record<string, unknown>][] = [
      ['tickMs', { tickMs: 0 }],
      ['tickMs', { tickMs: Number.POSITIVE_INFINITY }],
      ['originMs', { originMs: Number.NaN }],
      ['network', { network: 'cellular' }],
    ];
    for (const [name, option] of bad) {
      const error = await startShapingServer({
        root: folder.root,
        trace: 'constant:1000',
        ...option,
      }).catch((e: unknown) => e);
      if (!(error instanceof Error)) await (error as ShapingServer).close();
      expect(error, name).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain(name);
    }
  });
});

describe('live mode over a ladder naming malformed URIs', () => {
  it('refuses at start with SERVE_LIVE_INVALID naming the playlist, not a bare URIError', async () => {
    const ladders: [string, Record<string, string>][] = [
      ['master.m3u8', { 'master.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\na%ZZ.m3u8\n' }],
      [
        'a.m3u8',
        {
          'master.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\na.m3u8\n',
          'a.m3u8': '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg%E0%A4%A.m4s\n#EXT-X-ENDLIST\n',
        },
      ],
    ];
    for (const [source, files] of ladders) {
      const ladder = makeServedFolder();
      try {
        for (const [name, text] of Object.entries(files)) writeFileSync(join(ladder.root, name), text);
        const error = await startShapingServer({
          root: ladder.root,
          trace: 'constant:1000',
          live: { windowS: 10, startS: 10 },
        }).catch((e: unknown) => e);
        if (!(error instanceof Error)) await (error as ShapingServer).close();
        expect(error).toBeInstanceOf(AbrkitError);
        expect(error).toMatchObject({ code: 'SERVE_LIVE_INVALID', data: { source } });
        expect((error as Error).message).toContain('percent-encoding');
      } finally {
        ladder.cleanup();
      }
    }
  });
});
