import { describe, expect, it } from 'vitest';
import { isAbsoluteUri, resolveUri } from '../../src/manifest/index.js';
import { removeDotSegments } from '../../src/manifest/uri.js';

describe('resolveUri', () => {
  // The normal and abnormal examples of RFC 3986 §5.4, base "http://a/b/c/d;p?q".
  const base = 'http://a/b/c/d;p?q';
  const rfcExamples: [string, string][] = [
    ['g:h', 'g:h'],
    ['g', 'http://a/b/c/g'],
    ['./g', 'http://a/b/c/g'],
    ['g/', 'http://a/b/c/g/'],
    ['/g', 'http://a/g'],
    ['//g', 'http://g'],
    ['?y', 'http://a/b/c/d;p?y'],
    ['g?y', 'http://a/b/c/g?y'],
    ['#s', 'http://a/b/c/d;p?q#s'],
    ['g#s', 'http://a/b/c/g#s'],
    ['g?y#s', 'http://a/b/c/g?y#s'],
    [';x', 'http://a/b/c/;x'],
    ['g;x', 'http://a/b/c/g;x'],
    ['g;x?y#s', 'http://a/b/c/g;x?y#s'],
    ['', 'http://a/b/c/d;p?q'],
    ['.', 'http://a/b/c/'],
    ['./', 'http://a/b/c/'],
    ['..', 'http://a/b/'],
    ['../', 'http://a/b/'],
    ['../g', 'http://a/b/g'],
    ['../..', 'http://a/'],
    ['../../', 'http://a/'],
    ['../../g', 'http://a/g'],
    ['../../../g', 'http://a/g'],
    ['../../../../g', 'http://a/g'],
    ['/./g', 'http://a/g'],
    ['/../g', 'http://a/g'],
    ['g.', 'http://a/b/c/g.'],
    ['.g', 'http://a/b/c/.g'],
    ['g..', 'http://a/b/c/g..'],
    ['..g', 'http://a/b/c/..g'],
    ['./../g', 'http://a/b/g'],
    ['./g/.', 'http://a/b/c/g/'],
    ['g/./h', 'http://a/b/c/g/h'],
    ['g/../h', 'http://a/b/c/h'],
    ['g;x=1/./y', 'http://a/b/c/g;x=1/y'],
    ['g;x=1/../y', 'http://a/b/c/y'],
    ['g?y/./x', 'http://a/b/c/g?y/./x'],
    ['g?y/../x', 'http://a/b/c/g?y/../x'],
    ['g#s/./x', 'http://a/b/c/g#s/./x'],
    ['g#s/../x', 'http://a/b/c/g#s/../x'],
    ['http:g', 'http:g'],
  ];
  it.each(rfcExamples)('RFC 3986 §5.4: %j -> %j', (reference, expected) => {
    expect(resolveUri(reference, base)).toBe(expected);
  });

  it('resolves playlist-style references against an HTTPS master', () => {
    const master = 'https://cdn.test/show/hls/master.m3u8?session=1';
    expect(resolveUri('720p/index.m3u8', master)).toBe('https://cdn.test/show/hls/720p/index.m3u8');
    expect(resolveUri('../audio/en.m3u8?sig=x&y=2', master)).toBe(
      'https://cdn.test/show/audio/en.m3u8?sig=x&y=2',
    );
    expect(resolveUri('/abs/root.m3u8', master)).toBe('https://cdn.test/abs/root.m3u8');
    expect(resolveUri('https://other.test/a/./b/../c.ts', master)).toBe('https://other.test/a/c.ts');
    expect(resolveUri('//edge.test/x.ts', master)).toBe('https://edge.test/x.ts');
    // An authority with an empty path: the merged path gets its leading slash.
    expect(resolveUri('seg.ts', 'https://cdn.test')).toBe('https://cdn.test/seg.ts');
  });

  it('resolves against file paths, keeping leading .. of relative ones', () => {
    expect(resolveUri('v/1.m3u8', '/srv/media/master.m3u8')).toBe('/srv/media/v/1.m3u8');
    expect(resolveUri('../../x.ts', '/srv/media/master.m3u8')).toBe('/x.ts');
    expect(resolveUri('../../../x.ts', '/srv/media/master.m3u8')).toBe('/x.ts');
    expect(resolveUri('../broken/a.m3u8', 'fixtures/ladder/master.m3u8')).toBe('fixtures/broken/a.m3u8');
    expect(resolveUri('../x.ts', 'master.m3u8')).toBe('../x.ts');
    expect(resolveUri('./a/./b.ts', '../shared/m.m3u8')).toBe('../shared/a/b.ts');
    expect(resolveUri('seg.ts', 'file:///srv/media/master.m3u8')).toBe('file:///srv/media/seg.ts');
    expect(resolveUri('seg 1.ts?q', 'C:\\media\\hls\\master.m3u8')).toBe('C:/media/hls/seg 1.ts?q');
  });

  it('keeps data: URIs as they are', () => {
    expect(resolveUri('data:text/plain;base64,AAAA', 'https://cdn.test/a.m3u8')).toBe(
      'data:text/plain;base64,AAAA',
    );
  });
});

describe('removeDotSegments', () => {
  it('follows RFC 3986 §5.2.4 examples', () => {
    expect(removeDotSegments('/a/b/c/./../../g')).toBe('/a/g');
    expect(removeDotSegments('mid/content=5/../6')).toBe('mid/6');
  });
  it('drops or keeps climbing .. as asked', () => {
    expect(removeDotSegments('../a')).toBe('a');
    expect(removeDotSegments('../a', true)).toBe('../a');
    expect(removeDotSegments('a/../../b', true)).toBe('../b');
  });
});

describe('isAbsoluteUri', () => {
  it('tells absolute URLs and paths from relative references', () => {
    expect(isAbsoluteUri('https://x.test/a')).toBe(true);
    expect(isAbsoluteUri('file:///a')).toBe(true);
    expect(isAbsoluteUri('/a/b')).toBe(true);
    expect(isAbsoluteUri('C:\\a')).toBe(true);
    expect(isAbsoluteUri('a/b.m3u8')).toBe(false);
    expect(isAbsoluteUri('../b.m3u8')).toBe(false);
    expect(isAbsoluteUri('a:b/c')).toBe(true);
  });
});
