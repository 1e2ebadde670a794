import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import {
  fetchText,
  loadPresentation,
  type LoadPresentationOptions,
} from '../../src/player/load-presentation.js';

/** A clock on real time whose timers fire through setTimeout (the backoff here is 0 ms). */
const clock: Clock = {
  nowMs: () => performance.now(),
  setTimer: (cb, ms) => {
    const h = setTimeout(cb, ms);
    return () => clearTimeout(h);
  },
};

/** A fetch that answers `statuses` in turn (the last one repeats), with `body` for a 200. */
function scriptedFetch(statuses: number[], body: string, log: string[]): typeof fetch {
  let n = 0;
  return (input) => {
    log.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const status = statuses[Math.min(n++, statuses.length - 1)]!;
    return Promise.resolve(new Response(status === 200 ? body : 'fault', { status }));
  };
}

interface SeenRetry {
  code: string;
  source: unknown;
  attempt: number;
  delayMs: number;
}

function options(fetchImpl: typeof fetch, retries: SeenRetry[], maxTotalMs = 5000): LoadPresentationOptions {
  return {
    clock,
    retry: { maxRetries: Infinity, baseDelayMs: 10, maxDelayMs: 10, maxTotalMs },
    random: () => 0,
    timeoutMs: 1000,
    signal: new AbortController().signal,
    fetchImpl,
    onRetry: (error, attempt, delayMs) =>
      retries.push({ code: error.code, source: error.data.source, attempt, delayMs }),
  };
}

describe('playlist fetches report their retries', () => {
  it('calls onRetry with the error naming the URL before each retry, then returns the body', async () => {
    const log: string[] = [];
    const retries: SeenRetry[] = [];
    const url = 'http://127.0.0.1:1/ladder/master.m3u8';
    const text = await fetchText(url, options(scriptedFetch([503, 500, 200], '#EXTM3U', log), retries));
    expect(text).toBe('#EXTM3U');
    expect(log).toEqual([url, url, url]);
    expect(retries).toEqual([
      { code: 'HTTP_503', source: url, attempt: 1, delayMs: 0 },
      { code: 'HTTP_500', source: url, attempt: 2, delayMs: 0 },
    ]);
  });

  it("sends nothing once the load is aborted (a destroyed player's deferred playlist)", async () => {
    const log: string[] = [];
    const abort = new AbortController();
    abort.abort();
    const o = { ...options(scriptedFetch([200], '#EXTM3U', log), []), signal: abort.signal };
    await expect(fetchText('http://x/240p/index.m3u8', o)).rejects.toMatchObject({ code: 'ABORTED' });
    expect(log).toEqual([]);
  });

  it('reports no retry when the first attempt works, and none past the time budget before failing', async () => {
    const retries: SeenRetry[] = [];
    await fetchText('http://x/a.m3u8', options(scriptedFetch([200], 'ok', []), retries));
    expect(retries).toEqual([]);
    const startMs = performance.now();
    await expect(
      fetchText('http://x/b.m3u8', options(scriptedFetch([500], '', []), retries, 60)),
    ).rejects.toMatchObject({ code: 'HTTP_500' });
    // retried (delay 0 with random 0) until 60 ms had passed: many tries, none started after the budget
    expect(retries.length).toBeGreaterThan(1);
    expect(performance.now() - startMs).toBeGreaterThanOrEqual(60);
  });

  it('does not retry a 404 (asking again will not make it exist)', async () => {
    const log: string[] = [];
    const retries: SeenRetry[] = [];
    await expect(
      fetchText('http://x/gone.m3u8', options(scriptedFetch([404], '', log), retries)),
    ).rejects.toMatchObject({ code: 'HTTP_404' });
    expect(log).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('leaves out a video variant whose playlist fails, telling onExclude, and fails when every variant does', async () => {
    const master =
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=200000,CODECS="avc1.4d400c"\nlow.m3u8\n' +
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d400c"\nhigh.m3u8\n';
    const media = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\ns0.m4s\n#EXT-X-ENDLIST\n';
    const fetchFor =
      (missing: string[]): typeof fetch =>
      (input) => {
        const url = input instanceof Request ? input.url : String(input);
        if (missing.some((m) => url.endsWith(m))) return Promise.resolve(new Response('', { status: 404 }));
        return Promise.resolve(new Response(url.endsWith('master.m3u8') ? master : media, { status: 200 }));
      };
    const excluded: string[] = [];
    const presentation = await loadPresentation('http://x/master.m3u8', {
      ...options(fetchFor(['high.m3u8']), []),
      onExclude: (url, error) => excluded.push(`${url} ${error.code}`),
    });
    expect(excluded).toEqual(['http://x/high.m3u8 HTTP_404']);
    expect(presentation.renditions.map((r) => r.playlist !== undefined)).toEqual([true, false]);
    await expect(
      loadPresentation('http://x/master.m3u8', options(fetchFor(['low.m3u8', 'high.m3u8']), [])),
    ).rejects.toMatchObject({ code: 'HTTP_404' });
  });
});
