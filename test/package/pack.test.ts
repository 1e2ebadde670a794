/**
 * The published package as a user gets it. A copy of what `npm pack` reads (package.json, README, bin/,
 * src/ and the build configs, no dist/) is packed in a temporary folder, so `prepack` has to build it; the
 * tarball is installed into a temporary consumer project with the hls.js peer dependency, offline (its
 * lockfile is cut from ours, so npm takes every tarball from its cache; only when the cache lacks one does
 * it retry with `--prefer-offline`). Then, with no dev dependency in reach:
 * - the tarball holds dist/ with every export target, bin/, README and package.json, and no sources or tests;
 * - the source maps carry their sources (sourcesContent), since src/ is not shipped;
 * - plain Node ESM imports every entry point (`abrkit`, `/player`, `/sim`, `/sim/core`, `/hlsjs`), each
 *   with the same exports as the sources, and the README's library example gives the sources' numbers;
 * - a strict TypeScript consumer (NodeNext, skipLibCheck off, exactOptionalPropertyTypes) type-checks
 *   against the shipped declarations, and a wrong type in it is caught (the types are not `any`);
 * - `npx abrkit --help` and `--version` work, and tsx cannot be imported there.
 * The repo's own dist/ is never touched.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rootEntry from '../../src/index.js';
import * as hlsjsEntry from '../../src/hlsjs/index.js';
import * as playerEntry from '../../src/player/index.js';
import * as simCoreEntry from '../../src/sim/core.js';
import * as simEntry from '../../src/sim/index.js';
import { REPO_ROOT } from '../support/shared-data.js';

const run = promisify(execFile);

/** What the copy to pack holds (what `npm pack` reads in a fresh clone, before any build). */
const PACKED_INPUTS = [
  'package.json',
  'README.md',
  'bin',
  'src',
  'tsconfig.build.json',
  'tsconfig.base.json',
];
const ENTRY_POINTS = ['abrkit', 'abrkit/player', 'abrkit/sim', 'abrkit/sim/core', 'abrkit/hlsjs'] as const;
const SOURCE_EXPORTS: Record<(typeof ENTRY_POINTS)[number], string[]> = {
  abrkit: Object.keys(rootEntry).sort(),
  'abrkit/player': Object.keys(playerEntry).sort(),
  'abrkit/sim': Object.keys(simEntry).sort(),
  'abrkit/sim/core': Object.keys(simCoreEntry).sort(),
  'abrkit/hlsjs': Object.keys(hlsjsEntry).sort(),
};
const FIXTURE_MASTER = join(REPO_ROOT, 'fixtures', 'ladder', 'master.m3u8');
const EXAMPLE_TRACE = 'step:4000x20s,500x20s,2000x20s';

interface PackageJson {
  name: string;
  version: string;
  exports: Record<string, { types: string; import: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  bin: Record<string, string>;
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** The environment for child npm/node processes: no npm_* variables inherited from `npm test`. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

async function sh(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, { cwd, env: childEnv(), maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
      { cause: error },
    );
  }
}

/**
 * The lock entries of `roots` and everything they depend on, cut from the repo's package-lock.json (same
 * paths, so the hoisting stays valid), marked as production dependencies.
 */
function lockClosure(lock: Record<string, LockEntry>, roots: readonly string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const resolveFrom = (from: string, name: string): string | null => {
    let base = from;
    for (;;) {
      const key = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
      if (lock[key]) return key;
      if (base === '') return null;
      const i = base.lastIndexOf('/node_modules/');
      base = i < 0 ? '' : base.slice(0, i);
    }
  };
  const walk = (key: string): void => {
    if (out[key]) return;
    const entry = { ...lock[key] };
    delete entry.dev;
    delete entry.devOptional;
    delete entry.peer;
    out[key] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) {
      const found = resolveFrom(key, dep);
      if (found) walk(found);
    }
  };
  for (const root of roots) {
    const key = `node_modules/${root}`;
    if (!lock[key]) throw new Error(`package-lock.json has no ${key}`);
    walk(key);
  }
  return out;
}

