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
