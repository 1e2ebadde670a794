/**
 * CMCD v1 (CTA-5004): the encoder (src/core/cmcd.ts) against the spec's examples (section 6, as the CTA WAVE
 * validator and the spec's erratum issue cta-wave/common-media-client-data#101 quote them), its rounding and
 * quoting rules, and against the Common Media Library's v1 encoder (@svta/cml-cmcd, what hls.js 1.7 and dash.js
 * send) as an oracle on random data; the parser (src/core/cmcd-parse.ts) as its inverse, and its errors.
 */
import { encodeCmcd as cmlEncode, toCmcdHeaders as cmlHeaders, type Cmcd } from '@svta/cml-cmcd';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmcdHeaders, cmcdUrl, encodeCmcd, type CmcdData } from '../../src/core/cmcd.js';
import { parseCmcdPayload, parseCmcdRequest } from '../../src/core/cmcd-parse.js';
import { AbrkitError } from '../../src/core/errors.js';

const SID = '6e2fb550-c457-11e9-bb97-0800200c9a66';
const CID = 'faec5fc2-ac30-11ea-bb37-0242ac130002';

/** Spec example 9: every v1 key. */
const ALL_KEYS: CmcdData = {
  bl: 21300,
  br: 3200,
  bs: true,
  cid: CID,
  d: 4004,
  dl: 18500,
  mtp: 48100,
  nor: '../300kbps/track.m4v',
  nrr: '12323-48763',
  ot: 'v',
  pr: 1.08,
  rtp: 12000,
  sf: 'd',
  sid: SID,
  st: 'v',
  su: true,
  tb: 6000,
};

describe('encodeCmcd: the spec examples', () => {
  it('example 9 (every key) in header mode: the four headers with their keys', () => {
    expect(cmcdHeaders(ALL_KEYS)).toEqual({
      'CMCD-Request': 'bl=21300,dl=18500,mtp=48100,nor="..%2F300kbps%2Ftrack.m4v",nrr="12323-48763",su',
      'CMCD-Object': 'br=3200,d=4004,ot=v,tb=6000',
      'CMCD-Status': 'bs,rtp=12000',
      'CMCD-Session': `cid="${CID}",pr=1.08,sf=d,sid="${SID}",st=v`,
    });
  });

  it('example 9 in query mode: one CMCD parameter, nor encoded twice', () => {
    expect(cmcdUrl('https://test.cdn.com/video/segment.mp4', ALL_KEYS)).toBe(
      'https://test.cdn.com/video/segment.mp4?CMCD=bl%3D21300%2Cbr%3D3200%2Cbs%2Ccid%3D%22' +
        CID +
        '%22%2Cd%3D4004%2Cdl%3D18500%2Cmtp%3D48100%2Cnor%3D%22..%252F300kbps%252Ftrack.m4v%22%2Cnrr%3D' +
        '%2212323-48763%22%2Cot%3Dv%2Cpr%3D1.08%2Crtp%3D12000%2Csf%3Dd%2Csid%3D%22' +
        SID +
        '%22%2Cst%3Dv%2Csu%2Ctb%3D6000',
    );
  });

  it('the session id alone, and a video segment with status keys (examples 1 and 2)', () => {
    expect(cmcdUrl('/a.m4s', { sid: SID })).toBe(`/a.m4s?CMCD=sid%3D%22${SID}%22`);
    const data: CmcdData = {
      br: 3200,
      bs: true,
      d: 4004,
      mtp: 25400,
      ot: 'v',
      rtp: 15000,
      sid: SID,
      tb: 6000,
    };
    expect(cmcdUrl('/a.m4s', data)).toBe(
      `/a.m4s?CMCD=br%3D3200%2Cbs%2Cd%3D4004%2Cmtp%3D25400%2Cot%3Dv%2Crtp%3D15000%2Csid%3D%22${SID}%22%2Ctb%3D6000`,
    );
    expect(cmcdHeaders(data)).toEqual({
      'CMCD-Object': 'br=3200,d=4004,ot=v,tb=6000',
      'CMCD-Request': 'mtp=25400',
      'CMCD-Session': `sid="${SID}"`,
      'CMCD-Status': 'bs,rtp=15000',
    });
  });
});

describe('encodeCmcd: rounding, defaults, quoting', () => {
  it('rounds bl, dl, mtp and rtp to the nearest 100, br, d and tb to integers', () => {
    expect(
      encodeCmcd({ bl: 21349, dl: 18550, mtp: 48149.9, rtp: 149, br: 3200.5, d: 4003.4, tb: 5999.6 }),
    ).toBe('bl=21300,br=3201,d=4003,dl=18600,mtp=48100,rtp=100,tb=6000');
  });

  it('leaves out false booleans, pr and v of 1, missing and non-finite numbers', () => {
    expect(encodeCmcd({ bs: false, su: false, pr: 1, v: 1, mtp: Number.NaN, bl: Infinity })).toBe('');
    expect(encodeCmcd({ pr: 0.5, v: 2, su: true })).toBe('pr=0.5,su,v=2');
    expect(cmcdUrl('/x.m4s?a=1#t', {})).toBe('/x.m4s?a=1#t');
  });

  it('escapes quotes and backslashes in strings and appends to an existing query before a fragment', () => {
    expect(encodeCmcd({ cid: 'a"b\\c' })).toBe('cid="a\\"b\\\\c"');
    expect(cmcdUrl('/x.m4s?a=1#t', { su: true })).toBe('/x.m4s?a=1&CMCD=su#t');
  });
});

