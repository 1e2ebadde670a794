/**
 * Test harness: a small, self-contained re-implementation of Sabre's simulator main loop (UMass-LIDS/sabre
 * src/sabre.py: NetworkModel with latency and progress steps of 12000 bits / 50 ms, EWMA 3 s / 8 s, buffer of
 * whole segments, full-buffer wait, abandonment, and its metrics), written to check that the abr algorithms
 * reproduce Sabre's published numbers when driven through the `AbrAlgorithm` contract exactly as the header
 * of each algorithm file says the session must. It is NOT the product's simulator (src/sim): it exists so
 * the algorithms can be verified on their own while the session is built.
 */
import type { AbrAlgorithm, AbrContext } from '../../src/abr/types.js';
import type { DownloadSample, Rendition } from '../../src/core/types.js';

export interface SabrePeriod {
  readonly duration_ms: number;
  readonly bandwidth_kbps: number;
  readonly latency_ms: number;
}

export interface SabreMovie {
  readonly segment_duration_ms: number;
  readonly bitrates_kbps: readonly number[];
  readonly segment_sizes_bits: readonly (readonly number[])[];
}

export interface SabreMetrics {
  avgBitrateKbps: number;
  rebufferS: number;
  rebufferRatio: number;
  rebufferEvents: number;
  playTimeS: number;
  /** Renditions of the segments as buffered, in order. */
  renditions: number[];
  abandonments: number;
}

/** Sabre's network: periods of bandwidth and latency, looping. */
class Network {
  private index = -1;
  private timeToNext = 0;
  totalMs = 0;

  constructor(private readonly trace: readonly SabrePeriod[]) {
    this.nextPeriod();
  }

  private get period(): SabrePeriod {
    return this.trace[this.index]!;
  }

  private nextPeriod(): void {
    this.index = (this.index + 1) % this.trace.length;
    this.timeToNext = this.period.duration_ms;
  }

  /** One latency of the current period(s); returns the time spent. */
  latencyDelay(): number {
    let units = 1;
    let total = 0;
    while (units > 0) {
      const latency = this.period.latency_ms;
      const time = units * latency;
      if (time <= this.timeToNext) {
        total += time;
        this.totalMs += time;
        this.timeToNext -= time;
        units = 0;
      } else {
        total += this.timeToNext;
        this.totalMs += this.timeToNext;
        units -= this.timeToNext / latency;
        this.nextPeriod();
      }
    }
    return total;
  }

  /** Downloads at least `minBits` or `minMs` worth (or all `bits`); returns [bits, ms]. */
  minimalDownload(bits: number, minBits: number, minMs: number): [number, number] {
    let totalBits = 0;
    let totalMs = 0;
    while (bits > 0 && (minBits > 0 || minMs > 0)) {
      const bw = this.period.bandwidth_kbps;
      let b: number;
      let t: number;
      if (bw > 0) {
        const need = Math.max(minBits, minMs * bw);
        const toNext = this.timeToNext * bw;
        if (bits <= need && bits <= toNext) {
          b = bits;
          t = b / bw;
          this.timeToNext -= t;
          this.totalMs += t;
        } else if (need <= toNext) {
          b = need;
          t = b / bw;
          minBits = 0;
          minMs = 0;
          this.timeToNext -= t;
          this.totalMs += t;
        } else {
          b = toNext;
          t = this.timeToNext;
          this.totalMs += t;
          this.nextPeriod();
        }
      } else {
        b = 0;
        if (minBits > 0 || minMs > this.timeToNext) {
          t = this.timeToNext;
          this.totalMs += t;
          this.nextPeriod();
        } else {
          t = minMs;
          this.timeToNext -= t;
          this.totalMs += t;
        }
      }
      totalBits += b;
      totalMs += t;
      bits -= b;
      minBits -= b;
      minMs -= t;
    }
    return [totalBits, totalMs];
  }

