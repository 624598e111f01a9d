/**
 * Metagraph: a subnet's neurons as typed arrays (Python's names and aliases S, I, E, C, Tv, D, W, B), synced from
 * the chain through the runtime APIs, saved and loaded as compact binary, diffed between syncs, and tracked with
 * events for registrations, deregistrations and axon changes.
 *
 * @module metagraph
 */
export { syncMetagraph, diffMetagraphs, createMetagraphTracker } from './sync.js';
export type { SyncOptions, MetagraphDiff, MetagraphEvents, MetagraphTracker, NeuronEntry, AxonChange } from './sync.js';
export { saveMetagraph, loadMetagraph } from './binary.js';
export { ROOT_TAO_STAKE_WEIGHT } from './metagraph.js';
export type { Metagraph, MetagraphData, AxonEndpoint, SubnetStakes } from './metagraph.js';
export { MetagraphError } from './errors.js';
export type { MetagraphErrorCode } from './errors.js';
