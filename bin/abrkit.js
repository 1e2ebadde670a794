#!/usr/bin/env node
// The `abrkit` command. Runs the built CLI (dist/cli/main.js) when present; in a clone without a build it
// registers tsx's ESM loader and runs the TypeScript sources (src/cli/main.ts) directly.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');

let main;
if (existsSync(built)) {
  main = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  main = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}

process.exitCode = await main.runCli(process.argv.slice(2));
