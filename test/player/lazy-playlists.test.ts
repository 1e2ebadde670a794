import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import type { AbrkitError } from '../../src/core/errors.js';
import { FetchSegmentSource } from '../../src/player/fetch-source.js';
import type { SegmentPayload } from '../../src/player/fetch-source.js';
import { buildLadder } from '../../src/player/ladder.js';
import { fetchDeferredPlaylist, playlistLoader } from '../../src/player/lazy-playlists.js';
import { loadPresentation, type LoadPresentationOptions } from '../../src/player/load-presentation.js';
import { REPO_ROOT } from '../support/shared-data.js';

const BASE = 'http://fixtures.test/ladder';

const clock: Clock = {
  nowMs: () => performance.now(),
  setTimer: (cb, ms) => {
    const h = setTimeout(cb, ms);
    return () => clearTimeout(h);
  },
};

/**
 * fixtures/ladder over a fake network: playlists from disk (`edit` may rewrite one by path), media as 1000
 * zero bytes; every request logged by path.
 */
function fixtureFetch(log: string[], edit: (path: string, text: string) => string | null = (_p, t) => t) {
  const impl: typeof fetch = (input) => {
    const url = input instanceof Request ? input.url : String(input);
    const path = url.slice(BASE.length + 1);
    log.push(path);
    if (!path.endsWith('.m3u8')) return Promise.resolve(new Response(new Uint8Array(1000)));
    const text = edit(path, readFileSync(join(REPO_ROOT, 'fixtures/ladder', path), 'utf8'));
    return Promise.resolve(text === null ? new Response('', { status: 404 }) : new Response(text));
  };
  return impl;
}

function options(fetchImpl: typeof fetch): LoadPresentationOptions {
  return {
    clock,
    retry: { maxRetries: 2, baseDelayMs: 0, maxDelayMs: 0, maxTotalMs: 1000 },
    random: () => 0,
    timeoutMs: 1000,
    signal: new AbortController().signal,
    fetchImpl,
  };
}

const playlists = (log: readonly string[]): string[] => log.filter((p) => p.endsWith('.m3u8')).sort();

