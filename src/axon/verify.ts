/**
 * Request verification: signature (required unless allowed otherwise), the nonce rules of Python bittensor 10.x, and
 * a bounded nonce store. A nonce is recorded only after the signature checked out, so forged requests cannot poison
 * another hotkey's nonces.
 */
import { verify as verifySignature, isValidSs58Address } from '../keys/index.js';
import type { Synapse } from '../synapse/index.js';
import { BoundedMap } from './bounded-map.js';

/** Python's allowed clock delta for a first request: 4 s. */
export const ALLOWED_DELTA_NS = 4_000_000_000n;
/** Dendrite versions from 7.2.0 on get the freshness window. */
export const V_7_2_0 = 7_002_000;

/** Options of {@link createVerifier}. */
export interface VerifyOptions {
  /** Accept requests without a signature (Python's behaviour; default false). */
  allowUnsigned?: boolean;
  /** `hotkey:uuid` keys remembered (default 200 000). */
  nonceStoreSize?: number;
  /** Clock in nanoseconds (for tests). */
  nowNs?: () => bigint;
}

/**
 * Builds the verifier for one axon hotkey. Returns null when the request is valid, else the reason.
 *
 * @example
 * ```ts
 * const check = createVerifier(axonHotkey);
 * const why = check(synapseFromHeaders); // null = verified
 * ```
 */
export function createVerifier(axonHotkey: string, options: VerifyOptions = {}): (synapse: Synapse) => string | null {
  const nonces = new BoundedMap<string, bigint>(options.nonceStoreSize ?? 200_000);
  const now = options.nowNs ?? (() => BigInt(Date.now()) * 1_000_000n);
  return (synapse) => {
    const d = synapse.dendrite;
    if (!d.hotkey || !isValidSs58Address(d.hotkey)) return 'No SS58 formatted address or public key provided.';
    if (d.nonce === null) return 'Missing Nonce';
    const key = `${d.hotkey}:${d.uuid ?? ''}`;
    const last = nonces.get(key);
    if (d.version !== null && d.version >= V_7_2_0) {
      const timeout = Number.isFinite(synapse.timeout) && synapse.timeout > 0 ? synapse.timeout : 0;
      const windowNs = now() - ALLOWED_DELTA_NS - BigInt(Math.round(timeout * 1e9));
      if (last === undefined && d.nonce <= windowNs) {
        return `Nonce is too old: acceptable delta is ${Number(ALLOWED_DELTA_NS) / 1e9 + (synapse.timeout || 0)} seconds but request was ${Number(now() - d.nonce) / 1e9} seconds old`;
      }
    }
    if (last !== undefined && d.nonce <= last) return 'Nonce is too old, a newer one was last processed';
    if (!d.signature) {
      if (!options.allowUnsigned) return 'missing signature';
    } else {
      const message = `${d.nonce}.${d.hotkey}.${axonHotkey}.${d.uuid}.${synapse.computed_body_hash}`;
      if (!verifySignature(message, d.signature, d.hotkey)) return `Signature mismatch with ${message} and ${d.signature}`;
    }
    nonces.set(key, d.nonce);
    return null;
  };
}
