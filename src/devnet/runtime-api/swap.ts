/** SwapRuntimeApi answers: prices and simulated swaps against each subnet's constant-product pool. */
import { swapAlphaForTao, swapTaoForAlpha } from '../pallets/subtensor/staking.js';
import { big, bool, existingNetuids } from '../storage/read.js';
import type { Storage } from '../storage/storage.js';

const RAO_PER_TAO = 1_000_000_000n;

/** `current_alpha_price(netuid)`: rao per alpha, TAO reserve / alpha reserve; root is 1 TAO, no pool is 0. */
export function currentAlphaPrice(s: Storage, netuid: number): bigint {
  if (netuid === 0) return RAO_PER_TAO;
  if (!bool(s, 'networksAdded', netuid)) return 0n;
  const alphaIn = big(s, 'subnetAlphaIn', netuid);
  return alphaIn === 0n ? 0n : (big(s, 'subnetTAO', netuid) * RAO_PER_TAO) / alphaIn;
}

/** `current_alpha_price_all()`: every subnet, root first. */
export function currentAlphaPriceAll(s: Storage): { netuid: number; price: bigint }[] {
  return [0, ...existingNetuids(s, false)].map((netuid) => ({ netuid, price: currentAlphaPrice(s, netuid) }));
}

/**
 * `sim_swap_tao_for_alpha(netuid, tao)` as the devnet's pool would fill it: `tao_amount` is the TAO paid in,
 * `alpha_amount` the alpha out, `tao_fee` the pool fee, `alpha_slippage` what the price impact cost against the
 * spot price. Root swaps 1:1 with no fee.
 */
export function simSwapTaoForAlpha(s: Storage, netuid: number, amount: bigint): Record<string, bigint> {
  if (netuid === 0 || !bool(s, 'networksAdded', netuid))
    return {
      taoAmount: amount,
      alphaAmount: netuid === 0 ? amount : 0n,
      taoFee: 0n,
      alphaFee: 0n,
      taoSlippage: 0n,
      alphaSlippage: 0n,
    };
  const tao = big(s, 'subnetTAO', netuid);
  const alphaIn = big(s, 'subnetAlphaIn', netuid);
  const { fee, taoIn, alphaOut } = swapTaoForAlpha(tao, alphaIn, amount);
  const atSpot = tao === 0n ? 0n : (taoIn * alphaIn) / tao;
  return {
    taoAmount: amount,
    alphaAmount: alphaOut,
    taoFee: fee,
    alphaFee: 0n,
    taoSlippage: 0n,
    alphaSlippage: atSpot > alphaOut ? atSpot - alphaOut : 0n,
  };
}

/**
 * `sim_swap_alpha_for_tao(netuid, alpha)`: `alpha_amount` is the alpha paid in, `tao_amount` the TAO out after the
 * fee, `tao_fee` the fee, `tao_slippage` what the price impact cost against the spot price.
 */
export function simSwapAlphaForTao(s: Storage, netuid: number, alpha: bigint): Record<string, bigint> {
  if (netuid === 0 || !bool(s, 'networksAdded', netuid))
    return {
      taoAmount: netuid === 0 ? alpha : 0n,
      alphaAmount: alpha,
      taoFee: 0n,
      alphaFee: 0n,
      taoSlippage: 0n,
      alphaSlippage: 0n,
    };
  const tao = big(s, 'subnetTAO', netuid);
  const alphaIn = big(s, 'subnetAlphaIn', netuid);
  const { gross, fee, taoOut } = swapAlphaForTao(tao, alphaIn, alpha);
  const atSpot = alphaIn === 0n ? 0n : (alpha * tao) / alphaIn;
  return {
    taoAmount: taoOut,
    alphaAmount: alpha,
    taoFee: fee,
    alphaFee: 0n,
    taoSlippage: atSpot > gross ? atSpot - gross : 0n,
    alphaSlippage: 0n,
  };
}
