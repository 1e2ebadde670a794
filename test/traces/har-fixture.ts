/**
 * A small HAR 1.2 file generated for tests (the shape of a Chrome DevTools "Save all as HAR" export): each
 * download is given by when its request starts, its time to first byte, its body size and the rate its body
 * arrives at, so the trace the reader must recover is known.
 */
export interface HarDownloadSpec {
  readonly url: string;
  /** Request start, ms after the session's start. */
  readonly startMs: number;
  /** blocked + dns + connect + send + wait, ms. */
  readonly latencyMs: number;
  readonly sizeBytes: number;
  /** Rate of the body, kbps: receive = sizeBytes × 8 / kbps. */
  readonly kbps: number;
}

const ORIGIN_MS = Date.parse('2026-03-01T10:00:00.000Z');
const HEADERS_BYTES = 300;

/** One entry; `overrides` replace top-level fields, `overrides.response` is merged into the response. */
export function harEntry(
  d: HarDownloadSpec,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const { response: responseOverride, ...rest } = overrides;
  return {
    startedDateTime: new Date(ORIGIN_MS + d.startMs).toISOString(),
    time: d.latencyMs + (d.sizeBytes * 8) / d.kbps,
    request: {
      method: 'GET',
      url: d.url,
      httpVersion: 'http/1.1',
      headers: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'http/1.1',
      headers: [],
      content: { size: d.sizeBytes, mimeType: 'video/mp4' },
      redirectURL: '',
      headersSize: HEADERS_BYTES,
      bodySize: d.sizeBytes,
      _transferSize: d.sizeBytes + HEADERS_BYTES,
      ...(typeof responseOverride === 'object' ? responseOverride : {}),
    },
    cache: {},
    timings: {
      blocked: d.latencyMs * 0.25,
      dns: -1,
      ssl: -1,
      connect: -1,
      send: 0,
      wait: d.latencyMs * 0.75,
      receive: (d.sizeBytes * 8) / d.kbps,
    },
    ...rest,
  };
}

/** A HAR of `downloads`; with `extras`, a playlist entry first and a script entry last (not media). */
export function makeHar(
  downloads: readonly HarDownloadSpec[],
  options: { extras?: boolean } = {},
): { log: { version: string; creator: object; entries: object[] } } {
  const entries: object[] = downloads.map((d) => harEntry(d));
  if (options.extras) {
    const playlist = harEntry(
      { url: 'https://cdn.example/v/master.m3u8', startMs: 0, latencyMs: 10, sizeBytes: 900, kbps: 1000 },
      { response: { content: { size: 900, mimeType: 'application/vnd.apple.mpegurl' } } },
    );
    const script = harEntry(
      { url: 'https://cdn.example/app.js', startMs: 0, latencyMs: 10, sizeBytes: 9000, kbps: 1000 },
      { response: { content: { size: 9000, mimeType: 'text/javascript' } } },
    );
    entries.unshift(playlist);
    entries.push(script);
  }
  return { log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, entries } };
}
