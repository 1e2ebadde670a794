/**
 * The player's CMCD (src/player/cmcd.ts, src/core/cmcd-options.ts): the `cmcd` option's checks, the keys of each kind of
 * request from the player's state (fixture ladder), the next-object path, and the segment source sending them
 * (a fake fetch records the URL and headers) while its download records keep the plain URL.
 */
import { describe, expect, it } from 'vitest';
import { parseCmcdRequest } from '../../src/core/cmcd-parse.js';
import { CmcdReporter, randomUuid, relativePath, type CmcdPlayerView } from '../../src/player/cmcd.js';
import { resolveCmcdOptions } from '../../src/core/cmcd-options.js';
import { FetchSegmentSource, type DownloadRecord } from '../../src/player/fetch-source.js';
import { buildLadder } from '../../src/player/ladder.js';
import { resolvePlayerOptions } from '../../src/player/options.js';
import type { LoadCallbacks } from '../../src/session/types.js';
import { BASE_URL, fixturePresentation } from './fixture-ladder.js';

const ladder = buildLadder(fixturePresentation(), () => true);
const video = (r: number, i: number) => ladder.renditions[r]!.playlist.segments[i]!;

function view(over: Partial<CmcdPlayerView> = {}): CmcdPlayerView {
  return {
    ladder,
    format: 'h',
    bufferLevelMs: () => 12_345,
    throughputKbps: () => 2_449,
    urgent: () => false,
    playbackRate: () => 1,
    maxRendition: () => 3,
    ...over,
  };
}

describe('the cmcd option', () => {
  it('is null when absent; without a session id each reporter (each load) makes a random UUID', () => {
    expect(resolvePlayerOptions({}).cmcd).toBeNull();
    const o = resolvePlayerOptions({ cmcd: { mode: 'query', contentId: undefined } }).cmcd!;
    expect(o).toEqual({ mode: 'query', contentId: null, sessionId: null });
    const a = new CmcdReporter(o, view()).sessionId;
    const b = new CmcdReporter(o, view()).sessionId;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(resolvePlayerOptions({ cmcd: { mode: 'headers', contentId: 'c', sessionId: 's' } }).cmcd).toEqual({
      mode: 'headers',
      contentId: 'c',
      sessionId: 's',
    });
  });

  it('makes a v4 UUID from the random source when there is no crypto.randomUUID', () => {
    const saved = globalThis.crypto;
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
    try {
      let x = 0;
      const id = randomUuid(() => (x = (x + 0.37) % 1));
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      Object.defineProperty(globalThis, 'crypto', { value: saved, configurable: true });
    }
  });

  it.each([
    [{ mode: 'both' }, /cmcd\.mode: must be 'query' or 'headers'/],
    [{ mode: 'query', sessionId: 'x'.repeat(65) }, /cmcd\.sessionId: must be a string of 1 to 64/],
    [{ mode: 'query', contentId: '' }, /cmcd\.contentId/],
    [{ mode: 'query', cid: 'x' }, /cmcd\.cid: unknown field/],
    ['query', /cmcd\.mode: must be 'query' or 'headers'/],
  ])('refuses %j with a TypeError naming the field', (cmcd, message) => {
    expect(() => resolveCmcdOptions(cmcd)).toThrow(TypeError);
    expect(() => resolveCmcdOptions(cmcd)).toThrow(message);
    expect(() => resolvePlayerOptions({ cmcd } as never)).toThrow(message);
  });
});

describe('relativePath', () => {
  it('gives the path of the next object relative to the current one', () => {
    expect(relativePath('http://a/v/360p/seg_1.m4s', 'http://a/v/360p/seg_2.m4s')).toBe('seg_2.m4s');
    expect(relativePath('http://a/v/360p/seg_1.m4s', 'http://a/v/audio/seg_2.m4s?x=1')).toBe(
      '../audio/seg_2.m4s?x=1',
    );
    expect(relativePath('http://a/v/seg.m4s', 'http://b/v/seg.m4s')).toBe('http://b/v/seg.m4s');
    // the player's URLs are relative to the page when the master's was
    expect(relativePath('/ladder/360p/seg_00001.m4s', '/ladder/360p/seg_00002.m4s')).toBe('seg_00002.m4s');
  });
});

