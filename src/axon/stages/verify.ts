/**
 * Stage 6, verify: on the signature path the body hash, then the signature (in the order of the claimed stake) and
 * the nonce rules (the nonce is stored
 * only once all of it holds); then the verified identity goes on the synapse, the axon's terminal info is filled in,
 * the route's own verify hook runs, and the per-hotkey rate limit applies.
 */
import type { Keypair } from '../../keys/index.js';
import type { Synapse } from '../../synapse/index.js';
import { preprocessAxonInfo } from '../axon-info.js';
import type { Stage } from '../compose.js';
import { Reject } from '../exchange.js';
import type { PriorityGate } from '../priority-queue.js';
import type { TokenBuckets } from '../rate-limit.js';

export interface VerifyStageDeps {
  /** Checks signature and nonce; the reason a request is refused, or null. */
  verifier: (s: Synapse) => Promise<string | null>;
  perHotkey: TokenBuckets | null;
  keypair: Keypair;
  uuid: string;
  version: number;
  /** Orders signature checks by the claimed stake (triage), so a flood of unstaked ones waits behind staked callers. */
  verifyGate: PriorityGate;
}

/** Signature checks waiting past this are refused as a timeout (the caller has given up by then anyway). */
const VERIFY_WAIT_MS = 12_000;

export function verify(deps: VerifyStageDeps): Stage {
  const hotkey = deps.keypair.ss58Address;
  return async (x, next) => {
    const { synapse, fromHeaders, ctx } = x;
    if (!x.session) {
      if (synapse.bodyHash !== fromHeaders.computed_body_hash)
        throw new Reject(400, 'Body hash mismatch: computed_body_hash does not match the body', 'body_hash');
      let release: () => void;
      try {
        release = await deps.verifyGate.acquire(x.claimedPriority ?? -1, VERIFY_WAIT_MS);
      } catch (why) {
        if (why === 'timeout') throw new Reject(408, 'Timed out waiting for signature verification', 'verify_timeout');
        throw new Reject(503, 'Service unavailable: verification queue is full', 'verify_queue_full');
      }
      let why: string | null;
      try {
        why = await deps.verifier(fromHeaders);
      } finally {
        release();
      }
      if (why) throw new Reject(401, `Not Verified with error: ${why}`, 'unverified');
    }
    // The verified terminal info comes from the headers; the peer address from the socket.
    synapse.dendrite = fromHeaders.dendrite.clone();
    synapse.dendrite.ip = x.arrival.ip;
    synapse.dendrite.port = x.arrival.port;
    synapse.axon.hotkey = hotkey;
    x.restoreAxonInfo = preprocessAxonInfo(synapse, deps);
    const hook = x.route.hooks.verify;
    if (hook) {
      // biome-ignore lint/suspicious/noConfusingVoidType: a verify hook may return nothing
      let extra: string | null | void;
      try {
        extra = await hook(synapse, ctx);
      } catch (e) {
        extra = (e as Error).message;
      }
      if (extra) throw new Reject(401, `Not Verified with error: ${extra}`, 'unverified');
    }
    if (deps.perHotkey && ctx.hotkey && !deps.perHotkey.take(ctx.hotkey))
      throw new Reject(429, 'Too many requests from this hotkey', 'rate_limited_hotkey');
    return next();
  };
}
