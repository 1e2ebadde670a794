/**
 * What the demo offers (Node): the fixtures (folders under the fixtures root holding a `master.m3u8`), the
 * network traces (synthetic ones made by the src/traces generators, and a bounded sample of the real traces
 * in the shared data folder when it exists, read lazily), their video descriptions (cached), and example
 * fault specs.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { TraceWarning } from '../../src/traces/limits.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import type { VideoDescription } from '../../src/videos/model.js';
import { generateTrace } from '../../src/traces/spec.js';
import { loadTraceFile } from '../../src/sim/load-trace.js';
import { loadVideo } from '../../src/sim/load-video.js';
import type { FixtureInfo, TraceInfo } from '../api-contract.js';
import { ApiError } from './http.js';

export type { FixtureInfo, TraceInfo };

/**
 * A trace as the API sends it: name and periods, and `warnings` when the reader changed what it read (a
 * shared file's periods slower than 1 kbps read as outages, with how many and where).
 */
export interface TraceJson {
  readonly name: string;
  readonly periods: readonly { durationMs: number; bandwidthKbps: number; latencyMs: number }[];
  readonly warnings?: readonly string[];
}

/** The synthetic traces, as generator specs (src/traces/spec.ts). `step-down` is the one the e2e test plays. */
export const SYNTHETIC_TRACES: readonly { id: string; spec: string; description: string }[] = [
  {
    id: 'step-down',
    spec: 'step:4000x12s,400x48s,latencyMs=40,name=step-down',
    description: '4000 kbps for 12 s, then 400 kbps (held)',
  },
  {
    id: 'constant-1500',
    spec: 'constant:1500,durationS=60,latencyMs=40,name=constant-1500',
    description: 'a steady 1500 kbps',
  },
  {
    id: 'step-up',
    spec: 'step:400x12s,4000x48s,latencyMs=40,name=step-up',
    description: '400 kbps for 12 s, then 4000 kbps (held)',
  },
  {
    id: 'oscillation',
    spec: 'step:3000x8s,500x8s,3000x8s,500x8s,3000x8s,500x8s,3000x8s,500x8s,latencyMs=40,name=oscillation',
    description: '3000 and 500 kbps alternating every 8 s',
  },
  {
    id: 'random-walk',
    spec: 'random-walk:seed=1,durationS=300,startKbps=1500,minKbps=200,maxKbps=5000,latencyMs=40,name=random-walk',
    description: 'a seeded random walk between 200 and 5000 kbps, 1 s periods',
  },
  {
    id: 'cellular-outages',
    spec: 'cellular:seed=7,durationS=300,meanKbps=1500,outagesPerMinute=2,outageMeanMs=2500,latencyMs=60,name=cellular-outages',
    description: 'a seeded cellular-like random walk with outages (about 2 a minute)',
  },
];

/** Example fault specs for the page's picker (src/shaping/faults.ts grammar). */
export const EXAMPLE_FAULTS: readonly string[] = [
  '5xx=0.05',
  '404=0.02,pattern=seg_',
  'reset=0.03',
  'stall=0.05:3000',
  'spike=0.1:800',
  'outage=15000-20000',
  '5xx=0.03,reset=0.02,stall=0.02:2000,spike=0.05:500,pattern=seg_',
];

/** Shared traces listed per format folder (`<shared>/traces/<folder>/`). */
export const SHARED_TRACES_PER_FOLDER = 20;
/** Traces kept parsed at once (synthetic and shared). */
const TRACE_CACHE_SIZE = 32;

export interface CatalogOptions {
  /** Folder holding the fixtures (`<name>/master.m3u8`). */
  readonly fixturesRoot: string;
  /** The shared data folder (`traces/<folder>/<file>`), or null when there is none. */
  readonly sharedDataDir: string | null;
  /** Shared traces listed per folder (default {@link SHARED_TRACES_PER_FOLDER}). */
  readonly sharedTracesPerFolder?: number;
  /**
   * Told, once per file read, what a trace reader changed (`trace <folder>/<file>: 3 periods slower than
   * 1 kbps read as outages ...`). Default: nothing (the API passes its own).
   */
  readonly onWarning?: (line: string) => void;
  /** Folders of fixtures that are not under the root (mirrored streams, mirror.ts), by name; null: none. */
  readonly extraFixtureDir?: (name: string) => string | null;
}

export interface Catalog {
  fixtures(): Promise<FixtureInfo[]>;
  /** The fixture's folder, or throws 404. */
  fixtureDir(name: string): Promise<string>;
  traces(): Promise<TraceInfo[]>;
  /** The trace, or throws 404 for an unknown id (and 422 for a shared file that cannot be read). */
  trace(id: string): Promise<NetworkTrace>;
  /** What the reader changed in trace `id` when it read it (empty when nothing, or not read yet). */
  traceWarnings(id: string): readonly string[];
  video(fixture: string): Promise<VideoDescription>;
}

