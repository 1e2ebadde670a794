// Property tests: whatever text reaches the parsers, the only thing they may throw is an AbrkitError of the
// 'manifest' category naming the URL; they never crash, never hang, and what they return keeps its invariants.
// Generated valid playlists must also agree with hls.js.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { isMasterPlaylist, parseMasterPlaylist, parseMediaPlaylist } from '../../src/manifest/index.js';
import type { MasterPlaylist, MediaPlaylist } from '../../src/manifest/index.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { expectMasterAgrees, expectMediaAgrees } from './oracle.js';
import { BASE, MASTERS, MEDIAS } from './playlists.js';

/** A hang guard, not a speed measurement: one parse of a small playlist taking this long means a loop gone wrong. */
const HANG_GUARD_MS = 2000;
const URL = 'https://fuzz.test/p/list.m3u8';

function checkMaster(master: MasterPlaylist): void {
  expect(master.renditions.length).toBeGreaterThan(0);
  master.renditions.forEach((r, i) => {
    expect(r.index).toBe(i);
    expect(r.bitrateKbps).toBeGreaterThan(0);
    expect(r.peakBitrateKbps).toBeGreaterThan(0);
    if (i > 0) expect(r.bitrateKbps).toBeGreaterThanOrEqual(master.renditions[i - 1]?.bitrateKbps ?? 0);
  });
}

function checkMedia(media: MediaPlaylist): void {
  expect(media.segments.length).toBeGreaterThan(0);
  expect(media.targetDurationMs).toBeGreaterThan(0);
  let startMs = 0;
  media.segments.forEach((s, i) => {
    expect(s.index).toBe(i);
    expect(s.sequenceNumber).toBe(media.mediaSequence + i);
    expect(s.durationMs).toBeGreaterThanOrEqual(0);
    expect(Math.abs(s.startMs - startMs)).toBeLessThan(1e-6);
    startMs += s.durationMs;
  });
  expect(Math.abs(media.totalDurationMs - startMs)).toBeLessThan(1e-6);
}

/** Runs both parsers; anything thrown must be a manifest AbrkitError naming the URL. Returns how many parsed. */
function parseBoth(text: string): number {
  let parsed = 0;
  for (const parse of [parseMasterPlaylist, parseMediaPlaylist] as const) {
    const started = performance.now();
    try {
      const result = parse(text, URL);
      parsed++;
      if ('renditions' in result) checkMaster(result);
      else checkMedia(result);
    } catch (error) {
      if (!(error instanceof AbrkitError)) throw error;
      expect(error.category).toBe('manifest');
      expect(error.data.source).toBe(URL);
      if (error.data.line !== undefined) expect(error.data.line).toBeGreaterThanOrEqual(1);
    }
    expect(performance.now() - started).toBeLessThan(HANG_GUARD_MS);
  }
  expect(typeof isMasterPlaylist(text)).toBe('boolean');
  return parsed;
}

const TAG_PIECES = [
  '#EXTM3U',
  '#EXTINF:',
  '#EXT-X-STREAM-INF:',
  '#EXT-X-MEDIA:',
  '#EXT-X-MAP:',
  '#EXT-X-BYTERANGE:',
  '#EXT-X-TARGETDURATION:',
  '#EXT-X-MEDIA-SEQUENCE:',
  '#EXT-X-DISCONTINUITY',
  '#EXT-X-ENDLIST',
  '#EXT-X-PLAYLIST-TYPE:',
  'BANDWIDTH=',
  'AVERAGE-BANDWIDTH=',
  'RESOLUTION=',
  'URI=',
  'TYPE=AUDIO',
  'GROUP-ID=',
  'NAME=',
  'BYTERANGE=',
  '"',
  ',',
  '=',
  '@',
  'x',
  '4.5',
  '-1',
  '1000',
  'seg.ts',
  '../',
  '\n',
  '\r\n',
  ' ',
];

