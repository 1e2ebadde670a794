// mpd-parser (video.js's MPD parser, over @xmldom/xmldom) as the oracle for abrkit's own MPD reader: on
// generated MPDs (SegmentTemplate with $Number$ / $Number%0Nd$ / $Time$, @duration or a SegmentTimeline with
// S@r and r=-1, BaseURLs at several levels, video and audio AdaptationSets) both must list the same
// Representations and the same segments (URL, duration, number, init segment). Then fuzzing: whatever the
// text, parseMpd parses it or throws a manifest AbrkitError naming the URL, never anything else.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as oracleParse } from 'mpd-parser';
import type { OraclePlaylist } from 'mpd-parser';
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { parseMpd } from '../../src/manifest/dash.js';
import { presentationFromMpd } from '../../src/manifest/dash-presentation.js';
import type { MediaPlaylist } from '../../src/manifest/model.js';

const URL = 'https://cdn.test/vod/stream.mpd';

interface RepSpec {
  readonly bandwidth: number;
  readonly width: number;
  readonly height: number;
}

interface MpdSpec {
  readonly timescale: number;
  readonly numbering: 'Number' | 'Number%05d' | 'Time';
  readonly startNumber: number | undefined;
  /** Segment durations in ticks, or null for SegmentTemplate@duration. */
  readonly timeline: readonly number[] | null;
  readonly lastRepeatsToEnd: boolean;
  readonly templateDurationTicks: number;
  readonly presentationMs: number;
  readonly mpdBase: string | undefined;
  readonly repBase: boolean;
  readonly videos: readonly RepSpec[];
  readonly audio: boolean;
}

/** S elements for `durations`, with S@r for runs and, optionally, r=-1 for the last run. */
function timelineXml(durations: readonly number[], lastRepeatsToEnd: boolean): string {
  const runs: [number, number][] = [];
  for (const d of durations) {
    const last = runs[runs.length - 1];
    if (last && last[0] === d) last[1]++;
    else runs.push([d, 1]);
  }
  return runs
    .map(([d, n], i) => {
      const t = i === 0 ? ' t="0"' : '';
      const r = i === runs.length - 1 && lastRepeatsToEnd ? -1 : n - 1;
      return `<S${t} d="${d}"${r !== 0 ? ` r="${r}"` : ''}/>`;
    })
    .join('');
}

function mpdText(spec: MpdSpec): string {
  const media = spec.numbering === 'Time' ? 'seg-$Time$.m4s' : `seg-$${spec.numbering}$.m4s`;
  const template = (extra: string) =>
    `<SegmentTemplate timescale="${spec.timescale}" initialization="$RepresentationID$/init.mp4" ` +
    `media="$RepresentationID$/${media}"${spec.startNumber === undefined ? '' : ` startNumber="${spec.startNumber}"`}` +
    (spec.timeline
      ? `>${extra}<SegmentTimeline>${timelineXml(spec.timeline, spec.lastRepeatsToEnd)}</SegmentTimeline></SegmentTemplate>`
      : ` duration="${spec.templateDurationTicks}"/>`);
  const reps = spec.videos
    .map(
      (v, i) =>
        `<Representation id="v${i}" bandwidth="${v.bandwidth}" codecs="avc1.64001f" width="${v.width}" height="${v.height}">` +
        (spec.repBase ? `<BaseURL>r${i}/</BaseURL>` : '') +
        '</Representation>',
    )
    .join('');
  const audio = spec.audio
    ? `<AdaptationSet mimeType="audio/mp4" lang="en" contentType="audio">${template('')}` +
      '<Representation id="a" bandwidth="64000" codecs="mp4a.40.2" audioSamplingRate="48000"/></AdaptationSet>'
    : '';
  return (
    `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" ` +
    `mediaPresentationDuration="PT${spec.presentationMs / 1000}S" minBufferTime="PT2S">` +
    (spec.mpdBase === undefined ? '' : `<BaseURL>${spec.mpdBase}</BaseURL>`) +
    `<Period id="p0"><AdaptationSet mimeType="video/mp4" contentType="video">${template('')}${reps}</AdaptationSet>${audio}</Period></MPD>`
  );
}

const repArb = fc.record({
  bandwidth: fc.integer({ min: 1000, max: 20_000_000 }),
  width: fc.integer({ min: 16, max: 3840 }),
  height: fc.integer({ min: 16, max: 2160 }),
});

