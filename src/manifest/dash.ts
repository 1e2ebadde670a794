/**
 * A DASH MPD reader (ISO/IEC 23009-1, MPEG-DASH), static (VOD) presentations of one Period:
 * - BaseURL resolution MPD → Period → AdaptationSet → Representation (the first BaseURL of each level), then
 *   against the MPD's own URL (RFC 3986, uri.ts);
 * - SegmentTemplate with `$RepresentationID$`, `$Number$`, `$Bandwidth$`, `$Time$` (and `%0<w>d`), either
 *   with @duration or with a SegmentTimeline (S@t, S@d, S@r including r=-1), inherited and merged attribute
 *   by attribute from Period to AdaptationSet to Representation (§5.3.9.1);
 * - SegmentBase with @indexRange (the `sidx` lists the segments: see dash-presentation.ts) and Initialization;
 * - AdaptationSets of video and audio, Representations with bandwidth, codecs, width, height, frame rate.
 *
 * Refused with `AbrkitError('manifest', code)` naming the element, the attribute and its value as written
 * (see dash-values.ts): SegmentList, several Periods, `type="dynamic"` (live), missing or unreadable values.
 * Pure: no DOMParser; the XML is read by xml.ts.
 */
import type { DashContentType, DashManifest, DashRepresentation, DashSegments } from './dash-model.js';
import { compileTemplate, fillTemplate, templateResolver } from './dash-template.js';
import type { CompiledTemplate } from './dash-template.js';
import { AttributeReader, mpdError, roundMs } from './dash-values.js';
import type { InitSegment, MediaSegment } from './model.js';
import { resolveUri } from './uri.js';
import { parseXml } from './xml.js';
import type { XmlElement } from './xml.js';

export const DASH_NAMESPACE = 'urn:mpeg:dash:schema:mpd:2011';

/** More segments than this in one Representation are refused (an S@r of a billion, say). */
export const MAX_DASH_SEGMENTS = 200_000;

/** True when `text` looks like an MPD (an `<MPD` root after the prolog), for loaders that sniff content. */
export function isMpd(text: string): boolean {
  return /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:[A-Za-z_][\w.-]*:)?MPD[\s>/]/.test(
    text.slice(0, 4096),
  );
}

/** The DASH elements (default namespace, the DASH namespace, or none) named `localName` among `el`'s children. */
function children(el: XmlElement, localName: string): XmlElement[] {
  return el.children.filter(
    (c) => c.localName === localName && (c.namespaceUri === DASH_NAMESPACE || c.namespaceUri === ''),
  );
}

function child(el: XmlElement | undefined, localName: string): XmlElement | undefined {
  return el === undefined ? undefined : children(el, localName)[0];
}

function baseUrl(el: XmlElement, parent: string): string {
  const base = child(el, 'BaseURL');
  const text = base?.text.trim();
  return text === undefined || text === '' ? parent : resolveUri(text, parent);
}

