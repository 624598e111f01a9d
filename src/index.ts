/**
 * subnetkit — the TypeScript SDK for building Bittensor subnets.
 *
 * The root export re-exports the modules a subnet needs (synapses, keys, codecs, consensus, axon, dendrite,
 * inference, chain client, metagraph, timelock, epoch, neurons); import from a subpath (`subnetkit/synapse`,
 * `subnetkit/epoch`, …) to load only what you use. The devnet and the CLI are subpaths only.
 *
 * @example
 * ```ts
 * import { createSubtensor, syncMetagraph, createDendrite, keypairFromUri } from 'subnetkit';
 * const st = await createSubtensor({ network: 'local' });
 * const mg = await syncMetagraph(st, { netuid: 1 });
 * const dendrite = createDendrite({ keypair: keypairFromUri('//Alice') });
 * ```
 *
 * @module subnetkit
 */
export * from './errors/index.js';
export * from './synapse/index.js';
export * from './keys/index.js';
export * from './codec/index.js';
export * from './consensus/index.js';
export * from './axon/index.js';
export * from './dendrite/index.js';
export * from './inference/index.js';
// The chain client and metagraph: the everyday names here; the generated pallet types live in 'subnetkit/subtensor'.
export { createSubtensor, resolveEndpoint, NETWORKS, SubtensorError, ExtrinsicFailedError } from './subtensor/index.js';
export type {
  Subtensor,
  SubtensorOptions,
  Network,
  Signer,
  SendOptions,
  Receipt,
  ChainEvent,
  SubtensorErrorCode,
} from './subtensor/index.js';
export * from './metagraph/index.js';
export * from './timelock/index.js';
export * from './epoch/index.js';
export * from './neuron/index.js';
