export * from './model.js';
export { VIDEO_ERROR_CODES, type VideoErrorCode } from './errors.js';
export { VIDEO_LIMITS, segmentBitsProblem, validateVideo } from './validate.js';
export { parseSabreMovie, writeSabreMovie } from './sabre.js';
export {
  parsePensieveVideoSizes,
  writePensieveVideoSizes,
  PENSIEVE_BITRATES_KBPS,
  PENSIEVE_SEGMENT_DURATION_MS,
  type PensieveVideoOptions,
  type NamedText,
} from './pensieve.js';
export { loopVideo } from './loop.js';
