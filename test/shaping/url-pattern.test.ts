/**
 * Fault URL patterns (src/shaping/url-pattern.ts): glob semantics, refusal of regular expressions with a
 * message saying what to write, and a cost bounded by url length × pattern length on pathological inputs
 * (counted comparisons, not timings).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAbrkitError } from '../../src/core/errors.js';
import { parseFaultSpec } from '../../src/shaping/faults.js';
import {
  MAX_URL_PATTERN_CHARS,
  matchUrlPattern,
  parseUrlPattern,
  type UrlPattern,
} from '../../src/shaping/url-pattern.js';

function compile(text: string): UrlPattern {
  const parsed = parseUrlPattern(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.pattern;
}

function problemOf(text: string): string {
  const parsed = parseUrlPattern(text);
  return parsed.ok ? 'accepted' : parsed.problem;
}

/** An independent reference: the glob as a regular expression over the whole URL, for short inputs only. */
function reference(pattern: string, url: string): boolean {
  const body = /^\/[^\\()[\]{}^$+*?|]+\/$/.test(pattern) ? pattern.slice(1, -1) : pattern;
  return body.split('|').some((alt) => {
    const re = alt
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.\\/]/g, '\\$&')))
      .join('');
    return new RegExp(re, 's').test(url);
  });
}

describe('glob semantics', () => {
  const cases: [string, string, boolean][] = [
    ['seg_', '/v/seg_00003.m4s', true],
    ['seg_', '/v/index.m3u8', false],
    ['seg_*.m4s', '/240p/seg_00004.m4s', true],
    ['seg_*.m4s', '/240p/seg_00004.mp4', false],
    ['seg_0000?.m4s', '/240p/seg_00004.m4s', true],
    ['seg_0000?.m4s', '/240p/seg_0004.m4s', false],
    ['240p/seg_00004.m4s|360p/seg_00004.m4s', '/360p/seg_00004.m4s', true],
    ['240p/seg_00004.m4s|360p/seg_00004.m4s', '/144p/seg_00004.m4s', false],
    ['*', '/anything', true],
    ['/seg_/', '/v/seg_1.m4s', true],
    ['/seg_/', '/v/index.m3u8', false],
    ['master.m3u8', '/master.m3u8?x=1', true],
    ['p/seg_*3.m4s', '/144p/seg_00003.m4s', true],
    ['a*b*c', 'xxaxxbxxcxx', true],
    ['a*b*c', 'xxcxxbxxaxx', false],
    ['Seg_', '/seg_1', false],
  ];
  for (const [pattern, url, want] of cases)
    it(`${pattern} ${want ? 'matches' : 'does not match'} ${url}`, () => {
      expect(compile(pattern).test(url)).toBe(want);
    });

  it('agrees with a regular-expression reference on random short globs and URLs', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', '.', '*', '?');
    fc.assert(
      fc.property(
        fc.array(fc.array(alphabet, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom('a', 'b', '/', '.', '?'), { maxLength: 12 }),
        (alts, urlChars) => {
          const pattern = alts.map((a) => a.join('')).join('|');
          const parsed = parseUrlPattern(pattern);
          fc.pre(parsed.ok);
          const url = urlChars.join('');
          expect(parsed.ok && parsed.pattern.test(url)).toBe(reference(pattern, url));
        },
      ),
      { numRuns: 500, seed: 18 },
    );
  });
});

describe('regular expressions are refused with what to write instead', () => {
  for (const regex of [
    '/(a+)+$/',
    '/seg_\\d+/',
    '/seg_/i',
    '(144|240)p/seg_00003.m4s',
    'seg_.*m4s',
    'seg_[0-9]',
    '^/master',
    'm3u8$',
    'a{2,}',
    'a\\.b',
  ]) {
    it(`refuses ${regex}`, () => {
      const problem = problemOf(regex);
      expect(problem).toContain('regular expression');
      expect(problem).toContain(JSON.stringify(regex));
      expect(problem).toContain('* for any text, ? for one character, | between alternatives');
    });
  }

  it('refuses empty alternatives and overlong patterns', () => {
    expect(problemOf('a||b')).toContain('empty alternative');
    expect(problemOf('|a')).toContain('empty alternative');
    expect(problemOf('')).toContain('empty');
    expect(problemOf('a'.repeat(MAX_URL_PATTERN_CHARS))).toBe('accepted');
    expect(problemOf('a'.repeat(MAX_URL_PATTERN_CHARS + 1))).toContain(`more than ${MAX_URL_PATTERN_CHARS}`);
  });

  it('surfaces as FAULT_SPEC_INVALID naming the source, in both the compact and the JSON form', () => {
    for (const spec of ['404=1,pattern=/(a+)+$/', '404=1,pattern=/seg_\\d+/']) {
      let error: unknown;
      try {
        parseFaultSpec(spec, '--faults');
      } catch (e) {
        error = e;
      }
      expect(isAbrkitError(error) && error.code).toBe('FAULT_SPEC_INVALID');
      expect(isAbrkitError(error) && error.data.source).toBe('--faults');
      expect((error as Error).message).toMatch(/looks like a regular expression.*e\.g\. pattern=seg_\*\.m4s/);
    }
  });
});

describe('cost is linear in the URL', () => {
  it('matches 10k characters against pathological globs within url length × pattern length comparisons', () => {
    const url = 'a'.repeat(10_000);
    const patterns = [
      'a*a*a*a*a*a*a*a*a*a*b',
      `${'a'.repeat(100)}b`,
      '?*?*?*?*?*?*?*?*?*?*b',
      `${'*a'.repeat(50)}*b|${'a?'.repeat(40)}c`,
    ];
    for (const text of patterns) {
      const { matched, steps } = matchUrlPattern(compile(text), url);
      expect(matched).toBe(false);
      expect(steps, text).toBeLessThanOrEqual(url.length * text.length);
    }
    // the shape that freezes a backtracking engine, written as the closest glob: a*$ → a*
    const { matched, steps } = matchUrlPattern(compile('a*a*a*a*a'), url);
    expect(matched).toBe(true);
    expect(steps).toBeLessThanOrEqual(5);
  });

  it('keeps the bound for random patterns and URLs', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '|'), minLength: 1, maxLength: 40 }),
        fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 2000 }),
        (pattern, url) => {
          const parsed = parseUrlPattern(pattern);
          fc.pre(parsed.ok);
          if (!parsed.ok) return;
          const { steps } = matchUrlPattern(parsed.pattern, url);
          expect(steps).toBeLessThanOrEqual(Math.max(1, url.length) * pattern.length);
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });
});