export function toTraceJson(trace: NetworkTrace, warnings: readonly string[] = []): TraceJson {
  return {
    name: trace.name,
    periods: trace.periods.map((p) => ({
      durationMs: p.durationMs,
      bandwidthKbps: p.bandwidthKbps,
      latencyMs: p.latencyMs,
    })),
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}

const FIXTURE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function createCatalog(options: CatalogOptions): Catalog {
  const perFolder = options.sharedTracesPerFolder ?? SHARED_TRACES_PER_FOLDER;
  const traceCache = new Map<string, Promise<NetworkTrace>>();
  /** Reader warnings per trace id; kept with (and dropped with) the cached trace. */
  const warningsById = new Map<string, string[]>();
  const videoCache = new Map<string, Promise<VideoDescription>>();
  let sharedListing: Promise<Map<string, { info: TraceInfo; path: string }>> | null = null;

  async function fixtures(): Promise<FixtureInfo[]> {
    let names: string[];
    try {
      names = await readdir(options.fixturesRoot);
    } catch {
      return [];
    }
    const found: FixtureInfo[] = [];
    for (const name of names.sort()) {
      if (!FIXTURE_NAME.test(name)) continue;
      if (await isFile(join(options.fixturesRoot, name, 'master.m3u8')))
        found.push({ name, masterUrl: `/fixtures/${name}/master.m3u8` });
    }
    return found;
  }

  async function fixtureDir(name: string): Promise<string> {
    const extra = options.extraFixtureDir?.(name) ?? null;
    if (extra !== null) return extra;
    if (FIXTURE_NAME.test(name) && (await isFile(join(options.fixturesRoot, name, 'master.m3u8'))))
      return join(options.fixturesRoot, name);
    const known = (await fixtures()).map((f) => f.name);
    throw new ApiError(
      404,
      'FIXTURE_NOT_FOUND',
      `fixture ${JSON.stringify(name)} does not exist (known: ${known.join(', ') || 'none'})`,
    );
  }

  function shared(): Promise<Map<string, { info: TraceInfo; path: string }>> {
    sharedListing ??= listShared(options.sharedDataDir, perFolder);
    return sharedListing;
  }

  async function traces(): Promise<TraceInfo[]> {
    const synthetic: TraceInfo[] = SYNTHETIC_TRACES.map((t) => ({
      id: t.id,
      name: t.id,
      source: 'synthetic',
      description: t.description,
    }));
    return [...synthetic, ...[...(await shared()).values()].map((s) => s.info)];
  }

  async function trace(id: string): Promise<NetworkTrace> {
    const cached = traceCache.get(id);
    if (cached !== undefined) {
      traceCache.delete(id); // most recently used last
      traceCache.set(id, cached);
      return cached;
    }
    let loading: Promise<NetworkTrace>;
    const synthetic = SYNTHETIC_TRACES.find((t) => t.id === id);
    if (synthetic !== undefined) loading = Promise.resolve(generateTrace(synthetic.spec));
    else {
      const entry = (await shared()).get(id);
      if (entry === undefined)
        throw new ApiError(
          404,
          'TRACE_NOT_FOUND',
          `trace ${JSON.stringify(id)} does not exist (see GET /api/config)`,
        );
      warningsById.delete(id);
      const onWarning = (w: TraceWarning): void => {
        warningsById.set(id, [...(warningsById.get(id) ?? []), w.message]);
        options.onWarning?.(`trace ${entry.info.name}: ${w.message}`);
      };
      loading = loadTraceFile(entry.path, undefined, { onWarning }).catch((e: unknown) => {
        traceCache.delete(id);
        throw new ApiError(422, 'TRACE_UNREADABLE', `trace ${id}: ${(e as Error).message}`);
      });
    }
    traceCache.set(id, loading);
    while (traceCache.size > TRACE_CACHE_SIZE) {
      const oldest = traceCache.keys().next().value!;
      traceCache.delete(oldest);
      warningsById.delete(oldest);
    }
    return loading;
  }

  function traceWarnings(id: string): readonly string[] {
    return warningsById.get(id) ?? [];
  }

  async function video(fixture: string): Promise<VideoDescription> {
    const dir = await fixtureDir(fixture);
    let cached = videoCache.get(fixture);
    if (cached === undefined) {
      cached = loadVideo(dir).catch((e: unknown) => {
        videoCache.delete(fixture);
        throw new ApiError(422, 'VIDEO_UNREADABLE', `fixture ${fixture}: ${(e as Error).message}`);
      });
      videoCache.set(fixture, cached);
    }
    return cached;
  }

  return { fixtures, fixtureDir, traces, trace, traceWarnings, video };
}

const FORMAT_OF_EXTENSION: Readonly<Record<string, string>> = {
  '.json': 'Sabre JSON',
  '.csv': 'CSV',
  '': 'Pensieve cooked or mahimahi',
  '.log': 'Pensieve cooked or mahimahi',
  '.txt': 'Pensieve cooked or mahimahi',
};

/**
 * The first `perFolder` regular files (by name) of each folder under `<dir>/traces`, ids
 * `shared:<folder>:<file>`. Only names are read here; the files are parsed when asked for.
 */
async function listShared(
  dir: string | null,
  perFolder: number,
): Promise<Map<string, { info: TraceInfo; path: string }>> {
  const listing = new Map<string, { info: TraceInfo; path: string }>();
  if (dir === null) return listing;
  const tracesDir = join(dir, 'traces');
  let folders: string[];
  try {
    folders = (await readdir(tracesDir)).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return listing;
  }
  for (const folder of folders) {
    let names: string[];
    try {
      names = (await readdir(join(tracesDir, folder))).filter(
        (n) => !n.startsWith('.') && !/^readme/i.test(n),
      );
    } catch {
      continue; // not a folder
    }
    let taken = 0;
    for (const name of names.sort()) {
      if (taken >= perFolder) break;
      const path = join(tracesDir, folder, name);
      if (!(await isFile(path))) continue;
      taken++;
      const id = `shared:${folder}:${name}`;
      const format = FORMAT_OF_EXTENSION[extname(name).toLowerCase()] ?? 'detected from its content';
      listing.set(id, {
        path,
        info: {
          id,
          name: `${folder}/${name}`,
          source: 'shared',
          description: `${folder} (${format}), from the shared data folder`,
        },
      });
    }
  }
  return listing;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
