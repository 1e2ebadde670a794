// parseMpd and presentationFromMpd on hand-written MPDs: each addressing mode, inheritance, BaseURLs, the
// presentation the player and simulator read, sidx segments, and errors naming element, attribute and value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { isMpd, parseMpd } from '../../src/manifest/dash.js';
import type { DashRepresentation } from '../../src/manifest/dash-model.js';
import { presentationFromMpd, segmentsFromSidx } from '../../src/manifest/dash-presentation.js';
import { compileTemplate, fillTemplate, templateResolver } from '../../src/manifest/dash-template.js';
import { resolveUri } from '../../src/manifest/uri.js';

const URL = 'https://cdn.test/vod/s.mpd';

function mpd(period: string, attrs = 'mediaPresentationDuration="PT10S"', top = ''): string {
  return `<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" ${attrs}>${top}\n<Period>\n${period}\n</Period>\n</MPD>`;
}

function rep(text: string, id = 'v'): DashRepresentation {
  const found = parseMpd(text, URL).representations.find((r) => r.id === id);
  if (!found) throw new Error(`no representation ${id}`);
  return found;
}

function listOf(r: DashRepresentation) {
  if (r.segments.kind !== 'list') throw new Error('not a list');
  return r.segments;
}

function errorOf(text: string): AbrkitError {
  try {
    presentationFromMpd(parseMpd(text, URL));
  } catch (e) {
    if (e instanceof AbrkitError) return e;
    throw e;
  }
  throw new Error('parsed');
}

const VIDEO = (
  template: string,
  reps = '<Representation id="v" bandwidth="1000000" codecs="avc1.64001f"/>',
) => `<AdaptationSet contentType="video" mimeType="video/mp4">${template}${reps}</AdaptationSet>`;

describe('SegmentTemplate', () => {
  it('@duration with $Number%05d$: startNumber, last segment cut at the period end', () => {
    const r = rep(
      mpd(
        VIDEO(
          '<SegmentTemplate timescale="1000" duration="4000" startNumber="7" media="$RepresentationID$/s$Number%05d$.m4s" initialization="$RepresentationID$/$Bandwidth$.mp4"/>',
        ),
      ),
    );
    const list = listOf(r);
    expect(list.segments.map((s) => s.uri)).toEqual([
      'https://cdn.test/vod/v/s00007.m4s',
      'https://cdn.test/vod/v/s00008.m4s',
      'https://cdn.test/vod/v/s00009.m4s',
    ]);
    expect(list.segments.map((s) => [s.startMs, s.durationMs, s.sequenceNumber])).toEqual([
      [0, 4000, 7],
      [4000, 4000, 8],
      [8000, 2000, 9],
    ]);
    expect(list.initSegment?.uri).toBe('https://cdn.test/vod/v/1000000.mp4');
  });

  it('SegmentTimeline with $Time$, S@t gaps, S@r and r=-1 to the period end, presentationTimeOffset', () => {
    const r = rep(
      mpd(
        VIDEO(
          '<SegmentTemplate timescale="90000" presentationTimeOffset="900000" media="t$Time$.m4s"><SegmentTimeline>' +
            '<S t="900000" d="180000" r="1"/><S d="90000"/><S t="1350000" d="180000" r="-1"/></SegmentTimeline></SegmentTemplate>',
        ),
      ),
    );
    const segments = listOf(r).segments;
    expect(segments.map((s) => s.uri.split('/').pop())).toEqual([
      't900000.m4s',
      't1080000.m4s',
      't1260000.m4s',
      't1350000.m4s',
      't1530000.m4s',
      't1710000.m4s',
    ]);
    expect(segments.map((s) => s.startMs)).toEqual([0, 2000, 4000, 5000, 7000, 9000]);
    expect(segments.map((s) => s.durationMs)).toEqual([2000, 2000, 1000, 2000, 2000, 2000]);
  });

  it('r=-1 before an S@t repeats up to it', () => {
    const r = rep(
      mpd(
        VIDEO(
          '<SegmentTemplate media="$Number$.m4s" startNumber="0"><SegmentTimeline><S t="0" d="2" r="-1"/><S t="6" d="4"/></SegmentTimeline></SegmentTemplate>',
        ),
      ),
    );
    expect(listOf(r).segments.map((s) => [s.uri.split('/').pop(), s.startMs])).toEqual([
      ['0.m4s', 0],
      ['1.m4s', 2000],
      ['2.m4s', 4000],
      ['3.m4s', 6000],
    ]);
  });

  it('merges templates attribute by attribute from Period to AdaptationSet to Representation', () => {
    const text = mpd(
      '<SegmentTemplate timescale="10" media="p/$Number$.m4s" initialization="p/init.mp4" duration="20"/>' +
        VIDEO(
          '<SegmentTemplate media="a/$RepresentationID$-$Number$.m4s"/>',
          '<Representation id="v" bandwidth="5"><SegmentTemplate startNumber="3"/></Representation>' +
            '<Representation id="w" bandwidth="6"/>',
        ),
    );
    const v = listOf(rep(text, 'v'));
    expect(v.segments[0]?.uri).toBe('https://cdn.test/vod/a/v-3.m4s');
    expect(v.segments).toHaveLength(5);
    expect(v.initSegment?.uri).toBe('https://cdn.test/vod/p/init.mp4');
    expect(listOf(rep(text, 'w')).segments[0]?.uri).toBe('https://cdn.test/vod/a/w-1.m4s');
  });

  it('resolves BaseURL from MPD to Period to AdaptationSet to Representation', () => {
    const text = mpd(
      '<BaseURL>p/</BaseURL>' +
        VIDEO(
          '<BaseURL>../set/</BaseURL><SegmentTemplate media="$Number$.m4s" duration="10"/>',
          '<Representation id="v" bandwidth="1"><BaseURL>r/</BaseURL></Representation>' +
            '<Representation id="abs" bandwidth="2"><BaseURL>https://other.test/x/</BaseURL></Representation>',
        ),
      'mediaPresentationDuration="PT10S"',
      '<BaseURL>https://edge.test/root/</BaseURL>',
    );
    expect(listOf(rep(text, 'v')).segments[0]?.uri).toBe('https://edge.test/root/set/r/1.m4s');
    expect(listOf(rep(text, 'abs')).segments[0]?.uri).toBe('https://other.test/x/1.m4s');
  });
});

