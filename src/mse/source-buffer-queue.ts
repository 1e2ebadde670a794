import { AbrkitError } from '../core/errors.js';

/**
 * One operation queue per SourceBuffer: MSE allows a single append or remove at a time per buffer, so
 * operations wait for `updateend` of the previous one. On `QuotaExceededError` the queue asks its owner
 * to free space (evict behind the playhead) and retries the append, instead of failing playback.
 */

/** The part of `SourceBuffer` the queue uses (so tests can drive it with a fake). */
export interface SourceBufferLike extends EventTarget {
  readonly updating: boolean;
  readonly buffered: TimeRanges;
  mode: AppendMode;
  timestampOffset: number;
  appendBuffer(data: BufferSource): void;
  remove(startS: number, endS: number): void;
  changeType?(type: string): void;
  abort(): void;
}

type Operation =
  | { kind: 'append'; data: BufferSource; source: string }
  | { kind: 'remove'; startS: number; endS: number }
  | { kind: 'changeType'; mimeType: string }
  | { kind: 'timestampOffset'; offsetS: number };

interface Pending {
  readonly op: Operation;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  quotaRetries: number;
}

export interface SourceBufferQueueOptions {
  /** Frees buffer space after a QuotaExceededError; resolves to true if anything was removed. */
  readonly onQuotaExceeded?: (queue: SourceBufferQueue) => Promise<boolean>;
  /** How many times one append is retried after freeing space. */
  readonly maxQuotaRetries?: number;
}

export class SourceBufferQueue {
  private readonly pending: Pending[] = [];
  private current: Pending | null = null;
  private destroyed = false;

  constructor(
    readonly sourceBuffer: SourceBufferLike,
    readonly kind: 'video' | 'audio',
    private readonly options: SourceBufferQueueOptions = {},
  ) {
    sourceBuffer.addEventListener('updateend', this.onUpdateEnd);
    sourceBuffer.addEventListener('error', this.onError);
  }

  /** Appends bytes (an init or media segment); `source` is the URL, for error messages. */
  append(data: BufferSource, source: string): Promise<void> {
    return this.enqueue({ kind: 'append', data, source });
  }

  remove(startS: number, endS: number): Promise<void> {
    if (!(endS > startS)) return Promise.resolve();
    return this.enqueue({ kind: 'remove', startS, endS });
  }

  /** Switches codec (e.g. on a rendition switch to another codec) where the browser supports it. */
  changeType(mimeType: string): Promise<void> {
    return this.enqueue({ kind: 'changeType', mimeType });
  }

  /**
   * Sets `timestampOffset` (s) between appends (it cannot change while the buffer is updating): the media
   * appended after it is shifted by `offsetS` (a discontinuity, see src/player/timeline-offsets.ts).
   */
  setTimestampOffset(offsetS: number): Promise<void> {
    return this.enqueue({ kind: 'timestampOffset', offsetS });
  }

  /** Operations waiting or running. */
  get length(): number {
    return this.pending.length + (this.current ? 1 : 0);
  }

  /** Drops queued operations (seek, destroy); the running one finishes. */
  clear(reason = 'cleared'): void {
    const dropped = this.pending.splice(0);
    for (const p of dropped) p.reject(new AbrkitError('media', 'QUEUE_CLEARED', reason, { fatal: false }));
  }

  destroy(): void {
    this.destroyed = true;
    this.clear('destroyed');
    this.sourceBuffer.removeEventListener('updateend', this.onUpdateEnd);
    this.sourceBuffer.removeEventListener('error', this.onError);
  }

  private enqueue(op: Operation): Promise<void> {
    if (this.destroyed) return Promise.reject(new AbrkitError('media', 'QUEUE_DESTROYED', 'queue destroyed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ op, resolve, reject, quotaRetries: 0 });
      this.next();
    });
  }

  private next(): void {
    if (this.current || this.sourceBuffer.updating || this.destroyed) return;
    const item = this.pending.shift();
    if (!item) return;
    this.current = item;
    try {
      const { op } = item;
      if (op.kind === 'append') this.sourceBuffer.appendBuffer(op.data);
      else if (op.kind === 'remove') this.sourceBuffer.remove(op.startS, op.endS);
      else if (op.kind === 'timestampOffset') {
        this.sourceBuffer.timestampOffset = op.offsetS;
        this.finish();
      } else {
        this.sourceBuffer.changeType?.(op.mimeType);
        this.finish();
      }
    } catch (error) {
      this.current = null;
      this.handleSyncError(item, error);
    }
  }

  private handleSyncError(item: Pending, error: unknown): void {
    const op = item.op;
    const isQuota = error instanceof Error && error.name === 'QuotaExceededError';
    if (
      isQuota &&
      op.kind === 'append' &&
      this.options.onQuotaExceeded &&
      item.quotaRetries < (this.options.maxQuotaRetries ?? 3)
    ) {
      item.quotaRetries++;
      this.options
        .onQuotaExceeded(this)
        .then((freed) => {
          if (!freed) {
            item.reject(quotaError(op.source, error));
            return;
          }
          this.pending.unshift(item);
          this.next();
        })
        .catch((e: unknown) => item.reject(e));
      return;
    }
    const source = op.kind === 'append' ? op.source : undefined;
    item.reject(
      isQuota
        ? quotaError(source, error)
        : new AbrkitError('media', 'SOURCE_BUFFER_FAILED', `${op.kind} failed: ${String(error)}`, {
            data: source ? { source } : {},
            cause: error,
          }),
    );
    this.next();
  }

  private finish(): void {
    const item = this.current;
    this.current = null;
    item?.resolve();
    this.next();
  }

  private readonly onUpdateEnd = (): void => {
    this.finish();
  };

  private readonly onError = (): void => {
    const item = this.current;
    this.current = null;
    if (!item) return;
    const source = item.op.kind === 'append' ? item.op.source : undefined;
    item.reject(
      new AbrkitError(
        'media',
        'APPEND_FAILED',
        'the browser could not decode this segment (corrupt data or unsupported codec)',
        {
          data: source ? { source } : {},
        },
      ),
    );
  };
}

function quotaError(source: string | undefined, cause: unknown): AbrkitError {
  return new AbrkitError(
    'media',
    'QUOTA_EXCEEDED',
    'the SourceBuffer is full and nothing more could be evicted',
    {
      fatal: false,
      data: source ? { source } : {},
      cause,
    },
  );
}

/** Milliseconds buffered contiguously ahead of `positionS` (0 when the position is not in a buffered range). */
export function bufferedAheadMs(buffered: TimeRanges, positionS: number, toleranceS = 0.1): number {
  for (let i = 0; i < buffered.length; i++) {
    const start = buffered.start(i);
    const end = buffered.end(i);
    if (positionS >= start - toleranceS && positionS < end) return Math.max(0, (end - positionS) * 1000);
  }
  return 0;
}

/** Ranges to remove so that no more than `backBufferMs` stays behind `positionS`. */
export function evictionRange(
  buffered: TimeRanges,
  positionS: number,
  backBufferMs: number,
): [number, number] | null {
  if (buffered.length === 0) return null;
  const firstStart = buffered.start(0);
  const keepFromS = positionS - backBufferMs / 1000;
  return keepFromS > firstStart ? [firstStart, keepFromS] : null;
}
