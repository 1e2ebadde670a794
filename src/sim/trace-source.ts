/**
 * The simulator's `SegmentSource`: downloads replayed on a network model and scheduled on the clock.
 * With progress wanted, progress is reported at the earliest time at least `progressMinMs` after the last
 * report (the request at first) AND `progressMinBytes` after its bytes: Sabre's `min_progress_time` 50 ms /
 * `min_progress_size` 12000 bits rule, or hls.js's 100 ms abandonment tick with no byte minimum.
 * One download at a time (the loop's way); no closure is created per download.
 */
import type { Clock } from '../core/clock.js';
import { AbrkitError } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';
import type { LoadCallbacks, LoadHandle, SegmentRequest, SegmentSource } from '../session/types.js';
import type { NetworkModel, TransferPlan } from './network/types.js';

export interface TraceSourceOptions {
  /** Default 50 ms (Sabre). */
  readonly progressMinMs?: number;
  /** Default 1500 bytes (Sabre's 12000 bits). */
  readonly progressMinBytes?: number;
}

export class TraceSource implements SegmentSource, LoadHandle {
  private readonly minMs: number;
  private readonly minBytes: number;
  private readonly onTimer: () => void;
  // the download in flight
  private plan: TransferPlan | null = null;
  private callbacks: LoadCallbacks | null = null;
  private sizeBytes = 0;
  private cancel: (() => void) | null = null;
  private progressAtMs = 0;
  private lastMs = 0;
  private lastBytes = 0;
  private progressDue = false;

  constructor(
    private readonly clock: Clock,
    private readonly network: NetworkModel,
    options: TraceSourceOptions = {},
  ) {
    this.minMs = options.progressMinMs ?? 50;
    this.minBytes = options.progressMinBytes ?? 1500;
    if (!(this.minMs > 0) && !(this.minBytes > 0)) {
      throw new AbrkitError('config', 'PROGRESS_NEVER_ENDS', 'progressMinMs or progressMinBytes must be > 0');
    }
    this.onTimer = () => this.fire();
  }

  load(request: SegmentRequest, callbacks: LoadCallbacks, wantProgress: boolean): LoadHandle {
    const size = request.sizeBytes;
    if (size === null || !(size >= 0)) {
      throw new AbrkitError(
        'video',
        'SEGMENT_SIZE_UNKNOWN',
        `the simulator needs the size of segment ${request.segmentIndex} at rendition ${request.renditionIndex}`,
        { data: { segmentIndex: request.segmentIndex, renditionIndex: request.renditionIndex } },
      );
    }
    if (this.plan !== null)
      throw new AbrkitError('internal', 'SOURCE_BUSY', 'TraceSource downloads one segment at a time');
    const startMs = this.clock.nowMs();
    this.plan = this.network.begin(startMs, size);
    this.callbacks = callbacks;
    this.sizeBytes = size;
    this.lastMs = startMs;
    this.lastBytes = 0;
    if (wantProgress && size > 0) this.schedule();
    else {
      this.progressDue = false;
      this.cancel = this.clock.setTimer(this.onTimer, this.plan.endMs - startMs);
    }
    return this;
  }

  /** Next timer: a progress point, or the end. */
  private schedule(): void {
    const plan = this.plan!;
    const atMs = Math.max(this.lastMs + this.minMs, plan.timeAtBytes(this.lastBytes + this.minBytes));
    this.progressDue = atMs < plan.endMs;
    this.progressAtMs = atMs;
    this.cancel = this.clock.setTimer(
      this.onTimer,
      (this.progressDue ? atMs : plan.endMs) - this.clock.nowMs(),
    );
  }

  private fire(): void {
    const plan = this.plan;
    const callbacks = this.callbacks;
    if (plan === null || callbacks === null) return;
    this.cancel = null;
    if (!this.progressDue) {
      this.plan = null;
      this.callbacks = null;
      this.network.end(plan, plan.endMs);
      const sample: DownloadSample = {
        startMs: plan.startMs,
        firstByteMs: plan.firstByteMs,
        endMs: plan.endMs,
        sizeBytes: this.sizeBytes,
      };
      callbacks.onComplete(sample);
      return;
    }
    const atMs = this.progressAtMs;
    this.lastMs = atMs;
    this.lastBytes = plan.loadedBytesAt(atMs);
    callbacks.onProgress({
      firstByteMs: atMs >= plan.firstByteMs ? plan.firstByteMs : null,
      nowMs: atMs,
      loadedBytes: this.lastBytes,
      totalBytes: this.sizeBytes,
    });
    if (this.plan === plan) this.schedule(); // not aborted by the progress callback
  }

  /** Aborts the download in flight (the `LoadHandle` returned by `load`). */
  abort(): DownloadSample {
    const plan = this.plan;
    if (plan === null) throw new AbrkitError('internal', 'ABORT_AFTER_END', 'no download in flight');
    const nowMs = this.clock.nowMs();
    this.cancel?.();
    this.cancel = null;
    this.plan = null;
    this.callbacks = null;
    this.network.end(plan, nowMs);
    return {
      startMs: plan.startMs,
      firstByteMs: Math.min(plan.firstByteMs, nowMs),
      endMs: nowMs,
      sizeBytes: plan.loadedBytesAt(nowMs),
      aborted: true,
    };
  }
}
