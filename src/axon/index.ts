/**
 * Axon: the server side of the bittensor protocol. HTTP compatible with Python dendrites, hardened by default:
 * signatures required, nonces bounded, body hashes checked, bodies capped while streaming, per-IP and per-hotkey rate
 * limits, stake-ordered admission, typed hooks per synapse.
 *
 * @example
 * ```ts
 * import { createAxon } from 'subnetkit/axon';
 * const axon = createAxon({ keypair: hotkey, port: 8091 });
 * axon.attach(Sum, (s) => { s.total = s.a + s.b; return s; }, { blacklist: (s, ctx) => ctx.hotkey !== validator });
 * await axon.start();
 * await st.serveAxon(hotkey, netuid, axon.info());
 * ```
 *
 * @module axon
 */
export { createAxon } from './axon.js';
// The wire rules live in subnetkit/wire; these two stay here for code written against earlier releases.
export { responseSigningMessage, VERSION_AS_INT } from '../wire/index.js';
export type {
  Axon,
  AxonLoad,
  RateLimitOptions,
  TlsOptions,
  BlacklistDecision,
  AxonOptions,
  AxonInfo,
  AxonMetrics,
  AxonEvents,
  AttachOptions,
  Handler,
  BlacklistFn,
  BlacklistVerdict,
  PriorityFn,
  RequestContext,
  AnySynapseClass,
} from './types.js';
export { ipToInt, intToIp, ipVersion } from './ip.js';
export { createTokenBuckets } from './rate-limit.js';
export type { BucketOptions, TokenBuckets } from './rate-limit.js';
export { createPriorityGate } from './priority-queue.js';
export type { PriorityGate, GateStats, PriorityGateOptions, AdmissionRejection } from './priority-queue.js';
export { createVerifier, ALLOWED_DELTA_NS, V_7_2_0 } from './verify.js';
export { createVerifyPool } from './verify-pool.js';
export type { VerifyPool } from './verify-pool.js';
export type { VerifyOptions } from './verify.js';
export { AxonError } from './errors.js';
export type { AxonErrorCode } from './errors.js';
export { SESSION_HEADERS, SESSION_ROUTE } from '../wire/index.js';
export type { SessionOptions } from './session-store.js';
export type { GrpcServeOptions } from './types.js';
