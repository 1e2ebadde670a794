/**
 * Validation of algorithm options against their `AbrOptionCore`s, shared by the registry and by every
 * factory (so `createBola({ gammaP: -1 })` fails the same way as `createAlgorithm('bola', { gammaP: -1 })`).
 */
import { AbrkitError } from '../core/errors.js';
import type { AbrOptionCore, AbrOptions } from './types.js';

export type ResolvedOptions = Readonly<Record<string, number | boolean | string>>;

function badOption(
  algorithm: string,
  option: string,
  problem: string,
  specs: readonly AbrOptionCore[],
): AbrkitError {
  const valid = specs.map((s) => s.name);
  return new AbrkitError(
    'config',
    'ABR_BAD_OPTION',
    `algorithm '${algorithm}', option '${option}': ${problem} (valid options: ${valid.length > 0 ? valid.join(', ') : 'none'})`,
    { data: { source: `options of '${algorithm}'`, algorithm, option, validOptions: valid } },
  );
}

function describeSpec(spec: AbrOptionCore): string {
  if (spec.choices) return `one of ${spec.choices.map((c) => `'${c}'`).join(', ')}`;
  const range =
    spec.min !== undefined && spec.max !== undefined
      ? ` in [${spec.min}, ${spec.max}]`
      : spec.min !== undefined
        ? ` >= ${spec.min}`
        : spec.max !== undefined
          ? ` <= ${spec.max}`
          : '';
  return `a${spec.type === 'integer' ? 'n' : ''} ${spec.type}${range}`;
}

function checkValue(
  algorithm: string,
  spec: AbrOptionCore,
  value: unknown,
  specs: readonly AbrOptionCore[],
): void {
  const expected = `expected ${describeSpec(spec)}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`;
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw badOption(algorithm, spec.name, expected, specs);
      return;
    case 'string':
      if (typeof value !== 'string' || (spec.choices !== undefined && !spec.choices.includes(value)))
        throw badOption(algorithm, spec.name, expected, specs);
      return;
    case 'number':
    case 'integer':
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (spec.type === 'integer' && !Number.isInteger(value))
      )
        throw badOption(algorithm, spec.name, expected, specs);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))
        throw badOption(algorithm, spec.name, `out of range: ${expected}`, specs);
      return;
  }
}

/**
 * Checks `options` against `specs` and returns every option with its default filled in.
 * Unknown option, wrong type or out-of-range value: `AbrkitError('config', 'ABR_BAD_OPTION')` naming the
 * option and listing the valid ones. `undefined` values count as absent.
 */
export function resolveOptions(
  algorithm: string,
  specs: readonly AbrOptionCore[],
  options: AbrOptions | undefined,
): ResolvedOptions {
  const out: Record<string, number | boolean | string> = {};
  for (const spec of specs) out[spec.name] = spec.default;
  if (options === undefined || options === null) return out;
  if (typeof options !== 'object' || Array.isArray(options))
    throw badOption(algorithm, '(options)', 'options must be an object', specs);
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw badOption(algorithm, name, 'unknown option', specs);
    checkValue(algorithm, spec, value, specs);
    out[name] = value as number | boolean | string;
  }
  return out;
}

/** Reads a resolved numeric option (internal helper for factories). */
export function num(options: ResolvedOptions, name: string): number {
  const v = options[name];
  if (typeof v !== 'number')
    throw new AbrkitError('internal', 'ABR_OPTION_TYPE', `option ${name} is not a number`);
  return v;
}

/** Reads a resolved boolean option. */
export function bool(options: ResolvedOptions, name: string): boolean {
  const v = options[name];
  if (typeof v !== 'boolean')
    throw new AbrkitError('internal', 'ABR_OPTION_TYPE', `option ${name} is not a boolean`);
  return v;
}

/** Reads a resolved string option. */
export function str(options: ResolvedOptions, name: string): string {
  const v = options[name];
  if (typeof v !== 'string')
    throw new AbrkitError('internal', 'ABR_OPTION_TYPE', `option ${name} is not a string`);
  return v;
}
