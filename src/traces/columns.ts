/**
 * Packed period storage: a trace's periods as columns of doubles (`Float64Array`) instead of one object a
 * period. A period object costs about 100 bytes on V8's heap; a packed period 24 bytes (16 when every period
 * has the same latency, as Pensieve and mahimahi traces do), so a 200 MB trace of 10 million periods fits in a
 * few hundred MB (issue 18; measured by bench/large-trace.ts).
 *
 * The readers of src/traces build their periods here and return a trace made by {@link packedTrace}. Such a
 * trace keeps the public shape of {@link NetworkTrace}: `trace.periods` is still an array of
 * `{durationMs, bandwidthKbps, latencyMs}`, built on first access (and kept) for code that asks for it. Code
 * that walks periods in bulk (the network models, the writers, validation) reads the columns through
 * {@link periodTable} and never builds the objects. The columns are tied to the trace object itself (a
 * WeakMap), so a copy made with a spread (`{ ...trace, periods: other }`) is read from its own `periods`.
 */
import { AbrkitError } from '../core/errors.js';
import { TRACE_LIMITS } from './limits.js';
import type { NetworkTrace, TraceFormat, TracePeriod } from './model.js';

/** A growable column of doubles: amortised O(1) appends, then {@link finish} gives an exact-size array. */
export class Float64Column {
  private data: Float64Array;
  private size = 0;

  /** `capacity`: elements to reserve up front (e.g. estimated from a file's size); grows past it as needed. */
  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(16, Math.floor(capacity)));
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.data.length) this.grow(this.size + 1);
    this.data[this.size++] = value;
  }

  /** The value at `index` (0 ≤ index < length). */
  get(index: number): number {
    return this.data[index]!;
  }

  /** The last value, or undefined when empty. */
  last(): number | undefined {
    return this.size === 0 ? undefined : this.data[this.size - 1];
  }

  /** Makes room for `capacity` elements in all (no-op if there is room). */
  reserve(capacity: number): void {
    if (capacity > this.data.length) this.grow(capacity);
  }

  /**
   * The values, exactly `length` of them. A column at least half full is returned as a view: no copy (which
   * would briefly hold both), and the unused tail, never written, holds no physical memory where large
   * buffers are mapped lazily (Node on Linux: calloc'd pages are committed when first written). A sparser
   * one is copied to its size. The column must not be used afterwards.
   */
  finish(): Float64Array {
    const out =
      this.size >= this.data.length >> 1 ? this.data.subarray(0, this.size) : this.data.slice(0, this.size);
    this.data = new Float64Array(0);
    this.size = 0;
    return out;
  }

  private grow(needed: number): void {
    // x1.5: less slack than doubling, still amortised O(1).
    const next = new Float64Array(Math.max(needed, Math.ceil(this.data.length * 1.5)));
    next.set(this.data.subarray(0, this.size));
    this.data = next;
  }
}

/**
 * A column that stores nothing per element while every value is the same (a trace's latency usually is),
 * and becomes a {@link Float64Column} at the first different value.
 */
class MaybeConstantColumn {
  private first: number | undefined;
  private count = 0;
  private column: Float64Column | null = null;

  constructor(private readonly capacity: number) {}

  push(value: number): void {
    if (this.column !== null) {
      this.column.push(value);
      return;
    }
    if (this.count === 0) this.first = value;
    else if (!Object.is(value, this.first)) {
      this.column = new Float64Column(Math.max(this.capacity, this.count + 1));
      for (let i = 0; i < this.count; i++) this.column.push(this.first!);
      this.column.push(value);
      return;
    }
    this.count++;
  }

  finish(): Float64Array | number {
    if (this.column !== null) return this.column.finish();
    return this.first ?? 0;
  }
}

/**
 * A trace's periods as columns: `durationsMs[i]`, `bandwidthsKbps[i]` and the latency of period i, which is
 * `latenciesMs[i]`, or `constantLatencyMs` for every period when `latenciesMs` is null. Read-only by
 * convention (the network models share these arrays rather than copy them).
 */
