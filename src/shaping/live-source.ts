/**
 * The shaping server's live mode (`startShapingServer({ live })`, `abrkit serve --live`): a VOD ladder served
 * as a live stream that loops it (see live.ts for the timeline and the playlists). Everything else (trace
 * pacing, the VOD faults of faults.ts, the request log) is the server's, unchanged.
 *
 * URL layout (the same paths as the VOD ladder):
 * - the master playlist (`/master.m3u8`) and init segments are served as files;
 * - each media playlist the master names (`/144p/index.m3u8`, `/audio/index.m3u8`) answers its live window at
 *   the time of the request (404 until its first segment is available);
 * - segments are listed as `seg_00003.m4s?msn=123`: `msn` is the media sequence number; the request answers
 *   the VOD file `msn mod N` once the segment is available, 404 before (and 404 when `msn` does not name
 *   that file); without `msn` the file is served as in VOD.
 *
 * Live time is ms since the server started, on `nowMs` (epoch ms, default `Date.now`; tests inject it). With
 * `startS` the stream started that long before the server did, so a full window can be there at once.
 * PROGRAM-DATE-TIME is `originEpochMs` (server start − startS) plus the segment's start.
 */
import { readFile, readdir } from 'node:fs/promises';
import { AbrkitError, invalidArgument, isAbrkitError } from '../core/errors.js';
import { isMasterPlaylist, parseMasterPlaylist, parseMediaPlaylist } from '../manifest/index.js';
import { resolveUnderRoot } from './files.js';
import {
  LiveTimeline,
  renderLiveWindow,
  type LiveWindow,
  type LoopPlaylist,
  type LoopSegment,
} from './live.js';
import {
  checkLiveFaultSpec,
  createLiveFaultPlan,
  parseLiveFaultSpec,
  type LiveFaultDecision,
  type LiveFaultPlan,
  type LiveFaultSpec,
} from './live-faults.js';

/** `startShapingServer({ live })`: serve the root's ladder as a live stream. */
export interface LiveOptions {
  /** Length of the sliding window, s (default 30; at least 3 target durations, RFC 8216 §6.2.2). */
  readonly windowS?: number;
  /** How long the stream has been running when the server starts, s (default 0: nothing available yet). */
  readonly startS?: number;
  /** The master playlist's path under the root (default `master.m3u8`, else the root's only master playlist). */
  readonly master?: string;
  /** Live faults: a {@link LiveFaultSpec} or a compact spec (live-faults.ts). Seeded by the server's `seed`. */
  readonly faults?: LiveFaultSpec | string;
  /** The live clock, epoch ms (default `Date.now`). Inject it to move time in tests without sleeping. */
  readonly nowMs?: () => number;
}

/** What a live request gets, decided before the server reads any file. */
export type LiveAnswer =
  /** Serve the requested file as usual (a segment that is available, the master, an init segment). */
  | { readonly kind: 'file' }
  /** Send this body instead (a live playlist, a 404 for a segment not there yet, an injected error). */
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly contentType: string;
      readonly body: Uint8Array;
      readonly fault: LiveFaultDecision | null;
    };

/** One looped media playlist. */
export interface LivePlaylistInfo {
  /** Its path under the root, e.g. `144p/index.m3u8`. */
  readonly path: string;
  readonly segmentCount: number;
  /** Length of one loop, ms. */
  readonly loopMs: number;
  readonly targetDurationMs: number;
  readonly timeline: LiveTimeline;
}

/** The live stream of a server (`server.live`). */
export interface LiveSource {
  /** Epoch ms at which segment 0 started (server start − startS). */
  readonly originEpochMs: number;
  /** Epoch ms at which the server started (live time 0 for stale windows). */
  readonly startedEpochMs: number;
  readonly windowMs: number;
  readonly playlists: readonly LivePlaylistInfo[];
  /** Live time now: ms since the server started. */
  liveNowMs(): number;
  /** The window `path` (e.g. `144p/index.m3u8`) shows now (faults aside), or null before its first segment. */
  windowAt(path: string, elapsedMs?: number): LiveWindow | null;
  /** Decides a request of `segments` (the decoded path) with `rawUrl`'s query; null: not live, serve as VOD. */
  answer(segments: readonly string[], rawUrl: string): LiveAnswer | null;
}

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const TEXT_TYPE = 'text/plain; charset=utf-8';
/** Base URL the ladder's URIs are resolved against, so that any URI becomes a path under the root. */
const BASE = 'http://live.abrkit.invalid/';

