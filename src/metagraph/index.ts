/**
 * Metagraph: a subnet's neurons as typed arrays (Python's names and aliases S, I, E, C, Tv, D, W, B), synced from
 * the chain through the runtime APIs, saved and loaded as compact binary, diffed between syncs, and tracked with
 * events for registrations, deregistrations and axon changes.
 *
 * @example
 * ```ts
 * import { syncMetagraph } from 'subnetkit/metagraph';
 * const mg = await syncMetagraph(st, { netuid: 1 });
 * const top = Array.from(mg.uids).sort((a, b) => mg.I[b]! - mg.I[a]!).slice(0, 10);
 * ```
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
