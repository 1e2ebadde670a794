/**
 * The player's media side: a MediaSource on the video element with one SourceBuffer (and one operation
 * queue, src/mse) for video and one for audio; init segments appended on a rendition switch; eviction
 * behind the playhead beyond the back buffer, also on `QuotaExceededError`; end of stream; stall and
 * startup accounting from the element's events on the player's clock.
 *
 * `SessionSinkView` is what one session sees (`MediaSink`): stalls counted from its start, the
 * session's segment indices offset to the presentation's.
 */
import type { Clock } from '../core/clock.js';
import { AbrkitError } from '../core/errors.js';
import type { AppendedSegment, MediaSink } from '../session/types.js';
import { SourceBufferQueue, bufferedAheadMs, evictionRange } from '../mse/source-buffer-queue.js';
import type { PlayerLadder } from './ladder.js';
import type { SegmentPayload } from './fetch-source.js';
import type { MediaSegment } from '../manifest/model.js';
import type { TimelineOffsets, createTimelineOffsets } from './timeline-offsets.js';

export interface MseSinkOptions {
  readonly video: HTMLMediaElement;
  readonly mediaSource: MediaSource;
  readonly ladder: PlayerLadder;
  readonly clock: Clock;
  readonly backBufferMs: number;
  /** A media error nothing can recover from (corrupt segment, unsupported codec), naming the URL. */
  readonly onFatal: (error: AbrkitError) => void;
  /** After each append or removal finished (buffer changed). */
  readonly onBufferChange?: () => void;
  /** Playback started, stalled, resumed. */
  readonly onPlayback?: (event: 'started' | 'stalled' | 'resumed' | 'ended') => void;
  /** For a presentation with discontinuities: places each discontinuity sequence (timeline-offsets.ts). */
  readonly timelineOffsets?: typeof createTimelineOffsets;
}

interface Track {
  readonly queue: SourceBufferQueue;
  /** Init segment URL last queued, null after a reset. */
  initUrl: string | null;
  /** Media queued but not yet appended, ms. */
  pendingMs: number;
  /** MIME type the SourceBuffer was created with or last changed to. */
  mimeType: string;
  /** URLs of the appends queued, oldest (the one the browser is working on) first. */
  readonly urls: string[];
  /** Where each discontinuity sequence goes on the timeline (null: no discontinuities, nothing to place). */
  readonly offsets: TimelineOffsets | null;
  /** The last init segment queued. */
  init: Uint8Array | null;
  /** The `timestampOffset` last queued, s (NaN after a reset: set it again before the next append). */
  timestampOffsetS: number;
  /** Media segments appended (or being appended) with their playlist times, s: who to blame for a decode error. */
  readonly placed: { url: string; startS: number; endS: number }[];
}

/** MSE behind the player. Create it once `sourceopen` fired. */
export class MseSink {
  private readonly videoTrack: Track;
  private readonly audioTrack: Track | null;
  private stalledSinceMs: number | null = null;
  private stallTotalMs = 0;
  private stalls = 0;
  private startedAtMs: number | null = null;
  private ending = false;
  /** The presentation's last video segment was queued (until a seek drops the queue) / appended. */
  private lastQueued = false;
  private lastAppended = false;
  private ignoreWaitingUntilPlaying = false;
  private destroyed = false;
  /** Bumped on reset: appends queued before it must not count. */
  private generation = 0;
  private readonly removeListeners: () => void;