  /** Downloads all `bits` (no progress steps); returns ms. */
  download(bits: number): number {
    let total = 0;
    while (bits > 0) {
      const bw = this.period.bandwidth_kbps;
      if (bits <= this.timeToNext * bw) {
        const t = bits / bw;
        total += t;
        this.totalMs += t;
        this.timeToNext -= t;
        bits = 0;
      } else {
        total += this.timeToNext;
        this.totalMs += this.timeToNext;
        bits -= this.timeToNext * bw;
        this.nextPeriod();
      }
    }
    return total;
  }

  delay(ms: number): void {
    while (ms > this.timeToNext) {
      ms -= this.timeToNext;
      this.totalMs += this.timeToNext;
      this.nextPeriod();
    }
    this.timeToNext -= ms;
    this.totalMs += ms;
  }
}

/** Sabre's EWMA: throughput weighted by download time, latency per segment; min / max of the two. */
class Ewma {
  private readonly halfLives = [8000, 3000];
  private readonly latencyHalfLives: number[];
  private readonly tput = [0, 0];
  private readonly lat = [0, 0];
  private weightTput = 0;
  private weightLat = 0;
  throughputKbps: number | null = null;
  latencyMs: number | null = null;
  count = 0;

  constructor(segmentMs: number) {
    this.latencyHalfLives = this.halfLives.map((h) => h / segmentMs);
  }

  push(timeMs: number, tputKbps: number, latMs: number): void {
    for (let i = 0; i < this.halfLives.length; i++) {
      let alpha = Math.pow(0.5, timeMs / this.halfLives[i]!);
      this.tput[i] = alpha * this.tput[i]! + (1 - alpha) * tputKbps;
      alpha = Math.pow(0.5, 1 / this.latencyHalfLives[i]!);
      this.lat[i] = alpha * this.lat[i]! + (1 - alpha) * latMs;
    }
    this.weightTput += timeMs;
    this.weightLat += 1;
    let t: number | null = null;
    let l: number | null = null;
    for (let i = 0; i < this.halfLives.length; i++) {
      const tt = this.tput[i]! / (1 - Math.pow(0.5, this.weightTput / this.halfLives[i]!));
      t = t === null ? tt : Math.min(t, tt);
      const ll = this.lat[i]! / (1 - Math.pow(0.5, this.weightLat / this.latencyHalfLives[i]!));
      l = l === null ? ll : Math.max(l, ll);
    }
    this.throughputKbps = t;
    this.latencyMs = l;
    this.count++;
  }
}

