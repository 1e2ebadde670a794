export { listTopLevelBoxes, fourCC } from './boxes.js';
export type { BoxHeader } from './boxes.js';
export {
  inspectInitSegment,
  inspectMediaSegment,
  checkDeclaredCodec,
  KNOWN_CODEC_FAMILIES,
} from './inspect.js';
export type { InitSegmentInfo, MediaSegmentInfo, TrackKind } from './inspect.js';
export { checkKeyframeAlignment } from './keyframes.js';
export { averageSegmentBitrateBps, peakSegmentBitrateBps } from './bandwidth.js';
export type { SizedSegment } from './bandwidth.js';
export {
  readHlsLadder,
  scanHlsLadder,
  scanMediaPlaylist,
  ladderToVideo,
  defaultLadderName,
  inspectMediaPlaylist,
  toSabreMovieJson,
  writeSabreMovieJson,
} from './ladder.js';
export type {
  ScanOptions,
  ScannedLadder,
  ScannedMediaPlaylist,
  ScannedSegment,
  SabreMovieJson,
} from './ladder.js';
export { loadBytes, loadText, sizeOf, isHttpUrl, probeSegment, MAX_TOP_LEVEL_BOXES } from './load.js';
export type { SegmentProbe } from './load.js';
export {
  readDashLadder,
  scanDashLadder,
  scanLadder,
  loadDashPresentation,
  loadMpd,
  isMpdLocation,
} from './dash-ladder.js';
export { readSegmentIndex } from './sidx.js';