  constructor(private readonly o: MseSinkOptions) {
    const { mediaSource, ladder } = o;
    const onQuotaExceeded = (queue: SourceBufferQueue): Promise<boolean> => this.evictForQuota(queue);
    const first = ladder.renditions[0]!;
    const videoBuffer = mediaSource.addSourceBuffer(first.mimeType);
    this.videoTrack = {
      queue: new SourceBufferQueue(videoBuffer, 'video', { onQuotaExceeded }),
      initUrl: null,
      pendingMs: 0,
      mimeType: first.mimeType,
      urls: [],
      offsets: o.timelineOffsets?.(first.playlist.segments[0]?.discontinuitySequence ?? 0) ?? null,
      init: null,
      timestampOffsetS: 0,
      placed: [],
    };
    this.audioTrack = ladder.audio
      ? {
          queue: new SourceBufferQueue(mediaSource.addSourceBuffer(ladder.audio.mimeType), 'audio', {
            onQuotaExceeded,
          }),
          initUrl: null,
          pendingMs: 0,
          mimeType: ladder.audio.mimeType,
          urls: [],
          offsets: o.timelineOffsets?.(ladder.audio.playlist.segments[0]?.discontinuitySequence ?? 0) ?? null,
          init: null,
          timestampOffsetS: 0,
          placed: [],
        }
      : null;
    if (Number.isFinite(ladder.durationMs) && ladder.durationMs > 0)
      mediaSource.duration = ladder.durationMs / 1000;
    const video = o.video;
    const onPlaying = (): void => this.playing();
    const onWaiting = (): void => this.waiting();
    const onEnded = (): void => {
      this.endStall();
      o.onPlayback?.('ended');
    };
    // the element's own error (decode failure): name the segment the browser was appending, else the one
    // being decoded (the decoder runs a little ahead of the playhead)
    const onError = (): void => {
      if (this.destroyed) return;
      const source = this.videoTrack.urls[0] ?? this.audioTrack?.urls[0] ?? this.segmentAt(video.currentTime);
      const code = video.error?.code ?? 0;
      o.onFatal(
        new AbrkitError(
          'media',
          'MEDIA_ERROR',
          `the media element failed (code ${code}): ${video.error?.message ?? ''}`,
          {
            data: source === undefined ? { mediaErrorCode: code } : { source, mediaErrorCode: code },
          },
        ),
      );
    };
    // Between appends (a slow download, retries) playback moves on: evict by time too, once a second's worth
    // is due, so the back buffer stays within backBufferMs plus about a second whatever the append cadence.
    const onTimeUpdate = (): void => {
      // (an append coming evicts when it completes)
      if (!this.destroyed) for (const t of this.tracks()) if (!t.queue.length) this.evictBehind(t, 1);
    };
    video.addEventListener('playing', onPlaying);
    video.addEventListener('waiting', onWaiting);
    video.addEventListener('timeupdate', onTimeUpdate);
    video.addEventListener('ended', onEnded);
    video.addEventListener('error', onError);
    this.removeListeners = () => {
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('waiting', onWaiting);
      video.removeEventListener('timeupdate', onTimeUpdate);
      video.removeEventListener('ended', onEnded);
      video.removeEventListener('error', onError);
    };
  }

  /** Queues the init segment (on a rendition switch), the video segment and its audio. */
  appendPayload(payload: SegmentPayload): void {
    if (this.destroyed) return;
    this.ending = false;
    const generation = this.generation;
    const v = this.videoTrack;
    if (payload.init && v.initUrl !== payload.init.url) {
      const rendition = this.o.ladder.renditions[payload.renditionIndex];
      if (rendition && rendition.mimeType !== v.mimeType) {
        v.mimeType = rendition.mimeType;
        v.queue.changeType(rendition.mimeType).catch(() => {});
      }
      v.initUrl = payload.init.url;
      v.init = payload.init.bytes;
      this.enqueue(v, payload.init.bytes, payload.init.url, 0, generation);
    }
    const videoSegment =
      this.o.ladder.renditions[payload.renditionIndex]?.playlist.segments[payload.segmentIndex];
    if (videoSegment) this.placeAt(v, videoSegment, payload.video.bytes);
    const last = payload.segmentIndex === this.o.ladder.segmentCount - 1;
    if (last) this.lastQueued = true;
    this.enqueue(
      v,
      payload.video.bytes,
      payload.video.url,
      payload.durationMs,
      generation,
      videoSegment,
      last,
    );
    const a = this.audioTrack;
    if (a) {
      if (payload.audioInit && a.initUrl !== payload.audioInit.url) {
        a.initUrl = payload.audioInit.url;
        a.init = payload.audioInit.bytes;
        this.enqueue(a, payload.audioInit.bytes, payload.audioInit.url, 0, generation);
      }
      for (const segment of payload.audio) {
        const audioSegment =
          segment.index === undefined ? undefined : this.o.ladder.audio?.playlist.segments[segment.index];
        if (audioSegment) this.placeAt(a, audioSegment, segment.bytes);
        this.enqueue(a, segment.bytes, segment.url, segment.durationMs, generation, audioSegment);
      }
    }
  }

  /** Queues a `timestampOffset` change when `segment` starts a discontinuity sequence placed elsewhere. */
  private placeAt(track: Track, segment: MediaSegment, bytes: Uint8Array): void {
    const offsetS = track.offsets?.(segment, bytes, track.init) ?? 0;
    if (offsetS === track.timestampOffsetS) return;
    track.timestampOffsetS = offsetS;
    track.queue.setTimestampOffset(offsetS).catch(() => {
      // cleared by a seek (resetForSeek sets it again) or destroyed
    });
  }

