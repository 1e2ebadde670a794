import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import {
  bufferedAheadMs,
  evictionRange,
  SourceBufferQueue,
  type SourceBufferLike,
} from '../../src/mse/source-buffer-queue.js';

function ranges(list: [number, number][]): TimeRanges {
  return {
    length: list.length,
    start: (i: number) => list[i]![0],
    end: (i: number) => list[i]![1],
  };
}

/** A fake SourceBuffer: each operation completes asynchronously; appends can be made to fail. */
class FakeSourceBuffer extends EventTarget implements SourceBufferLike {
  updating = false;
  mode: AppendMode = 'segments';
  timestampOffset = 0;
  buffered = ranges([]);
  readonly log: string[] = [];
  quotaFailures = 0;
  decodeFailure = false;
  concurrentViolations = 0;

  appendBuffer(data: BufferSource): void {
    if (this.updating) this.concurrentViolations++;
    if (this.quotaFailures > 0) {
      this.quotaFailures--;
      throw new DOMException('full', 'QuotaExceededError');
    }
    this.log.push(`append:${(data as Uint8Array).byteLength}`);
    this.complete(this.decodeFailure ? 'error' : 'updateend');
  }
  remove(startS: number, endS: number): void {
    if (this.updating) this.concurrentViolations++;
    this.log.push(`remove:${startS}-${endS}`);
    this.complete('updateend');
  }
  abort(): void {}
  private complete(event: string): void {
    this.updating = true;
    setTimeout(() => {
      this.updating = false;
      this.dispatchEvent(new Event(event));
    }, 1);
  }
}

describe('SourceBufferQueue', () => {
  it('runs operations one at a time, in order', async () => {
    const sb = new FakeSourceBuffer();
    const queue = new SourceBufferQueue(sb, 'video');
    await Promise.all([
      queue.append(new Uint8Array(1), 'a'),
      queue.append(new Uint8Array(2), 'b'),
      queue.remove(0, 4),
      queue.append(new Uint8Array(3), 'c'),
    ]);
    expect(sb.log).toEqual(['append:1', 'append:2', 'remove:0-4', 'append:3']);
    expect(sb.concurrentViolations).toBe(0);
    expect(queue.length).toBe(0);
  });

  it('on QuotaExceededError evicts through the owner and retries the append', async () => {
    const sb = new FakeSourceBuffer();
    sb.quotaFailures = 1;
    let evictions = 0;
    const queue = new SourceBufferQueue(sb, 'video', {
      onQuotaExceeded: async (q) => {
        evictions++;
        await q.remove(0, 10);
        return true;
      },
    });
    await queue.append(new Uint8Array(5), 'seg5.m4s');
    expect(evictions).toBe(1);
    expect(sb.log).toEqual(['remove:0-10', 'append:5']);
  });

  it('fails with a typed error naming the URL when nothing can be evicted or decoding fails', async () => {
    const sb = new FakeSourceBuffer();
    sb.quotaFailures = 5;
    const queue = new SourceBufferQueue(sb, 'video', { onQuotaExceeded: () => Promise.resolve(false) });
    await expect(queue.append(new Uint8Array(1), 'big.m4s')).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    sb.quotaFailures = 0;
    sb.decodeFailure = true;
    const error = await queue.append(new Uint8Array(1), 'corrupt.m4s').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbrkitError);
    expect((error as AbrkitError).message).toContain('corrupt.m4s');
  });

  it('clear() rejects what is queued and destroy() detaches', async () => {
    const sb = new FakeSourceBuffer();
    const queue = new SourceBufferQueue(sb, 'audio');
    const first = queue.append(new Uint8Array(1), 'a');
    const second = queue.append(new Uint8Array(1), 'b');
    queue.clear('seek');
    await expect(second).rejects.toMatchObject({ code: 'QUEUE_CLEARED' });
    await first;
    queue.destroy();
    await expect(queue.append(new Uint8Array(1), 'c')).rejects.toMatchObject({ code: 'QUEUE_DESTROYED' });
  });
});

describe('buffer arithmetic', () => {
  it('bufferedAheadMs counts the contiguous range under the playhead only', () => {
    const b = ranges([
      [0, 10],
      [12, 20],
    ]);
    expect(bufferedAheadMs(b, 4)).toBeCloseTo(6000, 6);
    expect(bufferedAheadMs(b, 11)).toBe(0);
    expect(bufferedAheadMs(b, 11.95)).toBeCloseTo(8050, 6);
  });

  it('evictionRange keeps exactly the back buffer behind the playhead', () => {
    expect(evictionRange(ranges([[0, 60]]), 45, 30_000)).toEqual([0, 15]);
    expect(evictionRange(ranges([[20, 60]]), 45, 30_000)).toBeNull();
    expect(evictionRange(ranges([]), 45, 30_000)).toBeNull();
  });
});
