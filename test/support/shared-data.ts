import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `../shared/data` beside the repo root (CI has it; a user's clone does not). Override with ABRKIT_SHARED_DATA.
 * Tests that need it use `describe.skipIf(!hasSharedData)` so they report themselves skipped without it.
 */
export const SHARED_DATA_DIR = process.env.ABRKIT_SHARED_DATA ?? resolve(REPO_ROOT, '..', 'shared', 'data');

export const hasSharedData = existsSync(join(SHARED_DATA_DIR, 'README.md'));

export function sharedData(...parts: string[]): string {
  return join(SHARED_DATA_DIR, ...parts);
}
