/**
 * subnetkit — the TypeScript SDK for building Bittensor subnets.
 *
 * The root export re-exports every module; import from a subpath (`subnetkit/synapse`, `subnetkit/keys`,
 * `subnetkit/codec`, `subnetkit/consensus`, `subnetkit/errors`) to load only what you use.
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
export type { Subtensor, SubtensorOptions, Network, Signer, SendOptions, Receipt, ChainEvent, SubtensorErrorCode } from './subtensor/index.js';
export * from './metagraph/index.js';
export * from './timelock/index.js';
export * from './epoch/index.js';
export * from './neuron/index.js';