describe('presentationFromMpd', () => {
  const text = mpd(
    VIDEO(
      '<SegmentTemplate media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/i.mp4" duration="2"/>',
      '<Representation id="hi" bandwidth="3000000" codecs="avc1.640028" width="1920" height="1080" frameRate="30000/1001"/>' +
        '<Representation id="lo" bandwidth="500000" codecs="avc1.4d401e" width="640" height="360"/>',
    ) +
      '<AdaptationSet contentType="audio" mimeType="audio/mp4" lang="fr"><SegmentTemplate media="fr/$Number$.m4s" duration="2"/>' +
      '<Representation id="fr" bandwidth="96000" codecs="mp4a.40.2"/></AdaptationSet>' +
      '<AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en"><Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>' +
      '<SegmentTemplate media="en/$Number$.m4s" duration="2"/><Representation id="en" bandwidth="64000" codecs="mp4a.40.5">' +
      '<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/></Representation></AdaptationSet>',
  );

  it('gives the HLS-shaped model: ascending renditions with the main audio counted, audio renditions', () => {
    const p = presentationFromMpd(parseMpd(text, URL));
    expect(p.type).toBe('vod');
    expect(p.durationMs).toBe(10_000);
    expect(p.renditions.map((r) => [r.uri, r.bitrateKbps, r.codecs, r.widthPx, r.heightPx])).toEqual([
      ['https://cdn.test/vod/s.mpd#lo', 564, 'avc1.4d401e,mp4a.40.5', 640, 360],
      ['https://cdn.test/vod/s.mpd#hi', 3064, 'avc1.640028,mp4a.40.5', 1920, 1080],
    ]);
    expect(p.renditions[1]?.frameRate).toBeCloseTo(29.97, 2);
    expect(p.renditions.every((r) => r.audioGroupId === 'audio')).toBe(true);
    expect(p.audioRenditions.map((a) => [a.language, a.default, a.channels])).toEqual([
      ['fr', false, undefined],
      ['en', true, '2'],
    ]);
    expect(p.renditions[0]?.playlist?.segments).toHaveLength(5);
    expect(p.audioRenditions[1]?.playlist?.segments[0]?.uri).toBe('https://cdn.test/vod/en/1.m4s');
  });

  it('SegmentBase: no playlist until the sidx is read, then byte ranges after the index', () => {
    const base = mpd(
      VIDEO(
        '',
        '<Representation id="v" bandwidth="800000"><BaseURL>v.mp4</BaseURL>' +
          '<SegmentBase indexRange="800-851" timescale="1000" presentationTimeOffset="500"/></Representation>',
      ),
    );
    const manifest = parseMpd(base, URL);
    const v = manifest.representations[0] as DashRepresentation;
    expect(v.segments.kind).toBe('index');
    if (v.segments.kind !== 'index') return;
    expect(v.segments.initSegment).toEqual({
      uri: 'https://cdn.test/vod/v.mp4',
      byteRange: { offsetBytes: 0, lengthBytes: 800 },
    });
    expect(presentationFromMpd(manifest).renditions[0]?.playlist).toBeUndefined();
    const list = segmentsFromSidx(v.segments, {
      timescale: 90000,
      earliestPresentationTime: 45000,
      firstOffsetBytes: 10,
      anchorOffsetBytes: 852,
      references: [
        { referenceType: 0, referencedSizeBytes: 1000, subsegmentDuration: 180000 },
        { referenceType: 0, referencedSizeBytes: 700, subsegmentDuration: 90000 },
      ],
    });
    expect(list.segments.map((s) => [s.startMs, s.durationMs, s.byteRange])).toEqual([
      [0, 2000, { offsetBytes: 862, lengthBytes: 1000 }],
      [2000, 1000, { offsetBytes: 1862, lengthBytes: 700 }],
    ]);
    const p = presentationFromMpd(manifest, new Map([[v, list]]));
    expect(p.renditions[0]?.playlist?.totalDurationMs).toBe(3000);
  });
});

