/**
 * The inputs of `abrkit sim`: `--traces` values are files, folders or generator specs (the ones
 * `abrkit serve --trace` takes, e.g. `step:4000x20s,500x20s`, see src/traces/spec.ts); `--video` is a file,
 * folder, URL or `synthetic[:...]`. Returns the paths read too, so no output may be written on them.
 */
import { existsSync, statSync } from 'node:fs';
import { AbrkitError, isAbrkitError } from '../core/errors.js';
import { loadTraces } from '../sim/load-trace.js';
import { loadVideo } from '../sim/load-video.js';
import type { LoadVideoOptions } from '../sim/load-video.js';
import type { NetworkTrace, TraceFormat } from '../traces/model.js';
import { TRACE_SPEC_KINDS, generateTrace } from '../traces/spec.js';
import { VIDEO_ERROR_CODES, videoError } from '../videos/errors.js';
import type { VideoDescription } from '../videos/model.js';
import type { CliContext } from './context.js';
import { isVideoSpec, videoFromSpec } from './demo-data.js';
import type { InputPath } from './outputs.js';
import { didYouMean } from './suggest.js';
import { traceWarningPrinter } from './trace-warnings.js';

const SPEC_EXAMPLE = 'step:4000x20s,500x20s';

/** The kind of a `kind:args` spec, or undefined when `arg` does not look like one. */
function specKind(arg: string): string | undefined {
  return /^([a-z][a-z-]*):/.exec(arg)?.[1];
}

/**
 * Loads `--traces` values in the order given: an existing path is read (a folder: its trace files, by
 * name), else a `kind:args` value is generated. A value that is neither fails naming it, with the closest
 * generator kind when it looks like a misspelt spec. What a reader changed (slow periods read as outages)
 * is said on stderr, one line per file, unless `quiet`.
 */
export async function resolveTraces(
  args: readonly string[],
  context: CliContext,
  format?: TraceFormat,
  quiet = false,
): Promise<{ traces: NetworkTrace[]; inputs: InputPath[]; sources: Map<string, string> }> {
  const onWarning = traceWarningPrinter(context.io, quiet);
  const traces: NetworkTrace[] = [];
  const inputs: InputPath[] = [];
  const sources = new Map<string, string>();
  for (const arg of args) {
    const path = context.resolvePath(arg);
    const kind = specKind(arg);
    if (!existsSync(path) && kind !== undefined) {
      if ((TRACE_SPEC_KINDS as readonly string[]).includes(kind)) {
        traces.push(generateTrace(arg));
        continue;
      }
      throw new AbrkitError(
        'trace',
        'TRACE_NOT_FOUND',
        `no such trace file or folder, nor a generator spec: '${kind}' is not a generator${didYouMean(kind, TRACE_SPEC_KINDS)} (generators: ${TRACE_SPEC_KINDS.join(', ')}; e.g. ${SPEC_EXAMPLE})`,
        { data: { source: arg } },
      );
    }
    try {
      const loaded = await loadTraces([path], format, { onWarning });
      for (const t of loaded) if (!sources.has(t.name)) sources.set(t.name, path);
      traces.push(...loaded);
    } catch (e) {
      if (isAbrkitError(e) && e.code === 'TRACE_NOT_FOUND' && !existsSync(path)) {
        throw new AbrkitError(
          'trace',
          'TRACE_NOT_FOUND',
          `no such trace file or folder (nor a generator spec such as ${SPEC_EXAMPLE})`,
          { data: { source: path }, cause: e },
        );
      }
      throw e;
    }
    inputs.push({ flag: '--traces', path });
  }
  return { traces, inputs, sources };
}

/**
 * An error a session raised naming its trace by name (`SIM_TIME_LIMIT`), with the trace's file (or the
 * folder it was read from) instead, as every reader error names its file; other errors unchanged.
 */
export function withTracePath(e: unknown, sources: ReadonlyMap<string, string>): unknown {
  if (!isAbrkitError(e) || typeof e.data.source !== 'string') return e;
  const name = e.data.source;
  const path = sources.get(name);
  if (path === undefined || path === name || !e.message.startsWith(`${name}: `)) return e;
  // A file is the trace; a folder held it among others.
  const source = isFolder(path) ? `${path} (trace ${name})` : path;
  return new AbrkitError(e.category, e.code, e.message.slice(name.length + 2), {
    fatal: e.fatal,
    data: { ...e.data, source },
    cause: e,
  });
}

/** Loads `--video`: `synthetic[:...]`, a URL, or a file or folder (which then counts as an input). */
export async function resolveVideo(
  arg: string,
  context: CliContext,
  options: LoadVideoOptions,
): Promise<{ video: VideoDescription; inputs: InputPath[] }> {
  const path = context.resolvePath(arg);
  if (isVideoSpec(arg) && !existsSync(path)) {
    const video = videoFromSpec(arg);
    if (options.playableSegmentCount === undefined) return { video, inputs: [] };
    return { video: withPlayable(video, options.playableSegmentCount, arg), inputs: [] };
  }
  if (/^https?:\/\//i.test(arg)) return { video: await loadVideo(arg, options), inputs: [] };
  if (!existsSync(path)) {
    // `--video synthetc`: a misspelt spec, or a path that is not there
    const kind = arg.split(':')[0] ?? arg;
    throw videoError(
      VIDEO_ERROR_CODES.notFound,
      `no such file or folder, nor a video spec${didYouMean(kind, ['synthetic'])} (e.g. synthetic or synthetic:seed=7,segments=48)`,
      path,
    );
  }
  return { video: await loadVideo(path, options), inputs: [{ flag: '--video', path }] };
}

function withPlayable(video: VideoDescription, playable: number, source: string): VideoDescription {
  const total = video.segmentSizesBytes.length;
  if (!Number.isInteger(playable) || playable < 1 || playable > total) {
    throw new AbrkitError(
      'video',
      'VIDEO_INVALID',
      `--playable-segments: must be between 1 and the video's ${total} segments, got ${playable}`,
      { data: { source } },
    );
  }
  return { ...video, playableSegmentCount: playable };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
