// m3u8-parser 7 ships no types. This declares only the part abrkit uses: ParseStream, the line-level
// tokenizer (one `data` event per pushed line). Ambient on purpose (no top-level import/export).
declare module 'm3u8-parser' {
  /** What ParseStream emits for one line. Only the fields abrkit reads are listed. */
  export interface ParseStreamEntry {
    readonly type: 'tag' | 'uri' | 'comment' | 'custom';
    readonly tagType?: string;
    readonly uri?: string;
    /** Attribute lists (STREAM-INF, MEDIA, ...): values are strings, except the few it converts. */
    readonly attributes?: Readonly<Record<string, unknown>>;
    readonly byterange?: { readonly length?: number; readonly offset?: number };
  }

  export class ParseStream {
    constructor();
    /** Parses one line (no line break) and emits a `data` event synchronously. May throw on bad attribute lists. */
    push(line: string): void;
    on(type: 'data', listener: (entry: ParseStreamEntry) => void): void;
  }
}