/** Text stitched from playlist vocabulary: gets past `#EXTM3U` far more often than random characters. */
const playlistish = fc
  .array(fc.oneof(fc.constantFrom(...TAG_PIECES), fc.string({ maxLength: 6 })), { maxLength: 60 })
  .map((pieces) => `#EXTM3U\n${pieces.join('')}`);

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'corrupt'; at: number; position: number; text: string }
  | { kind: 'truncate'; at: number; position: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({
    kind: fc.constant('corrupt' as const),
    at: fc.nat(),
    position: fc.nat(),
    text: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom(...TAG_PIECES)),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), position: fc.nat() }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  const lines = text.split('\n');
  for (const m of mutations) {
    if (lines.length === 0) break;
    const at = m.at % lines.length;
    const line = lines[at] ?? '';
    switch (m.kind) {
      case 'drop':
        lines.splice(at, 1);
        break;
      case 'duplicate':
        lines.splice(at, 0, line);
        break;
      case 'swap': {
        const other = m.with % lines.length;
        lines[at] = lines[other] ?? '';
        lines[other] = line;
        break;
      }
      case 'corrupt': {
        const p = m.position % (line.length + 1);
        lines[at] = line.slice(0, p) + m.text + line.slice(p + 1);
        break;
      }
      case 'truncate':
        lines[at] = line.slice(0, m.position % (line.length + 1));
        break;
    }
  }
  return lines.join('\n');
}

const FIXTURES = ['fixtures/ladder/master.m3u8', 'fixtures/ladder/144p/index.m3u8']
  .map((file) => join(REPO_ROOT, file))
  .filter((path) => existsSync(path))
  .map((path) => readFileSync(path, 'utf8'));
const VALID = [...Object.values(MASTERS), ...Object.values(MEDIAS), ...FIXTURES];

describe('parsers under random input', () => {
  it('random strings (any code unit) only ever give manifest AbrkitErrors', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        parseBoth(text);
        parseBoth(`#EXTM3U\n${text}`);
      }),
      { numRuns: 300 },
    );
  });

  it('text stitched from playlist vocabulary only ever gives manifest AbrkitErrors', () => {
    fc.assert(
      fc.property(playlistish, (text) => void parseBoth(text)),
      { numRuns: 500 },
    );
  });

  it('mutated valid playlists (drop, duplicate, swap, corrupt, truncate lines) never crash', () => {
    let parsedSome = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (text, mutations) => {
          parsedSome += parseBoth(mutate(text, mutations));
        },
      ),
      { numRuns: 600 },
    );
    // The mutations leave many playlists valid: the checks on the results above did run.
    expect(parsedSome).toBeGreaterThan(0);
  });

  it('a long attribute line of separators is refused quickly, not parsed for ever', () => {
    parseBoth(`#EXTM3U\n#EXT-X-STREAM-INF:${','.repeat(200_000)}\na.m3u8\n`);
    parseBoth(`#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,${'a'.repeat(8000)}\na.m3u8\n`);
  });
});