/** Parses the MPD `text` read from `uri` (its URL or file path, the base of relative URLs). */
export function parseMpd(text: string, uri: string): DashManifest {
  const root = parseXml(text, uri);
  if (root.localName !== 'MPD') throw mpdError('MPD_MALFORMED', uri, root, 'the root element must be <MPD>');
  const mpd = new AttributeReader(root, uri);
  const type = mpd.string('type') ?? 'static';
  if (type === 'dynamic')
    throw mpd.error('LIVE_UNSUPPORTED', 'a live MPD: abrkit plays static (VOD) presentations', 'type');
  if (type !== 'static') throw mpd.error('MPD_BAD_VALUE', 'must be static or dynamic', 'type');
  const presentationMs = mpd.durationMs('mediaPresentationDuration');
  const minBufferTimeMs = mpd.durationMs('minBufferTime');
  const periods = children(root, 'Period');
  const period = periods[0];
  if (!period) throw mpdError('MPD_MISSING', uri, root, 'an MPD needs a <Period>');
  if (periods[1])
    throw mpdError('MPD_UNSUPPORTED', uri, periods[1], 'several Periods: abrkit plays one-Period MPDs');
  const p = new AttributeReader(period, uri);
  const startMs = p.durationMs('start') ?? 0;
  const periodMs =
    p.durationMs('duration') ??
    (presentationMs === undefined ? undefined : roundMs(Math.max(0, presentationMs - startMs)));
  const periodBase = baseUrl(period, baseUrl(root, uri));
  const representations: DashRepresentation[] = [];
  children(period, 'AdaptationSet').forEach((set, adaptationSetIndex) => {
    const setBase = baseUrl(set, periodBase);
    const main = children(set, 'Role').some((r) => r.attributes.get('value') === 'main');
    const channelsOf = (el: XmlElement) => child(el, 'AudioChannelConfiguration')?.attributes.get('value');
    for (const rep of children(set, 'Representation')) {
      const r = new AttributeReader(rep, uri);
      const s = new AttributeReader(set, uri);
      const id = r.required('id');
      const bandwidthBps = r.positiveUint('bandwidth') ?? (r.required('bandwidth'), 0);
      const mimeType = r.string('mimeType') ?? s.string('mimeType');
      const codecs = r.string('codecs') ?? s.string('codecs');
      const widthPx = r.positiveUint('width') ?? s.positiveUint('width');
      const heightPx = r.positiveUint('height') ?? s.positiveUint('height');
      const frameRate = r.frameRate('frameRate') ?? s.frameRate('frameRate');
      const audioSamplingRateHz = r.positiveUint('audioSamplingRate') ?? s.positiveUint('audioSamplingRate');
      const channels = channelsOf(rep) ?? channelsOf(set);
      const lang = s.string('lang');
      const segments = readSegments(
        uri,
        [period, set, rep],
        baseUrl(rep, setBase),
        id,
        bandwidthBps,
        periodMs,
      );
      const representation: { -readonly [K in keyof DashRepresentation]: DashRepresentation[K] } = {
        id,
        bandwidthBps,
        contentType: contentTypeOf(s.string('contentType'), mimeType, codecs),
        adaptationSetIndex,
        main,
        line: rep.line,
        segments,
      };
      if (mimeType !== undefined) representation.mimeType = mimeType;
      if (codecs !== undefined) representation.codecs = codecs;
      if (widthPx !== undefined) representation.widthPx = widthPx;
      if (heightPx !== undefined) representation.heightPx = heightPx;
      if (frameRate !== undefined) representation.frameRate = frameRate;
      if (audioSamplingRateHz !== undefined) representation.audioSamplingRateHz = audioSamplingRateHz;
      if (channels !== undefined) representation.channels = channels;
      if (lang !== undefined) representation.lang = lang;
      representations.push(representation);
    }
  });
  const manifest: { -readonly [K in keyof DashManifest]: DashManifest[K] } = { uri, representations };
  const durationMs = presentationMs ?? periodMs;
  if (durationMs !== undefined) manifest.durationMs = durationMs;
  if (minBufferTimeMs !== undefined) manifest.minBufferTimeMs = minBufferTimeMs;
  return manifest;
}

function contentTypeOf(
  contentType: string | undefined,
  mimeType: string | undefined,
  codecs: string | undefined,
): DashContentType {
  const kind = contentType ?? mimeType?.split('/')[0];
  if (kind === 'video' || kind === 'audio' || kind === 'text') return kind;
  if (kind === 'application' && /^(stpp|wvtt)/.test(codecs ?? '')) return 'text';
  if (codecs !== undefined && kind === undefined)
    return /^(mp4a|ac-3|ec-3|opus|flac)/i.test(codecs) ? 'audio' : 'video';
  return 'other';
}