export interface PeriodTable {
  readonly length: number;
  readonly durationsMs: Float64Array;
  readonly bandwidthsKbps: Float64Array;
  readonly latenciesMs: Float64Array | null;
  readonly constantLatencyMs: number;
}

/** Latency of period `i` of `table`, ms. */
export function latencyAt(table: PeriodTable, i: number): number {
  return table.latenciesMs === null ? table.constantLatencyMs : table.latenciesMs[i]!;
}

/** The period `i` of `table` as an object. */
export function periodAt(table: PeriodTable, i: number): TracePeriod {
  return {
    durationMs: table.durationsMs[i]!,
    bandwidthKbps: table.bandwidthsKbps[i]!,
    latencyMs: latencyAt(table, i),
  };
}

/** Builds a {@link PeriodTable} one period at a time (the readers' output). */
export class PeriodTableBuilder {
  private readonly durations: Float64Column;
  private readonly bandwidths: Float64Column;
  private readonly latencies: MaybeConstantColumn;

  /**
   * `capacity`: periods expected (a hint; more may be added). With `source` (a reader's file), a period past
   * `maxPeriods` (default `TRACE_LIMITS.maxPeriods`) throws `TRACE_TOO_LARGE` naming it at once, so a pipe of
   * short lines stops there rather than at the end of the file.
   */
  constructor(
    capacity = 1024,
    private readonly source?: string,
    private readonly maxPeriods: number = TRACE_LIMITS.maxPeriods,
  ) {
    this.durations = new Float64Column(capacity);
    this.bandwidths = new Float64Column(capacity);
    this.latencies = new MaybeConstantColumn(capacity);
  }

  get length(): number {
    return this.durations.length;
  }

  push(durationMs: number, bandwidthKbps: number, latencyMs: number): void {
    if (this.source !== undefined && this.durations.length >= this.maxPeriods) {
      throw new AbrkitError(
        'trace',
        'TRACE_TOO_LARGE',
        `more than the limit of ${this.maxPeriods} periods (stopped reading there)`,
        { data: { source: this.source } },
      );
    }
    this.durations.push(durationMs);
    this.bandwidths.push(bandwidthKbps);
    this.latencies.push(latencyMs);
  }

  /** Duration of the last period pushed, or undefined. */
  lastDurationMs(): number | undefined {
    return this.durations.last();
  }

  reserve(capacity: number): void {
    this.durations.reserve(capacity);
    this.bandwidths.reserve(capacity);
  }

  /** The table; the builder must not be used afterwards. */
  finish(): PeriodTable {
    const durationsMs = this.durations.finish();
    const bandwidthsKbps = this.bandwidths.finish();
    const latencies = this.latencies.finish();
    return {
      length: durationsMs.length,
      durationsMs,
      bandwidthsKbps,
      latenciesMs: typeof latencies === 'number' ? null : latencies,
      constantLatencyMs: typeof latencies === 'number' ? latencies : 0,
    };
  }
}

/** Pensieve's raw cooked samples as columns (see `NetworkTrace.pensieve`). */
export interface PensieveColumns {
  readonly timesS: Float64Array;
  readonly throughputsMbps: Float64Array;
}

/** The values of a column that differ from what a derivation gives, as (index, value) pairs by index. */
export interface ColumnExceptions {
  readonly indices: Float64Array;
  readonly values: Float64Array;
}

/**
 * Pensieve's raw samples kept as what the periods do not already say (issue 18: a 200 MB cooked trace held
 * its 10 million samples twice, as periods and as raw columns). Sample i ≥ 1 ends period i-1:
 * - its time: the previous sample's time in ms plus the period's duration, over 1000 (exact for timestamps
 *   of up to 3 decimals, so nothing is kept for them); the times that differ are kept as exceptions, or, when
 *   more than 1 in 16 of the first {@link PENSIEVE_PROBE_SAMPLES} samples differ (Puffer's 12-decimal times),
 *   every time is kept as it was read (`timesS`);
 * - its Mbps: the period's kbps over 1000, which rounds to within a few units in the last place of the Mbps
 *   read; the difference is kept in ulps, one byte a sample (exceptions beyond ±127).
 * Sample 0 is kept as it is. The reader checks every derivation against the value it parsed, so the
 * columns built from this ({@link derivePensieveColumns}) are exactly the parsed ones.
 */