describe('bad MPDs: typed errors naming element, attribute and value', () => {
  it.each([
    [
      VIDEO(
        '<SegmentTemplate media="$Number$.m4s" duration="2"/>',
        '<Representation id="v" bandwidth="fast"/>',
      ),
      'MPD_BAD_VALUE',
      { element: 'Representation', attribute: 'bandwidth', value: 'fast' },
      '<Representation id="v"> @bandwidth="fast": must be a whole number',
    ],
    [
      VIDEO('<SegmentTemplate media="$Number$.m4s" duration="2"/>', '<Representation bandwidth="1"/>'),
      'MPD_MISSING',
      { element: 'Representation', attribute: 'id' },
      '@id: is required',
    ],
    [
      VIDEO('<SegmentTemplate media="$Nmber$.m4s" duration="2"/>'),
      'MPD_BAD_VALUE',
      { element: 'SegmentTemplate', attribute: 'media', value: '$Nmber$.m4s' },
      '$Nmber$ is not a template identifier',
    ],
    [
      VIDEO('<SegmentTemplate media="$Time$.m4s" duration="2"/>'),
      'MPD_BAD_VALUE',
      { element: 'SegmentTemplate', attribute: 'media' },
      'needs a SegmentTimeline',
    ],
    [
      VIDEO(
        '<SegmentTemplate media="$Number$.m4s"><SegmentTimeline><S t="0"/></SegmentTimeline></SegmentTemplate>',
      ),
      'MPD_MISSING',
      { element: 'S', attribute: 'd' },
      '<S> @d: is required',
    ],
    [
      VIDEO(
        '<SegmentTemplate media="$Number$.m4s"><SegmentTimeline><S d="2" r="-2"/></SegmentTimeline></SegmentTemplate>',
      ),
      'MPD_BAD_VALUE',
      { element: 'S', attribute: 'r', value: '-2' },
      '@r="-2"',
    ],
    [
      VIDEO('<SegmentList duration="2"/>'),
      'MPD_UNSUPPORTED',
      { element: 'SegmentList' },
      'SegmentList is not read',
    ],
    [
      VIDEO('', '<Representation id="v" bandwidth="1"><SegmentBase indexRange="9-3"/></Representation>'),
      'MPD_BAD_VALUE',
      { element: 'SegmentBase', attribute: 'indexRange', value: '9-3' },
      'first <= last',
    ],
    [
      VIDEO('', '<Representation id="v" bandwidth="1"/>'),
      'MPD_MISSING',
      { element: 'Representation' },
      'no SegmentTemplate or SegmentBase',
    ],
  ])('case %#', (period, code, data, message) => {
    const e = errorOf(mpd(period));
    expect(e.category).toBe('manifest');
    expect(e.code).toBe(code);
    expect(e.data).toMatchObject({ source: URL, ...data });
    expect(e.message).toContain(message);
    expect(e.data.line).toBeGreaterThan(1);
  });

  it('names the MPD attributes: live, bad durations, several Periods, no video', () => {
    expect(errorOf(mpd('', 'type="dynamic"')).code).toBe('LIVE_UNSUPPORTED');
    const duration = errorOf(mpd('', 'mediaPresentationDuration="10s"'));
    expect(duration.code).toBe('MPD_BAD_VALUE');
    expect(duration.data).toMatchObject({
      element: 'MPD',
      attribute: 'mediaPresentationDuration',
      value: '10s',
    });
    expect(errorOf(mpd('</Period><Period>')).code).toBe('MPD_UNSUPPORTED');
    expect(errorOf(mpd('')).message).toContain('no video Representation');
    const noDuration = errorOf(mpd(VIDEO('<SegmentTemplate media="$Number$.m4s" duration="2"/>'), ''));
    expect(noDuration.message).toContain('mediaPresentationDuration');
    expect(errorOf('<Playlist/>').message).toContain('root element must be <MPD>');
  });

  it('refuses a timeline of more segments than it can hold instead of looping', () => {
    const e = errorOf(
      mpd(
        VIDEO(
          '<SegmentTemplate media="$Number$.m4s"><SegmentTimeline><S d="1" r="999999999"/></SegmentTimeline></SegmentTemplate>',
        ),
      ),
    );
    expect(e.code).toBe('MPD_UNSUPPORTED');
    expect(e.data).toMatchObject({ element: 'S', attribute: 'r', value: '999999999' });
  });
});

