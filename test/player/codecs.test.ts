import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Presentation } from '../../src/manifest/model.js';
import { fillMissingCodecs, needsCodecProbe } from '../../src/player/codecs.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { BASE_URL, fixturePresentation } from './fixture-ladder.js';

/** Reads fixture files for URLs under BASE_URL, counting the reads. */
function diskFetch(): { fetch: (url: string) => Promise<Uint8Array>; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (url) => {
      urls.push(url);
      return Promise.resolve(
        new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures', url.slice(BASE_URL.length + 1)))),
      );
    },
  };
}

function withoutCodecs(p: Presentation): Presentation {
  return { ...p, renditions: p.renditions.map(({ codecs: _codecs, ...r }) => r) };
}

describe('fillMissingCodecs', () => {
  it('leaves a presentation whose variants declare CODECS alone, fetching nothing', async () => {
    const presentation = fixturePresentation();
    const disk = diskFetch();
    expect(needsCodecProbe(presentation)).toBe(false);
    expect(await fillMissingCodecs(presentation, disk.fetch)).toBe(presentation);
    expect(disk.urls).toEqual([]);
  });

  it('reads the codecs of variants without CODECS from their init segments with mp4box', async () => {
    const declared = fixturePresentation();
    const stripped = withoutCodecs(declared);
    expect(needsCodecProbe(stripped)).toBe(true);
    const disk = diskFetch();
    const filled = await fillMissingCodecs(stripped, disk.fetch);
    // the probed strings are what the fixture's master declares (measured from the same files)
    expect(filled.renditions.map((r) => r.codecs)).toEqual(declared.renditions.map((r) => r.codecs));
    // one init segment per video rendition, and the audio group's init segment once
    expect(new Set(disk.urls).size).toBe(disk.urls.length);
    expect(disk.urls.filter((u) => u.includes('/audio/'))).toHaveLength(1);
  });

  it('fails with the typed error of the init segment that cannot be read', async () => {
    const stripped = withoutCodecs(fixturePresentation());
    const error = await fillMissingCodecs(stripped, () =>
      Promise.resolve(new Uint8Array([0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65])),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ category: 'media' });
    expect((error as Error).message).toContain('init.mp4');
  });
});