export interface PensieveDerived {
  readonly firstTimeMs: number;
  readonly firstTimeS: number;
  readonly firstMbps: number;
  /** Every sample's time in s as read, when the derivation missed too often; else null. */
  readonly timesS: Float64Array | null;
  /** Samples whose time in ms is not the previous one's + the period's duration. */
  readonly timeMs: ColumnExceptions;
  /** Samples whose time in s is not their time in ms / 1000. */
  readonly timeS: ColumnExceptions;
  /** Per sample: Mbps read minus the period's kbps / 1000, in ulps; -128: see `mbps`. */
  readonly mbpsUlps: Int8Array;
  /** Samples whose Mbps is more than 127 ulps from the derivation. */
  readonly mbps: ColumnExceptions;
}

/** Samples the Pensieve reader derives before it decides whether derived times pay (see PensieveDerived). */
export const PENSIEVE_PROBE_SAMPLES = 1024;

/** The derivations of {@link PensieveDerived}, shared by the reader (to check) and the columns (to build). */
export const pensieveDerivation = {
  timeMs: (previousTimeMs: number, durationMs: number): number => previousTimeMs + durationMs,
  timeS: (timeMs: number): number => timeMs / 1000,
  mbps: (bandwidthKbps: number): number => bandwidthKbps / 1000,
} as const;

const bitsF64 = new Float64Array(1);
// Little-endian word order (every platform Node and the browsers run on).
const bitsU32 = new Uint32Array(bitsF64.buffer);
const TWO_32 = 4294967296;

/**
 * `value - derived` in units in the last place when that is within ±127 and moving `derived` by it gives
 * `value` bit for bit (finite numbers of one sign); else null. {@link addUlps} undoes it.
 */
export function ulpsBetween(value: number, derived: number): number | null {
  if (!Number.isFinite(value) || !Number.isFinite(derived)) return null;
  bitsF64[0] = value;
  const hiA = bitsU32[1]!;
  const loA = bitsU32[0]!;
  bitsF64[0] = derived;
  const diff = (hiA - bitsU32[1]!) * TWO_32 + (loA - bitsU32[0]!);
  if (!(diff >= -127 && diff <= 127)) return null;
  return Object.is(addUlps(derived, diff), value) ? diff : null;
}

/** `x` moved by `ulps` units in the last place (its bit pattern plus `ulps`). */
export function addUlps(x: number, ulps: number): number {
  if (ulps === 0) return x;
  bitsF64[0] = x;
  let lo = bitsU32[0]! + ulps;
  let hi = bitsU32[1]!;
  if (lo < 0) {
    lo += TWO_32;
    hi -= 1;
  } else if (lo >= TWO_32) {
    lo -= TWO_32;
    hi += 1;
  }
  bitsU32[0] = lo;
  bitsU32[1] = hi >>> 0;
  return bitsF64[0];
}

/** A growable column of bytes (see {@link Float64Column}). */
export class Int8Column {
  private data: Int8Array;
  private size = 0;

  constructor(capacity = 1024) {
    this.data = new Int8Array(Math.max(16, Math.floor(capacity)));
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.data.length) this.reserve(Math.ceil(this.data.length * 1.5));
    this.data[this.size++] = value;
  }

  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const next = new Int8Array(capacity);
    next.set(this.data.subarray(0, this.size));
    this.data = next;
  }

  finish(): Int8Array {
    const out = this.data.slice(0, this.size);
    this.data = new Int8Array(0);
    this.size = 0;
    return out;
  }
}

/** Collects the {@link ColumnExceptions} of one derived column. */
export class ExceptionCollector {
  private readonly indices = new Float64Column(16);
  private readonly values = new Float64Column(16);

  /** Keeps `value` at `index` when it is not (bit for bit) what the derivation gave. */
  check(index: number, value: number, derived: number): void {
    if (!Object.is(value, derived)) this.add(index, value);
  }

