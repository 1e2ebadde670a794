/**
 * Metrics of one head-to-head run, from what the page saw (page-entry.ts) and the shaping server's request
 * log, with the same definitions for every contender:
 *
 * - startupMs: from the load call (`hls.loadSource` / `player.load`) to the first `playing` event.
 * - firstFrameMs: from the load call to the first animation frame (or 200 ms sample) with `currentTime > 0`.
 * - played rendition of segment i: the rendition whose height (`videoHeight`) was on screen in most samples
 *   with the playhead in [i·d, (i+1)·d) (samples every 200 ms and at each `resize`); segments with no sample
 *   (not reached before a timeout) are not played.
 * - bitrateKbpsMean: mean over played segments of the rendition's AVERAGE-BANDWIDTH (master playlist, kbps).
 * - stalls: `waiting` after the first `playing` until the next `playing` (the initial load excluded; a stall
 *   open at the end of the run is closed there); stallCount and stallMs (total).
 * - switches: played segments whose rendition differs from the previous played segment's.
 * - qoeLin: Pensieve's QoE_lin through src/qoe: the sum over played segments of bitrate Mbps − 4.3 · rebuffer
 *   s − |Δbitrate| Mbps, each stall charged to the segment at the playhead when it began, the first segment
 *   with no switch term; qoeLinWithStartup also charges the startup time as rebuffering (as Pensieve's
 *   simulator does for its first chunk).
 * - droppedFrames / totalFrames: `getVideoPlaybackQuality()` at the end.
 * - mediaBytes: video segment bytes the server sent; wastedBytes: those of downloads not played (another
 *   rendition of a played segment, or cut short); segments past the end of the measured part are left out.
 */
import type { SegmentRecord } from '../../src/core/types.js';
import { createQoeModel } from '../../src/qoe/index.js';
import type { RequestLogEntry } from '../../src/shaping/index.js';
import type { PageRun } from './page-entry.js';

/** One rendition of the ladder as the bench sees it. */
export interface LadderRung {
  readonly name: string;
  readonly heightPx: number;
  /** AVERAGE-BANDWIDTH / 1000 (BANDWIDTH when absent). */
  readonly bitrateKbps: number;
}

export interface RunMetrics {
  readonly startupMs: number | null;
  readonly firstFrameMs: number | null;
  readonly playedSegments: number;
  readonly bitrateKbpsMean: number;
  readonly stallCount: number;
  readonly stallMs: number;
  readonly switches: number;
  readonly qoeLin: number;
  readonly qoeLinWithStartup: number;
  readonly droppedFrames: number | null;
  readonly totalFrames: number | null;
  readonly mediaBytes: number;
  readonly wastedBytes: number;
  readonly ended: boolean;
  /** From the load call to `ended` (or to the end of the run), ms. */
  readonly sessionMs: number;
}

const QOE_REBUFFER_PENALTY_LIN = 4.3;
const SEGMENT_URL = /\/([^/]+)\/seg_(\d+)\.m4s$/;

/** Per played segment: the record the simulator's report draws, from the page's samples and the server log. */
export function playedSegments(
  run: PageRun,
  ladder: readonly LadderRung[],
  segmentDurationS: number,
  segmentCount: number,
  requests: readonly RequestLogEntry[],
): SegmentRecord[] {
  const byHeight = new Map(ladder.map((r, i) => [r.heightPx, i]));
  const votes: Map<number, number>[] = Array.from({ length: segmentCount }, () => new Map<number, number>());
  const bufferAtStart: (number | undefined)[] = new Array<number | undefined>(segmentCount);
  for (const s of run.samples) {
    const rendition = byHeight.get(s.height);
    if (rendition === undefined) continue;
    let segment = Math.floor(s.timeS / segmentDurationS + 1e-6);
    // the playhead rests at the very end of the last segment once it has ended
    if (segment === segmentCount && s.timeS - segmentCount * segmentDurationS < 0.05) segment--;
    if (segment < 0 || segment >= segmentCount) continue;
    const v = votes[segment] as Map<number, number>;
    v.set(rendition, (v.get(rendition) ?? 0) + 1);
    bufferAtStart[segment] ??= s.bufferAheadS * 1000;
  }
  const downloads = lastDownloads(requests);
  const rebufferBySegment = new Array<number>(segmentCount).fill(0);
  for (const stall of run.stalls) {
    const segment = Math.max(0, Math.min(segmentCount - 1, Math.floor(stall.atTimeS / segmentDurationS)));
    rebufferBySegment[segment] = (rebufferBySegment[segment] ?? 0) + stallMs(stall, run);
  }
  const qoe = createQoeModel(
    { name: 'lin', rebufferPenalty: QOE_REBUFFER_PENALTY_LIN },
    ladder.map((r) => r.bitrateKbps),
  );
  const records: SegmentRecord[] = [];
  let prev: { bitrateKbps: number; rendition: number } | null = null;
  for (let segment = 0; segment < segmentCount; segment++) {
    const v = votes[segment] as Map<number, number>;
    if (v.size === 0) continue;
    let rendition = -1;
    let best = -1;
    for (const [r, n] of v) if (n > best || (n === best && r > rendition)) [rendition, best] = [r, n];
    const rung = ladder[rendition] as LadderRung;
    const download = downloads.get(`${rung.name}/${segment}`);
    const rebufferMs = rebufferBySegment[segment] ?? 0;
    records.push({
      segment,
      rendition,
      bitrateKbps: rung.bitrateKbps,
      sizeBytes: download?.bytes ?? 0,
      downloadMs: download ? download.endMs - download.startMs : 0,
      rebufferMs,
      bufferMs: bufferAtStart[segment] ?? 0,
      qoe: qoe.term({
        bitrateKbps: rung.bitrateKbps,
        prevBitrateKbps: prev?.bitrateKbps ?? rung.bitrateKbps,
        prevRenditionIndex: prev?.rendition ?? rendition,
        renditionIndex: rendition,
        rebufferMs,
      }),
    });
    prev = { bitrateKbps: rung.bitrateKbps, rendition };
  }
  return records;
}

