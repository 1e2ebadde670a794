/**
 * SegmentTemplate URL templates (ISO/IEC 23009-1 §5.3.9.4.4): `$RepresentationID$`, `$Number$`,
 * `$Bandwidth$`, `$Time$`, each but the first with an optional `%0<width>d` format tag, and `$$` for a `$`.
 * A template is checked once (`compileTemplate`), then filled per segment.
 */
import type { AbrkitError } from '../core/errors.js';

export type TemplateIdentifier = 'RepresentationID' | 'Number' | 'Bandwidth' | 'Time';

type Part = string | { readonly id: TemplateIdentifier; readonly width: number };

export interface CompiledTemplate {
  readonly parts: readonly Part[];
  /** The identifiers the template uses. */
  readonly uses: ReadonlySet<TemplateIdentifier>;
}

const IDENTIFIER = /^(RepresentationID|Number|Bandwidth|Time)(?:%0([0-9]{1,2})d)?$/;

/**
 * Splits a template into text and identifiers. `fail(problem)` builds the error naming the attribute (the
 * caller knows the element): an unpaired `$`, an unknown identifier, a format tag on `$RepresentationID$`.
 */
export function compileTemplate(template: string, fail: (problem: string) => AbrkitError): CompiledTemplate {
  const parts: Part[] = [];
  const uses = new Set<TemplateIdentifier>();
  let text = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('$', i);
    if (open < 0) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, open);
    const close = template.indexOf('$', open + 1);
    if (close < 0) throw fail(`a '$' at character ${open + 1} is not closed (write $$ for a dollar sign)`);
    const body = template.slice(open + 1, close);
    i = close + 1;
    if (body === '') {
      text += '$';
      continue;
    }
    const match = IDENTIFIER.exec(body);
    if (!match) {
      throw fail(
        `$${body}$ is not a template identifier ($RepresentationID$, $Number$, $Bandwidth$, $Time$, with an optional %0<width>d)`,
      );
    }
    const id = match[1] as TemplateIdentifier;
    if (id === 'RepresentationID' && match[2] !== undefined)
      throw fail('$RepresentationID$ takes no format tag');
    if (text !== '') parts.push(text);
    text = '';
    parts.push({ id, width: match[2] === undefined ? 1 : Number(match[2]) });
    uses.add(id);
  }
  if (text !== '') parts.push(text);
  return { parts, uses };
}

/** Fills a compiled template; numbers are zero-padded to their format tag's width. */
export function fillTemplate(
  template: CompiledTemplate,
  values: {
    readonly RepresentationID: string;
    readonly Bandwidth: number;
    readonly Number?: number;
    readonly Time?: number;
  },
): string {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
    } else if (part.id === 'RepresentationID') {
      out += values.RepresentationID;
    } else {
      const value = values[part.id] ?? 0;
      out += String(value).padStart(part.width, '0');
    }
  }
  return out;
}

const MARK = '\u0000';

/**
 * `(Number, Time) => resolve(fillTemplate(...))`, resolving the URL once per Representation instead of once
 * per segment: each `$Number$` / `$Time$` is replaced by a marker, the marked template resolved, and the
 * markers filled per segment. Digits cannot change how a reference resolves (they make no `/`, `.` or `..`
 * segment, no `?` or `#`) except inside a scheme (`a$Number$:x`): then, or when a marker character is already
 * in the text, every segment is resolved on its own.
 */
export function templateResolver(
  template: CompiledTemplate,
  fixed: { readonly RepresentationID: string; readonly Bandwidth: number },
  resolve: (reference: string) => string,
): (values: { readonly Number: number; readonly Time: number }) => string {
  const slow = (values: { readonly Number: number; readonly Time: number }): string =>
    resolve(fillTemplate(template, { ...fixed, ...values }));
  let marked = '';
  template.parts.forEach((part, i) => {
    if (typeof part === 'string') marked += part;
    else if (part.id === 'RepresentationID') marked += fixed.RepresentationID;
    else if (part.id === 'Bandwidth') marked += String(fixed.Bandwidth).padStart(part.width, '0');
    else marked += `${MARK}${i}${MARK}`;
  });
  const firstMark = marked.indexOf(MARK);
  if (firstMark < 0) return slow;
  const delimiter = /[:/?#]/.exec(marked);
  const inScheme = delimiter?.[0] === ':' && delimiter.index > firstMark;
  const markers = marked.split(MARK).length - 1;
  if (
    inScheme ||
    markers !==
      2 * template.parts.filter((p) => typeof p !== 'string' && (p.id === 'Number' || p.id === 'Time')).length
  )
    return slow;
  const pieces = resolve(marked).split(MARK);
  if (pieces.length !== markers + 1) return slow;
  return (values) => {
    let out = '';
    pieces.forEach((piece, k) => {
      if (k % 2 === 0) {
        out += piece;
      } else {
        const part = template.parts[Number(piece)];
        if (part && typeof part !== 'string')
          out += String(values[part.id === 'Time' ? 'Time' : 'Number']).padStart(part.width, '0');
      }
    });
    return out;
  };
}
