/**
 * Session recording, so a real session can be replayed in the simulator: the per-segment log in the
 * simulator's JSONL schema (`SegmentRecord`, src/core/types.ts), the running QoE, and the observed
 * throughput as a network trace (Sabre network JSON, laid out by src/traces/sabre-format.ts).
 *
 * The trace is built from the video downloads the estimators saw by `traceFromSamples` (src/traces/samples.ts,
 * also used by `abrkit trace from-session`). The trace's length is the session's.
 */
import type { DownloadSample, SegmentRecord } from '../core/types.js';
import type { NetworkTrace } from '../traces/model.js';
import { traceFromSamples } from '../traces/samples.js';
import { formatSabrePeriods } from '../traces/sabre-format.js';

export { traceFromSamples };

/** The running QoE of a session, as `qoe$` reports it. */
export interface PlayerQoe {
  /** Segments played (appended) so far. */
  readonly segments: number;
  /** Mean bitrate of those segments, kbps. */
  readonly avgBitrateKbps: number;
  /** Rendition changes between consecutive segments. */
  readonly switches: number;
  readonly stallCount: number;
  readonly stallMs: number;
  /** From `load()` to the first frame playing, ms; null before. */
  readonly startupMs: number | null;
  /** Sum of the per-segment QoE terms (the player's `qoeModel`). */
  readonly qoe: number;
}

/** What `player.exportSession()` returns. */
export interface SessionExport {
  /** The per-segment log, in the order segments arrived (segment indices are the presentation's). */
  readonly records: readonly SegmentRecord[];
  /** The same, one JSON object a line: the simulator's JSONL. */
  readonly jsonl: string;
  /** The observed throughput as a trace (see the file comment). */
  readonly trace: NetworkTrace;
  /** `trace` as Sabre network JSON (`[{duration_ms, bandwidth_kbps, latency_ms}, ...]`). */
  readonly sabreTraceJson: string;
  readonly qoe: PlayerQoe;
}

/** Collects records, samples and playback facts of one `load()`, across seeks. */
export class SessionRecorder {
  private readonly out: SegmentRecord[] = [];
  private readonly samples: DownloadSample[] = [];
  private switchCount = 0;
  private bitrateSum = 0;
  private qoeSum = 0;
  private lastRendition: number | null = null;

  addRecord(record: SegmentRecord): void {
    this.out.push(record);
    this.bitrateSum += record.bitrateKbps;
    this.qoeSum += record.qoe;
    if (this.lastRendition !== null && this.lastRendition !== record.rendition) this.switchCount++;
    this.lastRendition = record.rendition;
  }

  /** A completed video download the estimators saw. */
  addSample(sample: DownloadSample): void {
    if (!sample.aborted) this.samples.push(sample);
  }

  get records(): readonly SegmentRecord[] {
    return this.out;
  }

  qoe(stallCount: number, stallMs: number, startupMs: number | null): PlayerQoe {
    const n = this.out.length;
    return {
      segments: n,
      avgBitrateKbps: n > 0 ? this.bitrateSum / n : 0,
      switches: this.switchCount,
      stallCount,
      stallMs,
      startupMs,
      qoe: this.qoeSum,
    };
  }

  export(qoe: PlayerQoe, name?: string): SessionExport {
    const trace = traceFromSamples(this.samples, name);
    return {
      records: [...this.out],
      jsonl: this.out.map((r) => JSON.stringify(r)).join('\n') + (this.out.length > 0 ? '\n' : ''),
      trace,
      sabreTraceJson: trace.periods.length > 0 ? formatSabrePeriods(trace.periods) : '[]\n',
      qoe,
    };
  }
}