/** Runs one Sabre session (`-b bufferS`, all else default) with `algo`, driven through the AbrAlgorithm contract. */
export function runSabreSession(
  algo: AbrAlgorithm,
  movie: SabreMovie,
  trace: readonly SabrePeriod[],
  bufferS = 25,
  /** False: fetch segment 0 at index 0 without asking the algorithm (a session's forced first rendition). */
  askFirst = true,
): SabreMetrics {
  const seg = movie.segment_duration_ms;
  const bitrates = movie.bitrates_kbps;
  const segments = movie.segment_sizes_bits;
  const renditions: Rendition[] = bitrates.map((bitrateKbps, index) => ({ index, bitrateKbps }));
  const bufferSize = bufferS * 1000;
  const net = new Network(trace);
  const ewma = new Ewma(seg);

  const buffer: number[] = [];
  let fcc = 0;
  let rebufferMs = 0;
  let rebufferEvents = 0;
  let playMs = 0;
  let playedBitrate = 0;
  const level = () => seg * buffer.length - fcc;
  const deplete = (time: number) => {
    if (buffer.length === 0) {
      rebufferMs += time;
      playMs += time;
      return;
    }
    if (fcc > 0) {
      if (time + fcc < seg) {
        fcc += time;
        playMs += time;
        return;
      }
      time -= seg - fcc;
      playMs += seg - fcc;
      buffer.shift();
      fcc = 0;
    }
    while (time > 0 && buffer.length > 0) {
      playedBitrate += bitrates[buffer[0]!]!;
      if (time >= seg) {
        buffer.shift();
        playMs += seg;
        time -= seg;
      } else {
        fcc = time;
        playMs += time;
        time = 0;
      }
    }
    if (time > 0) {
      rebufferMs += time;
      playMs += time;
      rebufferEvents++;
    }
  };

  const ctx = (
    segmentIndex: number,
    bufferLevelMs: number,
    lastRenditionIndex: number | null,
  ): AbrContext => ({
    nowMs: net.totalMs,
    segmentIndex,
    segmentCount: segments.length,
    segmentDurationMs: seg,
    renditions,
    segmentSizeBytes: (s, r) => {
      const v = segments[s]?.[r];
      return v === undefined ? null : v / 8;
    },
    lastRenditionIndex,
    bufferLevelMs,
    bufferTargetMs: bufferSize,
    playbackRate: 1,
    throughput: { throughputKbps: ewma.throughputKbps ?? 0, sampleCount: ewma.count },
    latencyMs: ewma.latencyMs,
    maxRenditionIndex: renditions.length - 1,
    startingUp: ewma.count === 0,
  });

  const order: number[] = [];
  let abandonments = 0;

  // segment 0: the algorithm's first choice (must be 0, Sabre's get_first_quality), no abandonment check
  const first = askFirst ? algo.choose(ctx(0, 0, null)).renditionIndex : 0;
  if (first !== 0) throw new Error(`first segment at ${first}, Sabre fetches 0`);
  {
    const size = segments[0]![first]!;
    const start = net.totalMs;
    const latency = net.latencyDelay();
    const time = latency + net.download(size);
    buffer.push(first);
    order.push(first);
    playMs += time;
    const sample: DownloadSample = {
      startMs: start,
      firstByteMs: start + latency,
      endMs: start + time,
      sizeBytes: size / 8,
    };
    algo.onDownloaded?.(sample, ctx(0, level(), first));
    ewma.push(time - latency, size / (time - latency), latency);
  }

  let next = 1;
  let last: number | null = first;
  while (next < segments.length) {
    const fullDelay = level() + seg - bufferSize;
    if (fullDelay > 0) {
      deplete(fullDelay);
      net.delay(fullDelay);
      algo.onIdle?.(fullDelay);
    }
    const decision = algo.choose(ctx(next, level(), last));
    const quality = decision.renditionIndex;
    const delay = decision.delayMs ?? 0;
    if (delay > 0) {
      deplete(delay);
      net.delay(delay);
    }
    const size = segments[next]![quality]!;
    const levelAtStart = level();
    const start = net.totalMs;
    // Sabre's download with abandonment checks every 12000 bits / 50 ms (latency first)
    const latency = net.latencyDelay();
    let time = latency;
    let got = 0;
    let minMs = 50 - latency;
    let abandonTo: number | null = null;
    while (got < size && abandonTo === null) {
      const [bits, t] = net.minimalDownload(size - got, 12000, minMs);
      time += t;
      got += bits;
      if (got < size && algo.shouldAbandon) {
        abandonTo = algo.shouldAbandon(
          {
            segmentIndex: next,
            renditionIndex: quality,
            startMs: start,
            firstByteMs: start + latency,
            nowMs: start + time,
            loadedBytes: got / 8,
            totalBytes: size / 8,
          },
          ctx(next, Math.max(0, levelAtStart - time), last),
        );
        minMs = 50;
      }
    }
    deplete(time);
    const aborted = abandonTo !== null;
    if (!aborted) {
      buffer.push(quality);
      order.push(quality);
      next++;
      last = quality;
    } else {
      abandonments++;
    }
    const sample: DownloadSample = {
      startMs: start,
      firstByteMs: start + latency,
      endMs: start + time,
      sizeBytes: got / 8,
      aborted,
    };
    algo.onDownloaded?.(sample, ctx(next, level(), last));
    // Sabre ignores the abandonment target and asks get_quality_delay again for the same segment
    if (!aborted) ewma.push(time - latency, got / (time - latency), latency);
  }
  deplete(level());

  return {
    avgBitrateKbps: playedBitrate / (playMs / seg),
    rebufferS: rebufferMs / 1000,
    rebufferRatio: rebufferMs / playMs,
    rebufferEvents,
    playTimeS: playMs / 1000,
    renditions: order,
    abandonments,
  };
}
