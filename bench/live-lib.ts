/**
 * What `npm run bench:live` (bench/live.ts) computes from a browser run, as pure functions over the server's
 * request log and the player's records, so the arithmetic is unit-tested (test/bench/live-lib.test.ts)
 * apart from the browser: the media sequence number of each segment, where the simulator's trace and live
 * edge start, the per-request overhead, the looped video the simulator plays, and the agreement.
 */
import type { AbrAlgorithm, AbrContext } from '../src/abr/types.js';
import type { NetworkTrace, TracePeriod } from '../src/traces/model.js';
import type { VideoDescription } from '../src/videos/model.js';

/** A request as the shaping server logged it (trace time, ms). */
export interface LoggedRequest {
  readonly url: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly status: number;
}

/** `?msn=` of a live segment URL, or null for anything else (playlists, init segments). */
export function msnOf(url: string): number | null {
  const m = /\/seg_\d+\.m4s\?(?:.*&)?msn=(\d+)/.exec(url);
  return m ? Number(m[1]) : null;
}

/** A video segment URL of the fixture ladder (`/480p/seg_00003.m4s?msn=33`). */
const VIDEO_SEGMENT = /\/\d+p\/seg_\d+\.m4s/;
/** A video init segment (`/480p/init.mp4`). */
const VIDEO_INIT = /\/\d+p\/init\.mp4/;

/**
 * Where the simulator's session starts on the server's trace: the first request of a video init or video
 * segment (what came before, the master and media playlists, is the player's load, which the simulator does
 * not model, as bench/fidelity.ts). Throws when the run fetched no video.
 */
export function sessionStartMs(requests: readonly LoggedRequest[]): number {
  const starts = requests
    .filter((r) => VIDEO_INIT.test(r.url) || VIDEO_SEGMENT.test(r.url))
    .map((r) => r.startMs);
  if (starts.length === 0) throw new Error('the browser run fetched no video segment');
  return Math.min(...starts);
}

/**
 * The live edge when the simulator's session starts, ms of media time past the start of its first segment
 * (`SimLiveOptions.edgeAtStartMs`): the server's edge then (wall clock − the stream's origin; segment `msn`
 * of 2 s is out when the edge passes its end) minus where segment `firstMsn` starts.
 */
export function edgeAtStartMs(
  startEpochMs: number,
  originEpochMs: number,
  firstMsn: number,
  segmentDurationMs: number,
): number {
  return startEpochMs - originEpochMs - firstMsn * segmentDurationMs;
}

/**
 * The per-request overhead of a run, ms: the mean over consecutive segments msn, msn + 1 (video and audio)
 * with no init segment requested between them of the time from the last byte of msn to the first request of
 * msn + 1 (bench/fidelity.ts `measureOverheadMs`, keyed by media sequence number). Failed requests (404 at
 * the edge) do not count. Live: a player waits for msn + 1 to exist, which is not overhead, so only pairs
 * where msn + 1 was out (`availableAtMs`, trace time) at least `knownForMs` before msn's last byte count
 * (`knownForMs`: enough for a playlist reload to have listed it). Null when no pair qualifies.
 */
export function measureOverheadMs(
  requests: readonly LoggedRequest[],
  availableAtMs: (msn: number) => number = () => Number.NEGATIVE_INFINITY,
  knownForMs = 0,
): number | null {
  const bySegment = new Map<number, LoggedRequest[]>();
  for (const r of requests) {
    const msn = msnOf(r.url);
    if (msn === null || r.status >= 400) continue;
    bySegment.set(msn, [...(bySegment.get(msn) ?? []), r]);
  }
  const inits = requests.filter((r) => /\/init\.mp4/.test(r.url));
  const gaps: number[] = [];
  for (const [msn, mine] of bySegment) {
    const next = bySegment.get(msn + 1);
    if (!next) continue;
    const endMs = Math.max(...mine.map((r) => r.endMs));
    const nextMs = Math.min(...next.map((r) => r.startMs));
    if (inits.some((r) => r.startMs >= endMs && r.startMs <= nextMs)) continue;
    if (availableAtMs(msn + 1) > endMs - knownForMs) continue;
    if (nextMs >= endMs) gaps.push(nextMs - endMs);
  }
  return mean(gaps);
}

