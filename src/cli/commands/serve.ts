/**
 * `abrkit serve <folder> --trace <file | generator spec>`: serves the folder's files (HLS playlists, DASH
 * MPDs as application/dash+xml, segments) on 127.0.0.1, pacing every response through one link that
 * follows the trace, with seeded fault injection (src/shaping). Prints the URL, runs until SIGINT/SIGTERM, then closes cleanly.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AbrkitError } from '../../core/errors.js';
import { checkFaultSpec, parseFaultSpec, type FaultSpec } from '../../shaping/faults.js';
import { parseLiveFaultSpec } from '../../shaping/live-faults.js';
import type { LiveOptions } from '../../shaping/live-source.js';
import { startShapingServer, type ShapingServer } from '../../shaping/server.js';
import { loadTraceFile } from '../../sim/load-trace.js';
import type { NetworkTrace, TraceFormat } from '../../traces/model.js';
import { periodCount } from '../../traces/columns.js';
import { TRACE_SPEC_KINDS, generateTrace } from '../../traces/spec.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import { UsageError } from '../errors.js';
import { traceWarningPrinter } from '../trace-warnings.js';

export interface ServeCommandOptions {
  readonly trace: string;
  readonly traceFormat?: TraceFormat;
  readonly network?: string;
  readonly loop?: boolean;
  readonly faults?: string;
  readonly seed?: string;
  readonly port?: string;
  readonly host?: string;
  readonly log?: string;
  readonly maxConnections?: string;
  readonly live?: boolean;
  readonly windowS?: string;
  readonly startS?: string;
  readonly liveFaults?: string;
}

const FAULT_HELP = `
Fault spec (--faults), comma-separated key=value, or a JSON file with the same meaning:
  5xx=P[:STATUS]   answer a 5xx (default 500) with probability P instead of the file
  404=P            answer 404 with probability P
  reset=P          reset the connection after a random 10-90% of the body
  stall=P:MS       after a random 10-90% of the body, send nothing for MS ms
  spike=P:MS       add MS ms to the latency before the first byte
  outage=A-B       no bytes during trace time [A, B) ms; new requests wait for its end (repeatable)
  pattern=GLOB     probabilistic faults only for URLs GLOB matches in part (* any text, ? one char, | or)
  first=N          probabilistic faults only on the first N requests of each URL
  e.g. --faults '5xx=0.05,reset=0.02,stall=0.01:5000,outage=30000-40000,pattern=seg_' --seed 7
At most one fault per request; the draws depend only on --seed, the URL and how many times it was requested,
so a run replays with the same seed. JSON: {"serverError":{"probability":0.05,"status":503},
"notFound":{"probability":0.01},"reset":{"probability":0.02},"stall":{"probability":0.01,"ms":5000},
"spike":{"probability":0.05,"ms":800},"outages":[{"fromMs":30000,"toMs":40000}],"pattern":"seg_"}

Live (--live): the folder's VOD ladder (master.m3u8) becomes a live stream that loops it, with
EXT-X-DISCONTINUITY at each loop. Media playlists (same paths) are a sliding window of --window-s seconds
(default 30) with EXT-X-MEDIA-SEQUENCE, EXT-X-PROGRAM-DATE-TIME and no ENDLIST; segments are listed as
seg_00003.m4s?msn=123 and answer 404 until available (segment i at start + (i+1) x duration). --start-s S:
the stream started S s before the server (default 0: the first segment comes after one duration).
Live faults (--live-faults), comma-separated, seeded by --seed; live time is ms since the server started:
  stale=A-B              playlists stop advancing during [A, B) ms (repeatable)
  playlist5xx=P[:STATUS] a media playlist request answers a 5xx (default 503) with probability P
  edge404=P[:MS]         a listed segment answers 404 for MS ms (default its duration) after it appears
  e.g. --live --start-s 30 --live-faults 'stale=20000-28000,playlist5xx=0.05,edge404=0.1'

The trace clock starts at the first request. Each request waits its period's latency, then the headers
and the body follow, all bodies in flight sharing the trace's bandwidth equally. Without --loop the last
period holds (a trace ending in a 0 kbps period is refused: it would stop every body for ever). Listens on
127.0.0.1 unless --host says otherwise; serves only files under <folder>.
`;

/**
 * A `--trace` value: an existing file (any trace format), else a generator spec such as `constant:2000`.
 * What the reader changed (slow periods read as outages) is said on stderr.
 */
