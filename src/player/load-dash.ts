/**
 * The player's DASH path, a chunk of its own (imported by load-presentation.ts only when the URL answers
 * with an MPD), so HLS-only pages never download it: the MPD is parsed by src/manifest (`parseMpd`) into the
 * same `Presentation` as HLS; SegmentBase indexes are fetched with the playlist retry policy and read by
 * mp4box, itself imported only when an MPD has SegmentBase Representations.
 */
import { AbrkitError } from '../core/errors.js';
import { parseMpd } from '../manifest/dash.js';
import { needsSegmentIndex, resolveDashPresentation } from '../manifest/dash-resolve.js';
import { presentationFromMpd } from '../manifest/dash-presentation.js';
import type { Presentation } from '../manifest/model.js';
import type { LoadPresentationOptions } from './load-presentation.js';
import { fetchBytes } from './load-presentation.js';

/** The presentation of the MPD `text` fetched from `url`. Errors: `parseMpd`'s and the fetches'. */
export async function loadDashPresentation(
  text: string,
  url: string,
  o: LoadPresentationOptions,
): Promise<Presentation> {
  const manifest = parseMpd(text, url);
  const presentation = needsSegmentIndex(manifest)
    ? await resolveDashPresentation(
        manifest,
        (uri, range) => fetchBytes(uri, o, range),
        async (bytes, offsetBytes, source) =>
          (await import('../media/sidx.js')).readSegmentIndex(bytes, offsetBytes, source),
      )
    : presentationFromMpd(manifest);
  if (!presentation.renditions.some((r) => r.playlist && r.playlist.segments.length > 0)) {
    throw new AbrkitError('manifest', 'MPD_MISSING', 'no video Representation has segments', {
      data: { source: url },
    });
  }
  return presentation;
}
