/**
 * A live player's media playlist reloads on the simulated link (issue 16, bench:live): the player reloads
 * every media playlist of the ladder (the video renditions' and the audio one, 4.4 kB together on the
 * fixture ladder) about every target duration, on the same link as its segment downloads; and it learns of
 * a segment only when such a reload lists it.
 *
 * - **Their bytes take link time.** The shaping server's link is work-conserving and shared equally by the
 *   responses in flight (src/shaping/pacer.ts), so a segment download overlapping a reload ends when the link
 *   has moved its bytes and the reload's: as if the reload had the link to itself for `bytes / rate` and the
 *   segment the rest. {@link withPlaylistTraffic} removes that link time from the trace (bandwidth 0 from the
 *   reload's first byte until its bytes have passed, walking the periods' rates; the period's latency kept),
 *   so every network model that walks the trace's periods (`sabre`, `abrkit`) sees what is left for the
 *   segments. A segment's finish time, its sample and its abandonment arithmetic then see the reload as the
 *   browser's do (in bench:live runs, downloads overlapping a reload took 100-110 ms longer in the browser
 *   than in the simulator at 300 kbps, the reload's 3.9-4.4 kB at that rate). Progress during the reload is
 *   0 rather than a share (a reload is 20-130 ms).
 * - **They set when segments are known.** A segment is listed by the first reload that reaches the server
 *   once the segment exists, and is known when that reload's last byte arrives ({@link listedAtMs}); the
 *   reloads' phase, and its drift (a timer fired late keeps its delay for the reloads after it), is what
 *   the listing delay of `SimLiveOptions.listingDelayMs` approximated with one constant.
 *
 * Reloads are given as times and sizes (`SimLiveOptions.reloads`: measured from a shaping server's request
 * log, or {@link periodicReloads} for the player's schedule of one reload per target duration).
 */
import { invalidArgument } from '../core/errors.js';
import type { NetworkTrace, TracePeriod } from '../traces/model.js';

/**
 * A playlist request of a reload: when it reaches the server (session clock, ms) and its bytes. The
 * requests with the same `reload` number are one reload (the player waits for all of them; a browser may
 * send one later than the others when its connections are busy); without one, a request is a reload.
 */
export interface PlaylistReload {
  readonly atMs: number;
  readonly bytes: number;
  readonly reload?: number;
}

/** The trace with the reloads' link time removed, and when each reload began and ended. */
export interface PlaylistTraffic {
  readonly trace: NetworkTrace;
  /** Reloads sorted by `atMs`: the first request's time, and when the last byte of the last arrives. */
  readonly reloads: readonly { readonly atMs: number; readonly endMs: number }[];
}

/** Pieces shorter than this are dropped from the carved trace, ms (a period needs a duration > 0). */
const MIN_PIECE_MS = 1e-6;

/**
 * `trace` with the link time of each reload removed: from `atMs` plus the latency of the period it starts in
 * (the server waits that long before the first byte; other transfers have the link meanwhile), or from the
 * end of the reload before it when that is later (the link serves one after the other), the bandwidth is 0
 * until `bytes` have passed at the periods' rates. Reloads past the trace's end are placed on its loop (the
 * link models loop the trace), unrolled as far as needed. Throws a TypeError for a reload with a time or size
 * that is not a finite number ≥ 0, or a trace with no bandwidth at all.
 */