  private enqueue(
    track: Track,
    bytes: Uint8Array,
    url: string,
    durationMs: number,
    generation: number,
    segment?: MediaSegment,
    last = false,
  ): void {
    track.pendingMs += durationMs;
    track.urls.push(url);
    if (segment) {
      const startS = segment.startMs / 1000;
      // keep the last minute or so: enough to find the one being decoded
      if (track.placed.push({ url, startS, endS: startS + segment.durationMs / 1000 }) > 32)
        track.placed.shift();
    }
    const done = (): void => {
      const i = track.urls.indexOf(url);
      if (i >= 0) track.urls.splice(i, 1);
    };
    track.queue.append(bytes as Uint8Array<ArrayBuffer>, url).then(
      () => {
        done();
        if (last) this.lastAppended = true;
        if (generation !== this.generation || this.destroyed) return;
        track.pendingMs = Math.max(0, track.pendingMs - durationMs);
        this.evictBehind(track);
        this.o.onBufferChange?.();
        this.maybeEndOfStream();
      },
      (error: unknown) => {
        done();
        if (generation !== this.generation || this.destroyed) return;
        track.pendingMs = Math.max(0, track.pendingMs - durationMs);
        if (error instanceof AbrkitError && error.code === 'QUEUE_CLEARED') return;
        this.o.onFatal(
          error instanceof AbrkitError
            ? error
            : new AbrkitError('media', 'APPEND_FAILED', String(error), {
                data: { source: url },
                cause: error,
              }),
        );
      },
    );
  }

  /** Media ahead of the playhead, appended or queued, ms (the lower of video and audio). */
  bufferLevelMs(): number {
    const positionS = this.o.video.currentTime;
    const level = (t: Track): number => {
      let ahead = 0;
      try {
        ahead = bufferedAheadMs(t.queue.sourceBuffer.buffered, positionS);
      } catch {
        // the SourceBuffer was removed from its MediaSource (error, destroy)
      }
      return ahead + t.pendingMs;
    };
    const videoMs = level(this.videoTrack);
    return this.audioTrack ? Math.min(videoMs, level(this.audioTrack)) : videoMs;
  }

  /** The buffered ranges of the video SourceBuffer, seconds. */
  bufferedRangesS(): [number, number][] {
    const out: [number, number][] = [];
    try {
      const b = this.videoTrack.queue.sourceBuffer.buffered;
      for (let i = 0; i < b.length; i++) out.push([b.start(i), b.end(i)]);
    } catch {
      // removed SourceBuffer
    }
    return out;
  }

  stallMs(): number {
    return (
      this.stallTotalMs + (this.stalledSinceMs === null ? 0 : this.o.clock.nowMs() - this.stalledSinceMs)
    );
  }

  stallCount(): number {
    return this.stalls;
  }

  started(): boolean {
    return this.startedAtMs !== null;
  }

  /** When playback first started, on the clock, or null. */
  get startedAt(): number | null {
    return this.startedAtMs;
  }

  get stalled(): boolean {
    return this.stalledSinceMs !== null;
  }

  playbackRate(): number {
    return this.o.video.playbackRate || 1;
  }

  setPlaybackRate(rate: number): void {
    this.o.video.playbackRate = rate;
  }

  /**
   * The presentation's last segment was appended: end the MediaSource once the queues drained (its duration
   * then becomes the end of what is buffered, which is the real end). Ignored before that: ending early
   * would shrink the duration to what happens to be buffered.
   */
  endOfStream(): void {
    if (!this.lastQueued && !this.lastAppended) return;
    this.ending = true;
    this.maybeEndOfStream();
  }

  /** True when the last segment is buffered (or queued) and nothing is missing from `positionS` to the end. */
  bufferedToEnd(positionS: number): boolean {
    return (
      (this.lastQueued || this.lastAppended) &&
      positionS * 1000 + this.bufferLevelMs() >= this.o.ladder.durationMs - 100
    );
  }

  /** The URL of the video (else audio) segment whose playlist time covers `positionS` (+ 0.25 s), if known. */
  segmentAt(positionS: number): string | undefined {
    const t = positionS + 0.25;
    for (const track of this.tracks()) {
      for (let i = track.placed.length - 1; i >= 0; i--) {
        const p = track.placed[i]!;
        if (p.startS <= t && t < p.endS) return p.url;
      }
    }
    return undefined;
  }

