/**
 * Option checking shared by the estimators: every bad option throws a `TypeError` naming it
 * (`invalidArgument`), unknown option names included, so that a typo does not silently fall back to a default.
 */
import { invalidArgument } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';

/** Which time a throughput sample is divided by. */
export type SampleTiming = 'transfer' | 'total';

export interface NumberRule {
  readonly min?: number;
  /** Reject the minimum itself. */
  readonly exclusiveMin?: boolean;
  readonly integer?: boolean;
}

/** Throws when `options` has a key not in `known`. `owner` names the estimator in the message. */
export function rejectUnknownOptions(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw invalidArgument(key, `unknown option of ${owner} (known: ${known.join(', ')})`);
    }
  }
}

/** `value` if it satisfies `rule`, else a TypeError naming `name`; `fallback` when undefined. */
export function checkNumber(name: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidArgument(name, `must be a finite number, got ${describe(value)}`);
  }
  if (rule.integer && !Number.isInteger(value))
    throw invalidArgument(name, `must be an integer, got ${value}`);
  if (rule.min !== undefined) {
    if (rule.exclusiveMin ? value <= rule.min : value < rule.min) {
      throw invalidArgument(name, `must be ${rule.exclusiveMin ? '>' : '>='} ${rule.min}, got ${value}`);
    }
  }
  return value;
}

export function checkTiming(name: string, value: unknown, fallback: SampleTiming): SampleTiming {
  if (value === undefined) return fallback;
  if (value === 'transfer' || value === 'total') return value;
  throw invalidArgument(name, `must be 'transfer' or 'total', got ${describe(value)}`);
}

/** Duration of a sample in ms under `timing`: transfer = first byte to last byte, total = request to last byte. */
export function sampleDurationMs(sample: DownloadSample, timing: SampleTiming): number {
  return timing === 'transfer' ? sample.endMs - sample.firstByteMs : sample.endMs - sample.startMs;
}

/** Throughput of a sample in kbps (bits per ms) under `timing`; null when the duration is not > 0. */
export function sampleThroughputKbps(sample: DownloadSample, timing: SampleTiming): number | null {
  const durationMs = sampleDurationMs(sample, timing);
  if (!(durationMs > 0) || !(sample.sizeBytes >= 0)) return null;
  return (sample.sizeBytes * 8) / durationMs;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
