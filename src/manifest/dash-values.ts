/**
 * Reading MPD attribute values (ISO/IEC 23009-1 §5.3, XML Schema datatypes) with errors that name the
 * element, the attribute and the value as written: `manifest.mpd:12: <Representation id="720p">
 * @bandwidth="fast": must be a whole number`.
 */
import { AbrkitError } from '../core/errors.js';
import type { DashErrorCode } from './dash-model.js';
import type { XmlElement } from './xml.js';

/** `<Representation id="720p">`: the element as a reader would look for it. */
export function describeElement(el: XmlElement): string {
  const id = el.attributes.get('id');
  return id === undefined ? `<${el.name}>` : `<${el.name} id=${JSON.stringify(id)}>`;
}

/** The error for an MPD that cannot be read: `data: { source, line, element, attribute?, value? }`. */
export function mpdError(
  code: DashErrorCode,
  source: string,
  el: XmlElement,
  problem: string,
  attribute?: string,
): AbrkitError {
  const value = attribute === undefined ? undefined : el.attributes.get(attribute);
  const what =
    attribute === undefined
      ? describeElement(el)
      : `${describeElement(el)} @${attribute}${value === undefined ? '' : `=${JSON.stringify(value)}`}`;
  return new AbrkitError('manifest', code, `${what}: ${problem}`, {
    data: {
      source,
      line: el.line,
      element: el.name,
      ...(attribute === undefined ? {} : { attribute }),
      ...(value === undefined ? {} : { value }),
    },
  });
}

/** Rounds to the microsecond, as every time in the model is. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Reads attributes of one element, failing with the element, attribute and value named. */
export class AttributeReader {
  constructor(
    readonly el: XmlElement,
    private readonly source: string,
  ) {}

  string(name: string): string | undefined {
    return this.el.attributes.get(name);
  }

  required(name: string): string {
    const value = this.el.attributes.get(name);
    if (value === undefined) throw this.error('MPD_MISSING', 'is required', name);
    return value;
  }

  /** An xs:unsignedInt / xs:unsignedLong written in decimal, within the safe integers. */
  uint(name: string): number | undefined {
    const raw = this.el.attributes.get(name);
    if (raw === undefined) return undefined;
    const text = raw.trim();
    if (!/^[0-9]+$/.test(text)) throw this.error('MPD_BAD_VALUE', 'must be a whole number', name);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw this.error('MPD_BAD_VALUE', 'is too large (above 2^53)', name);
    return value;
  }

  /** An xs:integer (S@r may be -1). */
  int(name: string): number | undefined {
    const raw = this.el.attributes.get(name);
    if (raw === undefined) return undefined;
    const text = raw.trim();
    if (!/^[-+]?[0-9]+$/.test(text)) throw this.error('MPD_BAD_VALUE', 'must be a whole number', name);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw this.error('MPD_BAD_VALUE', 'is too large (above 2^53)', name);
    return value;
  }

  positiveUint(name: string): number | undefined {
    const value = this.uint(name);
    if (value === 0) throw this.error('MPD_BAD_VALUE', 'must be above 0', name);
    return value;
  }

  /** An xs:duration (`PT1M30.5S`, `P1DT2H`), in ms; years count 365 days and months 30, as dash.js reads them. */
  durationMs(name: string): number | undefined {
    const raw = this.el.attributes.get(name);
    if (raw === undefined) return undefined;
    const match =
      /^P(?:([0-9]+(?:\.[0-9]+)?)Y)?(?:([0-9]+(?:\.[0-9]+)?)M)?(?:([0-9]+(?:\.[0-9]+)?)D)?(?:T(?:([0-9]+(?:\.[0-9]+)?)H)?(?:([0-9]+(?:\.[0-9]+)?)M)?(?:([0-9]+(?:\.[0-9]*)?)S)?)?$/.exec(
        raw.trim(),
      );
    if (!match || raw.trim() === 'P' || raw.trim().endsWith('T')) {
      throw this.error('MPD_BAD_VALUE', 'must be an xs:duration such as PT1M30.5S', name);
    }
    const [years, months, days, hours, minutes, seconds] = match.slice(1).map((p) => Number(p ?? 0));
    const s =
      (years ?? 0) * 365 * 86400 +
      (months ?? 0) * 30 * 86400 +
      (days ?? 0) * 86400 +
      (hours ?? 0) * 3600 +
      (minutes ?? 0) * 60 +
      (seconds ?? 0);
    if (!Number.isFinite(s) || s > 1e12) throw this.error('MPD_BAD_VALUE', 'is too long', name);
    return roundMs(s * 1000);
  }

  /** A frame rate: `30`, `29.97` or `30000/1001`. */
  frameRate(name: string): number | undefined {
    const raw = this.el.attributes.get(name);
    if (raw === undefined) return undefined;
    const match = /^([0-9]+(?:\.[0-9]+)?)(?:\/([0-9]+))?$/.exec(raw.trim());
    const value = match ? Number(match[1]) / Number(match[2] ?? 1) : Number.NaN;
    if (!(Number.isFinite(value) && value > 0)) {
      throw this.error('MPD_BAD_VALUE', 'must be a frame rate such as 30 or 30000/1001', name);
    }
    return value;
  }

  /** A byte range `first-last` (inclusive, as in HTTP). */
  byteRange(name: string): { offsetBytes: number; lengthBytes: number } | undefined {
    const raw = this.el.attributes.get(name);
    if (raw === undefined) return undefined;
    const match = /^([0-9]+)-([0-9]+)$/.exec(raw.trim());
    const first = Number(match?.[1]);
    const last = Number(match?.[2]);
    if (!match || !Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) {
      throw this.error('MPD_BAD_VALUE', 'must be a byte range first-last with first <= last', name);
    }
    return { offsetBytes: first, lengthBytes: last - first + 1 };
  }

  error(code: DashErrorCode, problem: string, attribute?: string): AbrkitError {
    return mpdError(code, this.source, this.el, problem, attribute);
  }
}