/** Reads the ladder under `rootReal` and builds its live source. Throws `AbrkitError('config', 'SERVE_LIVE_INVALID')`. */
export async function createLiveSource(
  rootReal: string,
  options: LiveOptions,
  seed = 0,
): Promise<LiveSource> {
  const windowS = options.windowS ?? 30;
  const startS = options.startS ?? 0;
  if (!(Number.isFinite(windowS) && windowS > 0 && windowS <= 86_400))
    throw invalidArgument('live.windowS', `must be in (0, 86400] s, got ${windowS}`);
  if (!(Number.isFinite(startS) && startS >= 0 && startS <= 10 * 365 * 86_400))
    throw invalidArgument('live.startS', `must be ≥ 0 s (and at most ten years), got ${startS}`);
  const spec =
    options.faults === undefined
      ? undefined
      : typeof options.faults === 'string'
        ? parseLiveFaultSpec(options.faults, 'live.faults')
        : checkLiveFaultSpec(options.faults, 'live.faults');
  const plan: LiveFaultPlan | null = spec === undefined ? null : createLiveFaultPlan(spec, seed);
  const nowMs = options.nowMs ?? (() => Date.now());

  const loops = await readLadder(rootReal, options.master);
  const windowMs = windowS * 1000;
  for (const p of loops)
    if (windowMs < 3 * p.targetDurationMs)
      throw invalidArgument(
        'live.windowS',
        `${windowS} s is less than 3 target durations of ${p.path} (${(3 * p.targetDurationMs) / 1000} s, RFC 8216 §6.2.2)`,
      );
  const playlists: LivePlaylistInfo[] = loops.map((p) => {
    const timeline = new LiveTimeline(p.segments.map((s) => s.durationMs));
    return {
      path: p.path,
      segmentCount: p.segments.length,
      loopMs: timeline.loopMs,
      targetDurationMs: p.targetDurationMs,
      timeline,
    };
  });
  const byPath = new Map(loops.map((p, i) => [p.path, { loop: p, info: playlists[i]! }]));
  /** segment path → the playlists listing it */
  const bySegment = new Map<string, { loop: LoopPlaylist; info: LivePlaylistInfo }[]>();
  for (const entry of byPath.values())
    for (const s of entry.loop.segments) {
      const list = bySegment.get(s.path) ?? [];
      if (!list.includes(entry)) list.push(entry);
      bySegment.set(s.path, list);
    }

  const startedEpochMs = nowMs();
  const originEpochMs = startedEpochMs - startS * 1000;
  const liveNowMs = (): number => nowMs() - startedEpochMs;
  const elapsedAt = (liveMs: number): number => liveMs + startS * 1000;
  const text = (status: number, message: string, fault: LiveFaultDecision | null = null): LiveAnswer => ({
    kind: 'response',
    status,
    contentType: TEXT_TYPE,
    body: Buffer.from(`${message}\n`),
    fault,
  });

  return {
    originEpochMs,
    startedEpochMs,
    windowMs,
    playlists,
    liveNowMs,
    windowAt(path, elapsedMs = elapsedAt(liveNowMs())) {
      const entry = byPath.get(path);
      if (entry === undefined) return null;
      return renderLiveWindow(entry.loop, entry.info.timeline, elapsedMs, windowMs, originEpochMs);
    },
    answer(segments, rawUrl) {
      const path = segments.join('/');
      const liveMs = liveNowMs();
      const playlist = byPath.get(path);
      if (playlist !== undefined) {
        const status = plan?.playlistError(path) ?? null;
        if (status !== null) return text(status, `injected live fault: ${status}`, { kind: 'http', status });
        const staleSince = plan?.staleSince(liveMs) ?? null;
        const asOfMs = staleSince ?? liveMs;
        const window = renderLiveWindow(
          playlist.loop,
          playlist.info.timeline,
          elapsedAt(asOfMs),
          windowMs,
          originEpochMs,
        );
        if (window === null) {
          const inMs = playlist.info.timeline.availableAtMs(0) - elapsedAt(asOfMs);
          return text(
            404,
            `live stream not started: the first segment of ${path} is available in ${Math.ceil(inMs)} ms`,
          );
        }
        return {
          kind: 'response',
          status: 200,
          contentType: PLAYLIST_TYPE,
          body: Buffer.from(window.text),
          fault: staleSince === null ? null : { kind: 'stale', frozenForMs: Math.round(liveMs - staleSince) },
        };
      }
      const candidates = bySegment.get(path);
      if (candidates === undefined) return null;
      const msnText = new URLSearchParams(
        rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '',
      ).get('msn');
      if (msnText === null) return null;
      const msn = /^\d{1,15}$/.test(msnText) ? Number(msnText) : Number.NaN;
      if (!Number.isSafeInteger(msn)) return text(404, `not a live segment: msn=${msnText}`);
      for (const { loop, info } of candidates) {
        const { index } = info.timeline.locate(msn);
        if (loop.segments[index]?.path !== path) continue;
        const elapsedMs = elapsedAt(liveMs);
        const availableAtMs = info.timeline.availableAtMs(msn);
        if (elapsedMs + 1e-6 < availableAtMs)
          return text(
            404,
            `not yet available: ${path}?msn=${msn} is available in ${Math.ceil(availableAtMs - elapsedMs)} ms`,
          );
        const missingMs = plan?.edgeMissingMs(loop.path, msn, info.timeline.durationMs(msn)) ?? 0;
        if (elapsedMs < availableAtMs + missingMs)
          return text(404, `injected live fault: ${path}?msn=${msn} missing at the edge`, {
            kind: 'edge-404',
            msn,
          });
        return { kind: 'file' };
      }
      return text(404, `not a live segment: ${path} is not segment msn=${msn} of any playlist`);
    },
  };
}

