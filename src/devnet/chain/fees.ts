/**
 * The devnet's transaction fee rule (documented in docs/devnet.md; finney's weight-based fee is not modelled):
 * `10,000 rao + 10 rao per byte of the extrinsic`, plus the tip, burned. Weight-setting calls pay nothing, as they
 * are `Pays::No` on finney, and so do the serving calls.
 */
export const BASE_FEE = 10_000n;
export const BYTE_FEE = 10n;

/**
 * SubtensorModule call indices that pay no fee: set/commit/reveal weights with their batch and mechanism forms
 * (Pays::No on finney), and serve_axon / serve_prometheus / serve_axon_tls, which hotkeys that hold no TAO send.
 */
const FREE_SUBTENSOR_CALLS = new Set([0, 4, 5, 40, 80, 96, 97, 98, 100, 113, 115, 116, 117, 118, 119]);

/** True for a call (pallet index, call index) that pays no fee. */
export function isFeeless(pallet: number, call: number): boolean {
  return pallet === 7 && FREE_SUBTENSOR_CALLS.has(call);
}

/** The fee of an extrinsic of `length` bytes whose call starts with (pallet, call). */
export function feeOf(length: number, pallet: number, call: number): bigint {
  return isFeeless(pallet, call) ? 0n : BASE_FEE + BYTE_FEE * BigInt(length);
}