/** The run's metrics (see the file comment for the definitions). */
export function runMetrics(
  run: PageRun,
  records: readonly SegmentRecord[],
  requests: readonly RequestLogEntry[],
  ladder: readonly LadderRung[],
  segmentCount: number,
): RunMetrics {
  let switches = 0;
  let qoeLin = 0;
  let bitrateSum = 0;
  records.forEach((r, i) => {
    qoeLin += r.qoe;
    bitrateSum += r.bitrateKbps;
    if (i > 0 && r.rendition !== records[i - 1]?.rendition) switches++;
  });
  const played = new Set(records.map((r) => `${ladder[r.rendition]?.name ?? ''}/${r.segment}`));
  let mediaBytes = 0;
  let wastedBytes = 0;
  const counted = new Set<string>();
  // the last complete download of a played (rendition, segment) is the one played; every other is waste
  for (let i = requests.length - 1; i >= 0; i--) {
    const req = requests[i] as RequestLogEntry;
    const key = segmentKey(req.url);
    if (key === null || Number(key.split('/')[1]) >= segmentCount) continue;
    mediaBytes += req.bytes;
    if (played.has(key) && !req.aborted && req.status === 200 && !counted.has(key)) counted.add(key);
    else wastedBytes += req.bytes;
  }
  const stallTotalMs = run.stalls.reduce((sum, s) => sum + stallMs(s, run), 0);
  const lastMs = run.samples.at(-1)?.ms ?? 0;
  const startupS = (run.firstPlayingMs ?? lastMs) / 1000;
  return {
    startupMs: run.firstPlayingMs,
    firstFrameMs: run.firstFrameMs,
    playedSegments: records.length,
    bitrateKbpsMean: records.length > 0 ? bitrateSum / records.length : 0,
    stallCount: run.stalls.length,
    stallMs: stallTotalMs,
    switches,
    qoeLin,
    qoeLinWithStartup: qoeLin - QOE_REBUFFER_PENALTY_LIN * startupS,
    droppedFrames: run.droppedFrames,
    totalFrames: run.totalFrames,
    mediaBytes,
    wastedBytes,
    ended: run.ended,
    sessionMs: run.endedMs ?? lastMs,
  };
}

function stallMs(stall: PageRun['stalls'][number], run: PageRun): number {
  const end = stall.endMs ?? run.samples.at(-1)?.ms ?? stall.startMs;
  return Math.max(0, end - stall.startMs);
}

/** `<rendition>/<segment>` of a media segment URL, or null for playlists, init segments and audio. */
function segmentKey(url: string): string | null {
  const m = SEGMENT_URL.exec(new URL(url, 'http://x').pathname);
  if (!m || m[1] === 'audio') return null;
  return `${m[1]}/${Number(m[2])}`;
}

/** The last complete 200 download of each `<rendition>/<segment>`. */
function lastDownloads(requests: readonly RequestLogEntry[]): Map<string, RequestLogEntry> {
  const out = new Map<string, RequestLogEntry>();
  for (const req of requests) {
    const key = segmentKey(req.url);
    if (key !== null && req.status === 200 && !req.aborted) out.set(key, req);
  }
  return out;
}