/** A valid media playlist from generated parts. */
const mediaPlaylist = fc
  .record({
    targetDurationS: fc.integer({ min: 1, max: 12 }),
    mediaSequence: fc.nat({ max: 100_000 }),
    discontinuitySequence: fc.option(fc.nat({ max: 50 }), { nil: undefined }),
    playlistType: fc.constantFrom(undefined, 'VOD', 'EVENT'),
    endList: fc.boolean(),
    map: fc.option(
      fc.record({
        uri: fc.constantFrom('init.mp4', '../i/init.mp4', 'https://x.test/init.mp4'),
        length: fc.integer({ min: 1, max: 5000 }),
      }),
      { nil: undefined },
    ),
    segments: fc.array(
      fc.record({
        durationMillis: fc.integer({ min: 0, max: 12_000 }),
        uri: fc.constantFrom('a.ts', 's/b.m4s', '../c.ts?q=1', '/abs/d.ts', 'https://cdn.test/e.ts'),
        byteRange: fc.option(
          fc.record({
            length: fc.integer({ min: 1, max: 1e7 }),
            offset: fc.option(fc.nat({ max: 1e7 }), { nil: undefined }),
          }),
          { nil: undefined },
        ),
        discontinuity: fc.boolean(),
      }),
      { minLength: 1, maxLength: 30 },
    ),
  })
  .map((p) => {
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      `#EXT-X-TARGETDURATION:${p.targetDurationS}`,
      `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`,
    ];
    if (p.discontinuitySequence !== undefined)
      lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
    if (p.playlistType) lines.push(`#EXT-X-PLAYLIST-TYPE:${p.playlistType}`);
    if (p.map) lines.push(`#EXT-X-MAP:URI="${p.map.uri}",BYTERANGE="${p.map.length}@0"`);
    let previous: { uri: string; ranged: boolean } | undefined;
    for (const s of p.segments) {
      if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXTINF:${(s.durationMillis / 1000).toFixed(3)},`);
      if (s.byteRange) {
        // An implicit offset only where it is allowed: after a range of the same resource.
        const canOmit = previous?.ranged === true && previous.uri === s.uri;
        const offset = s.byteRange.offset ?? (canOmit ? undefined : 0);
        lines.push(`#EXT-X-BYTERANGE:${s.byteRange.length}${offset === undefined ? '' : `@${offset}`}`);
      }
      lines.push(s.uri);
      previous = { uri: s.uri, ranged: s.byteRange !== undefined };
    }
    if (p.endList) lines.push('#EXT-X-ENDLIST');
    return `${lines.join('\n')}\n`;
  });

/** A valid master playlist from generated variants. */
const masterPlaylist = fc
  .record({
    audio: fc.boolean(),
    variants: fc.array(
      fc.record({
        bandwidth: fc.integer({ min: 1, max: 50_000_000 }),
        averageFraction: fc.option(fc.double({ min: 0.3, max: 1, noNaN: true }), { nil: undefined }),
        resolution: fc.option(
          fc.tuple(fc.integer({ min: 16, max: 7680 }), fc.integer({ min: 16, max: 4320 })),
          { nil: undefined },
        ),
        frameRate: fc.option(fc.constantFrom('23.976', '25', '29.970', '30.000', '59.94', '60'), {
          nil: undefined,
        }),
        codecs: fc.option(
          fc.constantFrom('avc1.4d401f', 'avc1.64001f,mp4a.40.2', 'hvc1.1.6.L93.B0,mp4a.40.2'),
          { nil: undefined },
        ),
        uri: fc.constantFrom('v/index.m3u8', '../w.m3u8?t=1', '/root/x.m3u8', 'https://cdn2.test/y.m3u8'),
      }),
      { minLength: 1, maxLength: 12 },
    ),
  })
  .map((p) => {
    const lines = ['#EXTM3U'];
    if (p.audio)
      lines.push(
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="Main",LANGUAGE="en",DEFAULT=YES,URI="audio/index.m3u8"',
      );
    for (const v of p.variants) {
      const attrs = [`BANDWIDTH=${v.bandwidth}`];
      if (v.averageFraction !== undefined)
        attrs.push(`AVERAGE-BANDWIDTH=${Math.max(1, Math.round(v.bandwidth * v.averageFraction))}`);
      if (v.resolution) attrs.push(`RESOLUTION=${v.resolution[0]}x${v.resolution[1]}`);
      if (v.frameRate) attrs.push(`FRAME-RATE=${v.frameRate}`);
      if (v.codecs) attrs.push(`CODECS="${v.codecs}"`);
      if (p.audio) attrs.push('AUDIO="a"');
      lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
    }
    return `${lines.join('\n')}\n`;
  });

describe('generated valid playlists agree with hls.js', () => {
  it('media playlists', () => {
    fc.assert(
      fc.property(mediaPlaylist, (text) => {
        checkMedia(expectMediaAgrees(text, URL));
      }),
      { numRuns: 200 },
    );
  });

  it('master playlists', () => {
    fc.assert(
      fc.property(masterPlaylist, (text) => {
        checkMaster(expectMasterAgrees(text, BASE));
      }),
      { numRuns: 200 },
    );
  });
});
