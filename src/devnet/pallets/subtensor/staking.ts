/**
 * Staking on the devnet: `start_call`, `add_stake` and `remove_stake` against a constant-product pool per subnet
 * (SubnetTAO × SubnetAlphaIn; 0.05 % fee, burned), with stake held as hotkey alpha and per-coldkey shares.
 */
import { addFree, big, bool, freeOf } from '../../storage/read.js';
import { type CallArg as Arg, type DispatchContext, fail } from '../context.js';

const DEFAULT_MIN_STAKE = 2_000_000n;
const FEE_RATE = 33n;
const ONE_64 = 1n << 64n;

const sharesOf = (ctx: Pick<DispatchContext, 'storage'>, item: string, ...args: unknown[]) =>
  BigInt((ctx.storage.get('subtensorModule', item, ...args).toJSON() as { bits: string | number }).bits) / ONE_64;

/** Adds alpha to a hotkey's pool on a subnet, issuing shares to `coldkey` at the pool's current share price. */
export function creditStake(
  ctx: Pick<DispatchContext, 'storage'>,
  hotkey: string,
  coldkey: string,
  netuid: number,
  alpha: bigint,
): void {
  const total = big(ctx, 'totalHotkeyAlpha', hotkey, netuid);
  const totalShares = sharesOf(ctx, 'totalHotkeyShares', hotkey, netuid);
  const newShares = total === 0n || totalShares === 0n ? alpha : (alpha * totalShares) / total;
  ctx.storage.set('subtensorModule', 'alpha', [hotkey, coldkey, netuid], {
    bits: (sharesOf(ctx, 'alpha', hotkey, coldkey, netuid) + newShares) * ONE_64,
  });
  ctx.storage.set('subtensorModule', 'totalHotkeyShares', [hotkey, netuid], {
    bits: (totalShares + newShares) * ONE_64,
  });
  ctx.storage.set('subtensorModule', 'totalHotkeyAlpha', [hotkey, netuid], total + alpha);
}

/** Adds alpha to a hotkey's pool without new shares: every nominator gains pro rata (emission). */
export function distributeToHotkey(
  ctx: Pick<DispatchContext, 'storage'>,
  hotkey: string,
  netuid: number,
  alpha: bigint,
): void {
  if (sharesOf(ctx, 'totalHotkeyShares', hotkey, netuid) === 0n) {
    const owner = ctx.storage.get('subtensorModule', 'owner', hotkey).toString();
    creditStake(ctx, hotkey, owner, netuid, alpha);
    return;
  }
  ctx.storage.set(
    'subtensorModule',
    'totalHotkeyAlpha',
    [hotkey, netuid],
    big(ctx, 'totalHotkeyAlpha', hotkey, netuid) + alpha,
  );
}

/** A coldkey's alpha staked to a hotkey on a subnet. */
export function stakeOf(
  ctx: Pick<DispatchContext, 'storage'>,
  hotkey: string,
  coldkey: string,
  netuid: number,
): bigint {
  const totalShares = sharesOf(ctx, 'totalHotkeyShares', hotkey, netuid);
  if (totalShares === 0n) return 0n;
  return (sharesOf(ctx, 'alpha', hotkey, coldkey, netuid) * big(ctx, 'totalHotkeyAlpha', hotkey, netuid)) / totalShares;
}

export function startCall(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (!ctx.root && ctx.storage.get('subtensorModule', 'subnetOwner', netuid).toString() !== ctx.signer)
    throw fail(ctx, 'NotSubnetOwner');
  const first = ctx.storage.get('subtensorModule', 'firstEmissionBlockNumber', netuid) as unknown as {
    isSome: boolean;
  };
  if (first.isSome) throw fail(ctx, 'FirstEmissionBlockNumberAlreadySet');
  ctx.storage.set('subtensorModule', 'firstEmissionBlockNumber', [netuid], ctx.block + 1);
  ctx.storage.set('subtensorModule', 'subtokenEnabled', [netuid], true);
  ctx.deposit({ SubtensorModule: { FirstEmissionBlockNumberSet: [netuid, ctx.block + 1] } });
}

