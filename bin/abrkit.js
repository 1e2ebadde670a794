#!/usr/bin/env node
// The `abrkit` command.
// - In an installed package (no src/ folder) it runs the built CLI, dist/cli/main.js, with plain Node: no dev
//   dependency is needed.
// - In a clone (src/cli/main.ts present) it runs the TypeScript sources through tsx (a dev dependency), so a
//   stale dist/ left by `npm run build` or `npm pack` is never what runs; without tsx (`npm install
//   --omit=dev`) it falls back to dist/.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src', 'cli', 'main.ts');

/** tsx's loader API, or null when tsx is not installed. */
async function loadTsx() {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    if (error && (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND')) return null;
    throw error;
  }
}

// `abrkit algos | head -1`: a reader that stops early closes the pipe; end quietly as other Unix tools do,
// not with an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

let main;
const tsx = existsSync(sources) ? await loadTsx() : null;
if (tsx) {
  tsx.register();
  main = await import(pathToFileURL(sources).href);
} else if (existsSync(built)) {
  main = await import(pathToFileURL(built).href);
} else {
  process.stderr.write(
    `abrkit: no built CLI at ${built}` +
      (existsSync(sources)
        ? ' and no tsx to run the sources: run `npm install` (or `npm run build`)\n'
        : '\n'),
  );
  process.exit(1);
}

process.exitCode = await main.runCli(process.argv.slice(2));
