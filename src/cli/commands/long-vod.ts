/**
 * `abrkit long-vod <out-dir> [--source fixtures/ladder] [--duration 1h] [--reference]`: writes an HLS VOD
 * that loops a short ladder to any length (src/media/long-vod.ts), for soak runs without a long file:
 * the same segment files referenced lap after lap, an #EXT-X-DISCONTINUITY before each lap.
 */
import { readdirSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { writeLongVod } from '../../media/long-vod.js';
import type { LongVod } from '../../media/long-vod.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import { UsageError } from '../errors.js';

export interface LongVodCommandOptions {
  /** Folder holding master.m3u8 (default fixtures/ladder). */
  readonly source?: string;
  /** `90m`, `1h`, `3600s` or a number of seconds (default 1h). */
  readonly duration?: string;
  /** Reference the source's files instead of hard-linking them into the output folder. */
  readonly reference?: boolean;
  /** Write into an existing, non-empty folder (replacing what it holds of the same names). */
  readonly force?: boolean;
}

/** Refuses (UsageError) an output folder that exists and is not empty, unless `force`; or that is a file. */
export function checkOutDir(outDir: string, force: boolean): void {
  let isDir: boolean;
  try {
    isDir = statSync(outDir).isDirectory();
  } catch {
    return; // Absent: it will be created.
  }
  if (!isDir) throw new UsageError(`<out-dir> ${outDir}: is a file, expected a folder`);
  if (!force && readdirSync(outDir).length > 0)
    throw new UsageError(`<out-dir> ${outDir}: exists and is not empty; pass --force to write into it`);
}

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Longest `--duration`, ms: a week (as `sim --live-duration-s`). Each media playlist lists every segment, so a
 * week of 2 s segments is about 300 000 lines (about 12 MB); 100 000 h would be thousands of times that.
 */
export const LONG_VOD_MAX_DURATION_MS = 7 * 24 * 3_600_000;

/** `1h`, `90m`, `45s`, `500ms` or bare seconds → ms, at most a week; throws `UsageError` otherwise. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS_MS[match[2] ?? 's']! : Number.NaN;
  if (!(ms > 0) || !Number.isFinite(ms) || ms > LONG_VOD_MAX_DURATION_MS) {
    throw new UsageError(
      `--duration: expected a positive duration of at most a week (168h) such as 1h, 90m or 600s, got '${text}'`,
    );
  }
  return ms;
}

/** Runs the command; reports what it wrote on stdout. */
export async function runLongVodCommand(
  outDir: string,
  options: LongVodCommandOptions,
  context: CliContext = createContext(),
): Promise<LongVod> {
  const durationMs = parseDurationMs(options.duration ?? '1h');
  checkOutDir(context.resolvePath(outDir), options.force ?? false);
  const vod = await writeLongVod({
    sourceDir: context.resolvePath(options.source ?? 'fixtures/ladder'),
    outDir: context.resolvePath(outDir),
    durationMs,
    media: options.reference ? 'reference' : 'link',
  });
  context.io.stdout.write(
    `${vod.masterPath}: ${vod.laps} laps of ${vod.lapDurationMs / 1000} s, ${vod.segmentCount} segments, ` +
      `${(vod.durationMs / 1000).toFixed(0)} s\n`,
  );
  return vod;
}

/** Adds `abrkit long-vod` to the program. */
export function register(program: Command, context: CliContext = createContext()): void {
  program
    .command('long-vod')
    .description('write an HLS VOD that loops a short ladder to any length (for soak tests)')
    .argument('<out-dir>', 'folder to write (created); serve it with `abrkit serve`')
    .option('--source <dir>', 'folder holding the master.m3u8 to loop', 'fixtures/ladder')
    .option('-d, --duration <duration>', 'length, e.g. 1h, 90m, 600s', '1h')
    .option('--reference', 'reference the source files (relative URIs) instead of hard-linking them', false)
    .option('--force', 'write into an existing, non-empty folder')
    .action(async (outDir: string, options: LongVodCommandOptions) => {
      await runLongVodCommand(outDir, options, context);
    });
}
