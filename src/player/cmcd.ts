/**
 * The player's CMCD reporter (CTA-5004 v1), a chunk `load()` fetches only when the `cmcd` option is set. For
 * each request the segment source makes, it gathers what the player knows at that moment and hands back the
 * URL (query mode) or the headers (header mode) to send:
 *
 * - session: sid, cid, sf (`h` for HLS, `d` for DASH), st=v (VOD), pr (the element's rate, when not 1);
 * - object: ot (v, a or i), d (the segment's duration), br (the rendition's peak bitrate, BANDWIDTH, as the
 *   spec prefers it over the average) and tb (the peak bitrate of the highest rendition the player may choose
 *   now: maxRendition, the element-size cap), for video; audio has no bitrate in the ladder, so no br;
 * - request: bl (the buffer ahead of the playhead), dl (bl / playback rate: when the object's first sample is
 *   needed), mtp (the throughput estimate the ABR algorithm decides with, as the spec asks), su (until playback
 *   starts, after a seek and while stalled), nor / nrr (the next segment of the same rendition or track, as a
 *   path relative to this request, or the byte range of the same resource);
 * - status: bs (a stall happened since the previous request for that media type), rtp (5 × br, the safety
 *   factor hls.js and dash.js use: a CDN may pace the object that fast and no faster).
 */
import { cmcdHeaders, cmcdUrl, type CmcdData } from '../core/cmcd.js';
import type { MediaSegment } from '../manifest/model.js';
import type { ResolvedCmcdOptions } from '../core/cmcd-options.js';
import type { DownloadRecord } from './fetch-source.js';
import type { PlayerLadder } from './ladder.js';

/** `rtp` = this × the object's bitrate (hls.js `cmcd.rtpSafetyFactor` and dash.js `rtpSafetyFactor` default 5). */
export const RTP_SAFETY_FACTOR = 5;

/** One request as the segment source describes it. */
export interface CmcdRequestInfo {
  readonly url: string;
  readonly kind: DownloadRecord['kind'];
  readonly renditionIndex: number;
  /** The media segment (none for init segments). */
  readonly segment?: MediaSegment;
  /** The segment after it in the same playlist, if any. */
  readonly next?: MediaSegment;
}

/** What to send instead of the bare request: the URL to fetch and the headers to add. */
export interface CmcdRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The player's state at the time of a request. */
export interface CmcdPlayerView {
  readonly ladder: PlayerLadder;
  /** `d` for an MPD, `h` for HLS. */
  readonly format: 'd' | 'h';
  bufferLevelMs(): number;
  throughputKbps(): number;
  /** Startup, seek or stall: the object is needed urgently. */
  urgent(): boolean;
  playbackRate(): number;
  /** Highest rendition index the algorithm may choose now. */
  maxRendition(): number;
}

/** `to` as a path relative to `from` (absolute URLs, or paths from the same origin); `to` itself on another origin. */
export function relativePath(from: string, to: string): string {
  const a = new URL(from, 'http://_/');
  const b = new URL(to, a);
  if (a.origin !== b.origin) return b.href;
  const fromDirs = a.pathname.split('/').slice(0, -1);
  const toParts = b.pathname.split('/');
  let common = 0;
  while (common < fromDirs.length && common < toParts.length - 1 && fromDirs[common] === toParts[common])
    common++;
  const up = fromDirs.length - common;
  return `${'../'.repeat(up)}${toParts.slice(common).join('/')}${b.search}`;
}

/** A version 4 UUID: `crypto.randomUUID()` where there is one (secure contexts), else from `Math.random`. */
export function randomUuid(random: () => number = Math.random): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (ch) => {
    const n = Math.floor(random() * 16);
    return (ch === 'x' ? n : (n & 3) | 8).toString(16);
  });
}

export class CmcdReporter {
  /** A stall since the last request of that media type (video, audio). */
  private readonly starved = { v: false, a: false };
  /** The session id: the option's, else a random UUID for this reporter (one `load()`). */
  readonly sessionId: string;

  constructor(
    private readonly options: ResolvedCmcdOptions,
    private readonly view: CmcdPlayerView,
  ) {
    this.sessionId = options.sessionId ?? randomUuid();
  }

  /** The player saw the buffer run dry. */
  onStall(): void {
    this.starved.v = true;
    this.starved.a = true;
  }

  /** The data of one request (exposed for tests). */
  data(info: CmcdRequestInfo): CmcdData {
    const v = this.view;
    const rate = v.playbackRate();
    const ot = info.kind === 'video' ? 'v' : info.kind === 'audio' ? 'a' : 'i';
    const peak = (i: number): number | undefined => {
      const r = v.ladder.renditions[i];
      return r ? (r.peakBitrateKbps ?? r.bitrateKbps) : undefined;
    };
    const data: {
      -readonly [K in keyof CmcdData]: CmcdData[K];
    } = {
      sid: this.sessionId,
      sf: v.format,
      st: 'v',
      ot,
      mtp: v.throughputKbps(),
      su: v.urgent(),
    };
    if (this.options.contentId !== null) data.cid = this.options.contentId;
    if (rate !== 1 && rate >= 0) data.pr = rate;
    if (ot === 'i') return data;
    const bufferMs = v.bufferLevelMs();
    data.bl = bufferMs;
    // the deadline has no meaning when the element is not playing forward
    if (rate > 0) data.dl = bufferMs / rate;
    if (info.segment) data.d = info.segment.durationMs;
    if (ot === 'v') {
      data.br = peak(info.renditionIndex);
      data.tb = peak(v.maxRendition());
      if (data.br !== undefined) data.rtp = data.br * RTP_SAFETY_FACTOR;
    }
    if (this.starved[ot]) {
      data.bs = true;
      this.starved[ot] = false;
    }
    const next = info.next;
    if (next) {
      if (next.uri !== info.url) data.nor = relativePath(info.url, next.uri);
      if (next.byteRange) {
        const { offsetBytes, lengthBytes } = next.byteRange;
        data.nrr = `${offsetBytes}-${offsetBytes + lengthBytes - 1}`;
      }
    }
    return data;
  }

  /** The request to make for `info`: its URL with `CMCD=` (query mode) or CMCD-* headers (header mode). */
  readonly decorate = (info: CmcdRequestInfo): CmcdRequest => {
    const data = this.data(info);
    return this.options.mode === 'query'
      ? { url: cmcdUrl(info.url, data), headers: {} }
      : { url: info.url, headers: cmcdHeaders(data) };
  };
}
