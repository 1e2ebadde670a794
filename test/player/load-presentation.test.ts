import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { fetchText, type LoadPresentationOptions } from '../../src/player/load-presentation.js';

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

function options(fetchImpl: typeof fetch, retries: SeenRetry[], maxRetries = 3): LoadPresentationOptions {
  return {
    clock,
    retry: { maxRetries, baseDelayMs: 10, maxDelayMs: 10 },
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

  it('reports no retry when the first attempt works, and none past the policy before failing', async () => {
    const retries: SeenRetry[] = [];
    await fetchText('http://x/a.m3u8', options(scriptedFetch([200], 'ok', []), retries));
    expect(retries).toEqual([]);
    await expect(
      fetchText('http://x/b.m3u8', options(scriptedFetch([500], '', []), retries, 2)),
    ).rejects.toMatchObject({ code: 'HTTP_500' });
    expect(retries).toHaveLength(2);
  });
});