/**
 * How long after a segment exists the player asks for it, ms: the median over video segments first
 * requested within `maxMs` of their availability (`availableAtMs`, trace time) of that wait. In steady live
 * play the player waits for each segment, and learns of it only when a playlist reload lists it: this is
 * that reload's phase (plus the request's own overhead). Null when no segment qualifies.
 */
export function listingDelayMs(
  requests: readonly LoggedRequest[],
  availableAtMs: (msn: number) => number,
  maxMs = 2500,
): number | null {
  const first = new Map<number, number>();
  for (const r of requests) {
    const msn = msnOf(r.url);
    if (msn === null || !VIDEO_SEGMENT.test(r.url)) continue;
    first.set(msn, Math.min(first.get(msn) ?? Infinity, r.startMs));
  }
  const waits = [...first]
    .map(([msn, startMs]) => startMs - availableAtMs(msn))
    .filter((w) => w >= 0 && w <= maxMs)
    .sort((a, b) => a - b);
  return waits.length === 0 ? null : waits[waits.length >> 1]!;
}

/** A logged request that fetched a playlist (`.m3u8`). */
const PLAYLIST = /\.m3u8(?:\?|$)/;

/**
 * The player's playlist reloads from `fromMs` on (trace time), as the simulator takes them
 * (`SimLiveOptions.reloads`, session clock = trace time − `fromMs`): each playlist request with its bytes, the
 * requests starting within `groupMs` of a reload's first one numbered as that reload (the player reloads every
 * playlist at once and waits for all; a browser may hold one back while its connections are busy).
 */
export function playlistReloads(
  requests: readonly (LoggedRequest & { readonly bytes: number })[],
  fromMs: number,
  groupMs = 500,
): { atMs: number; bytes: number; reload: number }[] {
  const later = requests.filter((q) => q.startMs >= fromMs);
  return groupPlaylistRequests(later, groupMs).flatMap((g, reload) =>
    g.requests.map((r) => ({ atMs: r.startMs - fromMs, bytes: r.bytes, reload })),
  );
}

/**
 * The playlist requests among `requests` in start order, grouped as reloads: a request starting more than
 * `groupMs` after its group's first one starts the next group.
 */
function groupPlaylistRequests<R extends LoggedRequest>(
  requests: readonly R[],
  groupMs: number,
): { startMs: number; endMs: number; requests: R[] }[] {
  const groups: { startMs: number; endMs: number; requests: R[] }[] = [];
  for (const q of requests.filter((r) => PLAYLIST.test(r.url)).sort((a, b) => a.startMs - b.startMs)) {
    const last = groups[groups.length - 1];
    if (last === undefined || q.startMs - last.startMs > groupMs)
      groups.push({ startMs: q.startMs, endMs: q.endMs, requests: [q] });
    else {
      last.endMs = Math.max(last.endMs, q.endMs);
      last.requests.push(q);
    }
  }
  return groups;
}

/**
 * How long after the reload that lists a segment the player asks for it, ms (trace time): the median over
 * video segments of the time from the last byte of the first reload (`playlistReloads`, grouped) reaching the
 * server once the segment exists (`availableAtMs`) to the segment's first request, those within `maxMs`:
 * parsing the playlists, the decision and the request's way to the server. Null when no segment qualifies.
 */
export function afterListingMs(
  requests: readonly (LoggedRequest & { readonly bytes: number })[],
  availableAtMs: (msn: number) => number,
  groupMs = 500,
  maxMs = 500,
): number | null {
  const reloads = groupPlaylistRequests(requests, groupMs);
  const first = new Map<number, number>();
  for (const r of requests) {
    const msn = msnOf(r.url);
    if (msn === null || !VIDEO_SEGMENT.test(r.url)) continue;
    first.set(msn, Math.min(first.get(msn) ?? Infinity, r.startMs));
  }
  const waits: number[] = [];
  for (const [msn, startMs] of first) {
    const listing = reloads.find((g) => g.startMs >= availableAtMs(msn));
    if (!listing) continue;
    const w = startMs - listing.endMs;
    if (w >= 0 && w <= maxMs) waits.push(w);
  }
  waits.sort((a, b) => a - b);
  return waits.length === 0 ? null : waits[waits.length >> 1]!;
}