/** The master playlist's media playlists, read as loops. */
async function readLadder(rootReal: string, masterPath: string | undefined): Promise<LoopPlaylist[]> {
  const master = await findMaster(rootReal, masterPath);
  const parsed = parse(master.path, () => parseMasterPlaylist(master.text, BASE + encodePath(master.path)));
  const uris = [
    ...parsed.renditions.map((r) => r.uri),
    ...parsed.audioRenditions.flatMap((a) => (a.uri === undefined ? [] : [a.uri])),
  ];
  const loops: LoopPlaylist[] = [];
  for (const uri of new Set(uris)) {
    const path = pathOf(uri, master.path);
    const text = await readUnderRoot(rootReal, path);
    const media = parse(path, () => parseMediaPlaylist(text, BASE + encodePath(path)));
    if (!media.endList && media.type !== 'vod')
      throw liveError(
        path,
        'already a live playlist; live mode loops a VOD ladder (playlists with EXT-X-ENDLIST)',
      );
    const segments: LoopSegment[] = media.segments.map((s) => ({
      path: pathOf(s.uri, path),
      durationMs: s.durationMs,
      ...(s.byteRange === undefined ? {} : { byteRange: s.byteRange }),
      ...(s.initSegment === undefined
        ? {}
        : {
            init: {
              path: pathOf(s.initSegment.uri, path),
              ...(s.initSegment.byteRange === undefined ? {} : { byteRange: s.initSegment.byteRange }),
            },
          }),
    }));
    if (segments.some((s) => !(s.durationMs > 0)))
      throw liveError(path, 'a segment of zero duration cannot be looped');
    loops.push({
      path,
      targetDurationMs: media.targetDurationMs,
      ...(media.version === undefined ? {} : { version: media.version }),
      segments,
    });
  }
  return loops;
}

async function findMaster(
  rootReal: string,
  masterPath: string | undefined,
): Promise<{ path: string; text: string }> {
  const candidates =
    masterPath !== undefined
      ? [masterPath.replace(/^\/+/, '')]
      : [
          'master.m3u8',
          ...(await readdir(rootReal)).filter((n) => n.endsWith('.m3u8') && n !== 'master.m3u8').sort(),
        ];
  for (const path of candidates) {
    let text: string;
    try {
      text = await readUnderRoot(rootReal, path);
    } catch (e) {
      if (masterPath !== undefined) throw e;
      continue;
    }
    if (isMasterPlaylist(text)) return { path, text };
    if (masterPath !== undefined) throw liveError(path, 'not a master (multivariant) playlist');
  }
  throw liveError(rootReal, 'no master playlist at the root of the folder (master.m3u8 or another *.m3u8)');
}

async function readUnderRoot(rootReal: string, path: string): Promise<string> {
  const file = await resolveUnderRoot(
    rootReal,
    path.split('/').filter((s) => s !== ''),
  );
  if (file === null) throw liveError(path, 'no such file under the served folder');
  return readFile(file.path, 'utf8');
}

/** A resolved URI → its decoded path under the root; a URI on another host is refused. */
function pathOf(uri: string, from: string): string {
  if (!uri.startsWith(BASE)) throw liveError(from, `names ${uri}, not a file under the served folder`);
  const pathname = new URL(uri).pathname;
  try {
    return pathname
      .slice(1)
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
  } catch (e) {
    throw liveError(from, `names ${uri}, whose percent-encoding is malformed`, e);
  }
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function parse<T>(path: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (isAbrkitError(e)) throw liveError(path, e.message, e);
    throw e;
  }
}

function liveError(source: string, problem: string, cause?: unknown): AbrkitError {
  return new AbrkitError('config', 'SERVE_LIVE_INVALID', `cannot serve live: ${source}: ${problem}`, {
    data: { source },
    ...(cause === undefined ? {} : { cause }),
  });
}