export async function resolveTraceArg(
  arg: string,
  context: CliContext,
  format?: TraceFormat,
): Promise<NetworkTrace> {
  const path = context.resolvePath(arg);
  const options = { onWarning: traceWarningPrinter(context.io) };
  if (existsSync(path)) return loadTraceFile(path, format, options);
  const kind = /^([a-z-]+):/.exec(arg)?.[1];
  if (kind !== undefined && (TRACE_SPEC_KINDS as readonly string[]).includes(kind)) return generateTrace(arg);
  return loadTraceFile(path, format, options);
}

/** A `--faults` value: a JSON file holding a FaultSpec, else a compact spec string. */
export async function resolveFaultsArg(arg: string, context: CliContext): Promise<FaultSpec> {
  const path = context.resolvePath(arg);
  if (!arg.includes('=') && existsSync(path) && statSync(path).isFile()) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new AbrkitError(
        'config',
        'FAULT_SPEC_INVALID',
        `bad fault spec: not JSON: ${(e as Error).message}`,
        {
          data: { source: path },
          cause: e,
        },
      );
    }
    return checkFaultSpec(json, path);
  }
  // A compact spec always holds key=value; anything else names a file, which must exist.
  if (!arg.includes('=')) {
    const what = existsSync(path) ? 'not a file' : 'no such file';
    throw new AbrkitError(
      'config',
      'FAULT_SPEC_INVALID',
      `${what} (--faults takes a JSON file or a spec such as 5xx=0.05,reset=0.02)`,
      { data: { source: path } },
    );
  }
  return parseFaultSpec(arg, '--faults');
}

function integer(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max))
    throw new UsageError(`${flag}: expected an integer in [${min}, ${max}], got '${text}'`);
  return n;
}

/** The `live` option of the server from `--live`, `--window-s`, `--start-s`, `--live-faults`. */
function liveOptions(flags: ServeCommandOptions): LiveOptions | undefined {
  if (flags.live !== true) {
    const stray =
      flags.windowS !== undefined ? '--window-s' : flags.startS !== undefined ? '--start-s' : null;
    if (stray !== null || flags.liveFaults !== undefined)
      throw new UsageError(`${stray ?? '--live-faults'} needs --live`);
    return undefined;
  }
  const seconds = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(n)) throw new UsageError(`${flag}: expected a number of seconds, got '${text}'`);
    return n;
  };
  const windowS = seconds('--window-s', flags.windowS);
  const startS = seconds('--start-s', flags.startS);
  return {
    ...(windowS === undefined ? {} : { windowS }),
    ...(startS === undefined ? {} : { startS }),
    ...(flags.liveFaults === undefined
      ? {}
      : { faults: parseLiveFaultSpec(flags.liveFaults, '--live-faults') }),
  };
}

