import { describe, expect, it } from 'vitest';
import { isAbrkitError } from '../../src/core/errors.js';
import {
  ESTIMATORS,
  EwmaEstimator,
  SlidingHarmonicMeanEstimator,
  createEstimator,
  estimatorNames,
} from '../../src/estimators/index.js';

describe('createEstimator', () => {
  it('knows ewma, harmonic, robust-harmonic, mean and live-edge, each with a citation', () => {
    expect(estimatorNames()).toEqual(['ewma', 'harmonic', 'robust-harmonic', 'mean', 'live-edge']);
    for (const info of ESTIMATORS) {
      expect(info.citation.length).toBeGreaterThan(10);
      expect(createEstimator(info.name).name).toBe(info.name);
    }
  });

  it('passes options and presets through', () => {
    const shaka = createEstimator('ewma', { preset: 'shaka', defaultEstimateKbps: 2000 });
    expect(shaka).toBeInstanceOf(EwmaEstimator);
    expect((shaka as EwmaEstimator).options).toMatchObject({
      minTotalBytes: 128_000,
      defaultEstimateKbps: 2000,
    });
    const robust = createEstimator('robust-harmonic', { window: 3 });
    expect(robust).toBeInstanceOf(SlidingHarmonicMeanEstimator);
    expect((robust as SlidingHarmonicMeanEstimator).robust).toBe(true);
    expect((robust as SlidingHarmonicMeanEstimator).window).toBe(3);
  });

  it('throws a config AbrkitError for an unknown name and a TypeError naming a bad option', () => {
    let caught: unknown;
    try {
      createEstimator('kalman');
    } catch (error) {
      caught = error;
    }
    expect(isAbrkitError(caught) && caught.category === 'config' && caught.code === 'ESTIMATOR_UNKNOWN').toBe(
      true,
    );
    expect(() => createEstimator('ewma', { preset: 'vlc' })).toThrow(/preset/);
    expect(() => createEstimator('ewma', { slowHalfLife: 8 })).toThrow(/slowHalfLife: unknown option/);
    expect(() => createEstimator('mean', { window: 'three' })).toThrow(/window/);
    expect(() => createEstimator('harmonic', { robust: true })).toThrow(/robust/);
  });
});
