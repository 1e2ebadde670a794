/**
 * The player's `SegmentSource`: fetch behind the session loop's interface. For a request of video segment i
 * at rendition r it fetches r's init segment (once, then cached), the media segment, and the audio segments
 * that play alongside it (audio follows video, it is not switched). Throughput comes from the video body
 * stream (src/net/fetch-segment.ts); progress goes to the loop for `shouldAbandon`. The bytes are handed to
 * the sink through `onPayload` before `onComplete`, so the loop's `append` finds them.
 */
import type { Clock } from '../core/clock.js';
import { AbrkitError } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';
import type { ByteRange, MediaSegment } from '../manifest/model.js';
import { fetchSegment } from '../net/fetch-segment.js';
import type { FetchedSegment } from '../net/fetch-segment.js';
import type { CmcdRequest, CmcdRequestInfo } from './cmcd.js';
import type { EnsurePlaylist } from './lazy-playlists.js';
import type { ResourceTimingSource } from './resource-timing.js';
import { networkTimed } from './resource-timing.js';

/** Checks media bytes against their init segment (src/player/payload-check.ts): the error, or null. */
export type PayloadCheck = (
  init: FetchedBytes | null,
  part: FetchedBytes,
  startS: number | null,
  durationS: number,
  initKind: 'video' | 'audio',
) => AbrkitError | null;
import type { LoadCallbacks, LoadHandle, SegmentRequest, SegmentSource } from '../session/types.js';
import type { PlayerLadder } from './ladder.js';

/** One HTTP download, as `download$` reports it. Times on the player's clock, ms. */
export interface DownloadRecord {
  readonly url: string;
  readonly kind: 'video' | 'audio' | 'init-video' | 'init-audio';
  /** Video segment index the download belongs to (absolute, 0-based). */
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly sizeBytes: number;
  readonly startMs: number;
  readonly firstByteMs: number;
  readonly endMs: number;
  readonly aborted: boolean;
}

/** Bytes of one resource and where they came from. */
export interface FetchedBytes {
  readonly url: string;
  readonly bytes: Uint8Array;
}

/** What one completed request delivers to the sink. */
export interface SegmentPayload {
  /** Absolute video segment index. */
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly durationMs: number;
  readonly init: FetchedBytes | null;
  readonly video: FetchedBytes;
  readonly audioInit: FetchedBytes | null;
  /** `index`: position in the audio playlist (its discontinuity sequence and start time are looked up there). */
  readonly audio: readonly (FetchedBytes & { readonly durationMs: number; readonly index?: number })[];
}

/** A request's URL as sent and its sample as the script timed it. */
type Timed = readonly [url: string, sample: DownloadSample];

/** Init segments by URL, shared by the sources of successive sessions (seek). */
export type InitCache = Map<string, Uint8Array>;

/** The init cache's key: the URL, and the byte range when the init is a range of its file. */
function initKey(url: string, byteRange: ByteRange | undefined): string {
  return byteRange ? `${url} bytes=${byteRange.offsetBytes}-${byteRange.lengthBytes}` : url;
}

export interface FetchSourceOptions {
  readonly ladder: PlayerLadder;
  readonly clock: Clock;
  /** Added to the loop's segment index to get the presentation's (the loop starts at 0 after a seek). */
  readonly segmentOffset: number;
  /** First audio segment to fetch. */
  readonly audioStart: number;
  readonly timeoutMs: number;
  /** The timeout before the first byte of a response, ms, asked per request (shorter at startup). */
  readonly firstByteTimeoutMs?: () => number;
  readonly initCache: InitCache;
  /** Checks each media segment against its init before it is handed on (none: no check). */
  readonly check?: PayloadCheck;
  readonly onPayload: (payload: SegmentPayload) => void;
  readonly onDownload?: (record: DownloadRecord) => void;
  /** Every AbortController in flight (so `destroy()` can check none is left). */
  readonly inFlight?: Set<AbortController>;
  readonly fetchImpl?: typeof fetch;
  /** CMCD (src/player/cmcd.ts): the URL and headers to send for each request. None: requests as they are. */
  readonly cmcd?: (info: CmcdRequestInfo) => CmcdRequest;
  /** Loads a rendition's deferred playlist before its first request (src/player/lazy-playlists.ts). */
  readonly ensurePlaylist?: EnsurePlaylist;
  /** Where the network's byte times are read (src/player/resource-timing.ts). Default `performance`. */
  readonly timing?: ResourceTimingSource;
}

/** Fetch + the ladder behind `SegmentSource`. One per session. */
export class FetchSegmentSource implements SegmentSource {
  private audioNext: number;

  constructor(private readonly o: FetchSourceOptions) {
    this.audioNext = o.audioStart;
  }

