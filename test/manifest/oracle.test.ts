// hls.js's own parser (M3U8Parser, hls.js 1.7) as the oracle: for every valid playlist written here and every
// .m3u8 under fixtures/, abrkit must read the same ladder and the same segments as hls.js does.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import {
  buildPresentation,
  isMasterPlaylist,
  parseMasterPlaylist,
  parseMediaPlaylist,
} from '../../src/manifest/index.js';
import type { MediaPlaylist } from '../../src/manifest/index.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { expectMasterAgrees, expectMediaAgrees } from './oracle.js';
import { BASE, MASTERS, MEDIA_BASE, MEDIAS } from './playlists.js';

describe('abrkit agrees with hls.js M3U8Parser', () => {
  it.each(Object.entries(MASTERS))('master %s', (_name, text) => {
    expect(isMasterPlaylist(text)).toBe(true);
    expectMasterAgrees(text, BASE);
    // A base with a query string and a deeper path resolves the same way in both.
    expectMasterAgrees(text, 'http://host.test:8080/a/b/c/master.m3u8?auth=1');
  });

  it.each(Object.entries(MEDIAS))('media %s', (_name, text) => {
    expect(isMasterPlaylist(text)).toBe(false);
    expectMediaAgrees(text, MEDIA_BASE);
    expectMediaAgrees(text, 'https://edge.test/x/y/index.m3u8?token=t');
  });
});

/** Every .m3u8 under fixtures/, as repo-relative paths with '/' separators. */
function fixturePlaylists(): string[] {
  const root = join(REPO_ROOT, 'fixtures');
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.m3u8')) found.push(relative(REPO_ROOT, path).split('\\').join('/'));
    }
  };
  walk(root);
  return found.sort();
}

/** Fixtures served under a fake origin so that hls.js resolves them as a player would. */
const ORIGIN = 'https://fixtures.test/';

describe('fixtures/**/*.m3u8', () => {
  const files = fixturePlaylists();

  it(`reads every fixture playlist as hls.js does (${files.length} found)`, () => {
    for (const file of files) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      const url = ORIGIN + file;
      const check = (): void => {
        if (isMasterPlaylist(text)) expectMasterAgrees(text, url);
        else expectMediaAgrees(text, url);
      };
      if (!file.startsWith('fixtures/broken/')) {
        check();
        continue;
      }
      // Broken fixtures: either we refuse them as a manifest error, or they are valid playlists (the fault is
      // in the media) and must agree with hls.js.
      try {
        check();
      } catch (error) {
        if (!(error instanceof AbrkitError)) throw error;
        expect(error.category).toBe('manifest');
        expect(error.data.source).toBe(url);
      }
    }
  });

  it.skipIf(!files.includes('fixtures/broken/malformed-playlist/index.m3u8'))(
    'refuses fixtures/broken/malformed-playlist/index.m3u8 with the line of its bad duration',
    () => {
      const file = 'fixtures/broken/malformed-playlist/index.m3u8';
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      const badLine = text.split(/\r?\n/).findIndex((line) => /^#EXTINF:(?![\d.]+,)/.test(line)) + 1;
      expect(badLine).toBeGreaterThan(0);
      let caught: unknown;
      try {
        parseMediaPlaylist(text, file);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AbrkitError);
      expect(caught).toMatchObject({
        category: 'manifest',
        code: 'BAD_DURATION',
        data: { source: file, line: badLine },
      });
    },
  );

  it.skipIf(!files.includes('fixtures/ladder/master.m3u8'))(
    'builds the ladder presentation from files on disk',
    () => {
      const masterFile = join(REPO_ROOT, 'fixtures/ladder/master.m3u8');
      const master = parseMasterPlaylist(readFileSync(masterFile, 'utf8'), masterFile);
      const media = new Map<string, MediaPlaylist>();
      for (const uri of [
        ...master.renditions.map((r) => r.uri),
        ...master.audioRenditions.map((a) => a.uri),
      ]) {
        if (uri !== undefined && existsSync(uri))
          media.set(uri, parseMediaPlaylist(readFileSync(uri, 'utf8'), uri));
      }
      const presentation = buildPresentation(master, media);
      expect(presentation.renditions.length).toBeGreaterThan(1);
      for (const [i, rendition] of presentation.renditions.entries()) {
        expect(rendition.index).toBe(i);
        expect(rendition.playlist?.segments.length).toBeGreaterThan(0);
        // Segment URIs are absolute file paths of files that exist.
        expect(existsSync(rendition.playlist?.segments[0]?.uri ?? '')).toBe(true);
        if (i > 0)
          expect(rendition.bitrateKbps).toBeGreaterThan(presentation.renditions[i - 1]?.bitrateKbps ?? 0);
      }
      expect(presentation.type).toBe('vod');
      expect(presentation.durationMs).toBeGreaterThan(0);
    },
  );
});
