/**
 * The embedded devnet: a subtensor-compatible chain in TypeScript that serves Substrate JSON-RPC, so the real
 * `@polkadot/api` (and subnetkit's chain client) runs against it offline exactly as against finney. Its metadata is
 * finney's own (spec 424) for the pallets it implements.
 *
 * @example
 * ```ts
 * import { startDevnet } from 'subnetkit/devnet';
 * import { createSubtensor } from 'subnetkit/subtensor';
 * const devnet = await startDevnet({ port: 0, tempo: 10, sealing: 250 });
 * const st = await createSubtensor({ network: devnet.url });
 * console.log(await st.query.subtensorModule.tempo(1)); // 10
 * ```
 *
 * @module devnet
 */
export { startDevnet } from './server.js';
export type { Devnet, DevnetOptions } from './server.js';
export { TAO } from './chain/genesis.js';
export type { DevAccount } from './chain/genesis.js';
export type { ChainOptions } from './chain/types.js';
export { DevnetError } from './errors.js';
export type { DevnetErrorCode } from './errors.js';
export type { DevnetNotice, StoreNotice, TimelockNotice } from './pallets/context.js';
