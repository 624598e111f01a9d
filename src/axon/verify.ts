/**
 * Request verification: signature (required unless allowed otherwise), the nonce rules of Python bittensor 10.x, and
 * a bounded nonce store. A nonce is recorded only after the signature checked out, so forged requests cannot poison
 * another hotkey's nonces.
 */
import { verify as verifySignature, isValidSs58Address } from '../keys/index.js';
import type { Synapse } from '../synapse/index.js';
import { BoundedMap } from './bounded-map.js';

/**
 * Python's allowed clock delta for a first request: 4 s, in nanoseconds.
 *
 * @example
 * ```ts
 * const oldest = nowNs - ALLOWED_DELTA_NS - BigInt(timeoutS * 1e9);
 * ```
 */
export const ALLOWED_DELTA_NS = 4_000_000_000n;
/**
 * Dendrite versions from 7.2.0 on get the freshness window.
 *
 * @example
 * ```ts
 * const windowed = (synapse.dendrite.version ?? 0) >= V_7_2_0;
 * ```
 */
export const V_7_2_0 = 7_002_000;

/** Options of {@link createVerifier}. */
export interface VerifyOptions {
  /** Accept requests without a signature (Python's behaviour; default false). */
  allowUnsigned?: boolean;
  /** `hotkey:uuid` keys remembered (default 200 000). */
  nonceStoreSize?: number;
  /**
   * How far below the highest nonce seen a not-yet-seen nonce is still accepted, in nanoseconds (default 4 s).
   * Concurrent requests over several connections arrive out of order; each nonce is still accepted only once.
   * 0 restores Python's strictly increasing rule.
   */
  reorderWindowNs?: bigint;
  /**
   * Verification worker threads (default: one per spare core, at most 4; 0 verifies on the event loop). The workers
   * are the process's, shared by its axons and dendrites: at least this many run while this axon does.
   */
  workers?: number;
  /**
   * The most of a request's own `timeout` that widens its age window, in seconds (default 60). The timeout is the
   * caller's claim: without a cap, a request claiming 3600 s would stay replayable for an hour once the nonce store
   * has forgotten it.
   */
  maxTimeoutWindowS?: number;
  /** How far ahead of this axon's clock a nonce may be, in nanoseconds (default 4 s). */
  futureToleranceNs?: bigint;
  /**
   * Skip the age check for dendrites older than 7.2 that send no version (Python's rule; default false). Every
   * bittensor 10 dendrite sends its version, so this only matters for very old peers; with it on, a captured request
   * from one stays replayable once the nonce store forgets it.
   */
  legacyNonces?: boolean;
  /** Clock in nanoseconds (for tests). */
  nowNs?: () => bigint;
}

/** Anti-replay state of one `hotkey:uuid`: the highest nonce, and the nonces accepted within the window below it. */
interface NonceState {
  max: bigint;
  /** Nonces ≤ floor are refused outright. */
  floor: bigint;
  seen: Set<bigint>;
}

const MAX_SEEN_PER_KEY = 1024;

/** Adds an accepted nonce to its key's state, raising the floor below which nonces are refused outright. */
function recordNonce(st: NonceState, nonce: bigint, reorder: bigint): void {
  if (nonce > st.max) st.max = nonce;
  st.seen.add(nonce);
  const lowest = st.max - reorder;
  if (lowest > st.floor) st.floor = lowest;
  // Entries at or below the floor no longer matter; prune them only once the set has grown.
  if (st.seen.size > 256) for (const n of st.seen) if (n <= st.floor) st.seen.delete(n);
  while (st.seen.size > MAX_SEEN_PER_KEY) {
    let min = st.max;
    for (const n of st.seen) if (n < min) min = n;
    st.seen.delete(min);
    st.floor = min;
  }
}

/**
 * Builds the verifier for one axon hotkey. Returns null when the request is valid, else the reason.
 *
 * @example
 * ```ts
 * const check = createVerifier(axonHotkey);
 * const why = await check(synapseFromHeaders); // null = verified
 * ```
 */