const specArb: fc.Arbitrary<MpdSpec> = fc
  .record({
    timescale: fc.constantFrom(1, 1000, 48000, 90000),
    numbering: fc.constantFrom('Number' as const, 'Number%05d' as const, 'Time' as const),
    startNumber: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
    useTimeline: fc.boolean(),
    durationsS: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 12 }),
    lastRepeatsToEnd: fc.boolean(),
    templateDurationS: fc.integer({ min: 1, max: 6 }),
    presentationS: fc.integer({ min: 1, max: 60 }),
    mpdBase: fc.option(fc.constantFrom('https://edge.test/a/', 'media/', '../up/'), { nil: undefined }),
    repBase: fc.boolean(),
    videos: fc.array(repArb, { minLength: 1, maxLength: 4 }),
    audio: fc.boolean(),
  })
  .map((r): MpdSpec => {
    const timeline =
      r.useTimeline || r.numbering === 'Time' ? r.durationsS.map((s) => s * r.timescale) : null;
    const timelineMs = r.durationsS.reduce((a, b) => a + b, 0) * 1000;
    return {
      timescale: r.timescale,
      numbering: r.numbering,
      startNumber: r.startNumber,
      timeline,
      lastRepeatsToEnd: r.lastRepeatsToEnd,
      templateDurationTicks: r.templateDurationS * r.timescale,
      // with a timeline, the presentation ends with it (r=-1 then repeats up to there)
      presentationMs: timeline ? timelineMs : r.presentationS * 1000,
      mpdBase: r.mpdBase,
      repBase: r.repBase,
      videos: r.videos,
      audio: r.audio,
    };
  });

function expectSameSegments(ours: MediaPlaylist | undefined, theirs: OraclePlaylist): void {
  expect(ours).toBeDefined();
  const segments = ours?.segments ?? [];
  expect(segments.map((s) => s.uri)).toEqual(theirs.segments.map((s) => s.resolvedUri));
  segments.forEach((s, i) => {
    const o = theirs.segments[i];
    expect(Math.abs(s.durationMs - (o?.duration ?? 0) * 1000)).toBeLessThan(1e-3);
    // mpd-parser's `number` is not always the $Number$ (0-based with @duration): the URLs above carry it
    expect(s.initSegment?.uri).toBe(o?.map?.resolvedUri);
  });
}

function expectAgrees(text: string): void {
  const ours = presentationFromMpd(parseMpd(text, URL));
  const theirs = oracleParse(text, { manifestUri: URL });
  // mpd-parser keeps document order; ours ascends by bandwidth (ties in document order)
  const byName = new Map(theirs.playlists.map((p) => [p.attributes.NAME, p]));
  expect(ours.renditions).toHaveLength(theirs.playlists.length);
  const audio = Object.values(theirs.mediaGroups.AUDIO).flatMap((g) => Object.values(g));
  const audioBandwidth = audio[0]?.playlists[0]?.attributes.BANDWIDTH ?? 0;
  for (const r of ours.renditions) {
    const id = decodeURIComponent(r.uri.slice(r.uri.indexOf('#') + 1));
    const p = byName.get(id);
    expect(p, id).toBeDefined();
    if (!p) continue;
    expect(r.bitrateKbps).toBeCloseTo((p.attributes.BANDWIDTH + audioBandwidth) / 1000, 9);
    expect(r.widthPx).toBe(p.attributes.RESOLUTION?.width);
    expect(r.heightPx).toBe(p.attributes.RESOLUTION?.height);
    expect(r.codecs?.split(',')[0]).toBe(p.attributes.CODECS);
    expectSameSegments(r.playlist, p);
  }
  expect(ours.audioRenditions).toHaveLength(audio.length);
  const theirAudio = audio[0]?.playlists[0];
  if (theirAudio) expectSameSegments(ours.audioRenditions[0]?.playlist, theirAudio);
}

describe('parseMpd agrees with mpd-parser', () => {
  it('on the committed fixture MPD', async () => {
    const text = await readFile(
      join(import.meta.dirname, '..', '..', 'fixtures', 'ladder', 'manifest.mpd'),
      'utf8',
    );
    expectAgrees(text);
  });

  it('on generated MPDs (templates, timelines, r=-1, BaseURLs, audio)', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        expectAgrees(mpdText(spec));
      }),
      { numRuns: 200, seed: 17 },
    );
  });
});

describe('parseMpd on arbitrary input', () => {
  const parseOrTypedError = (text: string): void => {
    try {
      const manifest = parseMpd(text, URL);
      for (const rep of manifest.representations) {
        expect(rep.bandwidthBps).toBeGreaterThan(0);
        if (rep.segments.kind === 'list') {
          for (const s of rep.segments.segments)
            expect(Number.isFinite(s.startMs) && s.durationMs >= 0).toBe(true);
        }
      }
    } catch (e) {
      if (!(e instanceof AbrkitError)) throw e;
      expect(e.category).toBe('manifest');
      expect(e.data.source).toBe(URL);
    }
  };

  it('parses or throws a manifest AbrkitError naming the URL: random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), parseOrTypedError), { numRuns: 2000, seed: 3 });
  });

  it('parses or throws a manifest AbrkitError: generated MPDs with characters replaced, cut or inserted', () => {
    const mutated = fc
      .tuple(
        specArb,
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom('<', '>', '"', '&', '$', '-', '9', 'x', '', '</S>', '<S d="0"/>', '&bogus;'),
          ),
          { minLength: 1, maxLength: 4 },
        ),
      )
      .map(([spec, edits]) => {
        let text = mpdText(spec);
        for (const [at, insert] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + (insert === '' ? 7 : 1));
        }
        return text;
      });
    fc.assert(fc.property(mutated, parseOrTypedError), { numRuns: 1500, seed: 5 });
  });
});
