/** The size budget of `abrkit/player` (issue 5): at most 30 KB minified + gzipped. A size, not a time. */
import { describe, expect, it } from 'vitest';
import { measurePlayerBundle, PLAYER_BUNDLE_BUDGET_GZIP_BYTES } from '../../bench/player-bundle.js';

describe('abrkit/player bundle', () => {
  it('is within its budget minified and gzipped, with everything it imports', async () => {
    const size = await measurePlayerBundle();
    // a sanity floor: the build really contains the player (session loop, manifest parser, MSE, rxjs)
    expect(size.minifiedBytes).toBeGreaterThan(50_000);
    expect(size.gzipBytes).toBeLessThanOrEqual(PLAYER_BUNDLE_BUDGET_GZIP_BYTES);
  }, 120_000);
});