function sqrtBig(v: bigint): bigint {
  if (v < 2n) return v;
  let x = BigInt(Math.floor(Math.sqrt(Number(v))));
  while (x * x > v) x--;
  while ((x + 1n) * (x + 1n) <= v) x++;
  return x;
}

/** TAO in, alpha out of a constant-product pool (reserves `tao`, `alphaIn`): the fee is taken from the input. */
export function swapTaoForAlpha(
  tao: bigint,
  alphaIn: bigint,
  amount: bigint,
): { fee: bigint; taoIn: bigint; alphaOut: bigint } {
  const fee = (amount * FEE_RATE) / 65535n;
  const taoIn = amount - fee;
  const alphaOut = tao + taoIn === 0n ? 0n : (alphaIn * taoIn) / (tao + taoIn);
  return { fee, taoIn, alphaOut };
}

/** Alpha in, TAO out: `gross` leaves the pool, the fee is taken from it. */
export function swapAlphaForTao(
  tao: bigint,
  alphaIn: bigint,
  alpha: bigint,
): { gross: bigint; fee: bigint; taoOut: bigint } {
  const gross = alphaIn + alpha === 0n ? 0n : (tao * alpha) / (alphaIn + alpha);
  const fee = (gross * FEE_RATE) / 65535n;
  return { gross, fee, taoOut: gross - fee };
}

/** The pool fee on an amount, as the swaps take it (33/65535). */
export const swapFee = (amount: bigint): bigint => (amount * FEE_RATE) / 65535n;

function pool(ctx: DispatchContext, netuid: number): [bigint, bigint] {
  return [big(ctx, 'subnetTAO', netuid), big(ctx, 'subnetAlphaIn', netuid)];
}

/**
 * `add_stake`, or `add_stake_limit(…, limit_price, allow_partial)`: the price after the swap (rao per alpha, TAO
 * reserve / alpha reserve) may not rise above `limit_price`; with allow_partial the amount shrinks to the largest
 * that keeps it there, else the call fails with `SlippageTooHigh`.
 */
export function addStake(ctx: DispatchContext, args: readonly Arg[], limited = false): void {
  const hotkey = args[0]!.toString();
  const netuid = args[1]!.toNumber();
  let amount = args[2]!.toBigInt();
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (!bool(ctx, 'subtokenEnabled', netuid)) throw fail(ctx, 'SubtokenDisabled');
  if (!ctx.storage.has('subtensorModule', 'owner', hotkey)) throw fail(ctx, 'HotKeyAccountNotExists');
  const fee = (amount * FEE_RATE) / 65535n;
  if (amount < DEFAULT_MIN_STAKE + fee) throw fail(ctx, 'AmountTooLow');
  if (freeOf(ctx, ctx.signer) < amount) throw fail(ctx, 'NotEnoughBalanceToStake');
  const [tao, alphaIn] = pool(ctx, netuid);
  if (limited) {
    const limit = args[3]!.toBigInt();
    const allowPartial = (args[4] as unknown as { isTrue: boolean }).isTrue;
    // Constant product k = tao·alpha: after adding t, price = (tao + t)²·1e9 / k rao per alpha. Largest t with price ≤ limit.
    const k = tao * alphaIn;
    const maxTao = sqrtBig((limit * k) / 1_000_000_000n) - tao;
    if ((tao * 1_000_000_000n) / alphaIn > limit || maxTao <= 0n) throw fail(ctx, 'SlippageTooHigh');
    if (amount - (amount * FEE_RATE) / 65535n > maxTao) {
      if (!allowPartial) throw fail(ctx, 'SlippageTooHigh');
      amount = maxTao + (maxTao * FEE_RATE) / 65535n;
    }
  }
  const { fee: finalFee, taoIn, alphaOut } = swapTaoForAlpha(tao, alphaIn, amount);
  if (alphaOut === 0n || alphaOut >= alphaIn) throw fail(ctx, 'InsufficientLiquidity');
  addFree(ctx, ctx.signer, -amount);
  ctx.storage.set('subtensorModule', 'subnetTAO', [netuid], tao + taoIn);
  ctx.storage.set('subtensorModule', 'subnetAlphaIn', [netuid], alphaIn - alphaOut);
  ctx.storage.set('subtensorModule', 'subnetAlphaOut', [netuid], big(ctx, 'subnetAlphaOut', netuid) + alphaOut);
  ctx.storage.set('subtensorModule', 'totalStake', [], big(ctx, 'totalStake') + taoIn);
  ctx.storage.set('subtensorModule', 'subnetVolume', [netuid], big(ctx, 'subnetVolume', netuid) + taoIn);
  creditStake(ctx, hotkey, ctx.signer, netuid, alphaOut);
  ctx.deposit({ SubtensorModule: { StakeAdded: [ctx.signer, hotkey, taoIn, alphaOut, netuid, finalFee] } });
}

