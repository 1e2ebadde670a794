import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/shared-data.js';

/** The committed fixture ladder (scripts/make-fixtures.ts). */
export const LADDER_DIR = join(REPO_ROOT, 'fixtures', 'ladder');
export const BROKEN_DIR = join(REPO_ROOT, 'fixtures', 'broken');
export const VIDEO_RENDITIONS = [
  { name: '144p', widthPx: 256, heightPx: 144 },
  { name: '240p', widthPx: 426, heightPx: 240 },
  { name: '360p', widthPx: 640, heightPx: 360 },
  { name: '480p', widthPx: 854, heightPx: 480 },
] as const;

export function fixtureBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures', ...parts)));
}

/** The CODECS attribute of each STREAM-INF in master order, read with a plain regex (independent of src/media). */
export function masterCodecs(): string[] {
  const text = readFileSync(join(LADDER_DIR, 'master.m3u8'), 'utf8');
  return [...text.matchAll(/CODECS="([^"]+)"/g)].map((m) => m[1] ?? '');
}
