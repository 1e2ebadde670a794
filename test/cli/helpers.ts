/**
 * Small synthetic inputs for the CLI tests, one per trace format (see src/traces and ../shared/data/README.md),
 * written into a fresh temp dir; and an in-memory `CliIo`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/errors.js';
import { createRng } from '../../src/traces/random.js';

export const BITRATES_KBPS = [300, 750, 1200, 1850, 2850, 4300];
export const SEGMENTS = 12;

export interface Fixture {
  readonly dir: string;
  /** Sabre movie JSON. */
  readonly movie: string;
  /** A folder of Pensieve video_size_N files. */
  readonly pensieveVideo: string;
  /** Trace files, one per format, in this order: sabre, pensieve cooked, mahimahi, csv. */
  readonly traces: readonly string[];
  /** The trace names the JSONL must show, in the same order. */
  readonly traceNames: readonly string[];
}

/** Writes a movie, a Pensieve video folder and one trace per format into a new temp dir. */
export function writeFixture(seed = 3): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'abrkit-cli-'));
  const rng = createRng(seed);
  const sizesBits = Array.from({ length: SEGMENTS }, () =>
    BITRATES_KBPS.map((kbps) => Math.round(kbps * 4000 * rng.uniform(0.8, 1.2))),
  );
  const movie = join(dir, 'movie.json');
  writeFileSync(
    movie,
    JSON.stringify({
      segment_duration_ms: 4000,
      bitrates_kbps: BITRATES_KBPS,
      segment_sizes_bits: sizesBits,
    }),
  );

  const pensieveVideo = join(dir, 'video');
  mkdirSync(pensieveVideo);
  BITRATES_KBPS.forEach((_, b) => {
    writeFileSync(
      join(pensieveVideo, `video_size_${b}`),
      sizesBits.map((row) => `${Math.round((row[b] ?? 0) / 8)}\n`).join(''),
    );
  });

  const sabre = join(dir, 'commute_1.json');
  writeFileSync(
    sabre,
    JSON.stringify(
      Array.from({ length: 40 }, () => ({
        duration_ms: 1000,
        bandwidth_kbps: Math.round(rng.uniform(400, 5000)),
        latency_ms: 60,
      })),
    ),
  );
  // Pensieve cooked: `time_s throughput_Mbps`; the name keeps its dots.
  const cooked = join(dir, 'report.2011-02-01_0840CET');
  writeFileSync(
    cooked,
    Array.from({ length: 60 }, (_, i) => `${i}.0\t${rng.uniform(0.3, 4).toFixed(3)}\n`).join(''),
  );
  // mahimahi: one ms timestamp per 1500-byte delivery opportunity (~2.4 Mbps: one every 5 ms).
  const mahimahi = join(dir, 'cell.down');
  writeFileSync(mahimahi, Array.from({ length: 8000 }, (_, i) => `${(i + 1) * 5}\n`).join(''));
  const csv = join(dir, 'hand.csv');
  writeFileSync(csv, 'time_s,throughput_kbps,latency_ms\n0,3000,40\n20,800,40\n35,2500,40\n60\n');
  return {
    dir,
    movie,
    pensieveVideo,
    traces: [sabre, cooked, mahimahi, csv],
    traceNames: ['commute_1', 'report.2011-02-01_0840CET', 'cell.down', 'hand'],
  };
}

export interface CapturedIo {
  readonly io: CliIo;
  out(): string;
  err(): string;
}

/** A `CliIo` that keeps what is written. */
export function captureIo(cwd: string): CapturedIo {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => ((out += s), true) },
      stderr: { write: (s: string) => ((err += s), true) },
      isTTY: false,
      cwd,
    },
    out: () => out,
    err: () => err,
  };
}

/** The fields of a JSONL line, in the order of `SegmentRecord`. */
export const JSONL_FIELDS = [
  'trace',
  'algo',
  'segment',
  'rendition',
  'bitrateKbps',
  'sizeBytes',
  'downloadMs',
  'rebufferMs',
  'bufferMs',
  'qoe',
];