const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_./"\\:%?&=,'.split('')), maxLength: 20 });
const nat = fc.integer({ min: 0, max: 100_000_000 });
const arbData: fc.Arbitrary<CmcdData> = fc.record(
  {
    bl: fc.double({ min: 0, max: 1e6, noNaN: true }),
    br: nat,
    bs: fc.boolean(),
    cid: printable,
    d: nat,
    dl: fc.double({ min: 0, max: 1e6, noNaN: true }),
    mtp: fc.double({ min: 0, max: 1e7, noNaN: true }),
    nor: printable,
    nrr: fc.tuple(nat, nat).map(([a, b]) => `${a}-${b}`),
    ot: fc.constantFrom('m', 'a', 'v', 'av', 'i', 'c', 'tt', 'k', 'o' as const),
    pr: fc.integer({ min: 0, max: 400 }).map((x) => x / 100),
    rtp: nat,
    sf: fc.constantFrom('d', 'h', 's', 'o' as const),
    sid: printable,
    st: fc.constantFrom('v', 'l' as const),
    su: fc.boolean(),
    tb: nat,
  },
  { requiredKeys: [] },
);

/** The library types its data as v2 (bl as a list); its v1 encoder takes v1's plain numbers. */
const asCml = (data: CmcdData): Cmcd => data as unknown as Cmcd;

describe('encodeCmcd against the Common Media Library (v1) and the parser', () => {
  it('gives the same payload as @svta/cml-cmcd v1 on random data', () => {
    fc.assert(
      fc.property(arbData, (data) => {
        expect(encodeCmcd(data)).toBe(cmlEncode(asCml(data), { version: 1 }));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same headers, but pr in CMCD-Session as CTA-5004 example 9 has it (the library files it under Status, as v2 does)', () => {
    fc.assert(
      fc.property(arbData, (data) => {
        const { pr: _pr, ...withoutPr } = data;
        expect(cmcdHeaders(withoutPr)).toEqual(cmlHeaders(asCml(withoutPr), { version: 1 }));
      }),
      { numRuns: 200 },
    );
  });

  it('parses back what it encodes (numbers rounded, false booleans and empty strings gone, nor as sent)', () => {
    fc.assert(
      fc.property(arbData, (data) => {
        const parsed = parseCmcdRequest(cmcdUrl('/seg_00001.m4s', data), {});
        const viaHeaders = parseCmcdRequest('/seg_00001.m4s', cmcdHeaders(data));
        const expected: Record<string, unknown> = {};
        const round100 = (x: number): number => Math.round(x / 100) * 100;
        for (const [k, v] of Object.entries(data) as [string, unknown][]) {
          if (v === false || v === '' || (k === 'pr' && v === 1)) continue;
          if (k === 'bl' || k === 'dl' || k === 'mtp' || k === 'rtp') expected[k] = round100(v as number);
          else if (k === 'nor') expected[k] = encodeURIComponent(v as string);
          else expected[k] = v;
        }
        const want = Object.keys(expected).length === 0 ? null : expected;
        expect(parsed?.values ?? null).toEqual(want);
        expect(viaHeaders?.values ?? null).toEqual(want);
        if (parsed) expect(parsed.mode).toBe('query');
        if (viaHeaders) expect(viaHeaders.mode).toBe('headers');
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCmcdPayload / parseCmcdRequest', () => {
  it('reads numbers, strings, tokens, bare keys and custom keys', () => {
    expect(parseCmcdPayload('bl=21300,bs,cid="a\\"b",ot=av,pr=1.08,com.example-x=7', 'req')).toEqual({
      bl: 21300,
      bs: true,
      cid: 'a"b',
      ot: 'av',
      pr: 1.08,
      'com.example-x': 7,
    });
  });

  it('reads headers in any case and ignores other headers; null without CMCD', () => {
    expect(
      parseCmcdRequest('/a.m4s', {
        'cmcd-object': 'br=300,ot=v',
        'CMCD-Session': 'sid="x"',
        range: 'bytes=0-1',
      }),
    ).toEqual({ mode: 'headers', values: { br: 300, ot: 'v', sid: 'x' } });
    expect(parseCmcdRequest('/a.m4s?x=1', { range: 'bytes=0-1' })).toBeNull();
  });

  it.each([
    ['bl=21300,bl=100', "key 'bl' repeated"],
    ['cid="abc', "unterminated string in 'cid'"],
    ['Bl=1', "bad key 'Bl'"],
    ['bl=1 2', "bad value '1 2' for 'bl'"],
    ['cid="a"x', "expected ',' after 'cid'"],
    ['cid="a\\q"', "bad escape in 'cid'"],
  ])('refuses %s with a CMCD_MALFORMED error naming the request and the key', (payload, message) => {
    let error: unknown;
    try {
      parseCmcdRequest(`/v/seg_00003.m4s?CMCD=${encodeURIComponent(payload)}`, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AbrkitError);
    expect((error as AbrkitError).code).toBe('CMCD_MALFORMED');
    expect((error as AbrkitError).message).toContain('/v/seg_00003.m4s');
    expect((error as AbrkitError).message).toContain(message);
  });

  it('refuses broken percent-encoding in the query', () => {
    expect(() => parseCmcdRequest('/a.m4s?CMCD=%E0%A4%A', {})).toThrow(/malformed percent-encoding/);
  });
});
