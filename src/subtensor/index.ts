/**
 * The chain client: one shared, self-healing connection per endpoint, typed bindings generated from finney's
 * metadata (storage, constants, runtime APIs, calls, events, errors), typed writes with receipts, a nonce manager
 * and mortal eras on the best block. Works the same against finney, testnet, a local node or the embedded devnet.
 *
 * @example
 * ```ts
 * import { createSubtensor } from 'subnetkit/subtensor';
 * const st = await createSubtensor({ network: 'finney' });
 * const tempo: number = await st.query.subtensorModule.tempo(1);
 * await st.setWeights(hotkey, 1, [0, 5], [0.4, 0.6]); // committed under timelock when the subnet has CRv4 on
 * await st.close();
 * ```
 *
 * @module subtensor
 */
export { createSubtensor } from './client.js';
export type { Subtensor, SubtensorOptions, BlockView, CommitRevealSettings } from './client.js';
export { resolveEndpoint, NETWORKS } from './network.js';
export type { Network } from './network.js';
export type { SubtensorEvents, WatchdogOptions, Head, RawHeader, ReconnectInfo, StaleInfo } from './connection.js';
export { openConnectionCount } from './connection.js';
export type { TransportOptions } from './provider.js';
export { keyringPairOf } from './tx.js';
export type { Signer, WaitFor, SendOptions, Receipt, ChainEvent } from './tx.js';
export { revealRoundFor } from './writes.js';
export type {
  Writes,
  ServeAxonParams,
  SetWeightsOptions,
  WeightsReceipt,
  NetworkReceipt,
  RegistrationReceipt,
} from './writes.js';
export type { TypedQuery, TypedEntries, TypedConsts, TypedCalls, TypedCallBuilders } from './typed.js';
export { toPlain } from './plain.js';
export { SubtensorError, ExtrinsicFailedError } from './errors.js';
export type { SubtensorErrorCode } from './errors.js';
export type * from './bindings.generated.js';
export { CALL_INDICES } from './bindings.generated.js';