/** `remove_stake`, or `remove_stake_limit`: the price after the swap may not fall below `limit_price`. */
export function removeStake(ctx: DispatchContext, args: readonly Arg[], limited = false): void {
  const hotkey = args[0]!.toString();
  const netuid = args[1]!.toNumber();
  let alpha = args[2]!.toBigInt();
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (alpha === 0n) throw fail(ctx, 'AmountTooLow');
  const held = stakeOf(ctx, hotkey, ctx.signer, netuid);
  if (alpha > held) throw fail(ctx, 'NotEnoughStakeToWithdraw');
  const [tao, alphaIn] = pool(ctx, netuid);
  if (limited) {
    const limit = args[3]!.toBigInt();
    const allowPartial = (args[4] as unknown as { isTrue: boolean }).isTrue;
    // After adding a alpha, price = k·1e9 / (alpha + a)². Largest a with price ≥ limit.
    const k = tao * alphaIn;
    const maxAlpha = limit === 0n ? alpha : sqrtBig((k * 1_000_000_000n) / limit) - alphaIn;
    if (maxAlpha <= 0n) throw fail(ctx, 'SlippageTooHigh');
    if (alpha > maxAlpha) {
      if (!allowPartial) throw fail(ctx, 'SlippageTooHigh');
      alpha = maxAlpha;
    }
  }
  const { gross, fee, taoOut } = swapAlphaForTao(tao, alphaIn, alpha);
  if (taoOut < DEFAULT_MIN_STAKE) throw fail(ctx, 'AmountTooLow');
  const totalShares = sharesOf(ctx, 'totalHotkeyShares', hotkey, netuid);
  const total = big(ctx, 'totalHotkeyAlpha', hotkey, netuid);
  const burnShares = (alpha * totalShares + total - 1n) / total;
  ctx.storage.set('subtensorModule', 'alpha', [hotkey, ctx.signer, netuid], {
    bits: (sharesOf(ctx, 'alpha', hotkey, ctx.signer, netuid) - burnShares) * ONE_64,
  });
  ctx.storage.set('subtensorModule', 'totalHotkeyShares', [hotkey, netuid], {
    bits: (totalShares - burnShares) * ONE_64,
  });
  ctx.storage.set('subtensorModule', 'totalHotkeyAlpha', [hotkey, netuid], total - alpha);
  ctx.storage.set('subtensorModule', 'subnetTAO', [netuid], tao - gross);
  ctx.storage.set('subtensorModule', 'subnetVolume', [netuid], big(ctx, 'subnetVolume', netuid) + gross);
  ctx.storage.set('subtensorModule', 'subnetAlphaIn', [netuid], alphaIn + alpha);
  ctx.storage.set('subtensorModule', 'subnetAlphaOut', [netuid], big(ctx, 'subnetAlphaOut', netuid) - alpha);
  addFree(ctx, ctx.signer, taoOut);
  ctx.deposit({ SubtensorModule: { StakeRemoved: [ctx.signer, hotkey, taoOut, alpha, netuid, fee] } });
}
