/**
 * Relative reference resolution after RFC 3986 §5.2 (https://www.rfc-editor.org/rfc/rfc3986#section-5.2),
 * written without the `URL` global so it runs in the pure core (lib ES2022 has no `URL`).
 *
 * Besides absolute URLs (`https://cdn/x/master.m3u8`), the base may be a file path: POSIX absolute
 * (`/srv/media/master.m3u8`), relative (`fixtures/ladder/master.m3u8`, where leading `..` segments are kept so
 * `../x` stays meaningful), or a Windows drive path (`C:\media\master.m3u8`, returned with `/` separators).
 */

interface UriParts {
  scheme: string | undefined;
  authority: string | undefined;
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

// RFC 3986 Appendix B, with the scheme restricted to its ABNF (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )).
const URI_PATTERN = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

function parseUri(uri: string): UriParts {
  if (WINDOWS_DRIVE.test(uri)) {
    return {
      scheme: undefined,
      authority: undefined,
      path: uri.replace(/\\/g, '/'),
      query: undefined,
      fragment: undefined,
    };
  }
  const match = URI_PATTERN.exec(uri);
  // The pattern matches every string (all groups are optional and `[^?#]*` takes the rest up to ? or #).
  return {
    scheme: match?.[1],
    authority: match?.[2],
    path: match?.[3] ?? uri,
    query: match?.[4],
    fragment: match?.[5],
  };
}

function formatUri(parts: UriParts): string {
  let out = '';
  if (parts.scheme !== undefined) out += `${parts.scheme}:`;
  if (parts.authority !== undefined) out += `//${parts.authority}`;
  out += parts.path;
  if (parts.query !== undefined) out += `?${parts.query}`;
  if (parts.fragment !== undefined) out += `#${parts.fragment}`;
  return out;
}

/**
 * RFC 3986 §5.2.4 remove_dot_segments, as a segment stack. With `keepLeadingDotDot` (relative file paths),
 * a `..` that climbs above the start is kept instead of dropped.
 */
export function removeDotSegments(path: string, keepLeadingDotDot = false): string {
  const absolute = path.startsWith('/');
  const segments = (absolute ? path.slice(1) : path).split('/');
  const out: string[] = [];
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '.') {
      if (last) out.push('');
    } else if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute && keepLeadingDotDot) out.push('..');
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  });
  return (absolute ? '/' : '') + out.join('/');
}

/** True when `uri` has a scheme (`https:`, `file:`, `data:`...) or is an absolute file path (`/x`, `C:\x`). */
export function isAbsoluteUri(uri: string): boolean {
  if (WINDOWS_DRIVE.test(uri) || uri.startsWith('/')) return true;
  return parseUri(uri).scheme !== undefined;
}

/**
 * Resolves `reference` (as found in a playlist) against `base` (the playlist's own URL or file path), after
 * RFC 3986 §5.2.2. `resolveUri('../hi/v.m3u8?t=1', 'https://cdn.test/a/b/master.m3u8')` is
 * `'https://cdn.test/a/hi/v.m3u8?t=1'`.
 */
export function resolveUri(reference: string, base: string): string {
  const r = parseUri(reference);
  const b = parseUri(base);
  let target: UriParts;
  if (r.scheme !== undefined) {
    target = { ...r, path: removeDotSegments(r.path) };
  } else if (r.authority !== undefined) {
    target = { ...r, scheme: b.scheme, path: removeDotSegments(r.path) };
  } else if (r.path === '') {
    target = { ...b, query: r.query ?? b.query, fragment: r.fragment };
  } else {
    let path: string;
    if (r.path.startsWith('/')) {
      path = r.path;
    } else if (b.authority !== undefined && b.path === '') {
      path = `/${r.path}`;
    } else {
      const slash = b.path.lastIndexOf('/');
      path = slash >= 0 ? b.path.slice(0, slash + 1) + r.path : r.path;
    }
    const relativeFilePath = b.scheme === undefined && b.authority === undefined && !path.startsWith('/');
    target = {
      scheme: b.scheme,
      authority: b.authority,
      path: removeDotSegments(path, relativeFilePath),
      query: r.query,
      fragment: r.fragment,
    };
  }
  return formatUri(target);
}
