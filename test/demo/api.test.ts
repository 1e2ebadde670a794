/**
 * The demo API (demo/server/api.ts) mounted on a plain node http server, exercised with real HTTP: raw
 * requests over node:net for the refusals (so `..` reaches the server as sent), fetch for the rest.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApi, type DemoApi, type DemoApiOptions } from '../../demo/server/api.js';
import { SYNTHETIC_TRACES } from '../../demo/server/catalog.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/manifest/index.js';
import { generateTrace } from '../../src/traces/spec.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { rawRequest } from './raw-http.js';

const FIXTURES = join(REPO_ROOT, 'fixtures');

interface Mounted {
  readonly api: DemoApi;
  readonly port: number;
  readonly base: string;
  close(): Promise<void>;
}

async function mount(options: DemoApiOptions = {}): Promise<Mounted> {
  const api = createDemoApi({ sharedDataDir: null, ...options });
  const server: Server = createServer((req, res) =>
    api.handle(req, res, () => {
      res.writeHead(418, { 'Content-Type': 'text/plain' });
      res.end('passed to next\n');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    api,
    port,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function postJson(base: string, body: unknown): Promise<Response> {
  return fetch(`${base}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const payload = (await response.json()) as { error: { code: string; message: string } };
  return payload.error;
}

describe('demo API: catalog routes', () => {
  let m: Mounted;
  let shared: string;
  beforeAll(async () => {
    shared = mkdtempSync(join(tmpdir(), 'abrkit-demo-shared-'));
    mkdirSync(join(shared, 'traces', 'sabre'), { recursive: true });
    mkdirSync(join(shared, 'traces', 'cooked'), { recursive: true });
    for (const i of [1, 2, 3]) {
      writeFileSync(
        join(shared, 'traces', 'sabre', `t${i}.json`),
        JSON.stringify([{ duration_ms: 1000 * i, bandwidth_kbps: 500 * i, latency_ms: 20 }]),
      );
    }
    writeFileSync(join(shared, 'traces', 'sabre', 'README.md'), 'not a trace');
    writeFileSync(join(shared, 'traces', 'cooked', 'a'), '0.0 1.0\n1.0 2.0\n2.0 0.5\n');
    writeFileSync(join(shared, 'traces', 'cooked', 'broken'), '\u0000\u0001binary');
    m = await mount({ sharedDataDir: shared, sharedTracesPerFolder: 2 });
  });
  afterAll(async () => {
    await m.close();
    rmSync(shared, { recursive: true, force: true });
  });

  it('GET /api/config lists the fixtures with a master playlist, the traces and example faults', async () => {
    const response = await fetch(`${m.base}/api/config`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const config = (await response.json()) as {
      fixtures: { name: string; masterUrl: string }[];
      traces: { id: string; name: string; source: string }[];
      faults: string[];
    };
    const names = config.fixtures.map((f) => f.name);
    expect(names).toContain('ladder');
    expect(names).not.toContain('broken');
    expect(config.fixtures.find((f) => f.name === 'ladder')?.masterUrl).toBe('/fixtures/ladder/master.m3u8');
    const ids = config.traces.map((t) => t.id);
    expect(ids).toContain('step-down');
    expect(config.traces.filter((t) => t.source === 'synthetic').length).toBe(SYNTHETIC_TRACES.length);
    // bounded per folder (2 of sabre's 3), sorted by name, README skipped
    expect(config.traces.filter((t) => t.source === 'shared').map((t) => t.id)).toEqual([
      'shared:cooked:a',
      'shared:cooked:broken',
      'shared:sabre:t1.json',
      'shared:sabre:t2.json',
    ]);
    expect(config.faults.length).toBeGreaterThan(0);
  });

  it('GET /api/traces/<id> answers the synthetic traces as generated', async () => {
    const response = await fetch(`${m.base}/api/traces/step-down`);
    expect(response.status).toBe(200);
    const trace = (await response.json()) as {
      name: string;
      periods: { durationMs: number; bandwidthKbps: number }[];
    };
    expect(trace.periods[0]).toMatchObject({ durationMs: 12_000, bandwidthKbps: 4000 });
    expect(trace.periods.at(-1)?.bandwidthKbps).toBe(400);
    for (const t of SYNTHETIC_TRACES) {
      const got = (await (await fetch(`${m.base}/api/traces/${t.id}`)).json()) as { periods: unknown[] };
      expect(got.periods).toEqual(generateTrace(t.spec).periods);
    }
  });

  it('GET /api/traces/<id> reads shared traces lazily, in their own format', async () => {
    const sabre = (await (
      await fetch(`${m.base}/api/traces/${encodeURIComponent('shared:sabre:t2.json')}`)
    ).json()) as {
      periods: unknown[];
    };
    expect(sabre.periods).toEqual([{ durationMs: 2000, bandwidthKbps: 1000, latencyMs: 20 }]);
    const cooked = await fetch(`${m.base}/api/traces/${encodeURIComponent('shared:cooked:a')}`);
    expect(cooked.status).toBe(200);
    const bad = await fetch(`${m.base}/api/traces/${encodeURIComponent('shared:cooked:broken')}`);
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).code).toBe('TRACE_UNREADABLE');
    // listed files only: the third sabre file exists but is past the bound
    const unlisted = await fetch(`${m.base}/api/traces/${encodeURIComponent('shared:sabre:t3.json')}`);
    expect(unlisted.status).toBe(404);
    expect((await errorOf(unlisted)).code).toBe('TRACE_NOT_FOUND');
  });

  it('GET /api/fixtures/<name>/video describes the fixture with the sizes of its files', async () => {
    const response = await fetch(`${m.base}/api/fixtures/ladder/video`);
    expect(response.status).toBe(200);
    const video = (await response.json()) as {
      segmentDurationMs: number;
      renditions: { index: number }[];
      segmentSizesBytes: number[][];
    };
    const masterPath = join(FIXTURES, 'ladder', 'master.m3u8');
    const master = parseMasterPlaylist(readFileSync(masterPath, 'utf8'), masterPath);
    expect(video.renditions.length).toBe(master.renditions.length);
    // both list the renditions in bit-rate order; URIs resolve to the files
    master.renditions.forEach((variant, r) => {
      const playlistPath = variant.uri;
      const media = parseMediaPlaylist(readFileSync(playlistPath, 'utf8'), playlistPath);
      expect(video.segmentSizesBytes.length).toBe(media.segments.length);
      media.segments.forEach((segment, i) => {
        expect(video.segmentSizesBytes[i]?.[r]).toBe(statSync(segment.uri).size);
      });
    });
    const unknown = await fetch(`${m.base}/api/fixtures/nope/video`);
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('FIXTURE_NOT_FOUND');
  });

  it('GET /fixtures/<name>/... serves the unshaped files, with byte ranges', async () => {
    const path = join(FIXTURES, 'ladder', 'master.m3u8');
    const master = await fetch(`${m.base}/fixtures/ladder/master.m3u8`);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await master.text()).toBe(readFileSync(path, 'utf8'));
    const range = await fetch(`${m.base}/fixtures/ladder/master.m3u8`, { headers: { range: 'bytes=2-9' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 2-9/${statSync(path).size}`);
    expect(await range.text()).toBe(readFileSync(path, 'utf8').slice(2, 10));
    const past = await fetch(`${m.base}/fixtures/ladder/master.m3u8`, {
      headers: { range: 'bytes=99999999-' },
    });
    expect(past.status).toBe(416);
  });

  it('passes every other path to the next middleware', async () => {
    for (const target of ['/', '/index.html', '/src/main.ts', '/apis', '/@fs/etc/passwd']) {
      expect((await rawRequest(m.port, target)).status).toBe(418);
    }
  });
});

describe('demo API: reader warnings', () => {
  it('a shared trace with periods slower than 1 kbps: read as outages, said once on the server and in the JSON', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'abrkit-demo-crawl-'));
    mkdirSync(join(shared, 'traces', 'cooked'), { recursive: true });
    // Pensieve cooked (Mbps): 0.0004 Mbps = 0.4 kbps on lines 2 and 3
    writeFileSync(join(shared, 'traces', 'cooked', 'slow'), '0 2.0\n1 0.0004\n2 0.0004\n3 3.0\n');
    const lines: string[] = [];
    const m = await mount({ sharedDataDir: shared, onWarning: (line) => lines.push(line) });
    try {
      const id = encodeURIComponent('shared:cooked:slow');
      const first = (await (await fetch(`${m.base}/api/traces/${id}`)).json()) as {
        periods: { bandwidthKbps: number }[];
        warnings?: string[];
      };
      expect(first.periods.map((p) => p.bandwidthKbps)).toEqual([0, 0, 3000]);
      const expected =
        '2 periods slower than 1 kbps read as outages (0 kbps): the slowest 0.4 kbps, the first at line 2';
      expect(first.warnings).toEqual([expected]);
      const session = await postJson(m.base, { fixture: 'ladder', traceId: 'shared:cooked:slow' });
      expect(session.status).toBe(201);
      expect(((await session.json()) as { trace: { warnings?: string[] } }).trace.warnings).toEqual([
        expected,
      ]);
      // read once (cached): one line on the server
      expect(lines).toEqual([`trace cooked/slow: ${expected}`]);
      // a trace read without change carries no warnings field
      const plain = (await (await fetch(`${m.base}/api/traces/step-down`)).json()) as object;
      expect(plain).not.toHaveProperty('warnings');
    } finally {
      await m.close();
      rmSync(shared, { recursive: true, force: true });
    }
  });
});

describe('demo API: hardening', () => {
  let m: Mounted;
  let root: string;
  beforeAll(async () => {
    // a fixtures root with one fixture, a symlink out of the root, a hidden file and a folder
    root = mkdtempSync(join(tmpdir(), 'abrkit-demo-root-'));
    const fixtures = join(root, 'fixtures');
    mkdirSync(join(fixtures, 'mini', 'sub'), { recursive: true });
    writeFileSync(join(fixtures, 'mini', 'master.m3u8'), '#EXTM3U\n');
    writeFileSync(join(fixtures, 'mini', 'sub', 'a.m4s'), 'segment');
    writeFileSync(join(fixtures, 'mini', '.secret'), 'HIDDEN CONTENT');
    writeFileSync(join(fixtures, 'README.md'), 'fixtures readme');
    writeFileSync(join(root, 'outside.txt'), 'OUTSIDE SECRET');
    symlinkSync(join(root, 'outside.txt'), join(fixtures, 'mini', 'link.txt'));
    symlinkSync(root, join(fixtures, 'mini', 'up'));
    m = await mount({ fixturesRoot: fixtures, maxBodyBytes: 4096, bodyTimeoutMs: 300 });
  });
  afterAll(async () => {
    await m.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves a file of the fixture', async () => {
    const r = await rawRequest(m.port, '/fixtures/mini/sub/a.m4s');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('segment');
  });

  it.each([
    ['dot-dot', '/fixtures/../outside.txt', 403],
    ['dot-dot inside a fixture', '/fixtures/mini/../../outside.txt', 403],
    ['encoded dot-dot', '/fixtures/mini/%2e%2e/%2E%2E/outside.txt', 403],
    ['dot segment', '/fixtures/mini/./master.m3u8', 403],
    ['hidden file', '/fixtures/mini/.secret', 403],
    ['encoded slash', '/fixtures/mini%2f..%2f..%2foutside.txt', 400],
    ['encoded backslash', '/fixtures/mini/..%5c..%5coutside.txt', 400],
    ['raw backslash', '/fixtures/mini/..\\..\\outside.txt', 400],
    ['double encoding', '/fixtures/mini/%252e%252e/outside.txt', 400],
    ['NUL', '/fixtures/mini/master.m3u8%00.txt', 400],
    ['malformed encoding', '/fixtures/mini/%zz', 400],
    ['absolute-form target', `http://127.0.0.1/fixtures/../outside.txt`, 400],
    ['double slash (absolute path)', '//fixtures/mini/master.m3u8', 400],
    ['absolute path inside', '/fixtures/mini//etc/passwd', 404],
    ['absolute path as a fixture', '/fixtures//etc/passwd', 404],
    ['symlink to a file outside', '/fixtures/mini/link.txt', 404],
    ['symlink to a folder outside', '/fixtures/mini/up/outside.txt', 404],
    ['a folder (no listing)', '/fixtures/mini/sub', 404],
    ['a folder with a slash', '/fixtures/mini/sub/', 404],
    ['the root (no listing)', '/fixtures/', 404],
    ['a file of the root that is no fixture', '/fixtures/README.md', 404],
    ['API traversal', '/api/../fixtures/mini/master.m3u8', 403],
    ['encoded prefix traversal', '/%66ixtures/%2e%2e/outside.txt', 403],
    ['shaped traversal', '/shaped/0123456789abcdef/../../outside.txt', 403],
  ])('refuses %s (%s) with %i and no file', async (_kind, target, status) => {
    const r = await rawRequest(m.port, target);
    expect(r.status).toBe(status);
    const text = r.body.toString();
    expect(text).not.toContain('OUTSIDE SECRET');
    expect(text).not.toContain('HIDDEN CONTENT');
    expect(text).not.toContain('root:');
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);
  });

  it.each([
    ['PUT', '/fixtures/mini/master.m3u8', 'GET, HEAD'],
    ['DELETE', '/fixtures/mini/master.m3u8', 'GET, HEAD'],
    ['POST', '/api/config', 'GET, HEAD'],
    ['GET', '/api/sessions', 'POST'],
    ['PUT', '/api/sessions/0123456789abcdef', 'DELETE'],
    ['POST', '/shaped/0123456789abcdef/master.m3u8', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, target, allow) => {
    const r = await rawRequest(m.port, target, { method, headers: ['Content-Length: 0'] });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe(allow);
  });

  it('HEAD of a file answers its length without a body', async () => {
    const r = await rawRequest(m.port, '/fixtures/mini/sub/a.m4s', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe('7');
    expect(r.body.length).toBe(0);
  });

  it('refuses a body over the limit with 413, declared or not', async () => {
    const big = JSON.stringify({ fixture: 'mini', traceId: 'x'.repeat(5000) });
    const declared = await rawRequest(m.port, '/api/sessions', {
      method: 'POST',
      headers: ['Content-Type: application/json', `Content-Length: ${big.length}`],
      body: big,
    });
    expect(declared.status).toBe(413);
    const chunked = await rawRequest(m.port, '/api/sessions', {
      method: 'POST',
      headers: ['Content-Type: application/json', 'Transfer-Encoding: chunked'],
      body: `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
    });
    expect(chunked.status).toBe(413);
    expect((JSON.parse(chunked.body.toString()) as { error: { code: string } }).error.code).toBe(
      'BODY_TOO_LARGE',
    );
  });

  it('refuses a body that does not arrive in time with 408', async () => {
    const r = await rawRequest(m.port, '/api/sessions', {
      method: 'POST',
      headers: ['Content-Type: application/json', 'Content-Length: 100'],
      body: '{"fixture":',
    });
    expect(r.status).toBe(408);
    expect((JSON.parse(r.body.toString()) as { error: { code: string } }).error.code).toBe('BODY_TIMEOUT');
  });

  it('refuses a body that is not JSON (415) or not parsable (400)', async () => {
    const form = await fetch(`${m.base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"fixture":"mini","traceId":"step-down"}',
    });
    expect(form.status).toBe(415);
    const broken = await fetch(`${m.base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"fixture":',
    });
    expect(broken.status).toBe(400);
    expect((await errorOf(broken)).code).toBe('BODY_NOT_JSON');
  });

  it.each([
    ['no trace', { fixture: 'mini' }, 'TRACE_INVALID', /exactly one of traceId/],
    [
      'both traces',
      { fixture: 'mini', traceId: 'step-down', trace: { periods: [] } },
      'TRACE_INVALID',
      /exactly one/,
    ],
    ['no fixture', { traceId: 'step-down' }, 'FIXTURE_INVALID', /fixture/],
    ['an unknown field', { fixture: 'mini', traceId: 'step-down', speed: 2 }, 'BODY_INVALID', /"speed"/],
    ['an array body', [1, 2], 'BODY_INVALID', /JSON object/],
    [
      'periods not an array',
      { fixture: 'mini', trace: { periods: 3 } },
      'TRACE_INVALID',
      /trace\.periods must be an array/,
    ],
    ['no period', { fixture: 'mini', trace: { periods: [] } }, 'TRACE_INVALID', /no period/],
    [
      'a negative bandwidth',
      {
        fixture: 'mini',
        trace: {
          periods: [
            { durationMs: 1000, bandwidthKbps: 500, latencyMs: 0 },
            { durationMs: 1000, bandwidthKbps: 500, latencyMs: 0 },
            { durationMs: 1000, bandwidthKbps: 500, latencyMs: 0 },
            { durationMs: 1000, bandwidthKbps: -5, latencyMs: 0 },
          ],
        },
      },
      'TRACE_INVALID',
      /periods\[3\]\.bandwidthKbps: must be a finite number >= 0, got -5/,
    ],
    [
      'a string duration',
      { fixture: 'mini', trace: { periods: [{ durationMs: '1000', bandwidthKbps: 500 }] } },
      'TRACE_INVALID',
      /periods\[0\]\.durationMs must be a number/,
    ],
    [
      'a zero duration',
      { fixture: 'mini', trace: { periods: [{ durationMs: 0, bandwidthKbps: 500 }] } },
      'TRACE_INVALID',
      /periods\[0\]\.durationMs: must be a finite number > 0/,
    ],
    [
      'no bandwidth at all',
      { fixture: 'mini', trace: { periods: [{ durationMs: 1000, bandwidthKbps: 0 }] } },
      'TRACE_INVALID',
      /no period with bandwidth/,
    ],
    [
      'a bandwidth of 1e-6 kbps (issue 18: hung every network model)',
      { fixture: 'mini', trace: { periods: [{ durationMs: 1000, bandwidthKbps: 1e-6 }] } },
      'TRACE_INVALID',
      /periods\[0\]\.bandwidthKbps: is below 1 kbps/,
    ],
    [
      'a period of 1e-9 ms',
      { fixture: 'mini', trace: { periods: [{ durationMs: 1e-9, bandwidthKbps: 500 }] } },
      'TRACE_INVALID',
      /periods\[0\]\.durationMs: is below 1 ms/,
    ],
    [
      'a latency of 1e300 ms',
      { fixture: 'mini', trace: { periods: [{ durationMs: 1000, bandwidthKbps: 500, latencyMs: 1e300 }] } },
      'TRACE_INVALID',
      /periods\[0\]\.latencyMs: is above 600000 ms/,
    ],
    [
      'a regular-expression fault pattern (issue 18: froze the server)',
      { fixture: 'mini', traceId: 'step-down', faults: '404=1,pattern=/(a+)+$/' },
      'FAULTS_INVALID',
      /looks like a regular expression.*\* for any text, \? for one character/,
    ],
    [
      'a stall of 1e300 ms',
      { fixture: 'mini', traceId: 'step-down', faults: 'stall=0.5:1e300' },
      'FAULTS_INVALID',
      /stall\.ms must be a number of ms in \[0, 86400000\]/,
    ],
    [
      'a bad fault spec',
      { fixture: 'mini', traceId: 'step-down', faults: '5xx=lots' },
      'FAULTS_INVALID',
      /faults/,
    ],
    [
      'a fault probability > 1',
      { fixture: 'mini', traceId: 'step-down', faults: 'reset=1.5' },
      'FAULTS_INVALID',
      /\[0, 1\]/,
    ],
    [
      'faults not a string',
      { fixture: 'mini', traceId: 'step-down', faults: { reset: 1 } },
      'FAULTS_INVALID',
      /string/,
    ],
    ['a fractional seed', { fixture: 'mini', traceId: 'step-down', seed: 1.5 }, 'SEED_INVALID', /integer/],
    [
      'a string loop',
      { fixture: 'mini', traceId: 'step-down', loop: 'yes' },
      'LOOP_INVALID',
      /true or false/,
    ],
  ])('refuses a session with %s', async (_what, body, code, message) => {
    const response = await postJson(m.base, body);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(m.api.sessions.ids()).toEqual([]);
  });

  it('refuses an unknown fixture or trace id with 404', async () => {
    const fixture = await postJson(m.base, { fixture: 'nope', traceId: 'step-down' });
    expect(fixture.status).toBe(404);
    expect((await errorOf(fixture)).code).toBe('FIXTURE_NOT_FOUND');
    const trace = await postJson(m.base, { fixture: 'mini', traceId: 'nope' });
    expect(trace.status).toBe(404);
    expect((await errorOf(trace)).code).toBe('TRACE_NOT_FOUND');
    expect(m.api.sessions.ids()).toEqual([]);
  });

  it('answers unknown API routes and sessions with 404', async () => {
    expect((await fetch(`${m.base}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${m.base}/api/sessions/0123456789abcdef`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${m.base}/shaped/0123456789abcdef/master.m3u8`)).status).toBe(404);
    expect((await fetch(`${m.base}/shaped/not-an-id/master.m3u8`)).status).toBe(404);
  });
});

describe('demo API: shaped sessions', () => {
  let m: Mounted;
  beforeAll(async () => {
    m = await mount({ maxSessions: 2 });
  });
  afterAll(async () => {
    await m.close();
  });

  /** The largest segment of the top rendition of the ladder, and its size. */
  function bigSegment(): { path: string; sizeBytes: number } {
    const masterPath = join(FIXTURES, 'ladder', 'master.m3u8');
    const master = parseMasterPlaylist(readFileSync(masterPath, 'utf8'), masterPath);
    const playlistPath = master.renditions.at(-1)!.uri;
    const media = parseMediaPlaylist(readFileSync(playlistPath, 'utf8'), playlistPath);
    let best = { path: '', sizeBytes: 0 };
    for (const s of media.segments) {
      const sizeBytes = statSync(s.uri).size;
      if (sizeBytes > best.sizeBytes)
        best = { path: s.uri.slice(join(FIXTURES, 'ladder').length + 1), sizeBytes };
    }
    return best;
  }

  it('creates a session whose master playlist and segments come through the shaping server, paced by the trace', async () => {
    const bandwidthKbps = 2000;
    const latencyMs = 100;
    const created = await postJson(m.base, {
      fixture: 'ladder',
      trace: { name: 'flat', periods: [{ durationMs: 600_000, bandwidthKbps, latencyMs }] },
      seed: 3,
    });
    expect(created.status).toBe(201);
    const session = (await created.json()) as { id: string; masterUrl: string; trace: { name: string } };
    expect(session.masterUrl).toBe(`/shaped/${session.id}/master.m3u8`);
    expect(session.trace.name).toBe('flat');
    expect(created.headers.get('location')).toBe(`/api/sessions/${session.id}`);

    const master = await fetch(`${m.base}${session.masterUrl}`);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await master.text()).toBe(readFileSync(join(FIXTURES, 'ladder', 'master.m3u8'), 'utf8'));

    // A segment: streamed as it is paced (the first bytes come long before the last), at the trace's rate.
    const segment = bigSegment();
    const expectedMs = latencyMs + (segment.sizeBytes * 8) / bandwidthKbps;
    const timing = await new Promise<{ firstByteMs: number; endMs: number; bytes: number; status: number }>(
      (resolve, reject) => {
        const t0 = performance.now();
        let firstByteMs = -1;
        let bytes = 0;
        get(`${m.base}/shaped/${session.id}/${segment.path}`, (res) => {
          res.on('data', (c: Buffer) => {
            if (firstByteMs < 0) firstByteMs = performance.now() - t0;
            bytes += c.length;
          });
          res.on('end', () =>
            resolve({ firstByteMs, endMs: performance.now() - t0, bytes, status: res.statusCode ?? 0 }),
          );
          res.on('error', reject);
        }).on('error', reject);
      },
    );
    expect(timing.status).toBe(200);
    expect(timing.bytes).toBe(segment.sizeBytes);
    // Loose bounds (a shared 2-core machine): never faster than the link allows, not wildly slower.
    expect(timing.endMs).toBeGreaterThan(0.85 * expectedMs);
    expect(timing.endMs).toBeLessThan(3 * expectedMs + 2000);
    expect(timing.firstByteMs).toBeLessThan(0.6 * timing.endMs);

    // The shaping server saw it, with the byte count the page received.
    const logged = m.api.sessions.get(session.id)?.server.requests.find((r) => r.url === `/${segment.path}`);
    expect(logged?.bytes).toBe(segment.sizeBytes);
  });

  it('serves the fixture as a live stream with live: true (sliding window, PROGRAM-DATE-TIME, no ENDLIST)', async () => {
    const before = Date.now();
    const created = await postJson(m.base, { fixture: 'ladder', traceId: 'constant-1500', live: true });
    expect(created.status).toBe(201);
    const session = (await created.json()) as {
      id: string;
      masterUrl: string;
      live: { originEpochMs: number; windowMs: number } | null;
    };
    // the stream is a window old when the session starts: its first window is full at once
    expect(session.live?.windowMs).toBe(30_000);
    expect(session.live!.originEpochMs).toBeGreaterThanOrEqual(before - 30_000);
    expect(session.live!.originEpochMs).toBeLessThanOrEqual(Date.now() - 30_000);
    const master = await (await fetch(`${m.base}${session.masterUrl}`)).text();
    const variant = /^[^#\s].*\.m3u8$/m.exec(master)![0];
    const playlist = await (await fetch(`${m.base}/shaped/${session.id}/${variant}`)).text();
    expect(playlist).toMatch(/#EXT-X-MEDIA-SEQUENCE:\d+/);
    expect(playlist).toMatch(/#EXT-X-PROGRAM-DATE-TIME:/);
    expect(playlist).not.toContain('#EXT-X-ENDLIST');
    const segments = playlist.split('\n').filter((l) => /\?msn=\d+$/.test(l));
    expect(segments.length).toBeGreaterThanOrEqual(14); // 30 s of the fixture's 2 s segments
    // a listed segment is there; one past the edge is not yet (404)
    const dir = variant.slice(0, variant.lastIndexOf('/') + 1);
    const listed = await fetch(`${m.base}/shaped/${session.id}/${dir}${segments.at(-1)!}`);
    expect(listed.status).toBe(200);
    await listed.arrayBuffer();
    const nextMsn = Number(/msn=(\d+)/.exec(segments.at(-1)!)![1]) + 5;
    const ahead = await fetch(
      `${m.base}/shaped/${session.id}/${dir}${segments.at(-1)!.replace(/msn=\d+/, `msn=${nextMsn}`)}`,
    );
    expect(ahead.status).toBe(404);
    await ahead.arrayBuffer();
    // VOD sessions say so
    const vod = (await (await postJson(m.base, { fixture: 'ladder', traceId: 'constant-1500' })).json()) as {
      live: unknown;
    };
    expect(vod.live).toBeNull();
    // a bad live flag is named
    const bad = await postJson(m.base, { fixture: 'ladder', traceId: 'constant-1500', live: 'yes' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('LIVE_INVALID');
    // live faults: checked, only with live, and applied by the shaping server (a playlist 5xx every time)
    for (const body of [
      { fixture: 'ladder', traceId: 'constant-1500', liveFaults: 'edge404=0.1' },
      { fixture: 'ladder', traceId: 'constant-1500', live: true, liveFaults: 'nonsense=1' },
      { fixture: 'ladder', traceId: 'constant-1500', live: true, liveFaults: 3 },
    ]) {
      const refused = await postJson(m.base, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(refused)).code).toBe('LIVE_FAULTS_INVALID');
    }
    const faulty = (await (
      await postJson(m.base, {
        fixture: 'ladder',
        traceId: 'constant-1500',
        live: true,
        liveFaults: 'playlist5xx=1:502',
      })
    ).json()) as { id: string };
    const failing = await fetch(`${m.base}/shaped/${faulty.id}/${variant}`);
    expect(failing.status).toBe(502);
    await failing.arrayBuffer();
  });

  it('passes Range requests and their answers through', async () => {
    const created = (await (
      await postJson(m.base, { fixture: 'ladder', traceId: 'constant-1500' })
    ).json()) as {
      id: string;
    };
    const path = join(FIXTURES, 'ladder', 'master.m3u8');
    const r = await fetch(`${m.base}/shaped/${created.id}/master.m3u8`, { headers: { range: 'bytes=0-6' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 0-6/${statSync(path).size}`);
    expect(await r.text()).toBe('#EXTM3U');
    const missing = await fetch(`${m.base}/shaped/${created.id}/nothing.m4s`);
    expect(missing.status).toBe(404);
    expect((await rawRequest(m.port, `/shaped/${created.id}/`)).status).toBe(404);
    expect((await fetch(`${m.base}/api/sessions/${created.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('streams many back-to-back answers whole over reused connections', async () => {
    const created = (await (
      await postJson(m.base, {
        fixture: 'ladder',
        trace: { periods: [{ durationMs: 600_000, bandwidthKbps: 50_000 }] },
      })
    ).json()) as { id: string };
    const files = [
      'master.m3u8',
      '144p/index.m3u8',
      '240p/index.m3u8',
      '360p/index.m3u8',
      '480p/index.m3u8',
      '144p/init.mp4',
    ];
    const expected = new Map(files.map((f) => [f, readFileSync(join(FIXTURES, 'ladder', f))]));
    for (let round = 0; round < 8; round++) {
      await Promise.all(
        files.map(async (f) => {
          const r = await fetch(`${m.base}/shaped/${created.id}/${f}`);
          expect(r.status).toBe(200);
          expect(Buffer.from(await r.arrayBuffer()).equals(expected.get(f)!)).toBe(true);
        }),
      );
    }
    expect(m.api.sessions.get(created.id)!.server.requests.filter((e) => e.aborted === true)).toEqual([]);
  });

  it('aborts the upstream transfer when the page goes away', async () => {
    const created = (await (
      await postJson(m.base, {
        fixture: 'ladder',
        trace: { periods: [{ durationMs: 600_000, bandwidthKbps: 100 }] },
      })
    ).json()) as { id: string };
    const segment = bigSegment();
    await new Promise<void>((resolve, reject) => {
      const req = get(`${m.base}/shaped/${created.id}/${segment.path}`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      setTimeout(() => reject(new Error('no first byte')), 10_000);
    });
    const server = m.api.sessions.get(created.id)!.server;
    const deadline = performance.now() + 10_000;
    let entry = server.requests.find((r) => r.url === `/${segment.path}`);
    while (entry === undefined && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      entry = server.requests.find((r) => r.url === `/${segment.path}`);
    }
    expect(entry?.aborted).toBe(true);
    expect(entry!.bytes).toBeLessThan(segment.sizeBytes);
  });

  it('deletes a session: 204, then its media and a second delete are 404', async () => {
    const created = (await (await postJson(m.base, { fixture: 'ladder', traceId: 'step-down' })).json()) as {
      id: string;
      masterUrl: string;
    };
    const port = m.api.sessions.get(created.id)!.server.port;
    const first = await fetch(`${m.base}/api/sessions/${created.id}`, { method: 'DELETE' });
    expect(first.status).toBe(204);
    expect((await fetch(`${m.base}${created.masterUrl}`)).status).toBe(404);
    expect((await fetch(`${m.base}/api/sessions/${created.id}`, { method: 'DELETE' })).status).toBe(404);
    await expect(fetch(`http://127.0.0.1:${port}/master.m3u8`)).rejects.toThrow();
  });

  /** Downloads `path` of a session, resolving with the bytes received and whether the answer broke. */
  function download(base: string, path: string): Promise<{ bytes: number; broken: boolean }> {
    return new Promise((resolve) => {
      let bytes = 0;
      const req = get(`${base}${path}`, (res) => {
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ bytes, broken: false }));
        res.on('error', () => resolve({ bytes, broken: true }));
      });
      req.on('error', () => resolve({ bytes, broken: true }));
    });
  }

  it('lets the answers in flight of a deleted session finish, and refuses new ones', async () => {
    const created = (await (
      await postJson(m.base, {
        fixture: 'ladder',
        trace: { periods: [{ durationMs: 600_000, bandwidthKbps: 1500 }] },
      })
    ).json()) as { id: string; masterUrl: string };
    const segment = bigSegment();
    const events: string[] = [];
    const transfer = download(m.base, `/shaped/${created.id}/${segment.path}`).then((r) => {
      events.push('transfer ended');
      return r;
    });
    const server = m.api.sessions.get(created.id)!.server;
    while (server.traceNowMs() === null) await new Promise((r) => setTimeout(r, 10)); // it reached the server
    const deleted = await fetch(`${m.base}/api/sessions/${created.id}`, { method: 'DELETE' });
    events.push('deleted');
    expect(deleted.status).toBe(204);
    expect((await fetch(`${m.base}${created.masterUrl}`)).status).toBe(404);
    expect(await transfer).toEqual({ bytes: segment.sizeBytes, broken: false });
    expect(events).toEqual(['deleted', 'transfer ended']);
  });

  it('cuts the answers in flight of a deleted session after the drain time', async () => {
    const other = await mount({ sessionDrainMs: 200 });
    try {
      const created = (await (
        await postJson(other.base, {
          fixture: 'ladder',
          trace: { periods: [{ durationMs: 600_000, bandwidthKbps: 100 }] },
        })
      ).json()) as { id: string };
      const segment = bigSegment();
      const transfer = download(other.base, `/shaped/${created.id}/${segment.path}`);
      const server = other.api.sessions.get(created.id)!.server;
      while (server.traceNowMs() === null) await new Promise((r) => setTimeout(r, 10));
      expect((await fetch(`${other.base}/api/sessions/${created.id}`, { method: 'DELETE' })).status).toBe(
        204,
      );
      const result = await transfer;
      expect(result.broken).toBe(true);
      expect(result.bytes).toBeLessThan(segment.sizeBytes);
    } finally {
      await other.close();
    }
  });

  it('keeps at most maxSessions live, closing the oldest', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await postJson(m.base, {
        fixture: 'ladder',
        traceId: 'step-up',
        faults: 'spike=0.5:100',
        seed: i,
      });
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    expect(m.api.sessions.ids()).toEqual(ids.slice(1));
    expect((await fetch(`${m.base}/shaped/${ids[0]}/master.m3u8`)).status).toBe(404);
    expect((await fetch(`${m.base}/shaped/${ids[2]}/master.m3u8`)).status).toBe(200);
  });

  it('closes every session with the API', async () => {
    const other = await mount();
    const created = (await (
      await postJson(other.base, { fixture: 'ladder', traceId: 'step-down' })
    ).json()) as {
      id: string;
    };
    const port = other.api.sessions.get(created.id)!.server.port;
    await other.close();
    expect(other.api.sessions.ids()).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/master.m3u8`)).rejects.toThrow();
  });
});

describe('demo API: mirrored streams (shaping your own URL)', () => {
  let m: Mounted;
  let origin: Server;
  let originBase = '';
  const LIVE_PLAYLIST = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg.m4s\n';
  beforeAll(async () => {
    m = await mount({ maxSessions: 2 });
    // an origin elsewhere: the fixture's files, plus a live playlist
    origin = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path === '/live.m3u8') {
        res.end(LIVE_PLAYLIST);
        return;
      }
      try {
        const body = readFileSync(join(FIXTURES, 'ladder', ...path.split('/').filter((p) => p !== '..')));
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    originBase = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await m.close();
    origin.closeAllConnections();
    await new Promise<void>((resolve) => origin.close(() => resolve()));
  });

  const mirror = (url: unknown): Promise<Response> =>
    fetch(`${m.base}/api/mirrors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });

  it('mirrors a master playlist and its media: then it is shaped and described like a fixture', async () => {
    const response = await mirror(`${originBase}/master.m3u8`);
    expect(response.status).toBe(201);
    const mirrored = (await response.json()) as { name: string; files: number; playlists: number };
    expect(mirrored.name).toMatch(/^url-[0-9a-f]{12}$/);
    expect(mirrored.playlists).toBe(5); // four variants and the audio
    // the same segment sizes as the fixture read from disk
    const sizesOf = async (name: string): Promise<unknown> =>
      ((await (await fetch(`${m.base}/api/fixtures/${name}/video`)).json()) as { segmentSizesBytes: unknown })
        .segmentSizesBytes;
    expect(await sizesOf(mirrored.name)).toEqual(await sizesOf('ladder'));
    // a shaped session of it: its master lists local playlists, whose segments come through the trace
    const created = await postJson(m.base, { fixture: mirrored.name, traceId: 'constant-1500' });
    expect(created.status).toBe(201);
    const session = (await created.json()) as { id: string; masterUrl: string };
    const master = await (await fetch(`${m.base}${session.masterUrl}`)).text();
    expect(master).toMatch(/^v\d+\/index\.m3u8$/m);
    expect(master).not.toContain('127.0.0.1');
    const variant = /^v\d+\/index\.m3u8$/m.exec(master)![0];
    const media = await (await fetch(`${m.base}/shaped/${session.id}/${variant}`)).text();
    const segment = /^s\d+\.m4s$/m.exec(media)![0];
    const got = await fetch(`${m.base}/shaped/${session.id}/${variant.replace('index.m3u8', segment)}`);
    expect(got.status).toBe(200);
    expect((await got.arrayBuffer()).byteLength).toBeGreaterThan(0);
    // asking again gives the same mirror, without downloading it again
    const again = (await (await mirror(`${originBase}/master.m3u8`)).json()) as { name: string };
    expect(again.name).toBe(mirrored.name);
  });

  it('mirrors a lone media playlist under a master of its own', async () => {
    const response = await mirror(`${originBase}/360p/index.m3u8`);
    expect(response.status).toBe(201);
    const { name } = (await response.json()) as { name: string };
    const video = (await (await fetch(`${m.base}/api/fixtures/${name}/video`)).json()) as {
      renditions: { bitrateKbps: number }[];
    };
    expect(video.renditions).toHaveLength(1);
    expect(video.renditions[0]!.bitrateKbps).toBeGreaterThan(100);
  });

  it('refuses live, unreachable, non-HLS and non-http URLs, naming why', async () => {
    const cases: [unknown, string][] = [
      [`${originBase}/live.m3u8`, 'MIRROR_LIVE'],
      [`${originBase}/nothing.m3u8`, 'MIRROR_FETCH_FAILED'],
      [`${originBase}/144p/init.mp4`, 'MIRROR_NOT_HLS'],
      ['file:///etc/passwd', 'MIRROR_URL_INVALID'],
      [42, 'MIRROR_URL_INVALID'],
    ];
    for (const [url, code] of cases) {
      const response = await mirror(url);
      expect(response.status, String(url)).toBe(400);
      expect((await errorOf(response)).code, String(url)).toBe(code);
    }
  });
});
