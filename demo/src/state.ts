/**
 * What the page knows about the live session: the series the charts draw, the stalls, the running QoE and
 * the event log. Times are seconds since the session started (the player's clock, `performance.now()`).
 * Plain data, updated by main.ts from the player's events; charts and panels only read it.
 */
import type { NetworkTrace } from 'abrkit';
import type { PlayerQoe } from 'abrkit/player';

export interface DecisionPoint {
  readonly tS: number;
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly bitrateKbps: number;
  readonly reason: string;
  readonly bufferLevelMs: number;
  readonly estimateKbps: number;
}

export interface Stall {
  readonly startS: number;
  /** null while the stall lasts. */
  endS: number | null;
}

export type LogKind = 'decision' | 'retry' | 'error' | 'stall' | 'info';

export interface LogEntry {
  readonly tS: number;
  readonly kind: LogKind;
  readonly text: string;
}

/** Buffer samples closer than this are merged (timeupdate fires ~4 times a second), s. */
const BUFFER_SAMPLE_MIN_GAP_S = 0.2;
/** Log entries kept. */
const LOG_LIMIT = 300;

export class LiveSession {
  /** `performance.now()` when the session started, ms. */
  readonly originMs: number;
  readonly bufferTS: number[] = [];
  readonly bufferLevelS: number[] = [];
  /** Per completed video download: its end time and transfer throughput. */
  readonly measuredTS: number[] = [];
  readonly measuredKbps: number[] = [];
  readonly decisions: DecisionPoint[] = [];
  readonly stalls: Stall[] = [];
  readonly log: LogEntry[] = [];
  /** Live only: the player's `latency` events (twice a second): latency, its target and the playback rate. */
  readonly latencyTS: number[] = [];
  readonly latencyS: number[] = [];
  readonly latencyTargetS: number[] = [];
  readonly playbackRate: number[] = [];
  qoe: PlayerQoe | null = null;
  /** Errors the player reported (fatal ones included). */
  errorCount = 0;

  constructor(
    /** The trace the shaping server follows; null for unshaped media. */
    readonly trace: NetworkTrace | null,
    originMs: number,
  ) {
    this.originMs = originMs;
  }

  /** Seconds since the session start for a player-clock time in ms. */
  secondsAt(nowMs: number): number {
    return Math.max(0, (nowMs - this.originMs) / 1000);
  }

  addBuffer(nowMs: number, bufferLevelMs: number): void {
    const tS = this.secondsAt(nowMs);
    const last = this.bufferTS.length - 1;
    if (last >= 0 && tS - this.bufferTS[last]! < BUFFER_SAMPLE_MIN_GAP_S) {
      this.bufferLevelS[last] = bufferLevelMs / 1000;
      return;
    }
    if (last >= 0 && tS < this.bufferTS[last]!) return;
    this.bufferTS.push(tS);
    this.bufferLevelS.push(bufferLevelMs / 1000);
  }

  addMeasured(endMs: number, throughputKbps: number): void {
    const tS = this.secondsAt(endMs);
    // keep x ascending (downloads are reported as they end)
    const last = this.measuredTS.length - 1;
    this.measuredTS.push(last >= 0 ? Math.max(tS, this.measuredTS[last]!) : tS);
    this.measuredKbps.push(throughputKbps);
  }

  addDecision(point: DecisionPoint): void {
    const last = this.decisions[this.decisions.length - 1];
    const tS = last ? Math.max(point.tS, last.tS + 1e-6) : point.tS;
    this.decisions.push({ ...point, tS });
  }

  addLatency(nowMs: number, latencyMs: number, targetLatencyMs: number, playbackRate: number): void {
    const tS = this.secondsAt(nowMs);
    const last = this.latencyTS.length - 1;
    if (last >= 0 && tS < this.latencyTS[last]!) return;
    this.latencyTS.push(tS);
    this.latencyS.push(latencyMs / 1000);
    this.latencyTargetS.push(targetLatencyMs / 1000);
    this.playbackRate.push(playbackRate);
  }

  /** Mean of the latency samples, ms; null before the first. */
  meanLatencyMs(): number | null {
    if (this.latencyS.length === 0) return null;
    return (this.latencyS.reduce((sum, s) => sum + s, 0) / this.latencyS.length) * 1000;
  }

  stallStarted(nowMs: number): void {
    const open = this.stalls[this.stalls.length - 1];
    if (open && open.endS === null) return;
    this.stalls.push({ startS: this.secondsAt(nowMs), endS: null });
  }

  stallEnded(nowMs: number): void {
    const open = this.stalls[this.stalls.length - 1];
    if (open && open.endS === null) open.endS = this.secondsAt(nowMs);
  }

  addLog(nowMs: number, kind: LogKind, text: string): LogEntry {
    const entry = { tS: this.secondsAt(nowMs), kind, text };
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    return entry;
  }

  /** The trace's bandwidth at `tS` (the last period holds), kbps; null without a trace. */
  traceKbpsAt(tS: number): number | null {
    const periods = this.trace?.periods ?? [];
    let endS = 0;
    for (const period of periods) {
      endS += period.durationMs / 1000;
      if (tS < endS) return period.bandwidthKbps;
    }
    return periods[periods.length - 1]?.bandwidthKbps ?? null;
  }

  /** Measured dots above the trace's bandwidth at their time by more than `tolerance` (1.1: 10%). */
  measuredAboveTrace(tolerance = 1.1): number {
    let n = 0;
    for (let i = 0; i < this.measuredTS.length; i++) {
      const cap = this.traceKbpsAt(this.measuredTS[i]!);
      if (cap !== null && this.measuredKbps[i]! > cap * tolerance) n++;
    }
    return n;
  }

  /** The trace's bandwidth as step points from 0 to `untilS` (what the shaping server allows). */
  traceSteps(untilS: number): { tS: number[]; kbps: number[] } {
    const tS: number[] = [];
    const kbps: number[] = [];
    if (!this.trace || this.trace.periods.length === 0) return { tS, kbps };
    let startS = 0;
    let last = this.trace.periods[0]!.bandwidthKbps;
    for (const period of this.trace.periods) {
      if (startS > untilS) break;
      tS.push(startS);
      kbps.push(period.bandwidthKbps);
      last = period.bandwidthKbps;
      startS += period.durationMs / 1000;
    }
    // the last period holds
    if (untilS > (tS[tS.length - 1] ?? 0)) {
      tS.push(untilS);
      kbps.push(last);
    }
    return { tS, kbps };
  }
}