export function withPlaylistTraffic(
  trace: NetworkTrace,
  reloads: readonly PlaylistReload[],
): PlaylistTraffic {
  reloads.forEach((r, i) => {
    if (!(Number.isFinite(r.atMs) && r.atMs >= 0 && Number.isFinite(r.bytes) && r.bytes >= 0))
      throw invalidArgument(
        `live.reloads[${i}]`,
        `atMs and bytes must be finite numbers ≥ 0, got ${r.atMs} and ${r.bytes}`,
      );
  });
  const sorted = [...reloads].sort((a, b) => a.atMs - b.atMs);
  const base = trace.periods;
  const loopMs = base.reduce((sum, p) => sum + p.durationMs, 0);
  if (!(loopMs > 0) || !base.some((p) => p.bandwidthKbps > 0))
    throw invalidArgument('trace', `${trace.name}: reloads need a trace with some bandwidth`);
  // the periods, unrolled until they cover the last reload with room to transfer it
  const periods: TracePeriod[] = [];
  let coveredMs = 0;
  const lastMs = sorted.at(-1)?.atMs ?? 0;
  const unroll = (): void => {
    for (const p of base) periods.push(p);
    coveredMs += loopMs;
  };
  unroll();
  while (coveredMs <= lastMs + loopMs) unroll();
  // cuts: [fromMs, toMs) of no bandwidth
  const cuts: [number, number][] = [];
  const groups = new Map<number | string, { atMs: number; endMs: number }>();
  let n = 0;
  let freeFromMs = 0;
  let i = 0;
  let periodStartMs = 0;
  for (const r of sorted) {
    // the period holding atMs (periods before it are passed for good: reloads are sorted)
    while (i < periods.length - 1 && periodStartMs + periods[i]!.durationMs <= r.atMs) {
      periodStartMs += periods[i]!.durationMs;
      i++;
    }
    let t = Math.max(r.atMs + periods[i]!.latencyMs, freeFromMs);
    let bits = r.bytes * 8;
    let k = i;
    let kStartMs = periodStartMs;
    const from = t;
    while (bits > 0) {
      while (k < periods.length - 1 && kStartMs + periods[k]!.durationMs <= t) {
        kStartMs += periods[k]!.durationMs;
        k++;
      }
      if (k === periods.length - 1 && kStartMs + periods[k]!.durationMs <= t) {
        // past the unrolled periods: one more loop
        unroll();
        continue;
      }
      const p = periods[k]!;
      const endMs = kStartMs + p.durationMs;
      if (p.bandwidthKbps > 0) {
        const needMs = bits / p.bandwidthKbps;
        if (t + needMs <= endMs) {
          t += needMs;
          break;
        }
        bits -= (endMs - t) * p.bandwidthKbps;
      }
      t = endMs;
    }
    if (t > from) cuts.push([from, t]);
    freeFromMs = t;
    const key = r.reload ?? `request ${n++}`;
    const g = groups.get(key);
    if (g) g.endMs = Math.max(g.endMs, t);
    else groups.set(key, { atMs: r.atMs, endMs: t });
  }
  return {
    trace: { name: trace.name, periods: carve(periods, cuts) },
    reloads: [...groups.values()].sort((a, b) => a.atMs - b.atMs),
  };
}

/** `periods` with bandwidth 0 inside the cuts (sorted, not overlapping), split at their bounds. */
function carve(periods: readonly TracePeriod[], cuts: readonly (readonly [number, number])[]): TracePeriod[] {
  const out: TracePeriod[] = [];
  const push = (durationMs: number, bandwidthKbps: number, latencyMs: number): void => {
    if (durationMs > MIN_PIECE_MS) out.push({ durationMs, bandwidthKbps, latencyMs });
  };
  let c = 0;
  let startMs = 0;
  for (const p of periods) {
    const endMs = startMs + p.durationMs;
    let t = startMs;
    while (c < cuts.length && cuts[c]![0] < endMs) {
      const [from, to] = cuts[c]!;
      if (from > t) push(from - t, p.bandwidthKbps, p.latencyMs);
      const cutEnd = Math.min(to, endMs);
      if (cutEnd > Math.max(from, t)) push(cutEnd - Math.max(from, t), 0, p.latencyMs);
      t = Math.max(t, cutEnd);
      if (to <= endMs) c++;
      else break;
    }
    push(endMs - t, p.bandwidthKbps, p.latencyMs);
    startMs = endMs;
  }
  return out;
}

/**
 * When a segment that becomes available at `availableAtMs` is known to the player: the end of the first
 * reload that reaches the server at or after that time (a reload sent earlier gets a playlist without it).
 * Null when no reload does.
 */
export function listedAtMs(traffic: PlaylistTraffic, availableAtMs: number): number | null {
  const { reloads } = traffic;
  let lo = 0;
  let hi = reloads.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reloads[mid]!.atMs < availableAtMs) lo = mid + 1;
    else hi = mid;
  }
  return lo < reloads.length ? reloads[lo]!.endMs : null;
}

/**
 * The player's reload schedule as a list: a reload of `bytes` every `intervalMs` (its target duration; the
 * playlist changes at every reload when segments come out once a target duration) from `firstAtMs` until
 * `untilMs`.
 */
export function periodicReloads(options: {
  readonly firstAtMs: number;
  readonly intervalMs: number;
  readonly bytes: number;
  readonly untilMs: number;
}): PlaylistReload[] {
  const { firstAtMs, intervalMs, bytes, untilMs } = options;
  if (!(intervalMs > 0 && Number.isFinite(intervalMs)))
    throw invalidArgument('intervalMs', `must be a finite number > 0, got ${intervalMs}`);
  const out: PlaylistReload[] = [];
  for (let t = firstAtMs; t <= untilMs; t += intervalMs) if (t >= 0) out.push({ atMs: t, bytes });
  return out;
}