  add(index: number, value: number): void {
    this.indices.push(index);
    this.values.push(value);
  }

  get count(): number {
    return this.indices.length;
  }

  finish(): ColumnExceptions {
    return { indices: this.indices.finish(), values: this.values.finish() };
  }
}

/** Builds the raw sample columns from the periods and what was kept (exactly the values the reader parsed). */
export function derivePensieveColumns(table: PeriodTable, derived: PensieveDerived): PensieveColumns {
  const n = table.length + 1;
  const timesS = derived.timesS ?? new Float64Array(n);
  const throughputsMbps = new Float64Array(n);
  timesS[0] = derived.firstTimeS;
  throughputsMbps[0] = derived.firstMbps;
  let timeMs = derived.firstTimeMs;
  const at = { timeMs: 0, timeS: 0, mbps: 0 };
  const next = (which: 'timeMs' | 'timeS' | 'mbps', i: number): number | undefined => {
    const e = derived[which];
    const k = at[which];
    if (k < e.indices.length && e.indices[k] === i) {
      at[which] = k + 1;
      return e.values[k];
    }
    return undefined;
  };
  const ulps = derived.mbpsUlps;
  for (let i = 1; i < n; i++) {
    if (derived.timesS === null) {
      timeMs = next('timeMs', i) ?? pensieveDerivation.timeMs(timeMs, table.durationsMs[i - 1]!);
      timesS[i] = next('timeS', i) ?? pensieveDerivation.timeS(timeMs);
    }
    const u = ulps[i]!;
    throughputsMbps[i] =
      u === -128 ? next('mbps', i)! : addUlps(pensieveDerivation.mbps(table.bandwidthsKbps[i - 1]!), u);
  }
  return { timesS, throughputsMbps };
}

function isDerived(raw: PensieveColumns | PensieveDerived): raw is PensieveDerived {
  return 'firstTimeMs' in raw;
}

/** A trace's raw samples: given as columns, or derived from its periods on first use (then kept). */
class RawSamples {
  private columns: PensieveColumns | undefined;

  constructor(
    private readonly table: PeriodTable,
    readonly stored: PensieveColumns | PensieveDerived,
  ) {
    if (!isDerived(stored)) this.columns = stored;
  }

  get(): PensieveColumns {
    return (this.columns ??= derivePensieveColumns(this.table, this.stored as PensieveDerived));
  }
}

const tables = new WeakMap<NetworkTrace, PeriodTable>();
const rawSamples = new WeakMap<NetworkTrace, RawSamples>();

/**
 * A {@link NetworkTrace} over packed columns. `periods` (and `pensieve`, when raw samples are given) are
 * enumerable properties built on first access and then kept, so `trace.periods[i]`, spreads, JSON and
 * structured clones all see ordinary arrays; {@link periodTable} and {@link pensieveColumns} read the
 * columns without building them.
 */
export function packedTrace(fields: {
  readonly name: string;
  readonly table: PeriodTable;
  readonly sourceFormat?: TraceFormat;
  /** Raw samples: as columns, or as what differs from the periods (built on first use). */
  readonly pensieve?: PensieveColumns | PensieveDerived;
}): NetworkTrace {
  const { table } = fields;
  const pensieve = fields.pensieve === undefined ? undefined : new RawSamples(table, fields.pensieve);
  const trace = { name: fields.name };
  let periods: TracePeriod[] | undefined;
  Object.defineProperty(trace, 'periods', {
    enumerable: true,
    get: (): readonly TracePeriod[] => {
      if (periods === undefined) {
        periods = new Array<TracePeriod>(table.length);
        for (let i = 0; i < table.length; i++) periods[i] = periodAt(table, i);
      }
      return periods;
    },
  });
  if (fields.sourceFormat !== undefined) {
    Object.defineProperty(trace, 'sourceFormat', { enumerable: true, value: fields.sourceFormat });
  }
  if (pensieve !== undefined) {
    let raw: NetworkTrace['pensieve'];
    Object.defineProperty(trace, 'pensieve', {
      enumerable: true,
      get: (): NetworkTrace['pensieve'] =>
        (raw ??= {
          timesS: Array.from(pensieve.get().timesS),
          throughputsMbps: Array.from(pensieve.get().throughputsMbps),
        }),
    });
  }
  const packed = trace as unknown as NetworkTrace;
  tables.set(packed, table);
  if (pensieve !== undefined) rawSamples.set(packed, pensieve);
  return packed;
}

