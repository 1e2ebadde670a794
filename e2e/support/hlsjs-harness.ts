/**
 * What the hls.js adapter e2e test needs besides the shared harness (e2e/player-harness.ts: the shaping
 * server over fixtures/ and the page opener): the page bundle, hls.js + the adapter built by vite.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/support/shared-data.js';
import { buildBrowserBundle } from '../player-harness.js';

export { FIXTURES_DIR } from '../player-harness.js';

/** Builds e2e/support/hlsjs-page-entry.ts (with hls.js) into one ES module; returns its code. */
export function buildHlsPageBundle(): Promise<string> {
  return buildBrowserBundle(join(REPO_ROOT, 'e2e/support/hlsjs-page-entry.ts'));
}
