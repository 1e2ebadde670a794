/**
 * HLS playlists into one `Presentation` (RFC 8216): master and media playlist parsers with line-precise
 * errors, a pure RFC 3986 URI resolver, and the merge of both into what the session loop reads. DASH MPDs
 * (ISO/IEC 23009-1) into the same `Presentation`: dash.ts.
 */
export type {
  AudioRendition,
  ByteRange,
  HlsRendition,
  InitSegment,
  MasterPlaylist,
  MediaPlaylist,
  MediaSegment,
  PlaylistType,
  Presentation,
  PresentationAudioRendition,
  PresentationRendition,
} from './model.js';
export type { ManifestErrorCode } from './tokenize.js';
export { isMasterPlaylist, parseMasterPlaylist } from './master.js';
export { parseMediaPlaylist } from './media.js';
export type { MediaPlaylistsByUri } from './presentation.js';
export { buildPresentation, presentationFromMediaPlaylist, segmentRefs } from './presentation.js';
export { isAbsoluteUri, resolveUri } from './uri.js';
export type {
  DashContentType,
  DashErrorCode,
  DashManifest,
  DashRepresentation,
  DashSegmentIndex,
  DashSegmentList,
  DashSegments,
} from './dash-model.js';
export { isMpd, parseMpd } from './dash.js';
export type { SegmentIndexBox } from './dash-presentation.js';
export { presentationFromMpd, segmentsFromSidx } from './dash-presentation.js';
export { resolveDashPresentation } from './dash-resolve.js';
