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

  /** `capacity`: periods expected (a hint; more may be added). */
  constructor(capacity = 1024) {
    this.durations = new Float64Column(capacity);
    this.bandwidths = new Float64Column(capacity);
    this.latencies = new MaybeConstantColumn(capacity);
  }

  get length(): number {
    return this.durations.length;
  }

  push(durationMs: number, bandwidthKbps: number, latencyMs: number): void {
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

const tables = new WeakMap<NetworkTrace, PeriodTable>();
const rawSamples = new WeakMap<NetworkTrace, PensieveColumns>();

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
  readonly pensieve?: PensieveColumns;
}): NetworkTrace {
  const { table, pensieve } = fields;
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
          timesS: Array.from(pensieve.timesS),
          throughputsMbps: Array.from(pensieve.throughputsMbps),
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
  return rawSamples.get(trace) ?? trace.pensieve;
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
      readonly pensieve?: PensieveColumns;
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
    ...(raw === undefined
      ? {}
      : { pensieve: { timesS: exact(raw.timesS), throughputsMbps: exact(raw.throughputsMbps) } }),
  };
}

export function traceFromWire(wire: TraceWire): NetworkTrace {
  return wire.kind === 'plain' ? wire.trace : packedTrace(wire);
}
