/**
 * Nonces per signer (subtensor#641: "Priority is too low" when two sends pick the same nonce). The first send of a
 * signer asks the node (`system_accountNextIndex`, which counts the pool); later sends take the next number at once,
 * so concurrent sends get consecutive nonces without a round trip. Any refusal that can come from a wrong nonce
 * (stale, future, priority too low) or a send that never reached the pool makes the next send ask the node again.
 */

/** Hands out nonces per address. */
export interface NonceManager {
  /** The nonce to sign the next transaction of `address` with. */
  next(address: string): Promise<number>;
  /** Forget what we know of `address`: its next send asks the node. */
  reset(address: string): void;
}

/** A nonce manager over `fetch` (the node's next index for an address). */
export function createNonceManager(fetch: (address: string) => Promise<number>): NonceManager {
  const state = new Map<string, Promise<{ next: number }>>();
  return {
    async next(address) {
      let s = state.get(address);
      if (!s) {
        s = fetch(address).then((n) => ({ next: n }));
        state.set(address, s);
        s.catch(() => state.get(address) === s && state.delete(address));
      }
      const v = await s;
      return v.next++;
    },
    reset(address) {
      state.delete(address);
    },
  };
}
