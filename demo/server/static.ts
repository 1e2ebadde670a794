/**
 * Unshaped fixture media (Node): `/fixtures/<name>/<path>` serves a regular file of a fixture (a folder
 * under the fixtures root holding a `master.m3u8`), with single byte ranges. The target is checked and
 * resolved by src/shaping/files.ts (`checkTarget`, `resolveUnderRoot`): no `..`, encoded separators, NUL,
 * hidden names or symlinks leading out of the root; directories and missing files are 404 (no listings).
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { contentTypeOf, parseRange, resolveUnderRoot } from '../../src/shaping/files.js';
import { ApiError } from './http.js';

const MEDIA_HEADERS: OutgoingHttpHeaders = {
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'Accept-Ranges': 'bytes',
};

/**
 * Serves `segments` (the decoded path under the fixtures root: fixture name first) from `rootReal` (the
 * root's realpath). `isFixture` says whether the first segment names a fixture. GET and HEAD only (the
 * caller checks the method).
 */
export async function serveFixtureFile(
  req: IncomingMessage,
  res: ServerResponse,
  rootReal: string,
  segments: readonly string[],
  isFixture: (name: string) => Promise<boolean>,
): Promise<void> {
  const notFound = (): ApiError =>
    new ApiError(404, 'NOT_FOUND', `${req.url ?? ''}: no such file (directories are not listed)`);
  if (segments.length < 2 || !(await isFixture(segments[0]!))) throw notFound();
  const file = await resolveUnderRoot(rootReal, segments);
  if (file === null) throw notFound();
  const range = parseRange(
    typeof req.headers.range === 'string' ? req.headers.range : undefined,
    file.sizeBytes,
  );
  if (range.kind === 'unsatisfiable') {
    throw new ApiError(416, 'RANGE_NOT_SATISFIABLE', `${req.url ?? ''}: range outside the file`, {
      'Content-Range': `bytes */${file.sizeBytes}`,
    });
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : file.sizeBytes - 1;
  const headers: OutgoingHttpHeaders = {
    ...MEDIA_HEADERS,
    'Content-Type': contentTypeOf(file.path),
    'Content-Length': end - start + 1,
  };
  if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${file.sizeBytes}`;
  res.writeHead(range.kind === 'partial' ? 206 : 200, headers);
  if (req.method === 'HEAD' || file.sizeBytes === 0) {
    res.end();
    return;
  }
  pipeline(createReadStream(file.path, { start, end }), res, () => {});
}
