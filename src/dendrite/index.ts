/**
 * Dendrite: the client side of the bittensor protocol. Signs synapses as Python does, sends them over keep-alive
 * HTTP/1.1 pools, fans out, streams, and maps every failure onto the synapse's status.
 *
 * @module dendrite
 */
export { createDendrite } from './client.js';
export type { Dendrite, DendriteOptions, AxonTarget, Transport, CallOptions } from './types.js';
export { DendriteError } from './errors.js';
export type { DendriteErrorCode } from './errors.js';