  /** Progress is always reported (fetch streams give it for free), whatever `_wantProgress` says. */
  load(request: SegmentRequest, callbacks: LoadCallbacks, _wantProgress = true): LoadHandle {
    const o = this.o;
    const segmentIndex = request.segmentIndex + o.segmentOffset;
    const rendition = o.ladder.renditions[request.renditionIndex];
    // a rendition whose playlist is not loaded yet (src/player/lazy-playlists.ts): it is, before anything else
    const playlistReady = rendition ? (o.ensurePlaylist?.(request.renditionIndex) ?? null) : null;
    let segment = playlistReady ? undefined : rendition?.playlist.segments[segmentIndex];
    const noSegment = (): AbrkitError =>
      new AbrkitError(
        'internal',
        'NO_SEGMENT',
        `no segment ${segmentIndex} at rendition ${request.renditionIndex}`,
      );
    const controller = new AbortController();
    o.inFlight?.add(controller);
    const requestStartMs = o.clock.nowMs();
    let firstByteMs: number | null = null;
    let loadedBytes = 0;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      o.inFlight?.delete(controller);
      return true;
    };
    const handle: LoadHandle = {
      abort: (): DownloadSample => {
        const nowMs = o.clock.nowMs();
        const sample: DownloadSample = {
          startMs: requestStartMs,
          firstByteMs: firstByteMs ?? nowMs,
          endMs: nowMs,
          sizeBytes: loadedBytes,
          aborted: true,
        };
        if (settle()) {
          controller.abort();
          if (segment) {
            o.onDownload?.({
              url: segment.uri,
              kind: 'video',
              segmentIndex,
              renditionIndex: request.renditionIndex,
              ...sample,
              aborted: true,
            });
          }
        }
        return sample;
      },
    };
    if (!rendition || (!segment && !playlistReady)) {
      queueMicrotask(() => {
        if (settle()) callbacks.onError(noSegment());
      });
      return handle;
    }
    const audioSegments = this.audioFor(segmentIndex);
    const run = async (): Promise<{ payload: SegmentPayload; sample: DownloadSample }> => {
      const signal = controller.signal;
      if (playlistReady) {
        await playlistReady;
        segment = rendition.playlist.segments[segmentIndex];
      }
      if (!segment) throw noSegment();
      // the init segment is requested together with the media segment (as hls.js does), not before it: one
      // round trip less at startup and at each first use of a rendition; its bytes share the link, so an init
      // fetched now counts in the sample like the audio below
      const initRef = segment.initSegment;
      const initFetched = initRef !== undefined && !o.initCache.has(initKey(initRef.uri, initRef.byteRange));
      const initPromise = initRef
        ? this.init(
            initRef.uri,
            'init-video',
            segmentIndex,
            request.renditionIndex,
            signal,
            initRef.byteRange,
          )
        : Promise.resolve(null);
      initPromise.catch(() => {});
      // the time check holds within the first discontinuity sequence (later ones restart their timestamps)
      const firstSequence = rendition.playlist.segments[0]?.discontinuitySequence;
      const placed = (s: MediaSegment): number | null =>
        s.discontinuitySequence === firstSequence ? s.startMs / 1000 : null;
      const audioInitRef = audioSegments[0]?.initSegment;
      // an audio init fetched now (not cached) also shares the link during this download
      const audioInitFetched =
        audioInitRef !== undefined && !o.initCache.has(initKey(audioInitRef.uri, audioInitRef.byteRange));
      // bytes of the audio segments so far and their sizes once known: progress counts them with the video's
      const audioLoaded = audioSegments.map(() => 0);
      const audioTotal = audioSegments.map(() => 0);
      const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
      const audioPromise = Promise.all([
        audioInitRef
          ? this.init(
              audioInitRef.uri,
              'init-audio',
              segmentIndex,
              request.renditionIndex,
              signal,
              audioInitRef.byteRange,
            )
          : Promise.resolve(null),
        ...audioSegments.map((a, i) =>
          this.fetchOne(
            a.uri,
            'audio',
            segmentIndex,
            request.renditionIndex,
            signal,
            (loaded, total) => {
              audioLoaded[i] = loaded;
              audioTotal[i] = total ?? loaded;
            },
            a,
          ),
        ),
      ]);
      // keep the audio promise from rejecting unhandled while the video is awaited
      audioPromise.catch(() => {});
      const videoCmcd = this.cmcd({
        url: segment.uri,
        kind: 'video',
        renditionIndex: request.renditionIndex,
        segment,
        ...(rendition.playlist.segments[segmentIndex + 1]
          ? { next: rendition.playlist.segments[segmentIndex + 1] }
          : {}),
      });
      const video = await fetchSegment(segment.uri, {
        clock: o.clock,
        signal,
        timeoutMs: o.timeoutMs,
        ...(o.firstByteTimeoutMs ? { firstByteTimeoutMs: o.firstByteTimeoutMs() } : {}),
        ...(segment.byteRange ? { byteRange: segment.byteRange } : {}),
        ...(o.fetchImpl ? { fetchImpl: o.fetchImpl } : {}),
        ...videoCmcd,
        onProgress: (loaded, total, nowMs, first) => {
          if (settled) return;
          loadedBytes = loaded;
          firstByteMs = first;
          // the audio fetched alongside shares the link and must arrive too (see the sample below)
          callbacks.onProgress({
            firstByteMs: first,
            nowMs,
            loadedBytes: loaded + sum(audioLoaded),
            totalBytes: total === null ? null : total + sum(audioTotal),
          });
        },
      });
      // (an abort() that raced the body's end has reported it already)
      if (!settled) this.report(video, 'video', segmentIndex, request.renditionIndex);
      const init = await initPromise;
      const [audioInit, ...audio] = await audioPromise;
      const check = o.check ?? ((): null => null);
      const corrupt =
        check(init, video, placed(segment), segment.durationMs / 1000, 'video') ??
        audio.reduce<AbrkitError | null>((found, a, i) => {
          const s = audioSegments[i]!;
          return found ?? check(audioInit, a, placed(s), s.durationMs / 1000, 'audio');
        }, null);
      if (corrupt) {
        // a bad init is not kept: the next try fetches it again
        if (corrupt.code === 'CORRUPT_INIT') {
          const source = corrupt.data.source ?? '';
          for (const key of [...o.initCache.keys()])
            if (key === source || key.startsWith(`${source} bytes=`)) o.initCache.delete(key);
        }
        throw corrupt;
      }
      const payload: SegmentPayload = {
        segmentIndex,
        renditionIndex: request.renditionIndex,
        durationMs: segment.durationMs,
        init,
        video: { url: video.url, bytes: video.bytes },
        audioInit,
        audio: audio.map((a, i) => ({
          url: a.url,
          bytes: a.bytes,
          durationMs: audioSegments[i]?.durationMs ?? 0,
          index: audioSegments[i]?.index ?? -1,
        })),
      };
      // The estimators see the video body stream plus the audio segments fetched alongside it: both share
      // one link, so the video alone measures only its share of it (half of it at the lowest rendition,
      // whose segments are as large as the audio ones). Until the last of them, as the next request waits
      // for all of them (bench/fidelity.ts, docs/fidelity.md).
      const alongsideBytes =
        audio.reduce((sum, a) => sum + a.bytes.byteLength, 0) +
        (audioInitFetched && audioInit ? audioInit.bytes.byteLength : 0) +
        (initFetched && init ? init.bytes.byteLength : 0);
      // first and last byte as the network saw them, not as the script read them (src/player/resource-timing.ts)
      const [videoSample, ...alongside] = await this.networkTimes([
        [videoCmcd.requestUrl ?? segment.uri, video.sample],
        ...audio.map((a) => a.timed),
        ...(initFetched && init?.timed ? [init.timed] : []),
        ...(audioInitFetched && audioInit?.timed ? [audioInit.timed] : []),
      ]);
      // ... and from the first byte of any of them: the link may send an init or the audio before the video's
      // first byte (segment 0's two init segments go first on the shaping server), and those bytes count
      const sample: DownloadSample =
        alongsideBytes > 0 && !videoSample!.aborted
          ? {
              ...videoSample!,
              firstByteMs: Math.max(
                videoSample!.startMs,
                Math.min(videoSample!.firstByteMs, ...alongside.map((a) => a.firstByteMs)),
              ),
              endMs: Math.max(videoSample!.endMs, ...alongside.map((a) => a.endMs)),
              sizeBytes: videoSample!.sizeBytes + alongsideBytes,
            }
          : videoSample!;
      return { payload, sample };
    };
    run().then(
      ({ payload, sample }) => {
        if (!settle()) return;
        this.audioNext += audioSegments.length;
        o.onPayload(payload);
        callbacks.onComplete(sample);
      },
      (error: unknown) => {
        if (!settle()) return;
        controller.abort();
        callbacks.onError(
          error instanceof AbrkitError
            ? error
            : new AbrkitError('network', 'NETWORK_ERROR', String(error), {
                fatal: false,
                data: segment ? { source: segment.uri } : {},
                cause: error,
              }),
        );
      },
    );
    return handle;
  }

  /** Audio segments to fetch with video segment `segmentIndex`: those starting before its end (all the rest with the last one). */
  private audioFor(segmentIndex: number): MediaSegment[] {
    const audio = this.o.ladder.audio;
    if (!audio) return [];
    const segments = audio.playlist.segments;
    const video = this.o.ladder.renditions[0]!.playlist.segments[segmentIndex];
    const last = segmentIndex >= this.o.ladder.segmentCount - 1;
    const endMs = video ? video.startMs + video.durationMs : Infinity;
    const out: MediaSegment[] = [];
    for (let i = this.audioNext; i < segments.length; i++) {
      const s = segments[i]!;
      // 1 ms of slack: playlist durations are rounded (an audio segment may start at 7999.999 for 8000)
      if (!last && s.startMs >= endMs - 1) break;
      out.push(s);
    }
    return out;
  }

  private async init(
    url: string,
    kind: 'init-video' | 'init-audio',
    segmentIndex: number,
    renditionIndex: number,
    signal: AbortSignal,
    byteRange?: ByteRange,
  ): Promise<FetchedBytes & { readonly timed?: Timed }> {
    const key = initKey(url, byteRange);
    const cached = this.o.initCache.get(key);
    if (cached) return { url, bytes: cached };
    const fetched = await this.fetchOne(
      url,
      kind,
      segmentIndex,
      renditionIndex,
      signal,
      undefined,
      undefined,
      byteRange,
    ).catch((error: unknown) => {
      // marked, so the fallback hook can set the rendition aside when its init keeps failing
      if (error instanceof AbrkitError) (error.data as { init?: string }).init = kind.slice(5);
      throw error;
    });
    this.o.initCache.set(key, fetched.bytes);
    return fetched;
  }

  private async fetchOne(
    url: string,
    kind: DownloadRecord['kind'],
    segmentIndex: number,
    renditionIndex: number,
    signal: AbortSignal,
    onProgress?: (loadedBytes: number, totalBytes: number | null) => void,
    segment?: MediaSegment,
    initByteRange?: ByteRange,
  ): Promise<FetchedBytes & { readonly timed: Timed }> {
    const o = this.o;
    // an init or audio segment may be a byte range of a file (EXT-X-MAP BYTERANGE, DASH SegmentBase)
    const byteRange = initByteRange ?? segment?.byteRange;
    const next = segment ? o.ladder.audio?.playlist.segments[segment.index + 1] : undefined;
    const cmcd = this.cmcd({
      url,
      kind,
      renditionIndex,
      ...(segment ? { segment } : {}),
      ...(next ? { next } : {}),
    });
    const fetched = await fetchSegment(url, {
      clock: o.clock,
      signal,
      timeoutMs: o.timeoutMs,
      ...(o.firstByteTimeoutMs ? { firstByteTimeoutMs: o.firstByteTimeoutMs() } : {}),
      ...(o.fetchImpl ? { fetchImpl: o.fetchImpl } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(byteRange ? { byteRange } : {}),
      ...cmcd,
    });
    this.report(fetched, kind, segmentIndex, renditionIndex);
    return { url: fetched.url, bytes: fetched.bytes, timed: [cmcd.requestUrl ?? url, fetched.sample] };
  }

  /**
   * The samples of `requests` with the network's byte times (src/player/resource-timing.ts) when the player
   * passes `timing`: an entry not there yet is waited for, a task at a time, twice at most.
   */
  private async networkTimes(requests: readonly Timed[]): Promise<DownloadSample[]> {
    const timing = this.o.timing;
    const out = requests.map(([, sample]) => sample);
    if (!timing) return out;
    for (let round = 0; ; round++) {
      let missing = false;
      requests.forEach(([url, sample], i) => {
        const timed = networkTimed(url, sample, timing);
        if (timed) out[i] = timed;
        else missing = true;
      });
      if (!missing || round >= 2) return out;
      await new Promise<void>((resolve) => this.o.clock.setTimer(resolve, 0));
    }
  }

  /** The CMCD request options for `info` (none without CMCD). */
  private cmcd(info: CmcdRequestInfo): { requestUrl?: string; headers?: Readonly<Record<string, string>> } {
    if (!this.o.cmcd) return {};
    const { url, headers } = this.o.cmcd(info);
    return { requestUrl: url, headers };
  }

  private report(
    fetched: FetchedSegment,
    kind: DownloadRecord['kind'],
    segmentIndex: number,
    renditionIndex: number,
  ): void {
    this.o.onDownload?.({
      url: fetched.url,
      kind,
      segmentIndex,
      renditionIndex,
      sizeBytes: fetched.sample.sizeBytes,
      startMs: fetched.sample.startMs,
      firstByteMs: fetched.sample.firstByteMs,
      endMs: fetched.sample.endMs,
      aborted: false,
    });
  }
}
