// The pure XML reader under the MPD parser: what it builds, and the well-formedness errors it names.
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { MAX_XML_DEPTH, parseXml } from '../../src/manifest/xml.js';

const SRC = 'https://cdn.test/a.mpd';

function errorOf(text: string): AbrkitError {
  try {
    parseXml(text, SRC);
  } catch (e) {
    if (e instanceof AbrkitError) return e;
    throw e;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseXml', () => {
  it('builds elements, attributes, text, namespaces and lines', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- c -->\n<!DOCTYPE MPD>\n' +
        '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" a=\'1 &amp; 2\'>\n' +
        '  <BaseURL>http://x/?a=1&amp;b=&#x32;&#51;</BaseURL>\n' +
        '  <cenc:pssh><![CDATA[<raw>]]></cenc:pssh>\n' +
        '  <Period b="tab\there"/>\n' +
        '</MPD>\n',
      SRC,
    );
    expect(root.name).toBe('MPD');
    expect(root.namespaceUri).toBe('urn:mpeg:dash:schema:mpd:2011');
    expect(root.attributes.get('a')).toBe('1 & 2');
    expect(root.line).toBe(4);
    const [base, pssh, period] = root.children;
    expect(base?.text).toBe('http://x/?a=1&b=23');
    expect(base?.line).toBe(5);
    expect(pssh?.localName).toBe('pssh');
    expect(pssh?.namespaceUri).toBe('urn:mpeg:cenc:2013');
    expect(pssh?.text).toBe('<raw>');
    expect(period?.attributes.get('b')).toBe('tab here');
    expect(period?.line).toBe(7);
  });

  it.each([
    ['<MPD>', 1, 'never closed'],
    ['<MPD></Period>', 1, 'closes <MPD>'],
    ['<MPD a="1" a="2"/>', 1, 'given twice'],
    ['<MPD a=1/>', 1, 'must be quoted'],
    ['<MPD\n a="x"b="y"/>', 2, 'separated by white space'],
    ['<MPD/><MPD/>', 1, 'second root'],
    ['text<MPD/>', 1, 'outside the root'],
    ['<MPD>&nbsp;</MPD>', 1, 'unknown entity'],
    ['<MPD>&#0;</MPD>', 1, 'not an XML character'],
    ['<MPD>a & b</MPD>', 1, "'&' not starting"],
    ['<!DOCTYPE x [<!ENTITY a "b">]><MPD/>', 1, 'internal subset'],
    ['<x:MPD/>', 1, "prefix 'x' is not declared"],
    ['<MPD><!-- open', 1, 'comment that never ends'],
    ['', 1, 'no root element'],
  ])('refuses %j naming line %i (%s)', (text, line, problem) => {
    const e = errorOf(text);
    expect(e.category).toBe('manifest');
    expect(e.code).toBe('MPD_MALFORMED');
    expect(e.data).toMatchObject({ source: SRC, line });
    expect(e.message).toContain(problem);
  });

  it('refuses nesting deeper than MAX_XML_DEPTH without overflowing the stack', () => {
    const deep = '<a>'.repeat(MAX_XML_DEPTH + 1) + '</a>'.repeat(MAX_XML_DEPTH + 1);
    expect(errorOf(deep).message).toContain(`deeper than ${MAX_XML_DEPTH}`);
    const ok = '<a>'.repeat(MAX_XML_DEPTH) + '</a>'.repeat(MAX_XML_DEPTH);
    expect(parseXml(ok, SRC).name).toBe('a');
  });
});