describe('loadPresentation with firstVariants: only what the first decision needs', () => {
  it('loads the master, the audio and the lowest variant (and the ones asked for), not the others', async () => {
    const log: string[] = [];
    const presentation = await loadPresentation(
      `${BASE}/master.m3u8`,
      options(fixtureFetch(log)),
      undefined,
      [2],
    );
    expect(playlists(log)).toEqual(['144p/index.m3u8', '360p/index.m3u8', 'audio/index.m3u8', 'master.m3u8']);
    expect(presentation.renditions.map((r) => r.playlist !== undefined)).toEqual([true, false, true, false]);
    expect(presentation.audioRenditions[0]?.playlist?.segments.length).toBeGreaterThan(0);
  });

  it('loads every playlist up front when the lowest has byte ranges, is live, or a variant has no video codec', async () => {
    const cases: [string, (path: string, text: string) => string][] = [
      [
        'byte ranges',
        (path, text) =>
          path === '144p/index.m3u8'
            ? text.replace(/(#EXTINF:[^\n]*\n)/g, '$1#EXT-X-BYTERANGE:1000@0\n')
            : text,
      ],
      ['live', (path, text) => (path === '144p/index.m3u8' ? text.replace('#EXT-X-ENDLIST', '') : text)],
      ['no codecs', (path, text) => (path === 'master.m3u8' ? text.replace(/CODECS="[^"]*",/, '') : text)],
    ];
    for (const [name, edit] of cases) {
      const log: string[] = [];
      const presentation = await loadPresentation(
        `${BASE}/master.m3u8`,
        options(fixtureFetch(log, edit)),
        undefined,
        [],
      );
      expect(playlists(log), name).toHaveLength(6);
      expect(
        presentation.renditions.every((r) => r.playlist !== undefined),
        name,
      ).toBe(true);
    }
  });

  it('loads the others up front too when the lowest variant fails, leaving it out', async () => {
    const log: string[] = [];
    const excluded: string[] = [];
    const presentation = await loadPresentation(
      `${BASE}/master.m3u8`,
      {
        ...options(fixtureFetch(log, (path, text) => (path === '144p/index.m3u8' ? null : text))),
        onExclude: (url) => excluded.push(url),
      },
      undefined,
      [],
    );
    expect(excluded).toEqual([`${BASE}/144p/index.m3u8`]);
    expect(presentation.renditions.map((r) => r.playlist !== undefined)).toEqual([false, true, true, true]);
  });
});

describe('deferred playlists in the ladder', () => {
  async function lazyLadder(edit?: (path: string, text: string) => string | null) {
    const log: string[] = [];
    const o = options(fixtureFetch(log, edit));
    const presentation = await loadPresentation(`${BASE}/master.m3u8`, o, undefined, []);
    const ladder = buildLadder(presentation, () => true, true);
    const ensure = playlistLoader(ladder, fetchDeferredPlaylist(presentation, ladder, o));
    return { log, ladder, ensure };
  }

  it('keeps every variant, the lowest playlist standing in for the deferred ones, which load once', async () => {
    const { log, ladder, ensure } = await lazyLadder();
    expect(ladder.renditions.map((r) => r.bitrateKbps)).toHaveLength(4);
    expect([...(ladder.deferred ?? [])]).toEqual([1, 2, 3]);
    expect(ladder.renditions[3]!.playlist).toBe(ladder.renditions[0]!.playlist);
    expect(ensure(0)).toBeNull();
    const a = ensure(3);
    const b = ensure(3);
    expect(a).toBe(b);
    await a;
    expect(ensure(3)).toBeNull();
    expect(ladder.renditions[3]!.playlist.segments[0]?.uri).toBe(`${BASE}/480p/seg_00000.m4s`);
    expect([...(ladder.deferred ?? [])]).toEqual([1, 2]);
    expect(log.filter((p) => p === '480p/index.m3u8')).toHaveLength(1);
  });

  it('fails a deferred playlist that lists fewer segments as the rendition init would (excluded by the retry hook)', async () => {
    const { ladder, ensure } = await lazyLadder((path, text) =>
      path === '240p/index.m3u8'
        ? text.replace(/#EXTINF:[^\n]*\nseg_00005\.m4s\n[\s\S]*(#EXT-X-ENDLIST)/, '$1')
        : text,
    );
    const error = (await ensure(1)!.catch((e: unknown) => e)) as AbrkitError;
    expect(error).toMatchObject({ code: 'PLAYLIST_MISMATCH', data: { init: 'video' } });
    expect(error.message).toContain('240p/index.m3u8');
    expect(ladder.deferred?.has(1)).toBe(true);
  });

  it('marks a failed fetch as the init would be, and tries again at the next request', async () => {
    let fail = true;
    const { log, ensure } = await lazyLadder((path, text) =>
      path === '360p/index.m3u8' && fail ? null : text,
    );
    await expect(ensure(2)).rejects.toMatchObject({ code: 'HTTP_404', data: { init: 'video' } });
    fail = false;
    await ensure(2);
    expect(ensure(2)).toBeNull();
    // one attempt per request (the session's retry hook decides on more)
    expect(log.filter((p) => p === '360p/index.m3u8')).toHaveLength(2);
  });

  it('FetchSegmentSource loads a deferred playlist before the segment and its init, and fetches its URLs', async () => {
    const { log, ladder, ensure } = await lazyLadder();
    log.length = 0;
    const payloads: SegmentPayload[] = [];
    const source = new FetchSegmentSource({
      ladder,
      clock,
      segmentOffset: 0,
      audioStart: 0,
      timeoutMs: 1000,
      initCache: new Map(),
      onPayload: (p) => payloads.push(p),
      fetchImpl: fixtureFetch(log),
      ensurePlaylist: ensure,
    });
    const error = await new Promise<AbrkitError | null>((resolve) =>
      source.load(
        { segmentIndex: 0, renditionIndex: 2, sizeBytes: null, durationMs: 2000, attempt: 1 },
        { onProgress: () => {}, onComplete: () => resolve(null), onError: resolve },
      ),
    );
    expect(error).toBeNull();
    expect(log.indexOf('360p/index.m3u8')).toBe(0);
    expect(log).toContain('360p/init.mp4');
    expect(payloads[0]?.video.url).toBe(`${BASE}/360p/seg_00000.m4s`);
    expect(payloads[0]?.init?.url).toBe(`${BASE}/360p/init.mp4`);
  });
});