/** The levels' elements named `localName` (Period first), merged: the lower level's attributes win. */
function merged(levels: readonly XmlElement[], localName: string): XmlElement | undefined {
  let out: XmlElement | undefined;
  for (const level of levels) {
    const el = child(level, localName);
    if (!el) continue;
    out =
      out === undefined
        ? el
        : {
            ...el,
            attributes: new Map([...out.attributes, ...el.attributes]),
            // a lower level without a SegmentTimeline / Initialization inherits the higher one's
            children: [
              ...el.children,
              ...out.children.filter((c) => !el.children.some((d) => d.localName === c.localName)),
            ],
          };
  }
  return out;
}

function readSegments(
  source: string,
  levels: readonly XmlElement[],
  repBase: string,
  id: string,
  bandwidthBps: number,
  periodMs: number | undefined,
): DashSegments {
  const rep = levels[levels.length - 1] as XmlElement;
  for (const level of levels) {
    const list = child(level, 'SegmentList');
    if (list)
      throw mpdError(
        'MPD_UNSUPPORTED',
        source,
        list,
        'SegmentList is not read (use SegmentTemplate or SegmentBase)',
      );
  }
  const template = merged(levels, 'SegmentTemplate');
  if (template) return templateSegments(source, template, repBase, id, bandwidthBps, periodMs);
  const base = merged(levels, 'SegmentBase');
  if (!base) {
    throw mpdError(
      'MPD_MISSING',
      source,
      rep,
      'no SegmentTemplate or SegmentBase in the Representation, its AdaptationSet or its Period',
    );
  }
  const b = new AttributeReader(base, source);
  const indexRange = b.byteRange('indexRange');
  if (indexRange === undefined)
    throw b.error('MPD_MISSING', 'is required (abrkit reads the segments from the sidx)', 'indexRange');
  const init = child(base, 'Initialization');
  let initSegment: InitSegment | undefined;
  if (init) {
    const i = new AttributeReader(init, source);
    const sourceUrl = i.string('sourceURL');
    const range = i.byteRange('range');
    initSegment = {
      uri: sourceUrl === undefined ? repBase : resolveUri(sourceUrl, repBase),
      ...(range === undefined ? {} : { byteRange: range }),
    };
  } else if (indexRange.offsetBytes > 0) {
    // no Initialization: the bytes before the index are the init segment, as Shaka and dash.js assume
    initSegment = { uri: repBase, byteRange: { offsetBytes: 0, lengthBytes: indexRange.offsetBytes } };
  }
  return {
    kind: 'index',
    mediaUri: repBase,
    indexRange,
    ...(initSegment === undefined ? {} : { initSegment }),
    timescale: b.positiveUint('timescale') ?? 1,
    presentationTimeOffset: b.uint('presentationTimeOffset') ?? 0,
    line: base.line,
  };
}