export function createVerifier(
  axonHotkey: string,
  options: VerifyOptions = {},
  checkSignature: (message: string, signature: string, address: string) => boolean | Promise<boolean> = verifySignature,
): (synapse: Synapse) => Promise<string | null> {
  const nonces = new BoundedMap<string, NonceState>(options.nonceStoreSize ?? 200_000);
  const now = options.nowNs ?? (() => BigInt(Date.now()) * 1_000_000n);
  const reorder = options.reorderWindowNs ?? ALLOWED_DELTA_NS;
  const maxTimeoutWindow = options.maxTimeoutWindowS ?? 60;
  const future = options.futureToleranceNs ?? ALLOWED_DELTA_NS;
  // Requests signed before this verifier existed are refused: the nonce store starts empty, so without this a
  // request captured before a restart would be accepted once more after it.
  const startedNs = now();
  const pending = new Map<string, Set<bigint>>();
  return async (synapse) => {
    const d = synapse.dendrite;
    if (!d.hotkey || !isValidSs58Address(d.hotkey)) return 'No SS58 formatted address or public key provided.';
    if (d.nonce === null) return 'Missing Nonce';
    const nonce = d.nonce;
    const key = `${d.hotkey}:${d.uuid ?? ''}`;
    const state = nonces.get(key);
    const timeout = Number.isFinite(synapse.timeout) && synapse.timeout > 0 ? synapse.timeout : 0;
    const window = Math.min(timeout, maxTimeoutWindow);
    const nowNs = now();
    const windowNs = nowNs - ALLOWED_DELTA_NS - BigInt(Math.round(window * 1e9));
    const legacy = options.legacyNonces === true && (d.version === null || d.version < V_7_2_0);
    const fresh = legacy || nonce > windowNs;
    if (!state && !fresh) {
      return `Nonce is too old: acceptable delta is ${(Number(ALLOWED_DELTA_NS) / 1e9 + window).toFixed(2)} seconds but request was ${(Number(nowNs - nonce) / 1e9).toFixed(2)} seconds old`;
    }
    if (nonce > nowNs + future)
      return `Nonce is in the future: ${(Number(nonce - nowNs) / 1e9).toFixed(2)} seconds ahead of this axon's clock`;
    if (!legacy && nonce < startedNs) return 'Nonce is older than this axon: signed before it started';
    // Above the highest nonce: accepted (as in Python). Below it: only fresh, inside the reorder window, and unseen.
    if (
      state &&
      nonce <= state.max &&
      (nonce <= state.floor || nonce <= state.max - reorder || state.seen.has(nonce) || !fresh)
    ) {
      return 'Nonce is too old, a newer one was last processed';
    }
    if (!d.signature && !options.allowUnsigned) return 'missing signature';
    // Reserve the nonce while the signature is checked (possibly off-thread), so a concurrent duplicate is refused;
    // release it if the signature fails, so forged requests cannot burn another hotkey's nonces.
    const reserved = pending.get(key) ?? new Set<bigint>();
    if (reserved.has(nonce)) return 'Nonce is too old, a newer one was last processed';
    if (d.signature) {
      const message = `${nonce}.${d.hotkey}.${axonHotkey}.${d.uuid}.${synapse.computed_body_hash}`;
      reserved.add(nonce);
      pending.set(key, reserved);
      let ok: boolean;
      try {
        ok = await checkSignature(message, d.signature, d.hotkey);
      } finally {
        reserved.delete(nonce);
        if (reserved.size === 0) pending.delete(key);
      }
      if (!ok) return `Signature mismatch with ${message} and ${d.signature}`;
      // A key first seen by this request may have been created by another one while we waited (existing state is
      // mutated in place and was checked above).
      const after = state ? undefined : nonces.get(key);
      if (after && (after.seen.has(nonce) || nonce <= after.floor))
        return 'Nonce is too old, a newer one was last processed';
    }
    // Record only after every check passed.
    const st = nonces.get(key) ?? { max: nonce, floor: -1n, seen: new Set<bigint>() };
    recordNonce(st, nonce, reorder);
    nonces.set(key, st);
    return null;
  };
}
