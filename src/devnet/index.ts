/**
 * The embedded devnet: a subtensor-compatible chain in TypeScript that serves Substrate JSON-RPC, so the real
 * `@polkadot/api` (and subnetkit's chain client) runs against it offline exactly as against finney. Its metadata is
 * finney's own (spec 424) for the pallets it implements.
 *
 * @module devnet
 */
export { startDevnet } from './server.js';
export type { Devnet, DevnetOptions } from './server.js';
export { TAO } from './chain.js';
export type { DevAccount, ChainOptions } from './chain.js';
export { DevnetError } from './errors.js';
export type { DevnetErrorCode } from './errors.js';
