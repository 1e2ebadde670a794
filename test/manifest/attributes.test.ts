/** The attribute-list reader (RFC 8216 §4.2) the master and media parsers share. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAbrkitError } from '../../src/core/errors.js';
import { attributesOf } from '../../src/manifest/tokenize.js';

const read = (list: string): Record<string, string> => ({
  ...attributesOf({ line: 7, text: `#EXT-X-STREAM-INF:${list}` }, 'master.m3u8'),
});

describe('attributesOf', () => {
  it('reads every value type of §4.2 as raw strings, quotes removed', () => {
    expect(
      read(
        'BANDWIDTH=1280000,AVERAGE-BANDWIDTH=1000000,RESOLUTION=1280x720,FRAME-RATE=29.970,' +
          'CODECS="avc1.64001f,mp4a.40.2",AUDIO="aac",HDCP-LEVEL=NONE,IV=0x1A2B',
      ),
    ).toEqual({
      BANDWIDTH: '1280000',
      'AVERAGE-BANDWIDTH': '1000000',
      RESOLUTION: '1280x720',
      'FRAME-RATE': '29.970',
      CODECS: 'avc1.64001f,mp4a.40.2',
      AUDIO: 'aac',
      'HDCP-LEVEL': 'NONE',
      IV: '0x1A2B',
    });
  });

  it('keeps commas, equals signs and spaces inside quotes, and allows empty values', () => {
    expect(read('NAME="a, b = c",URI="",X=')).toEqual({ NAME: 'a, b = c', URI: '', X: '' });
  });

  it('tolerates spaces around names, values and commas, and a trailing comma', () => {
    expect(read(' BANDWIDTH = 1 , CODECS = "x" ,')).toEqual({ BANDWIDTH: '1', CODECS: 'x' });
  });

  it('lets a later duplicate win', () => {
    expect(read('BANDWIDTH=1,BANDWIDTH=2')).toEqual({ BANDWIDTH: '2' });
  });

  it('reads an empty list as no attributes', () => {
    expect(read('')).toEqual({});
  });

  it.each([
    ['a bare word', 'BANDWIDTH=1,garbage', 13],
    ['an unterminated quote', 'CODECS="avc1', 1],
    ['text after a quoted value', 'CODECS="avc1"x,BANDWIDTH=1', 1],
    ['an empty item', 'A=1,,B=2', 5],
    ['a quote inside an unquoted value', 'A=x"y"', 1],
  ])('refuses %s with BAD_ATTRIBUTE_LIST naming the line and the character', (_name, list, at) => {
    try {
      read(list);
      expect.unreachable('should throw');
    } catch (error) {
      expect(isAbrkitError(error)).toBe(true);
      if (!isAbrkitError(error)) return;
      expect(error.code).toBe('BAD_ATTRIBUTE_LIST');
      expect(error.data).toMatchObject({ source: 'master.m3u8', line: 7 });
      expect(error.message).toContain(`character ${at}`);
    }
  });

  it('round-trips any list written by the rules of §4.2', () => {
    const name = fc.stringMatching(/^[A-Z0-9-]{1,12}$/);
    const value = fc.oneof(
      fc.stringMatching(/^[0-9]{1,10}$/),
      fc.stringMatching(/^[A-Za-z0-9.x-]{1,12}$/),
      fc.stringMatching(/^[^"\r\n]{0,20}$/).map((s) => ({ quoted: s })),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 8 }), (pairs) => {
        const text = pairs.map(([n, v]) => `${n}=${typeof v === 'string' ? v : `"${v.quoted}"`}`).join(',');
        const expected = Object.fromEntries(pairs.map(([n, v]) => [n, typeof v === 'string' ? v : v.quoted]));
        expect(read(text)).toEqual(expected);
      }),
    );
  });
});
