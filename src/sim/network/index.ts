/** Network models by name. */
import { invalidArgument } from '../../core/errors.js';
import type { NetworkTrace } from '../../traces/model.js';
import { LinkModel } from './link.js';
import { PensieveModel } from './pensieve.js';
import type { DownloadOracle, NetworkModel, NetworkModelName } from './types.js';

export * from './types.js';
export { LinkModel } from './link.js';
export { PensieveModel, PENSIEVE_PAYLOAD_PORTION, PENSIEVE_RTT_MS, pensieveSamples } from './pensieve.js';

export const NETWORK_MODEL_NAMES: readonly NetworkModelName[] = ['abrkit', 'pensieve', 'sabre'];

/** The network model called `name` over `trace` (one per session: Pensieve's keeps a trace cursor). */
export function createNetworkModel(
  name: NetworkModelName,
  trace: NetworkTrace,
): NetworkModel & { oracle(): DownloadOracle } {
  switch (name) {
    case 'pensieve':
      return new PensieveModel(trace);
    case 'sabre':
    case 'abrkit':
      return new LinkModel(trace, name);
    default:
      throw invalidArgument(
        'network',
        `must be one of ${NETWORK_MODEL_NAMES.join(', ')}, got ${String(name)}`,
      );
  }
}