function templateSegments(
  source: string,
  template: XmlElement,
  repBase: string,
  id: string,
  bandwidthBps: number,
  periodMs: number | undefined,
): DashSegments {
  const t = new AttributeReader(template, source);
  const compile = (name: string): CompiledTemplate | undefined => {
    const raw = t.string(name);
    return raw === undefined
      ? undefined
      : compileTemplate(raw, (problem) => t.error('MPD_BAD_VALUE', problem, name));
  };
  const media = compile('media');
  if (!media) throw t.error('MPD_MISSING', 'is required', 'media');
  const initialization = compile('initialization');
  if (initialization && (initialization.uses.has('Number') || initialization.uses.has('Time')))
    throw t.error('MPD_BAD_VALUE', 'may use only $RepresentationID$ and $Bandwidth$', 'initialization');
  const timescale = t.positiveUint('timescale') ?? 1;
  const pto = t.uint('presentationTimeOffset') ?? 0;
  const startNumber = t.uint('startNumber') ?? 1;
  const timeline = child(template, 'SegmentTimeline');
  if (!timeline && media.uses.has('Time'))
    throw t.error('MPD_BAD_VALUE', '$Time$ needs a SegmentTimeline', 'media');
  const initSegment: InitSegment | undefined = initialization
    ? {
        uri: resolveUri(
          fillTemplate(initialization, { RepresentationID: id, Bandwidth: bandwidthBps }),
          repBase,
        ),
      }
    : undefined;
  const segments: MediaSegment[] = [];
  const mediaUri = templateResolver(media, { RepresentationID: id, Bandwidth: bandwidthBps }, (reference) =>
    resolveUri(reference, repBase),
  );
  const push = (time: number, durationTicks: number, line: number): void => {
    if (segments.length >= MAX_DASH_SEGMENTS)
      throw t.error('MPD_UNSUPPORTED', `more than ${MAX_DASH_SEGMENTS} segments in one Representation`);
    const index = segments.length;
    const number = startNumber + index;
    const uri = mediaUri({ Number: number, Time: time });
    const segment: { -readonly [K in keyof MediaSegment]: MediaSegment[K] } = {
      index,
      sequenceNumber: number,
      uri,
      startMs: roundMs(((time - pto) * 1000) / timescale),
      durationMs: roundMs((durationTicks * 1000) / timescale),
      discontinuity: false,
      discontinuitySequence: 0,
      line,
    };
    if (initSegment) segment.initSegment = initSegment;
    segments.push(segment);
  };
  const endTicks = periodMs === undefined ? undefined : pto + (periodMs * timescale) / 1000;
  if (timeline) {
    const entries = children(timeline, 'S');
    if (entries.length === 0)
      throw mpdError('MPD_MISSING', source, timeline, 'a SegmentTimeline needs <S> elements');
    let time = 0;
    entries.forEach((entry, i) => {
      const s = new AttributeReader(entry, source);
      time = s.uint('t') ?? time;
      const d = s.positiveUint('d') ?? (s.required('d'), 0);
      const r = s.int('r') ?? 0;
      if (r < -1)
        throw s.error('MPD_BAD_VALUE', 'must be -1 (repeat to the next S@t or the end) or more', 'r');
      let count = r + 1;
      if (r === -1) {
        const next = entries[i + 1]?.attributes.get('t');
        const until =
          next === undefined ? endTicks : new AttributeReader(entries[i + 1] as XmlElement, source).uint('t');
        if (until === undefined)
          throw s.error(
            'MPD_MISSING',
            'r="-1" on the last S needs the Period duration (mediaPresentationDuration)',
            'r',
          );
        count = Math.ceil((until - time) / d - 1e-9);
      }
      if (count > MAX_DASH_SEGMENTS)
        throw s.error(
          'MPD_UNSUPPORTED',
          `more than ${MAX_DASH_SEGMENTS} segments in one Representation`,
          'r',
        );
      for (let k = 0; k < count; k++) {
        // a timeline that runs past the Period's end: the segments starting after it are not played
        if (endTicks !== undefined && time >= endTicks - 1e-9 && segments.length > 0) return;
        push(time, d, entry.line);
        time += d;
      }
    });
  } else {
    const duration = t.positiveUint('duration');
    if (duration === undefined)
      throw t.error('MPD_MISSING', 'is required without a SegmentTimeline', 'duration');
    if (periodMs === undefined)
      throw t.error(
        'MPD_MISSING',
        'segments of @duration need the Period duration (mediaPresentationDuration)',
      );
    const segmentMs = (duration * 1000) / timescale;
    const count = Math.max(1, Math.ceil(periodMs / segmentMs - 1e-9));
    if (count > MAX_DASH_SEGMENTS)
      throw t.error(
        'MPD_UNSUPPORTED',
        `more than ${MAX_DASH_SEGMENTS} segments in one Representation`,
        'duration',
      );
    for (let i = 0; i < count; i++) {
      const time = pto + i * duration;
      // the last segment ends with the Period
      const ticks = Math.min(duration, ((periodMs - i * segmentMs) * timescale) / 1000);
      push(time, ticks, template.line);
    }
  }
  return { kind: 'list', ...(initSegment === undefined ? {} : { initSegment }), segments };
}
