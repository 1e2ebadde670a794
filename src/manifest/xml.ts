/**
 * A small, non-validating XML 1.0 reader (https://www.w3.org/TR/xml/) for DASH MPDs, written for the pure
 * core: no DOMParser (not in Node, not in the pure core). It builds a tree of elements with their attributes
 * (as written), direct text, namespace URI (Namespaces in XML 1.0) and the line each starts on.
 *
 * Read: elements, attributes (`"` or `'`, whitespace normalised as §3.3.3 says), character data, CDATA
 * sections, the five predefined entities and character references, comments, processing instructions and
 * the XML declaration (skipped), a DOCTYPE without an internal subset (skipped). Refused, as
 * `AbrkitError('manifest', 'MPD_MALFORMED')` naming the line and column: anything not well-formed, an internal
 * DTD subset (entity declarations are how "billion laughs" documents blow up), any other entity reference,
 * and nesting deeper than {@link MAX_XML_DEPTH}. The walk is iterative: no input can overflow the stack.
 */
import { AbrkitError } from '../core/errors.js';

export interface XmlElement {
  /** The qualified name as written, e.g. `MPD` or `cenc:pssh`. */
  readonly name: string;
  readonly localName: string;
  /** The namespace URI the element's prefix (or the default namespace) is bound to; '' for none. */
  readonly namespaceUri: string;
  /** Attributes by qualified name as written, values with entities expanded. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (not its children's), concatenated. */
  readonly text: string;
  /** 1-based line of the `<` that opens it. */
  readonly line: number;
}

/** Deeper nesting than this is refused (an MPD needs about 8 levels). */
export const MAX_XML_DEPTH = 256;

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_:.\u00B7\u00C0-\uFFFF]*/y;
const SPACE = /[ \t\r\n]*/y;

interface Building {
  name: string;
  localName: string;
  prefix: string;
  namespaceUri: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
  namespaces: ReadonlyMap<string, string>;
}

/** Parses `text` (an XML document) into its root element. Errors name `source` and the line and column. */
export function parseXml(text: string, source: string): XmlElement {
  return new XmlReader(text.replace(/^\uFEFF/, ''), source).document();
}

class XmlReader {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  /** The next '\n' at or after `pos` (Infinity when none): each newline is searched for once. */
  private nextNewline: number;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {
    this.nextNewline = this.newlineFrom(0);
  }

  private newlineFrom(from: number): number {
    const at = this.text.indexOf('\n', from);
    return at < 0 ? Infinity : at;
  }

  document(): XmlElement {
    let root: XmlElement | undefined;
    const stack: Building[] = [];
    const rootNamespaces = new Map<string, string>([
      ['xml', 'http://www.w3.org/XML/1998/namespace'],
      ['', ''],
    ]);
    while (this.pos < this.text.length) {
      const lt = this.text.indexOf('<', this.pos);
      const end = lt < 0 ? this.text.length : lt;
      if (end > this.pos) {
        const chunk = this.text.slice(this.pos, end);
        const top = stack[stack.length - 1];
        if (top) top.text += this.expand(chunk);
        else if (/[^ \t\r\n]/.test(chunk)) this.fail('text outside the root element');
        this.advance(end);
      }
      if (lt < 0) break;
      if (this.text.startsWith('<!--', lt)) {
        const close = this.text.indexOf('-->', lt + 4);
        if (close < 0) this.fail('a comment that never ends (no -->)');
        this.advance(close + 3);
      } else if (this.text.startsWith('<![CDATA[', lt)) {
        const top = stack[stack.length - 1];
        if (!top) this.fail('a CDATA section outside the root element');
        const close = this.text.indexOf(']]>', lt + 9);
        if (close < 0) this.fail('a CDATA section that never ends (no ]]>)');
        top.text += this.text.slice(lt + 9, close);
        this.advance(close + 3);
      } else if (this.text.startsWith('<?', lt)) {
        const close = this.text.indexOf('?>', lt + 2);
        if (close < 0) this.fail('a processing instruction that never ends (no ?>)');
        this.advance(close + 2);
      } else if (this.text.startsWith('<!DOCTYPE', lt)) {
        if (stack.length > 0 || root) this.fail('a DOCTYPE after the root element started');
        const close = this.text.indexOf('>', lt);
        const subset = this.text.indexOf('[', lt);
        if (subset >= 0 && (close < 0 || subset < close))
          this.fail('a DOCTYPE with an internal subset (entity declarations are not read)');
        if (close < 0) this.fail('a DOCTYPE that never ends (no >)');
        this.advance(close + 1);
      } else if (this.text.startsWith('</', lt)) {
        const open = stack.pop();
        this.advance(lt + 2);
        const name = this.name('an end tag');
        if (!open) this.fail(`an end tag </${name}> with no element open`);
        if (name !== open.name) this.fail(`</${name}> closes <${open.name}> (opened on line ${open.line})`);
        this.skipSpace();
        this.expect('>', `</${name}`);
        const done = finish(open);
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(done);
        else root = done;
      } else {
        if (root) this.fail('a second root element');
        const line = this.line;
        this.advance(lt + 1);
        if (stack.length >= MAX_XML_DEPTH) this.fail(`elements nested deeper than ${MAX_XML_DEPTH}`);
        const element = this.startTag(line, stack[stack.length - 1]?.namespaces ?? rootNamespaces);
        if (this.text.startsWith('/>', this.pos)) {
          this.advance(this.pos + 2);
          const done = finish(element);
          const parent = stack[stack.length - 1];
          if (parent) parent.children.push(done);
          else root = done;
        } else {
          this.expect('>', `<${element.name}`);
          stack.push(element);
        }
      }
    }
    const open = stack[stack.length - 1];
    if (open) this.fail(`<${open.name}> (line ${open.line}) is never closed`);
    if (!root) this.fail('no root element');
    return root;
  }

