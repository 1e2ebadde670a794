/**
 * Common Media Client Data v1 (CTA-5004, 2020): the encoder. A player attaches these keys to each object
 * request so a CDN (or our shaping server) sees the session's state: encoded and top bitrate, buffer length,
 * measured throughput, startup and starvation. Pure and tiny: it sits in the player's lazy CMCD chunk.
 *
 * What the spec fixes, and what this does:
 * - values: integers for br, d, tb (kbps, ms, kbps) and v; bl, dl, mtp and rtp rounded to the nearest 100
 *   (ms, ms, kbps, kbps); strings (cid, sid, nor, nrr) in double quotes with `"` and `\` escaped, nor
 *   URL-encoded inside them; tokens (ot, sf, st) bare; booleans as the bare key when true, left out when false;
 *   pr left out when 1 and v when 1 (the default version); a missing or non-finite number and an empty
 *   string are left out.
 * - keys in alphabetical order, joined by commas (`bl=21300,br=3200,bs,...`).
 * - query mode: one `CMCD=` parameter holding the whole payload URL-encoded; header mode: the keys split
 *   over CMCD-Object (br, d, ot, tb), CMCD-Request (bl, dl, mtp, nor, nrr, su), CMCD-Session (cid, pr, sf,
 *   sid, st, v) and CMCD-Status (bs, rtp), a header with no key left out.
 */

/** CMCD v1 object types: manifest, audio, video, muxed, init, caption, timed text, key, other. */
export type CmcdObjectType = 'm' | 'a' | 'v' | 'av' | 'i' | 'c' | 'tt' | 'k' | 'o';

/** The CMCD v1 keys, with the units the spec gives them. */
export interface CmcdData {
  /** Encoded bitrate of the object, kbps. */
  readonly br?: number;
  /** Buffer length when the request is made, ms (rounded to 100 ms). */
  readonly bl?: number;
  /** The buffer was starved since the previous request. */
  readonly bs?: boolean;
  /** Content id, at most 64 characters. */
  readonly cid?: string;
  /** Playback duration of the object, ms. */
  readonly d?: number;
  /** Deadline: time until the object's first sample is needed, ms (rounded to 100 ms). */
  readonly dl?: number;
  /** Measured throughput, kbps (rounded to 100 kbps). */
  readonly mtp?: number;
  /** Next object request: the path of the next object relative to this request. */
  readonly nor?: string;
  /** Next range request, `start-end`. */
  readonly nrr?: string;
  readonly ot?: CmcdObjectType;
  /** Playback rate (sent only when not 1). */
  readonly pr?: number;
  /** Requested maximum throughput, kbps (rounded to 100 kbps). */
  readonly rtp?: number;
  /** Streaming format: DASH, HLS, Smooth, other. */
  readonly sf?: 'd' | 'h' | 's' | 'o';
  /** Session id, at most 64 characters. */
  readonly sid?: string;
  /** Stream type: VOD or live. */
  readonly st?: 'v' | 'l';
  /** The object is needed urgently (startup, seek, recovery from a stall). */
  readonly su?: boolean;
  /** Top bitrate the client may play, kbps. */
  readonly tb?: number;
  /** CMCD version (sent only when not 1). */
  readonly v?: number;
}

export type CmcdKey = keyof CmcdData;

/** The four CMCD headers, in the order of {@link CMCD_KEY_SPEC}'s header index. */
export const CMCD_HEADER_NAMES = ['CMCD-Object', 'CMCD-Request', 'CMCD-Session', 'CMCD-Status'] as const;
export type CmcdHeaderName = (typeof CMCD_HEADER_NAMES)[number];

/**
 * Per key: its header (index into {@link CMCD_HEADER_NAMES}) and its type: `i` integer, `h` integer rounded to
 * 100, `n` decimal, `b` boolean, `s` string, `t` token. Alphabetical, which is the order keys are sent in.
 */
export const CMCD_KEY_SPEC: Readonly<Record<CmcdKey, string>> = {
  bl: '1h',
  br: '0i',
  bs: '3b',
  cid: '2s',
  d: '0i',
  dl: '1h',
  mtp: '1h',
  nor: '1s',
  nrr: '1s',
  ot: '0t',
  pr: '2n',
  rtp: '3h',
  sf: '2t',
  sid: '2s',
  st: '2t',
  su: '1b',
  tb: '0i',
  v: '2i',
};

/** `key=value` (or the bare key) of each key present, in alphabetical order, with its header index. */
function encodedPairs(data: CmcdData): [number, string][] {
  const out: [number, string][] = [];
  for (const key of Object.keys(CMCD_KEY_SPEC).sort() as CmcdKey[]) {
    const spec = CMCD_KEY_SPEC[key];
    const value = data[key];
    const kind = spec[1];
    let text: string | null = null;
    if (kind === 'b') text = value === true ? key : null;
    else if (typeof value === 'string' && value !== '') {
      const s = key === 'nor' ? encodeURIComponent(value) : value;
      text = kind === 't' ? `${key}=${s}` : `${key}="${s.replace(/[\\"]/g, '\\$&')}"`;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      const n = kind === 'h' ? Math.round(value / 100) * 100 : kind === 'i' ? Math.round(value) : value;
      // pr and v have defaults (1) that are not sent
      if (!((key === 'pr' || key === 'v') && n === 1)) text = `${key}=${n}`;
    }
    if (text !== null) out.push([Number(spec[0]), text]);
  }
  return out;
}

/** The CMCD payload: `bl=21300,br=3200,bs,cid="...",...` (empty when no key is present). */
export function encodeCmcd(data: CmcdData): string {
  return encodedPairs(data)
    .map((p) => p[1])
    .join(',');
}

/** The CMCD headers for `data` (header mode); a header none of whose keys is present is left out. */
export function cmcdHeaders(data: CmcdData): Partial<Record<CmcdHeaderName, string>> {
  const out: Partial<Record<CmcdHeaderName, string>> = {};
  for (const [h, text] of encodedPairs(data)) {
    const name = CMCD_HEADER_NAMES[h]!;
    out[name] = out[name] === undefined ? text : `${out[name]},${text}`;
  }
  return out;
}

/** `url` with the `CMCD=` query parameter added (query mode); `url` itself when no key is present. */
export function cmcdUrl(url: string, data: CmcdData): string {
  const payload = encodeCmcd(data);
  if (payload === '') return url;
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const param = `CMCD=${encodeURIComponent(payload)}`;
  return `${base}${base.includes('?') ? '&' : '?'}${param}${hash < 0 ? '' : url.slice(hash)}`;
}
