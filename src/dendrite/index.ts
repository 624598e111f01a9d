/**
 * Dendrite: the client side of the bittensor protocol. Signs synapses as Python does, sends them over keep-alive
 * HTTP/1.1 pools, fans out, streams, and maps every failure onto the synapse's status.
 *
 * @example
 * ```ts
 * import { createDendrite } from 'subnetkit/dendrite';
 * const dendrite = createDendrite({ keypair: hotkey });
 * const replies = await dendrite.forward(metagraph.axons, new Sum({ a: 2, b: 3 }), { timeout: 5 });
 * const correct = replies.filter((r) => r.isSuccess && r.total === 5).length;
 * await dendrite.close();
 * ```
 *
 * @module dendrite
 */
export { createDendrite } from './dendrite.js';
export type { Dendrite, DendriteOptions, AxonTarget, Transport, CallOptions } from './types.js';
export { DendriteError } from './errors.js';
export type { DendriteErrorCode } from './errors.js';
