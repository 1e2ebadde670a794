/**
 * fixtures/ladder as a `Presentation` without a network: the playlists read from disk and parsed under an
 * http base URL, for the player's unit tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMasterPlaylist } from '../../src/manifest/master.js';
import { parseMediaPlaylist } from '../../src/manifest/media.js';
import type { MediaPlaylist, Presentation } from '../../src/manifest/model.js';
import { buildPresentation } from '../../src/manifest/presentation.js';
import { REPO_ROOT } from '../support/shared-data.js';

export const BASE_URL = 'http://fixtures.test';

/** The presentation of fixtures/<folder>/master.m3u8 as if served at BASE_URL/<folder>/. */
export function fixturePresentation(folder = 'ladder'): Presentation {
  const read = (url: string): string =>
    readFileSync(join(REPO_ROOT, 'fixtures', url.slice(BASE_URL.length + 1)), 'utf8');
  const masterUrl = `${BASE_URL}/${folder}/master.m3u8`;
  const master = parseMasterPlaylist(read(masterUrl), masterUrl);
  const media = new Map<string, MediaPlaylist>();
  for (const uri of [
    ...master.renditions.map((r) => r.uri),
    ...master.audioRenditions.flatMap((a) => (a.uri ? [a.uri] : [])),
  ]) {
    media.set(uri, parseMediaPlaylist(read(uri), uri));
  }
  return buildPresentation(master, media);
}
