import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/core/events.js';
import { AbrkitError, invalidArgument, isAbrkitError } from '../../src/core/errors.js';
import { assert, assertNever } from '../../src/core/assert.js';

interface TestEvents {
  tick: number;
  done: { ok: boolean };
}

describe('Emitter', () => {
  it('delivers payloads to listeners and on() returns an unsubscribe function', () => {
    const emitter = new Emitter<TestEvents>();
    const seen: number[] = [];
    const off = emitter.on('tick', (n) => seen.push(n));
    emitter.emit('tick', 1);
    off();
    emitter.emit('tick', 2);
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('tick')).toBe(0);
  });

  it('isolates a throwing listener: the others still run and the error is reported', () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<TestEvents>((e) => errors.push(e));
    const seen: boolean[] = [];
    emitter.on('done', () => {
      throw new Error('boom');
    });
    emitter.on('done', (p) => seen.push(p.ok));
    expect(() => emitter.emit('done', { ok: true })).not.toThrow();
    expect(seen).toEqual([true]);
    expect(errors).toHaveLength(1);
  });

  it('once() fires a single time, and a listener may unsubscribe others while emitting', () => {
    const emitter = new Emitter<TestEvents>();
    const seen: string[] = [];
    emitter.once('tick', () => seen.push('once'));
    let offB = (): void => {};
    emitter.on('tick', () => {
      seen.push('a');
      offB();
    });
    offB = emitter.on('tick', () => seen.push('b'));
    emitter.emit('tick', 0);
    emitter.emit('tick', 0);
    // the snapshot taken at emit time still calls b the first time
    expect(seen).toEqual(['once', 'a', 'b', 'a']);
    emitter.removeAll();
    expect(emitter.listenerCount()).toBe(0);
  });
});

describe('errors', () => {
  it('AbrkitError says what and where', () => {
    const e = new AbrkitError('trace', 'TRACE_BAD_NUMBER', 'bandwidth is NaN', {
      data: { source: 'a.csv', line: 3 },
    });
    expect(e.message).toBe('a.csv:3: bandwidth is NaN');
    expect(e.fatal).toBe(true);
    expect(e.category).toBe('trace');
    expect(isAbrkitError(e)).toBe(true);
    expect(isAbrkitError(new Error('x'))).toBe(false);
  });

  it('invalidArgument names the argument in a TypeError', () => {
    const e = invalidArgument('bufferTargetMs', 'must be > 0, got -1');
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe('bufferTargetMs: must be > 0, got -1');
  });

  it('assert and assertNever throw internal errors', () => {
    expect(() => assert(false, 'broken')).toThrow(AbrkitError);
    expect(() => assertNever('x' as never)).toThrow(/unexpected value: x/);
  });
});