/**
 * The periods of `trace` as columns: its own columns for a trace from {@link packedTrace}, else built from
 * `trace.periods` (a copy each call: callers that keep it cache it, as the network models do).
 */
export function periodTable(trace: NetworkTrace): PeriodTable {
  const known = tables.get(trace);
  if (known !== undefined) return known;
  const periods = trace.periods;
  const builder = new PeriodTableBuilder(periods.length);
  for (const p of periods) builder.push(p.durationMs, p.bandwidthKbps, p.latencyMs);
  return builder.finish();
}

/** Whether `trace` was made by {@link packedTrace} (its periods live in columns). */
export function isPacked(trace: NetworkTrace): boolean {
  return tables.has(trace);
}

/** Periods in `trace`, without building period objects. */
export function periodCount(trace: NetworkTrace): number {
  return tables.get(trace)?.length ?? trace.periods.length;
}

/** Pensieve's raw samples of `trace` as columns (packed traces), or as given (`trace.pensieve`), or undefined. */
export function pensieveColumns(
  trace: NetworkTrace,
): { readonly timesS: ArrayLike<number>; readonly throughputsMbps: ArrayLike<number> } | undefined {
  return rawSamples.get(trace)?.get() ?? trace.pensieve;
}

/**
 * A trace as plain data for `postMessage` (a worker thread): a packed trace travels as its columns, so the
 * structured clone copies typed arrays instead of building and copying millions of period objects (which
 * reading `periods` would do). {@link traceFromWire} rebuilds it on the other side.
 */
export type TraceWire =
  | { readonly kind: 'plain'; readonly trace: NetworkTrace }
  | {
      readonly kind: 'packed';
      readonly name: string;
      readonly sourceFormat?: TraceFormat;
      readonly table: PeriodTable;
      readonly pensieve?: PensieveColumns | PensieveDerived;
    };

/** A typed array that covers its whole buffer (a clone of a view copies the whole buffer). */
function exact(column: Float64Array): Float64Array {
  return column.byteOffset === 0 && column.byteLength === column.buffer.byteLength ? column : column.slice();
}

export function traceToWire(trace: NetworkTrace): TraceWire {
  const table = tables.get(trace);
  if (table === undefined) return { kind: 'plain', trace };
  const raw = rawSamples.get(trace);
  return {
    kind: 'packed',
    name: trace.name,
    ...(trace.sourceFormat === undefined ? {} : { sourceFormat: trace.sourceFormat }),
    table: {
      ...table,
      durationsMs: exact(table.durationsMs),
      bandwidthsKbps: exact(table.bandwidthsKbps),
      latenciesMs: table.latenciesMs === null ? null : exact(table.latenciesMs),
    },
    ...(raw === undefined ? {} : { pensieve: rawToWire(raw.stored) }),
  };
}

function rawToWire(raw: PensieveColumns | PensieveDerived): PensieveColumns | PensieveDerived {
  if (!isDerived(raw)) return { timesS: exact(raw.timesS), throughputsMbps: exact(raw.throughputsMbps) };
  const ex = (e: ColumnExceptions): ColumnExceptions => ({
    indices: exact(e.indices),
    values: exact(e.values),
  });
  return {
    ...raw,
    timesS: raw.timesS === null ? null : exact(raw.timesS),
    timeMs: ex(raw.timeMs),
    timeS: ex(raw.timeS),
    mbpsUlps: raw.mbpsUlps.slice(),
    mbps: ex(raw.mbps),
  };
}

export function traceFromWire(wire: TraceWire): NetworkTrace {
  return wire.kind === 'plain' ? wire.trace : packedTrace(wire);
}