describe('CmcdReporter', () => {
  const options = { mode: 'query' as const, contentId: 'movie-1', sessionId: 'sid-1' };

  it('a video segment: object, request, session and status keys from the player state', () => {
    const r = new CmcdReporter(options, view({ maxRendition: () => 2 }));
    const seg = video(1, 4);
    expect(
      r.data({ url: seg.uri, kind: 'video', renditionIndex: 1, segment: seg, next: video(1, 5) }),
    ).toEqual({
      sid: 'sid-1',
      cid: 'movie-1',
      sf: 'h',
      st: 'v',
      ot: 'v',
      mtp: 2449,
      su: false,
      bl: 12_345,
      dl: 12_345,
      d: 2000,
      br: ladder.renditions[1]!.peakBitrateKbps,
      tb: ladder.renditions[2]!.peakBitrateKbps,
      rtp: ladder.renditions[1]!.peakBitrateKbps! * 5,
      nor: 'seg_00005.m4s',
    });
  });

  it('the encoded request rounds bl, dl, mtp and rtp; pr and dl follow the playback rate', () => {
    const r = new CmcdReporter(options, view({ playbackRate: () => 2, urgent: () => true }));
    const seg = video(0, 0);
    const { url } = r.decorate({ url: seg.uri, kind: 'video', renditionIndex: 0, segment: seg });
    const parsed = parseCmcdRequest(url.slice(BASE_URL.length), {})!;
    expect(parsed.values).toMatchObject({ bl: 12_300, dl: 6200, mtp: 2400, pr: 2, su: true, ot: 'v' });
    expect((parsed.values.rtp! as number) % 100).toBe(0);
    const paused = new CmcdReporter(options, view({ playbackRate: () => 0 })).data({
      url: seg.uri,
      kind: 'video',
      renditionIndex: 0,
      segment: seg,
    });
    expect(paused.dl).toBeUndefined();
    expect(paused.pr).toBe(0);
  });

  it('bs once per media type after a stall; init segments carry no buffer keys', () => {
    const r = new CmcdReporter({ ...options, contentId: null }, view());
    const seg = video(0, 1);
    const audio = ladder.audio!.playlist.segments[1]!;
    r.onStall();
    expect(r.data({ url: seg.uri, kind: 'video', renditionIndex: 0, segment: seg }).bs).toBe(true);
    expect(r.data({ url: seg.uri, kind: 'video', renditionIndex: 0, segment: seg }).bs).toBeUndefined();
    const a = r.data({ url: audio.uri, kind: 'audio', renditionIndex: 0, segment: audio });
    expect(a).toMatchObject({ ot: 'a', bs: true, bl: 12_345, d: audio.durationMs });
    expect(a.br).toBeUndefined();
    const init = r.data({ url: `${BASE_URL}/ladder/144p/init.mp4`, kind: 'init-video', renditionIndex: 0 });
    expect(init).toEqual({ sid: 'sid-1', sf: 'h', st: 'v', ot: 'i', mtp: 2449, su: false });
  });

  it('a byte-range next segment of the same resource is nrr, not nor', () => {
    const r = new CmcdReporter(options, view());
    const seg = video(0, 0);
    const next = { ...video(0, 1), uri: seg.uri, byteRange: { offsetBytes: 1000, lengthBytes: 500 } };
    const d = r.data({ url: seg.uri, kind: 'video', renditionIndex: 0, segment: seg, next });
    expect(d.nor).toBeUndefined();
    expect(d.nrr).toBe('1000-1499');
  });
});

describe('FetchSegmentSource with CMCD', () => {
  async function run(mode: 'query' | 'headers') {
    const sent: { url: string; headers: Record<string, string> }[] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      sent.push({ url, headers: Object.fromEntries(new Headers(init?.headers).entries()) });
      return Promise.resolve(new Response(new Uint8Array(3000), { headers: { 'Content-Length': '3000' } }));
    };
    const reporter = new CmcdReporter({ mode, contentId: null, sessionId: 'sid-2' }, view());
    const downloads: DownloadRecord[] = [];
    let now = 0;
    const source = new FetchSegmentSource({
      ladder,
      clock: { nowMs: () => (now += 10), setTimer: () => () => {} },
      segmentOffset: 0,
      audioStart: 0,
      timeoutMs: 5000,
      initCache: new Map(),
      onPayload: () => {},
      onDownload: (d) => downloads.push(d),
      fetchImpl,
      cmcd: reporter.decorate,
    });
    await new Promise<void>((resolve, reject) => {
      const callbacks: LoadCallbacks = {
        onProgress: () => {},
        onComplete: () => resolve(),
        onError: (e) => reject(e),
      };
      source.load(
        { segmentIndex: 0, renditionIndex: 2, sizeBytes: null, durationMs: 2000, attempt: 1 },
        callbacks,
      );
    });
    return { sent, downloads };
  }

  it('query mode: every request carries CMCD= with its object type; records keep the plain URL', async () => {
    const { sent, downloads } = await run('query');
    const types = sent.map((s) => parseCmcdRequest(s.url.slice(BASE_URL.length), {})?.values.ot).sort();
    expect(types).toEqual(['a', 'i', 'i', 'v']);
    const videoReq = sent.find((s) => s.url.includes('/360p/seg_00000.m4s'))!;
    expect(parseCmcdRequest(videoReq.url.slice(BASE_URL.length), {})?.values).toMatchObject({
      nor: 'seg_00001.m4s',
      sid: 'sid-2',
      d: 2000,
    });
    expect(downloads.map((d) => d.url).every((u) => !u.includes('CMCD'))).toBe(true);
    expect(downloads).toHaveLength(4);
  });

  it('header mode: plain URLs, CMCD-* headers', async () => {
    const { sent } = await run('headers');
    expect(sent.every((s) => !s.url.includes('CMCD'))).toBe(true);
    const videoReq = sent.find((s) => s.url.endsWith('/360p/seg_00000.m4s'))!;
    expect(parseCmcdRequest('/x', videoReq.headers)?.values).toMatchObject({
      ot: 'v',
      sid: 'sid-2',
      bl: 12_300,
    });
    expect(Object.keys(videoReq.headers).sort()).toEqual([
      'cmcd-object',
      'cmcd-request',
      'cmcd-session',
      'cmcd-status',
    ]);
  });
});
