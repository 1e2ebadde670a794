import { describe, expect, it } from 'vitest';
import { createPlayer } from '../../src/player/player.js';
import { PLAYER_DEFAULTS, resolvePlayerOptions } from '../../src/player/options.js';
import type { PlayerOptions } from '../../src/player/options.js';
import { createThroughput } from '../../src/abr/throughput.js';
import { createBolaE } from '../../src/abr/bola-e.js';
import { SlidingHarmonicMeanEstimator } from '../../src/estimators/harmonic.js';
import { DEFAULT_ALGORITHM } from '../../src/abr/registry.js';
import { PLAYER_ALGORITHMS } from '../../src/player/algorithms.js';

describe('resolvePlayerOptions', () => {
  it('fills in the documented defaults', () => {
    const o = resolvePlayerOptions();
    expect(o).toMatchObject({
      abr: PLAYER_DEFAULTS.abr,
      bufferTargetMs: 30_000,
      backBufferMs: 30_000,
      startRendition: null,
      startEstimateKbps: 500,
      maxRendition: null,
      capToElementSize: false,
      // hls.js fragLoadPolicy / manifestLoadPolicy delays; budgets of time, not counts
      retry: { maxRetries: Infinity, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalMs: 31_000 },
      playlistRetry: { maxRetries: Infinity, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalMs: 120_000 },
      requestTimeoutMs: 10_000,
      startupTimeoutMs: 3000,
      estimator: 'ewma',
      qoeModel: 'lin',
    });
  });

  it('merges a partial retry policy over the default one', () => {
    expect(resolvePlayerOptions({ retry: { maxTotalMs: 5000 } }).retry).toEqual({
      maxRetries: Infinity,
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      maxTotalMs: 5000,
    });
    expect(resolvePlayerOptions({ playlistRetry: { baseDelayMs: 50 } }).playlistRetry.baseDelayMs).toBe(50);
  });

  const bad: [string, PlayerOptions, RegExp][] = [
    ['bufferTargetMs', { bufferTargetMs: 0 }, /^bufferTargetMs: /],
    ['bufferTargetMs NaN', { bufferTargetMs: Number.NaN }, /^bufferTargetMs: /],
    ['backBufferMs', { backBufferMs: -1 }, /^backBufferMs: /],
    ['startRendition', { startRendition: 1.5 }, /^startRendition: /],
    [
      'startRendition > maxRendition',
      { startRendition: 3, maxRendition: 1 },
      /^startRendition: .*maxRendition/,
    ],
    ['maxRendition', { maxRendition: -1 }, /^maxRendition: /],
    ['startEstimateKbps', { startEstimateKbps: Infinity }, /^startEstimateKbps: /],
    ['capToElementSize', { capToElementSize: 'yes' as unknown as boolean }, /^capToElementSize: /],
    ['retry.maxRetries', { retry: { maxRetries: -1 } }, /^retry\.maxRetries: /],
    ['retry.maxDelayMs', { retry: { baseDelayMs: 100, maxDelayMs: 10 } }, /^retry\.maxDelayMs: /],
    ['retry not an object', { retry: 3 as unknown as PlayerOptions['retry'] }, /^retry: /],
    ['retry.maxTotalMs', { retry: { maxTotalMs: -1 } }, /^retry\.maxTotalMs: must be a number >= 0, got -1/],
    ['playlistRetry.baseDelayMs', { playlistRetry: { baseDelayMs: -5 } }, /^playlistRetry\.baseDelayMs: /],
    ['startupTimeoutMs', { startupTimeoutMs: 0 }, /^startupTimeoutMs: /],
    [
      'bufferTargetMs a string',
      { bufferTargetMs: '5' as unknown as number },
      /^bufferTargetMs: .*got a string \("5"\)/,
    ],
    ['requestTimeoutMs', { requestTimeoutMs: 0 }, /^requestTimeoutMs: /],
    ['abr', { abr: 42 as unknown as string }, /^abr: /],
    ['estimator', { estimator: '' }, /^estimator: /],
    ['qoeModel', { qoeModel: 'vmaf' as unknown as 'lin' }, /^qoeModel: /],
    ['abrOptions', { abrOptions: [] as unknown as Record<string, unknown> }, /^abrOptions: /],
    ['unknown option', { bufferTarget: 5 } as unknown as PlayerOptions, /^bufferTarget: unknown option/],
  ];
  for (const [name, options, message] of bad) {
    it(`rejects a bad ${name} with a TypeError naming it`, () => {
      expect(() => resolvePlayerOptions(options)).toThrow(TypeError);
      expect(() => resolvePlayerOptions(options)).toThrow(message);
    });
  }
});