/** Starts the server for the command's flags and prints where it listens (on stderr, the URL on stdout). */
export async function startServeCommand(
  folder: string,
  flags: ServeCommandOptions,
  context: CliContext = createContext(),
): Promise<ShapingServer> {
  const network = flags.network ?? 'sabre';
  if (network !== 'sabre' && network !== 'pensieve')
    throw new UsageError(`--network: must be sabre or pensieve, got '${network}'`);
  const seed = integer('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER);
  const port = integer('--port', flags.port, 0, 65535);
  const maxConnections = integer('--max-connections', flags.maxConnections, 1, 100_000);
  const trace = await resolveTraceArg(flags.trace, context, flags.traceFormat);
  const faults = flags.faults === undefined ? undefined : await resolveFaultsArg(flags.faults, context);
  const live = liveOptions(flags);
  const server = await startShapingServer({
    root: context.resolvePath(folder),
    trace,
    network,
    loop: flags.loop ?? false,
    ...(faults === undefined ? {} : { faults }),
    ...(seed === undefined ? {} : { seed }),
    ...(port === undefined ? {} : { port }),
    ...(flags.host === undefined ? {} : { host: flags.host }),
    ...(flags.log === undefined ? {} : { log: context.resolvePath(flags.log) }),
    ...(maxConnections === undefined ? {} : { limits: { maxConnections } }),
    ...(live === undefined ? {} : { live }),
    maxRequestsKept: 1000,
    onRequest: (entry) => {
      if (entry.fault !== null)
        context.io.stderr.write(
          `  fault at ${(entry.startMs / 1000).toFixed(3)} s: ${entry.method} ${entry.url} -> ${JSON.stringify(entry.fault)}\n`,
        );
    },
  });
  const err = (line: string): void => void context.io.stderr.write(`${line}\n`);
  err(
    `abrkit serve: ${context.resolvePath(folder)} on ${server.url} (bound to ${server.host}` +
      `${server.host === '127.0.0.1' ? ', loopback only' : ''})`,
  );
  err(
    `  trace ${trace.name}: ${periodCount(trace)} periods, network ${network}` +
      `${flags.loop ? ', looping' : ', last period holds'}`,
  );
  // the entry points at the root, HLS and DASH (both are served and shaped alike)
  for (const name of ['master.m3u8', 'manifest.mpd']) {
    if (existsSync(join(context.resolvePath(folder), name))) err(`  ${server.url}/${name}`);
  }
  if (!['127.0.0.1', '::1', 'localhost'].includes(server.host))
    err(`  warning: bound to ${server.host}, not loopback: other machines may reach this server`);
  if (server.live !== null)
    err(
      `  live: ${server.live.playlists.length} media playlists looped, window ${server.live.windowMs / 1000} s, ` +
        `started ${(server.live.startedEpochMs - server.live.originEpochMs) / 1000} s ago` +
        `${flags.liveFaults === undefined ? '' : `, live faults ${flags.liveFaults}`}`,
    );
  if (faults !== undefined) err(`  faults ${JSON.stringify(faults)}, seed ${seed ?? 0}`);
  if (flags.log !== undefined) err(`  request log: ${context.resolvePath(flags.log)}`);
  context.io.stdout.write(`${server.url}/\n`);
  return server;
}

/** Adds `abrkit serve` to the program. */
export function register(program: Command, context: CliContext = createContext()): void {
  program
    .command('serve')
    .description(
      'serve a folder (HLS or DASH) on 127.0.0.1, pacing responses by a network trace, with fault injection',
    )
    .argument('<folder>', 'folder to serve (only files under it are served)')
    // Checked in the action rather than by commander, so a misspelt flag (--trac) is reported as unknown first.
    .option(
      '--trace <trace>',
      'trace file (any format) or generator spec, e.g. constant:2000 or step:4000x20s,500x20s',
    )
    .option('--trace-format <format>', 'read the trace file in this format (default: detected)')
    .option(
      '--network <model>',
      'sabre (period latency and bandwidth) or pensieve (95% payload, 80 ms RTT)',
      'sabre',
    )
    .option('--loop', 'repeat the trace (default: its last period holds)')
    .option('--faults <spec|file>', 'fault injection: a compact spec or a JSON file (see below)')
    .option('--seed <n>', 'seed of the fault draws (default 0)')
    .option('--port <n>', 'port (default 0: a free one)')
    .option('--host <address>', 'interface to bind', '127.0.0.1')
    .option('--log <file>', 'write one JSON line per request')
    .option('--max-connections <n>', 'open connections allowed at once (default 64)')
    .option('--live', 'serve the ladder as a live stream looping it (see below)')
    .option('--window-s <s>', 'live: length of the playlists sliding window, s (default 30)')
    .option('--start-s <s>', 'live: how long the stream has been running at start, s (default 0)')
    .option('--live-faults <spec>', 'live: stale=A-B, playlist5xx=P[:STATUS], edge404=P[:MS] (see below)')
    .addHelpText('after', FAULT_HELP)
    .action(async (folder: string, flags: Partial<ServeCommandOptions>) => {
      if (flags.trace === undefined)
        throw new UsageError("required option '--trace <trace>' not specified (see abrkit serve --help)");
      // The handlers go in before the URL is printed: a SIGINT sent as soon as it appears (a script, a test)
      // would otherwise find none and kill the process without closing the server or the log.
      let stop = (): void => {};
      const stopped = new Promise<void>((resolve) => {
        stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
      });
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      let server: Awaited<ReturnType<typeof startServeCommand>>;
      try {
        server = await startServeCommand(folder, { ...flags, trace: flags.trace }, context);
      } catch (error) {
        stop();
        throw error;
      }
      await stopped;
      await server.close();
      context.io.stderr.write(`abrkit serve: closed after ${server.requestCount()} requests\n`);
    });
}
