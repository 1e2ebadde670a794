import { describe, expect, it } from 'vitest';
import {
  AlgorithmRegistry,
  BUILTIN_ALGORITHMS,
  DEFAULT_ALGORITHM,
  createAlgorithm,
  getAlgorithmInfo,
  listAlgorithms,
  registerAlgorithm,
  withDocs,
} from '../../src/abr/registry.js';
import { bolaDocs, bolaInfo } from '../../src/abr/bola.js';
import { scenarioMpcInfo } from '../../src/abr/scenario-mpc.js';
import { throughputInfo } from '../../src/abr/throughput.js';
import type { AbrAlgorithmInfo } from '../../src/abr/types.js';
import { AbrkitError } from '../../src/core/errors.js';
import { makeContext } from './context.js';

function catchError(fn: () => unknown): AbrkitError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AbrkitError) return e;
    throw e;
  }
  throw new Error('expected an AbrkitError');
}

describe('registry', () => {
  it('registers the built-in algorithms by default, with scenario-mpc the default', () => {
    const names = listAlgorithms().map((i) => i.name);
    for (const n of [
      'throughput',
      'bba',
      'bola',
      'bola-e',
      'dynamic',
      'dynamic-dash',
      'mpc',
      'robust-mpc',
      'optimal',
    ])
      expect(names).toContain(n);
    expect(names).toContain(DEFAULT_ALGORITHM);
    expect(DEFAULT_ALGORITHM).toBe('scenario-mpc');
  });

  it('gives every built-in a citation, a description and option defaults that pass their own validation', () => {
    for (const info of BUILTIN_ALGORITHMS) {
      expect(info.citation.length).toBeGreaterThan(20);
      expect(info.description.length).toBeGreaterThan(10);
      // the offline optimum replays a plan computed from the whole trace (see test/abr/optimal.test.ts)
      const defaults = info.offline
        ? { plan: [0, 1, 2] }
        : Object.fromEntries(info.options.map((o) => [o.name, o.default]));
      const algo = createAlgorithm(info.name, defaults);
      expect(algo.name).toBe(info.name);
      const d = algo.choose(makeContext({ bufferLevelMs: 8000, throughputKbps: 2000 }));
      expect(d.renditionIndex).toBeGreaterThanOrEqual(0);
      expect(d.renditionIndex).toBeLessThanOrEqual(2);
      expect(d.reason.length).toBeGreaterThan(0);
    }
  });

  it('rejects an unknown algorithm, listing the registered names', () => {
    const e = catchError(() => createAlgorithm('bolla'));
    expect(e.category).toBe('config');
    expect(e.code).toBe('ABR_UNKNOWN');
    expect(e.message).toContain("'bolla'");
    expect(e.message).toContain('bola-e');
    expect(e.message).toContain('throughput');
    expect(e.data.registered).toEqual(expect.arrayContaining(['bba', 'dynamic-dash']));
    expect(() => getAlgorithmInfo('nope')).toThrow(AbrkitError);
  });

  it('rejects an unknown option, naming it and listing the valid ones', () => {
    const e = catchError(() => createAlgorithm('bba', { reservoir: 5 }));
    expect(e.code).toBe('ABR_BAD_OPTION');
    expect(e.category).toBe('config');
    expect(e.message).toContain("'reservoir'");
    expect(e.message).toContain('reservoirMs');
    expect(e.message).toContain('cushionMs');
    expect(e.data.option).toBe('reservoir');
    expect(e.data.validOptions).toEqual(['reservoirMs', 'cushionMs']);
  });

  it('rejects wrong types and out-of-range values', () => {
    expect(catchError(() => createAlgorithm('bba', { reservoirMs: '5000' })).message).toMatch(
      /reservoirMs.*number/,
    );
    expect(catchError(() => createAlgorithm('bba', { cushionMs: 0 })).message).toMatch(
      /cushionMs.*out of range/,
    );
    expect(catchError(() => createAlgorithm('bba', { cushionMs: Number.NaN })).code).toBe('ABR_BAD_OPTION');
    expect(catchError(() => createAlgorithm('throughput', { safetyFactor: 1.5 })).code).toBe(
      'ABR_BAD_OPTION',
    );
    expect(catchError(() => createAlgorithm('bola', { basic: 'yes' })).message).toMatch(/basic.*boolean/);
    expect(catchError(() => createAlgorithm('dynamic-dash', { preset: 'hlsjs' })).message).toMatch(
      /preset.*'sabre', 'dashjs'/,
    );
  });

  it('validates the same way when a factory is called directly', () => {
    const info = getAlgorithmInfo('throughput');
    expect(() => info.create({ abandonGraceMs: -1 })).toThrow(AbrkitError);
  });

  it('passes valid options through to the factory', () => {
    const algo = createAlgorithm('bba', { reservoirMs: 2000, cushionMs: 4000 });
    // 3 renditions: at 4 s, floor(2 * (4 - 2) / 4) = 1 (with the default 5 s reservoir it would be 0)
    expect(algo.choose(makeContext({ bufferLevelMs: 4000 })).renditionIndex).toBe(1);
  });

  it('joins each runtime part with its docs: every listed option is described, the runtime specs are not', () => {
    for (const info of listAlgorithms()) {
      for (const spec of info.options) expect(spec.description.trim().length).toBeGreaterThan(0);
    }
    for (const core of [bolaInfo, throughputInfo, scenarioMpcInfo]) {
      for (const spec of core.options) expect(spec).not.toHaveProperty('description');
      const listed = getAlgorithmInfo(core.name);
      expect(listed.create).toBe(core.create);
      expect(listed.options.map(({ description: _, ...rest }) => rest)).toEqual(core.options);
    }
    const bola = withDocs(bolaInfo, bolaDocs);
    expect(bola.description).toBe(bolaDocs.description);
    expect(bola.options.find((o) => o.name === 'gammaP')?.description).toBe(bolaDocs.options.gammaP);
  });

  it('refuses docs that miss an option or describe one that does not exist', () => {
    const { basic: _, ...missing } = bolaDocs.options;
    expect(() => withDocs(bolaInfo, { ...bolaDocs, options: missing })).toThrow(
      /docs of 'bola': no description of option 'basic'/,
    );
    const extra = { ...bolaDocs.options, nope: 'x' };
    expect(() => withDocs(bolaInfo, { ...bolaDocs, options: extra })).toThrow(/unknown option 'nope'/);
    expect(() => withDocs(bolaInfo, { ...bolaDocs, options: { ...bolaDocs.options, basic: '' } })).toThrow(
      TypeError,
    );
  });

  it('accepts new algorithms, and a separate registry is independent of the default one', () => {
    const info: AbrAlgorithmInfo = {
      name: 'always-top',
      description: 'test algorithm',
      citation: 'none',
      options: [{ name: 'level', type: 'integer', default: 0, min: 0, description: 'index' }],
      create: (o) => ({
        name: 'always-top',
        choose: () => ({ renditionIndex: Number(o?.level ?? 0), reason: 'test' }),
      }),
    };
    const reg = new AlgorithmRegistry();
    reg.register(info);
    expect(reg.names()).toEqual(['always-top']);
    expect(reg.create('always-top', { level: 2 }).choose(makeContext()).renditionIndex).toBe(2);
    expect(catchError(() => reg.create('always-top', { level: 1.5 })).message).toMatch(/level.*integer/);
    expect(() => reg.register({ ...info, name: 'Bad Name' })).toThrow(TypeError);
    expect(() => getAlgorithmInfo('always-top')).toThrow(AbrkitError);
    registerAlgorithm(info);
    expect(getAlgorithmInfo('always-top')).toBe(info);
  });
});