/** The trace from `ms` on (what is left after the browser's playlist and init requests). */
export function skipTrace(trace: NetworkTrace, ms: number): NetworkTrace {
  const periods: TracePeriod[] = [];
  let t = 0;
  for (const p of trace.periods) {
    const end = t + p.durationMs;
    if (end > ms) periods.push({ ...p, durationMs: end - Math.max(t, ms) });
    t = end;
  }
  return { name: trace.name, periods };
}

/**
 * `a` as the simulator should run it when the player has no size table (playlists without byte ranges): every
 * callback sees `ctx.segmentSizeBytes` answer null, as the player's algorithm does.
 */
export function withoutSizeTable(a: AbrAlgorithm): AbrAlgorithm {
  return withContext(a, { segmentSizeBytes: { value: () => null } });
}

/**
 * `a` as the simulator should run it for a live player: every callback sees `ctx.segmentCount` Infinity, as
 * the player's live session does (its stream has no end), not the number of segments the simulator plays.
 * BOLA's V shrinks near the end of a finite video (`min(i, segmentCount − i)`), which the player never sees.
 */
export function withEndlessStream(a: AbrAlgorithm): AbrAlgorithm {
  return withContext(a, { segmentCount: { value: Number.POSITIVE_INFINITY } });
}

/** `a` with every callback's context read through `overrides`. */
function withContext(a: AbrAlgorithm, overrides: PropertyDescriptorMap): AbrAlgorithm {
  const hide = (ctx: AbrContext): AbrContext => Object.create(ctx, overrides) as AbrContext;
  return {
    name: a.name,
    choose: (ctx) => a.choose(hide(ctx)),
    ...(a.shouldAbandon ? { shouldAbandon: (p, ctx) => a.shouldAbandon?.(p, hide(ctx)) ?? null } : {}),
    ...(a.abandonQuietUntilMs
      ? { abandonQuietUntilMs: (p, ctx) => a.abandonQuietUntilMs?.(p, hide(ctx)) ?? p.nowMs }
      : {}),
    ...(a.abandonQuietOnPaceMs
      ? { abandonQuietOnPaceMs: (p, ctx) => a.abandonQuietOnPaceMs?.(p, hide(ctx)) ?? Number.NaN }
      : {}),
    ...(a.onDownloaded ? { onDownloaded: (x, ctx) => a.onDownloaded?.(x, hide(ctx)) } : {}),
    ...(a.onIdle ? { onIdle: (ms) => a.onIdle?.(ms) } : {}),
    ...(a.reset ? { reset: () => a.reset?.() } : {}),
  };
}

/**
 * The video the simulator plays for a live run from `firstMsn` for `count` segments: the ladder's segments
 * looped as the server loops them (live segment msn is VOD segment msn mod N), each with the bytes of the
 * audio segment fetched with it (`audioBytes(i)` of VOD segment i; the audio init with the first).
 */
export function loopedVideo(
  ladder: VideoDescription,
  firstMsn: number,
  count: number,
  audioBytes: (vodIndex: number) => number,
  audioInitBytes: number,
): VideoDescription {
  const n = ladder.segmentSizesBytes.length;
  const rows = Array.from({ length: count }, (_, i) => {
    const vod = (firstMsn + i) % n;
    const extra = audioBytes(vod) + (i === 0 ? audioInitBytes : 0);
    return ladder.segmentSizesBytes[vod]!.map((bytes) => bytes + extra);
  });
  return {
    ...ladder,
    name: `${ladder.name} live from msn ${firstMsn} x${count}`,
    segmentSizesBytes: rows,
    playableSegmentCount: count,
  };
}

/**
 * Agreement of two runs' renditions per media sequence number: over the msns both fetched, the startup
 * segment (`firstMsn`, chosen on the start estimate before any measurement) left out as in
 * bench/fidelity.ts. Null when nothing was compared.
 */
export function agreement(
  browser: ReadonlyMap<number, number>,
  sim: ReadonlyMap<number, number>,
  firstMsn: number,
): { same: number; compared: number; fraction: number | null } {
  let same = 0;
  let compared = 0;
  for (const [msn, rendition] of browser) {
    if (msn === firstMsn) continue;
    const other = sim.get(msn);
    if (other === undefined) continue;
    compared++;
    if (other === rendition) same++;
  }
  return { same, compared, fraction: compared === 0 ? null : same / compared };
}

/** Mean of a list, or null when empty. */
export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}
