/** Where a strict UTF-8 decode failed, for the errors of the text readers (load-trace.ts, read-text.ts). */
import { lineAt } from '../traces/text.js';

/**
 * 1-based line of the first invalid UTF-8 sequence in `bytes`, found by decoding them leniently (undefined when
 * there is none).
 */
export function invalidUtf8Line(bytes: Uint8Array): number | undefined {
  const lenient = new TextDecoder('utf-8').decode(bytes);
  const index = lenient.indexOf('\uFFFD');
  return index >= 0 ? lineAt(lenient, index) : undefined;
}