  /** Seek: drop queued appends, re-append init segments next time, do not count the seek's wait as a stall. */
  resetForSeek(): void {
    this.generation++;
    this.ending = false;
    this.lastQueued = false;
    this.endStall();
    this.ignoreWaitingUntilPlaying = true;
    for (const t of this.tracks()) {
      t.queue.clear('seek');
      t.initUrl = null;
      t.pendingMs = 0;
      t.timestampOffsetS = Number.NaN;
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.generation++;
    this.removeListeners();
    for (const t of this.tracks()) t.queue.destroy();
  }

  private tracks(): Track[] {
    return this.audioTrack ? [this.videoTrack, this.audioTrack] : [this.videoTrack];
  }

  private maybeEndOfStream(): void {
    if (!this.ending || this.destroyed) return;
    const ms = this.o.mediaSource;
    if (ms.readyState !== 'open') return;
    for (const t of this.tracks()) if (t.queue.length > 0 || t.queue.sourceBuffer.updating) return;
    try {
      ms.endOfStream();
    } catch {
      // an append started meanwhile: the next append's completion tries again
    }
  }

  /** Removes media older than the back buffer, when at least `minS` of it is due. */
  private evictBehind(track: Track, minS = 0): void {
    const range = this.safeRange(track, this.o.backBufferMs);
    if (!range || range[1] - range[0] < minS) return;
    track.queue.remove(range[0], range[1]).then(
      () => {
        this.o.onBufferChange?.();
        this.maybeEndOfStream();
      },
      () => {},
    );
  }

  private safeRange(track: Track, keepBehindMs: number): [number, number] | null {
    try {
      return evictionRange(track.queue.sourceBuffer.buffered, this.o.video.currentTime, keepBehindMs);
    } catch {
      return null;
    }
  }

  /** QuotaExceededError: drop all but 2 s behind the playhead; true when something was removed. */
  private async evictForQuota(queue: SourceBufferQueue): Promise<boolean> {
    const track = queue === this.videoTrack.queue ? this.videoTrack : this.audioTrack;
    if (!track) return false;
    const range = this.safeRange(track, Math.min(this.o.backBufferMs, 2000));
    if (!range) return false;
    await queue.remove(range[0], range[1]);
    return true;
  }

  private playing(): void {
    const now = this.o.clock.nowMs();
    this.ignoreWaitingUntilPlaying = false;
    if (this.startedAtMs === null) {
      this.startedAtMs = now;
      this.o.onPlayback?.('started');
      return;
    }
    if (this.stalledSinceMs !== null) {
      this.endStall();
      this.o.onPlayback?.('resumed');
    }
  }

  private waiting(): void {
    if (this.startedAtMs === null || this.ignoreWaitingUntilPlaying || this.o.video.seeking) return;
    if (this.stalledSinceMs !== null) return;
    this.stalledSinceMs = this.o.clock.nowMs();
    this.stalls++;
    this.o.onPlayback?.('stalled');
  }

  private endStall(): void {
    if (this.stalledSinceMs === null) return;
    this.stallTotalMs += this.o.clock.nowMs() - this.stalledSinceMs;
    this.stalledSinceMs = null;
  }
}

/** What one session sees of the sink: its own stall baseline, segment indices offset, payloads looked up. */
export class SessionSinkView implements MediaSink {
  private readonly stallBaseMs: number;
  private readonly stallBaseCount: number;
  /** Set before the player stops the session itself (seek, destroy): its `endOfStream` then means nothing. */
  detached = false;

  constructor(
    private readonly sink: MseSink,
    private readonly takePayload: (
      segmentIndex: number,
      renditionIndex: number,
    ) => SegmentPayload | undefined,
    private readonly segmentOffset: number,
    private readonly endOfStreamAllowed: () => boolean,
  ) {
    this.stallBaseMs = sink.stallMs();
    this.stallBaseCount = sink.stallCount();
  }

  bufferLevelMs(): number {
    return this.sink.bufferLevelMs();
  }

  append(segment: AppendedSegment): void {
    if (this.detached) return;
    const payload = this.takePayload(segment.segmentIndex + this.segmentOffset, segment.renditionIndex);
    if (payload) this.sink.appendPayload(payload);
  }

  stallMs(): number {
    return this.sink.stallMs() - this.stallBaseMs;
  }

  stallCount(): number {
    return this.sink.stallCount() - this.stallBaseCount;
  }

  started(): boolean {
    return this.sink.started();
  }

  playbackRate(): number {
    return this.sink.playbackRate();
  }

  /** The live catch-up (src/session/live.ts) sets the element's rate. */
  setPlaybackRate(rate: number): void {
    if (!this.detached) this.sink.setPlaybackRate(rate);
  }

  endOfStream(): void {
    if (!this.detached && this.endOfStreamAllowed()) this.sink.endOfStream();
  }
}
