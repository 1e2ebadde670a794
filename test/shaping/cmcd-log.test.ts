/**
 * The shaping server logs each request's CMCD (src/shaping/cmcd-log.ts): from the query parameter and from the
 * CMCD-* headers (also after a CORS preflight asking for them), in memory and in the JSONL log; a malformed
 * payload is logged as cmcdError and the file is still served.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmcdHeaders, cmcdUrl } from '../../src/core/cmcd.js';
import { startShapingServer, type RequestLogEntry, type ShapingServer } from '../../src/shaping/index.js';
import { makeServedFolder, type ServedFolder } from './helpers.js';

let folder: ServedFolder;
let server: ShapingServer;
const logPath = (): string => join(folder.dir, 'cmcd.jsonl');
beforeAll(async () => {
  folder = makeServedFolder();
  server = await startShapingServer({ root: folder.root, trace: 'constant:200000', log: logPath() });
});
afterAll(async () => {
  await server.close();
  folder.cleanup();
});

async function logged(path: string, init: RequestInit = {}): Promise<RequestLogEntry> {
  const before = server.requestCount();
  const response = await fetch(`${server.url}${path}`, init);
  expect(response.status).toBe(init.method === 'OPTIONS' ? 204 : 200);
  await response.arrayBuffer();
  for (let i = 0; i < 100 && server.requestCount() === before; i++)
    await new Promise((r) => setTimeout(r, 10));
  return server.requests.at(-1)!;
}

const DATA = { bl: 21_349, br: 3200, bs: true, d: 4004, mtp: 48_100, ot: 'v' as const, sid: 's-1', su: true };
const VALUES = { bl: 21_300, br: 3200, bs: true, d: 4004, mtp: 48_100, ot: 'v', sid: 's-1', su: true };

describe('the request log carries CMCD', () => {
  it('from the CMCD query parameter', async () => {
    const entry = await logged(cmcdUrl('/small.m4s', DATA));
    expect(entry.cmcd).toEqual(VALUES);
    expect(entry.cmcdMode).toBe('query');
    expect(entry.bytes).toBeGreaterThan(0);
  });

  it('from the CMCD-* headers, after a preflight that asks for them', async () => {
    const headers = cmcdHeaders(DATA);
    const preflight = await fetch(`${server.url}/small.m4s`, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Headers': 'cmcd-object,cmcd-request,cmcd-session,cmcd-status' },
    });
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'cmcd-object,cmcd-request,cmcd-session,cmcd-status',
    );
    const entry = await logged('/small.m4s', { headers });
    expect(entry.cmcd).toEqual(VALUES);
    expect(entry.cmcdMode).toBe('headers');
  });

  it('a malformed payload: cmcdError names the problem, the file is served', async () => {
    const entry = await logged(`/small.m4s?CMCD=${encodeURIComponent('bl=1,bl=2')}`);
    expect(entry.cmcd).toBeUndefined();
    expect(entry.cmcdError).toMatch(/key 'bl' repeated/);
    expect(entry.status).toBe(200);
  });

  it('none without CMCD, and the JSONL log holds what the memory log holds', async () => {
    const entry = await logged('/small.m4s?x=1');
    expect('cmcd' in entry || 'cmcdError' in entry).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    const lines = readFileSync(logPath(), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RequestLogEntry);
    expect(lines.filter((l) => l.cmcd !== undefined).map((l) => l.cmcd)).toEqual([VALUES, VALUES]);
  });
});
