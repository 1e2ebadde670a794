/**
 * `abrkit ladder <master.m3u8 | manifest.mpd | folder | URL> [--out video.json]`: measures an HLS or DASH ladder (every segment's
 * real size) and writes it as Sabre movie JSON (default) or abrkit's VideoDescription JSON, for the simulator.
 * `--inspect` also reads every segment with mp4box and checks codecs and keyframe alignment.
 */
import type { Command } from 'commander';
import { checkDeclaredCodec } from '../../media/inspect.js';
import { checkKeyframeAlignment } from '../../media/keyframes.js';
import {
  defaultLadderName,
  inspectMediaPlaylist,
  ladderToVideo,
  toSabreMovieJson,
} from '../../media/ladder.js';
import { scanLadder } from '../../media/dash-ladder.js';
import { isHttpUrl } from '../../media/load.js';
import type { VideoDescription } from '../../videos/model.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import { UsageError } from '../errors.js';
import { checkOutputs, writeOutputFile } from '../outputs.js';

export interface LadderCommandOptions {
  /** Output file; stdout when absent. */
  readonly out?: string;
  /** `sabre` (Sabre movie JSON, sizes in bits) or `abrkit` (VideoDescription, sizes in bytes). */
  readonly format?: string;
  readonly name?: string;
  /** Also inspect every segment (codecs, durations, keyframe alignment). */
  readonly inspect?: boolean;
  /** Replace an existing `out` file. */
  readonly force?: boolean;
}

/**
 * Runs the command: writes the description to `options.out` (or stdout) and a summary to stderr, through
 * `context.io`. Throws `UsageError` for a bad `--format`, and the AbrkitErrors of `readHlsLadder` / inspection.
 */
export async function runLadderCommand(
  master: string,
  options: LadderCommandOptions,
  context: CliContext = createContext(),
): Promise<{ video: VideoDescription; text: string }> {
  const format = options.format ?? 'sabre';
  if (format !== 'sabre' && format !== 'abrkit')
    throw new UsageError(`--format: must be sabre or abrkit, got '${format}'`);
  const log = (line: string) => context.io.stderr.write(`${line}\n`);
  // Checked before measuring: the file must not exist (without --force) nor be the ladder's own.
  const output =
    options.out === undefined
      ? undefined
      : checkOutputs(
          [{ flag: '--out', path: context.resolvePath(options.out) }],
          isHttpUrl(master) ? [] : [{ flag: '<master>', path: context.resolvePath(master) }],
          options.force ?? false,
        )[0];
  const ladder = await scanLadder(isHttpUrl(master) ? master : context.resolvePath(master));
  const video = ladderToVideo(ladder, options.name ?? defaultLadderName(ladder.location));
  log(
    `${video.name}: ${video.renditions.length} renditions, ${video.segmentSizesBytes.length} segments of ` +
      `${video.segmentDurationMs} ms; ${video.renditions.map((r) => `${Math.round(r.bitrateKbps)}`).join('/')} kbps`,
  );
  if (options.inspect) {
    const inspected = [];
    for (const { variant, playlist } of ladder.variants) {
      const result = await inspectMediaPlaylist(playlist);
      if (variant.codecs !== undefined) checkDeclaredCodec(result.init, variant.codecs);
      log(
        `  ${variant.uri}: ${result.init.codec} ${result.init.widthPx}x${result.init.heightPx}, ${result.segments.length} segments`,
      );
      inspected.push(result.segments);
    }
    checkKeyframeAlignment(inspected);
    log('  keyframes aligned across renditions');
  }
  const text =
    format === 'sabre'
      ? `${JSON.stringify(toSabreMovieJson(video))}\n`
      : `${JSON.stringify(video, null, 2)}\n`;
  if (output === undefined) context.io.stdout.write(text);
  else {
    writeOutputFile(output, text);
    log(`wrote ${output.path}`);
  }
  return { video, text };
}

/** Adds `abrkit ladder` to the program. */
export function register(program: Command, context: CliContext = createContext()): void {
  program
    .command('ladder')
    .description(
      'measure an HLS or DASH ladder (real segment sizes) and write it as a video description for the simulator',
    )
    .argument(
      '<master>',
      'master playlist or MPD path or http(s) URL, or a folder holding master.m3u8 (or manifest.mpd)',
    )
    .option('-o, --out <file>', 'output file (default: stdout)')
    .option(
      '-f, --format <format>',
      'sabre (Sabre movie JSON, sizes in bits) or abrkit (VideoDescription JSON)',
      'sabre',
    )
    .option('--name <name>', 'name of the video (default: the folder name)')
    .option('--inspect', 'also read every segment with mp4box: check codecs and keyframe alignment', false)
    .option('--force', 'replace an existing --out file')
    .action(async (master: string, options: LadderCommandOptions) => {
      await runLadderCommand(master, options, context);
    });
}