describe('isMpd', () => {
  it('tells an MPD from an HLS playlist', () => {
    expect(isMpd('<?xml version="1.0"?>\n<!-- x -->\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011">')).toBe(
      true,
    );
    expect(isMpd('<mpd:MPD xmlns:mpd="urn:mpeg:dash:schema:mpd:2011"/>')).toBe(true);
    expect(isMpd('#EXTM3U\n#EXT-X-VERSION:7')).toBe(false);
  });
});

describe('templateResolver', () => {
  it('resolves once per Representation to the same URLs as resolving every segment', () => {
    const piece = fc.constantFrom(
      'a',
      'seg',
      '/',
      '../',
      './',
      '.',
      '..',
      ':',
      '?q=',
      '&',
      '#f',
      '-',
      'x.m4s',
      '$Number$',
      '$Number%03d$',
      '$Time$',
      '$Time%012d$',
      '$RepresentationID$',
      '$Bandwidth$',
      '$$',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(
          'https://cdn.test/a/b/s.mpd',
          'fixtures/ladder/m.mpd',
          '/srv/m.mpd',
          'C:\\m\\s.mpd',
          'https://h.test',
        ),
        fc.constantFrom('v1', 'a/b', '..', 'r:1'),
        fc.nat({ max: 10 ** 9 }),
        fc.nat({ max: 10 ** 12 }),
        (pieces, base, id, number, time) => {
          const template = compileTemplate(
            pieces.join(''),
            (p) => new AbrkitError('manifest', 'MPD_BAD_VALUE', p),
          );
          const fixed = { RepresentationID: id, Bandwidth: 128000 };
          const fast = templateResolver(template, fixed, (r) => resolveUri(r, base));
          const slow = resolveUri(fillTemplate(template, { ...fixed, Number: number, Time: time }), base);
          expect(fast({ Number: number, Time: time })).toBe(slow);
        },
      ),
      { numRuns: 3000, seed: 11 },
    );
  });
});
