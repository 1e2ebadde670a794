/**
 * CMCD (CTA-5004 v1) with the hls.js adapter: `hlsCmcdConfig` turns abrkit's `cmcd` option into hls.js's own
 * `cmcd` config, so hls.js's CMCD controller sends the data.
 *
 * Why hls.js's controller and not abrkit's reporter: hls.js owns the requests (its controller wraps the
 * playlist and fragment loaders, knows each fragment's type, part and byte range) and already sends every v1
 * key; a second reporter would have to replace those loaders and would fight it. The values abrkit's ABR knows
 * reach it anyway: `mtp` is `hls.bandwidthEstimate`, which with `createHlsAbrController` is abrkit's throughput
 * estimator (bw-estimator.ts), the estimate the algorithm decides with, as the spec asks; `bl` is hls.js's
 * buffer ahead, the same one the adapter gives the algorithm (levels.ts `bufferAheadMs`). e2e/cmcd.e2e.test.ts
 * checks that the `mtp` the server logs is abrkit's estimate.
 *
 * ```ts
 * const hls = new Hls({
 *   abrController: createHlsAbrController('bola'),
 *   cmcd: hlsCmcdConfig({ mode: 'headers', contentId: 'movie-42' }),
 * });
 * ```
 */
import type { HlsConfig } from 'hls.js';
import { resolveCmcdOptions, type CmcdOptions } from '../core/cmcd-options.js';

/** hls.js's `cmcd` config for abrkit's `cmcd` option (version 1; hls.js makes the session id when none is given). */
export function hlsCmcdConfig(options: CmcdOptions): NonNullable<HlsConfig['cmcd']> {
  const o = resolveCmcdOptions(options);
  if (o === null) throw new TypeError('cmcd: must be an object');
  return {
    version: 1,
    useHeaders: o.mode === 'headers',
    ...(o.contentId !== null ? { contentId: o.contentId } : {}),
    ...(o.sessionId !== null ? { sessionId: o.sessionId } : {}),
  };
}