  private startTag(line: number, inherited: ReadonlyMap<string, string>): Building {
    const name = this.name('an element');
    const attributes = new Map<string, string>();
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === '>' || (c === '/' && this.text[this.pos + 1] === '>') || c === undefined) break;
      if (this.pos === before) this.fail(`<${name}: attributes must be separated by white space`);
      const attribute = this.name(`an attribute of <${name}>`);
      this.skipSpace();
      this.expect('=', `<${name} ${attribute}`);
      this.skipSpace();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`<${name} ${attribute}=: the value must be quoted`);
      const close = this.text.indexOf(quote, this.pos + 1);
      if (close < 0) this.fail(`<${name} ${attribute}=: the value never ends (no closing ${quote})`);
      const raw = this.text.slice(this.pos + 1, close);
      if (raw.includes('<')) this.fail(`<${name} ${attribute}=: '<' in an attribute value`);
      if (attributes.has(attribute)) this.fail(`<${name}>: attribute ${attribute} given twice`);
      attributes.set(attribute, this.expand(raw.replace(/[\t\r\n]/g, ' ')));
      this.advance(close + 1);
    }
    let namespaces = inherited;
    for (const [key, value] of attributes) {
      if (key === 'xmlns' || key.startsWith('xmlns:')) {
        if (namespaces === inherited) namespaces = new Map(inherited);
        (namespaces as Map<string, string>).set(key === 'xmlns' ? '' : key.slice(6), value);
      }
    }
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? '' : name.slice(0, colon);
    const namespaceUri = namespaces.get(prefix);
    if (namespaceUri === undefined) this.fail(`<${name}>: the prefix '${prefix}' is not declared`);
    return {
      name,
      localName: colon < 0 ? name : name.slice(colon + 1),
      prefix,
      namespaceUri,
      attributes,
      children: [],
      text: '',
      line,
      namespaces,
    };
  }

  private name(what: string): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.text);
    if (!match) this.fail(`expected the name of ${what}, found ${this.found()}`);
    this.pos += match[0].length;
    return match[0];
  }

  private skipSpace(): void {
    SPACE.lastIndex = this.pos;
    const match = SPACE.exec(this.text);
    if (match && match[0].length > 0) this.advance(this.pos + match[0].length);
  }

  private expect(token: string, after: string): void {
    if (!this.text.startsWith(token, this.pos))
      this.fail(`expected '${token}' after ${after}, found ${this.found()}`);
    this.advance(this.pos + token.length);
  }

  private found(): string {
    const c = this.text[this.pos];
    return c === undefined
      ? 'the end of the document'
      : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }

  /** Expands entity and character references in character data or an attribute value. */
  private expand(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]*);?/g, (whole, body: string) => {
      if (!whole.endsWith(';')) this.fail(`'&' not starting a reference: ${JSON.stringify(whole)}`);
      const predefined = PREDEFINED[body];
      if (predefined !== undefined) return predefined;
      const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
      if (numeric) {
        const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
        const allowed =
          code === 0x9 ||
          code === 0xa ||
          code === 0xd ||
          (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          (code >= 0x10000 && code <= 0x10ffff);
        if (!allowed) this.fail(`the character reference ${whole} is not an XML character`);
        return String.fromCodePoint(code);
      }
      return this.fail(`unknown entity ${whole} (only &amp; &lt; &gt; &quot; &apos; and &#...; are read)`);
    });
  }

  /** Moves to `to`, counting the lines passed. */
  private advance(to: number): void {
    while (this.nextNewline < to) {
      this.line++;
      this.lineStart = this.nextNewline + 1;
      this.nextNewline = this.newlineFrom(this.lineStart);
    }
    this.pos = to;
  }

  private fail(problem: string): never {
    const column = this.pos - this.lineStart + 1;
    throw new AbrkitError('manifest', 'MPD_MALFORMED', `not well-formed XML (column ${column}): ${problem}`, {
      data: { source: this.source, line: this.line, column },
    });
  }
}

function finish(b: Building): XmlElement {
  return {
    name: b.name,
    localName: b.localName,
    namespaceUri: b.namespaceUri,
    attributes: b.attributes,
    children: b.children,
    text: b.text,
    line: b.line,
  };
}
