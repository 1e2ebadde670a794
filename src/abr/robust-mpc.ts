/**
 * robustMPC: MPC whose throughput prediction is divided by 1 + the largest relative prediction error of the
 * last 5 segments.
 *
 * Paper: X. Yin, A. Jindal, V. Sekar, B. Sinopoli, "A Control-Theoretic Approach for Dynamic Adaptive Video
 * Streaming over HTTP", ACM SIGCOMM 2015 (§5, RobustMPC). Reproduces the robustMPC of Pensieve's `test/mpc.py`
 * (Mao et al., SIGCOMM 2017) decision for decision, as ANCHORS.md describes:
 * - prediction state (samples, errors) lives here, fed by `onDownloaded`, reset per session by `reset()`
 *   (the reference logs in ../shared/data/reference reset it; the published script does not);
 * - sample = `size_bytes / (end - start)_ms / 1000` MB/s, RTT included; harmonic mean of the last up-to-5;
 *   error of a sample = |previous harmonic mean - sample| / sample (0 for the first);
 *   robust prediction = harmonic / (1 + max of the last 5 errors);
 * - horizon min(5, segmentCount - k); download_s = size/1e6 / prediction_MBps; buffer += segment duration;
 *   score = Σq - 4.3·rebuffer_s - Σ|Δq|, ties to the later sequence in lexicographic order.
 * Pensieve's off-by-one (deciding segment k with the sizes of k+1..k+h) is `pensieveSizeOffset: true`, off by
 * default because it is a bug: use it, with `firstRenditionIndex: 1`, to replay the published logs.
 * The search itself is in mpc.ts.
 */
import type { AbrAlgorithm, AbrAlgorithmCore, AbrAlgorithmDocs, AbrOptions } from './types.js';
import { MPC_OPTION_DOCS, MPC_OPTION_SPECS, MpcAlgorithm, resolveMpcConfig } from './mpc.js';

/** Creates robustMPC. Options: {@link MPC_OPTION_SPECS}. */
export function createRobustMpc(options?: AbrOptions): AbrAlgorithm {
  return new MpcAlgorithm(resolveMpcConfig('robust-mpc', options, true));
}

/** Options that make robustMPC behave exactly like Pensieve's `test/mpc.py` (with a per-session reset). */
export const PENSIEVE_ROBUST_MPC_OPTIONS: AbrOptions = { pensieveSizeOffset: true, firstRenditionIndex: 1 };

/** Runtime part (the player bundles this); the registry joins it with {@link robustMpcDocs}. */
export const robustMpcInfo: AbrAlgorithmCore = {
  name: 'robust-mpc',
  options: MPC_OPTION_SPECS,
  create: createRobustMpc,
};

/** What `abrkit algos`, the demo and docs show for robust-mpc: not bundled by the player. */
export const robustMpcDocs: AbrAlgorithmDocs = {
  description:
    'robustMPC: MPC with the harmonic-mean prediction divided by 1 + the max recent relative error (as in Pensieve’s test/mpc.py).',
  citation:
    'X. Yin, A. Jindal, V. Sekar, B. Sinopoli, "A Control-Theoretic Approach for Dynamic Adaptive Video Streaming over HTTP", SIGCOMM 2015',
  options: MPC_OPTION_DOCS,
};