describe('createPlayer', () => {
  it('rejects an unknown algorithm name as a TypeError naming abr and listing the known ones', () => {
    expect(() => createPlayer({ abr: 'nope' })).toThrow(TypeError);
    expect(() => createPlayer({ abr: 'nope' })).toThrow(/^abr: .*scenario-mpc, bola, throughput/);
    // the player knows three algorithms by name (bundle budget); others come as factories
    expect(() => createPlayer({ abr: 'bola-e' })).toThrow(/factory/);
    for (const abr of ['scenario-mpc', 'bola', 'throughput'])
      expect(createPlayer({ abr }).state).toBe('idle');
    expect(createPlayer({ abr: createBolaE }).state).toBe('idle');
  });

  it('rejects bad algorithm options as a TypeError naming abrOptions', () => {
    expect(() => createPlayer({ abr: 'bola', abrOptions: { nonsense: 1 } })).toThrow(/^abrOptions: /);
    // the default, validated by its runtime specs (no descriptions bundled) with the registry's message
    expect(() => createPlayer({ abrOptions: { horizon: 0 } })).toThrow(
      /^abrOptions: .*algorithm 'scenario-mpc', option 'horizon': out of range: expected an integer in \[1, 8\]/,
    );
  });

  it('rejects an unknown estimator and bad estimator options', () => {
    expect(() => createPlayer({ estimator: 'oracle' })).toThrow(/^estimator: /);
    expect(() => createPlayer({ estimator: 'ewma', estimatorOptions: { fastHalfLifeS: -1 } })).toThrow(
      /^estimatorOptions: fastHalfLifeS/,
    );
    expect(() => createPlayer({ estimatorOptions: { preset: 'vlc' } })).toThrow(/^estimatorOptions: preset/);
    expect(() => createPlayer({ estimatorOptions: { wat: 1 } })).toThrow(/^estimatorOptions: /);
    expect(createPlayer({ estimatorOptions: { preset: 'shaka' } }).state).toBe('idle');
  });

  it('accepts an algorithm factory and an estimator factory', () => {
    const player = createPlayer({
      abr: (o) => createThroughput(o),
      abrOptions: {},
      estimator: () => new SlidingHarmonicMeanEstimator(),
    });
    expect(player.state).toBe('idle');
    expect(player.renditions).toEqual([]);
    expect(() => createPlayer({ abr: () => ({}) as never })).toThrow(/^abr: /);
  });

  it('state$ replays the current state; destroy() completes the Observables and refuses further use', () => {
    const player = createPlayer();
    const states: string[] = [];
    let completed = 0;
    player.state$.subscribe({ next: (s) => states.push(s), complete: () => completed++ });
    player.decision$.subscribe({ complete: () => completed++ });
    player.destroy();
    expect(states).toEqual(['idle']);
    expect(completed).toBe(2);
    expect(player.pendingWork()).toEqual({ timers: 0, requests: 0 });
    expect(() => player.seek(1)).toThrow(/destroyed/);
  });

  it('checks its arguments', () => {
    const player = createPlayer();
    expect(() => player.attach(null as unknown as HTMLMediaElement)).toThrow(/^video: /);
    expect(() => player.seek(-1)).toThrow(/^positionS: /);
    return expect(player.load('x.m3u8')).rejects.toThrow(/^video: .*attach/);
  });
});

describe('the default algorithm', () => {
  it('is the one the registry and `abrkit algos --json` call the default', () => {
    expect(PLAYER_DEFAULTS.abr).toBe(DEFAULT_ALGORITHM);
    expect(DEFAULT_ALGORITHM).toBe('scenario-mpc');
    expect(PLAYER_ALGORITHMS.map((a) => a.name)).toContain(DEFAULT_ALGORITHM);
  });
});