describe('the packed package (npm pack → install → import)', () => {
  let work: string;
  let consumer: string;
  let pkg: PackageJson;
  let packedFiles: string[];
  let installNote = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'abrkit-pack-'));
    const staging = join(work, 'abrkit');
    consumer = join(work, 'consumer');
    await mkdir(staging);
    await mkdir(consumer);
    for (const entry of PACKED_INPUTS) {
      await cp(join(REPO_ROOT, entry), join(staging, entry), { recursive: true });
    }
    // the build tools (tsc, @types/node) of the repo
    await symlink(join(REPO_ROOT, 'node_modules'), join(staging, 'node_modules'), 'dir');
    pkg = JSON.parse(await readFile(join(staging, 'package.json'), 'utf8')) as PackageJson;

    // `npm pack` runs `prepack`, which builds dist/ in the copy
    const packed = await sh('npm', ['pack', '--json', '--pack-destination', work], staging);
    const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = info[0]!.filename;
    packedFiles = info[0]!.files.map((f) => f.path).sort();

    // the consumer: abrkit from the tarball plus the hls.js peer, from a lockfile cut from ours
    const lock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    };
    const peers = Object.keys(pkg.peerDependencies);
    const deps = lockClosure(lock.packages, [...Object.keys(pkg.dependencies), ...peers]);
    const tarballBytes = await readFile(join(work, tarball));
    const dependencies = {
      abrkit: `file:../${tarball}`,
      ...Object.fromEntries(peers.map((p) => [p, lock.packages[`node_modules/${p}`]!.version!])),
    };
    await writeFile(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies }),
    );
    await writeFile(
      join(consumer, 'package-lock.json'),
      JSON.stringify({
        name: 'consumer',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'consumer', version: '1.0.0', dependencies },
          'node_modules/abrkit': {
            version: pkg.version,
            resolved: `file:../${tarball}`,
            integrity: `sha512-${createHash('sha512').update(tarballBytes).digest('base64')}`,
            license: 'MIT',
            dependencies: pkg.dependencies,
            peerDependencies: pkg.peerDependencies,
            bin: pkg.bin,
          },
          ...deps,
        },
      }),
    );
    const install = ['install', '--no-audit', '--no-fund', '--ignore-scripts'];
    try {
      await sh('npm', [...install, '--offline'], consumer);
    } catch (error) {
      // npm's cache lacks a tarball (a cleaned cache): the registry may fetch what is missing
      installNote = String(error).split('\n')[0]!;
      await sh('npm', [...install, '--prefer-offline'], consumer);
    }
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships dist/ with every export target, bin/, README and package.json, and no sources or tests', () => {
    if (installNote !== '')
      console.warn(`pack test: the offline install failed, retried online: ${installNote}`);
    expect(packedFiles).toContain('package.json');
    expect(packedFiles).toContain('README.md');
    expect(packedFiles).toContain('bin/abrkit.js');
    expect(packedFiles).toContain('dist/cli/main.js');
    for (const [entry, target] of Object.entries(pkg.exports)) {
      expect(packedFiles, entry).toContain(target.import.replace(/^\.\//, ''));
      expect(packedFiles, entry).toContain(target.types.replace(/^\.\//, ''));
    }
    expect(packedFiles.filter((f) => f.startsWith('src/') || /\.test\.|tsbuildinfo/.test(f))).toEqual([]);
  });

  it('ships source maps that carry their sources', async () => {
    const dist = join(consumer, 'node_modules', 'abrkit', 'dist');
    const maps = (await readdir(dist, { recursive: true })).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    for (const file of maps) {
      const map = JSON.parse(await readFile(join(dist, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      for (const content of map.sourcesContent ?? []) expect(content?.length ?? 0, file).toBeGreaterThan(0);
    }
    // the map of the package's main file holds its TypeScript source
    const index = JSON.parse(await readFile(join(dist, 'index.js.map'), 'utf8')) as {
      sourcesContent: string[];
    };
    expect(index.sourcesContent[0]).toBe(await readFile(join(REPO_ROOT, 'src', 'index.ts'), 'utf8'));
  });

  it('imports every entry point from plain Node ESM, with the sources’ exports and results', async () => {
    const script = `
      const out = {};
      for (const entry of ${JSON.stringify(ENTRY_POINTS)}) out[entry] = Object.keys(await import(entry)).sort();
      const { createAlgorithm, generateTrace } = await import('abrkit');
      const { simulateSession, loadVideo } = await import('abrkit/sim');
      const video = await loadVideo(${JSON.stringify(FIXTURE_MASTER)});
      const trace = generateTrace(${JSON.stringify(EXAMPLE_TRACE)});
      const { summary } = simulateSession({ video, trace, algorithm: createAlgorithm('bola-e'), network: 'abrkit' });
      out.summary = { totalQoe: summary.totalQoe, rebufferMs: summary.rebufferMs };
      console.log(JSON.stringify(out));
    `;
    await writeFile(join(consumer, 'esm.mjs'), script);
    const { stdout } = await sh(process.execPath, ['esm.mjs'], consumer);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    for (const entry of ENTRY_POINTS) expect(out[entry], entry).toEqual(SOURCE_EXPORTS[entry]);

    const { summary } = simEntry.simulateSession({
      video: await simEntry.loadVideo(FIXTURE_MASTER),
      trace: rootEntry.generateTrace(EXAMPLE_TRACE),
      algorithm: rootEntry.createAlgorithm('bola-e'),
      network: 'abrkit',
    });
    expect(out.summary).toEqual({ totalQoe: summary.totalQoe, rebufferMs: summary.rebufferMs });
  }, 60_000);

  it('type-checks a strict TypeScript consumer (NodeNext) against every entry point', async () => {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        verbatimModuleSyntax: true,
        // the shipped declarations (and hls.js's, @types/node's) are checked; TypeScript's own lib files are not
        skipLibCheck: false,
        skipDefaultLibCheck: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    };
    const source = `
      import Hls from 'hls.js';
      import { createAlgorithm, generateTrace, type AbrAlgorithm, type NetworkTrace } from 'abrkit';
      import { createPlayer, type Player, type SessionExport } from 'abrkit/player';
      import { loadVideo, simulateSession } from 'abrkit/sim';
      import { simulateSession as simulateCore } from 'abrkit/sim/core';
      import { createHlsAbrController } from 'abrkit/hlsjs';

      const algorithm: AbrAlgorithm = createAlgorithm('bola-e');
      const trace: NetworkTrace = generateTrace('constant:2000');
      const video = await loadVideo('master.m3u8');
      const qoe: number = simulateSession({ video, trace, algorithm, network: 'abrkit' }).summary.totalQoe;
      const same: typeof simulateSession = simulateCore;
      export function play(element: HTMLVideoElement): Player {
        const player = createPlayer({ abr: 'bola', bufferTargetMs: 20_000 });
        player.attach(element);
        const exported: () => SessionExport = () => player.exportSession();
        void exported;
        return player;
      }
      export const hls = new Hls({ abrController: createHlsAbrController('bola') });
      // @ts-expect-error the buffer target is a number of milliseconds
      createPlayer({ bufferTargetMs: '20 s' });
      export { qoe, same };
    `;
    await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig));
    await writeFile(join(consumer, 'consumer.ts'), source);
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer);
    expect(result.stdout + result.stderr).toBe('');
  }, 120_000);

  it('runs `npx abrkit` from the built CLI, with no dev dependency installed', async () => {
    const help = await sh('npx', ['--no', '--', 'abrkit', '--help'], consumer);
    expect(help.stdout).toMatch(/^Usage: abrkit /);
    expect(help.stdout).toContain('sim');
    const version = await sh('npx', ['--no', '--', 'abrkit', '--version'], consumer);
    expect(version.stdout.trim()).toBe(pkg.version);
    // tsx (a dev dependency) is not reachable from the consumer: the CLI above ran from dist/
    const probe = await sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import('tsx/esm/api').then(() => console.log('found'), (e) => console.log(e.code))",
      ],
      consumer,
    );
    expect(probe.stdout.trim()).toBe('ERR_MODULE_NOT_FOUND');
  }, 60_000);
});
