/**
 * The simulator comparison's page side: owns the Web Worker, sends it the live session's trace and the
 * fixture's VideoDescription, and renders the rows next to the live session's (and a loaded recording's).
 */
import type { AbrOptions, NetworkTrace, VideoDescription } from 'abrkit';
import type { PlayerQoe } from 'abrkit/player';
import type { CompareRequest, CompareResponse, CompareRow } from './compare-protocol.js';

export interface LiveRow {
  readonly label: string;
  readonly qoe: number;
  readonly meanBitrateKbps: number;
  readonly stallCount: number;
  readonly stallMs: number;
  readonly switches: number;
  readonly startupMs: number | null;
  readonly segments: number;
  /** Live: the mean latency so far, ms. */
  readonly meanLatencyMs?: number | null;
}

/** A player's QoE (live, or of a recorded session) as a row beside the simulated ones. */
export function rowOfPlayerQoe(label: string, q: PlayerQoe, meanLatencyMs?: number | null): LiveRow {
  return {
    ...(meanLatencyMs === undefined ? {} : { meanLatencyMs }),
    label,
    qoe: q.qoe,
    meanBitrateKbps: q.avgBitrateKbps,
    stallCount: q.stallCount,
    stallMs: q.stallMs,
    switches: q.switches,
    startupMs: q.startupMs,
    segments: q.segments,
  };
}

export class SimulatorComparison {
  private worker: Worker | null = null;
  private nextId = 1;
  private pendingId = 0;
  private rows: readonly CompareRow[] = [];
  private live: LiveRow | null = null;
  private recorded: LiveRow | null = null;
  private note = '';
  /** Live comparison: a latency column, and why `optimal` is missing. */
  private liveMode = false;

  constructor(
    private readonly table: HTMLTableElement,
    private readonly onError: (message: string) => void,
  ) {
    this.render();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./sim.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<CompareResponse>) => {
      const response = event.data;
      if (response.requestId !== this.pendingId) return;
      this.pendingId = 0;
      if (response.error) {
        this.note = `The simulator failed: ${response.error}`;
        this.onError(this.note);
      } else {
        this.note = '';
      }
      this.rows = response.rows;
      for (const row of response.rows) {
        if (row.error) this.onError(`simulator, ${row.algorithm}: ${row.error}`);
      }
      this.render();
    };
    worker.onerror = (event) => {
      this.pendingId = 0;
      this.note = `The simulator worker failed: ${event.message}`;
      this.onError(this.note);
      this.render();
    };
    this.worker = worker;
    return worker;
  }

  /** Starts a comparison (a newer one supersedes an unfinished one). */
  run(
    video: VideoDescription,
    trace: NetworkTrace,
    bufferTargetMs: number,
    runs: readonly { algorithm: string; options: AbrOptions }[],
    live?: { readonly targetLatencyMs: number },
  ): void {
    const requestId = this.nextId++;
    this.pendingId = requestId;
    this.rows = [];
    this.liveMode = live !== undefined;
    this.note = `Simulating ${runs.length} algorithms on '${trace.name}'${live ? ` live, latency target ${live.targetLatencyMs / 1000} s` : ''}…`;
    this.render();
    const request: CompareRequest = {
      requestId,
      video,
      trace,
      bufferTargetMs,
      runs,
      ...(live ? { live } : {}),
    };
    this.ensureWorker().postMessage(request);
  }

  /** Says why no comparison can run (no segment sizes, no trace). */
  unavailable(reason: string): void {
    this.pendingId = 0;
    this.rows = [];
    this.liveMode = false;
    this.note = reason;
    this.render();
  }

  setLive(row: LiveRow | null): void {
    this.live = row;
    this.render();
  }

  setRecorded(row: LiveRow | null): void {
    this.recorded = row;
    this.render();
  }

  /** Simulated rows so far (for the test hook). */
  results(): readonly CompareRow[] {
    return this.rows;
  }

  get busy(): boolean {
    return this.pendingId !== 0;
  }

  private render(): void {
    const t = this.table;
    t.replaceChildren();
    const caption = t.createCaption();
    caption.textContent = this.note;
    caption.hidden = this.note === '';
    const live = this.liveMode || this.live?.meanLatencyMs != null;
    const head = t.createTHead().insertRow();
    for (const title of [
      'session',
      'QoE_lin',
      'mean bitrate (kbps)',
      'stalls',
      'stall time (s)',
      'switches',
      'startup (s)',
      'segments',
      ...(live ? ['mean latency (s)'] : []),
    ]) {
      const th = document.createElement('th');
      th.textContent = title;
      head.append(th);
    }
    const body = t.createTBody();
    const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
    const latency = (ms: number | null | undefined): string[] =>
      live ? [ms === null || ms === undefined ? '–' : fmt(ms / 1000, 1)] : [];
    const columns = live ? 9 : 8;
    const add = (cells: string[], className?: string): void => {
      const tr = body.insertRow();
      if (className) tr.className = className;
      for (const text of cells) tr.insertCell().textContent = text;
    };
    for (const [row, className] of [
      [this.live, 'live'],
      [this.recorded, 'recorded'],
    ] as const) {
      if (!row) continue;
      add(
        [
          row.label,
          fmt(row.qoe, 2),
          fmt(row.meanBitrateKbps, 0),
          String(row.stallCount),
          fmt(row.stallMs / 1000, 1),
          String(row.switches),
          row.startupMs === null ? '–' : fmt(row.startupMs / 1000, 2),
          String(row.segments),
          ...latency(row.meanLatencyMs),
        ],
        className,
      );
    }
    const foot = t.createTFoot();
    const footNote = (text: string): void => {
      const note = foot.insertRow().insertCell();
      note.colSpan = columns;
      note.className = 'note';
      note.textContent = text;
    };
    if (this.live)
      footNote(
        this.liveMode
          ? "This session's row is partial: it counts the segments played so far, while each simulated row plays the whole looped stream."
          : "This session's row is partial: it counts the segments played so far, while each simulated row is the whole video.",
      );
    if (this.liveMode)
      footNote(
        'Simulated live (abrkit sim --live): the video looped from the segment the player joined at, the same latency target, catch-up 1.0-1.1×. optimal, the offline upper bound, plans VOD sessions only, so it is not listed.',
      );
    const rank = (r: CompareRow): number => (Number.isFinite(r.qoe) ? r.qoe : -Infinity);
    const sorted = [...this.rows].sort((a, b) => rank(b) - rank(a));
    for (const row of sorted) {
      add(
        row.error
          ? [`sim: ${row.algorithm}`, 'failed', row.error, '', '', '', '', '', ...(live ? [''] : [])]
          : [
              `sim: ${row.algorithm}${row.algorithm === 'optimal' ? ' (upper bound)' : ''}`,
              fmt(row.qoe, 2),
              fmt(row.meanBitrateKbps, 0),
              String(row.stallCount),
              fmt(row.stallMs / 1000, 1),
              String(row.switches),
              fmt(row.startupMs / 1000, 2),
              String(row.segments),
              ...latency(row.meanLatencyMs),
            ],
      );
    }
  }

  destroy(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
