/**
 * StakeInfoRuntimeApi, DelegateInfoRuntimeApi, SwapRuntimeApi and SubnetRegistrationRuntimeApi answers built from
 * storage, in finney's types. Stakes are read from the `Alpha` share map, prices and swaps from each subnet's pool.
 */
import { u8aToHex } from '@polkadot/util';
import { encodeAddress, xxhashAsU8a } from '@polkadot/util-crypto';
import { stakeOf, swapAlphaForTao, swapFee, swapTaoForAlpha } from './staking.js';
import { networkLockCost } from './subtensor.js';
import type { Storage } from './state.js';
import { big, bool, existingNetuids, num, str, uidOf } from './read.js';

const DEFAULT_TAKE = 11_796;
const RAO_PER_TAO = 1_000_000_000n;

const prefixOf = (item: string) =>
  u8aToHex(new Uint8Array([...xxhashAsU8a('SubtensorModule', 128), ...xxhashAsU8a(item, 128)]));

/** Every (hotkey, coldkey, netuid) with an entry in the `Alpha` share map. */
function* alphaEntries(s: Storage): Generator<{ hotkey: string; coldkey: string; netuid: number }> {
  const prefix = prefixOf('Alpha');
  for (const key of s.map.keys()) {
    if (!key.startsWith(prefix)) continue;
    // Alpha is an NMap: blake2_128 ‖ hotkey, blake2_128 ‖ coldkey, netuid (Identity, u16 LE).
    const rest = Buffer.from(key.slice(prefix.length), 'hex');
    if (rest.length !== 16 + 32 + 16 + 32 + 2) continue;
    yield {
      hotkey: encodeAddress(rest.subarray(16, 48), 42),
      coldkey: encodeAddress(rest.subarray(64, 96), 42),
      netuid: rest.readUInt16LE(96),
    };
  }
}

function stakeInfo(s: Storage, hotkey: string, coldkey: string, netuid: number): Record<string, unknown> | null {
  const stake = stakeOf({ storage: s }, hotkey, coldkey, netuid);
  if (stake === 0n) return null;
  return {
    hotkey,
    coldkey,
    netuid,
    stake,
    locked: 0,
    emission: 0,
    taoEmission: 0,
    drain: 0,
    isRegistered: uidOf(s, netuid, hotkey) !== null,
  };
}

/** `get_stake_info_for_coldkey(coldkey)`: one entry per (hotkey, netuid) the coldkey holds stake in. */
export function stakeInfoForColdkey(s: Storage, coldkey: string): Record<string, unknown>[] {
  const cold = encodeAddress(coldkey, 42);
  const out: Record<string, unknown>[] = [];
  for (const e of alphaEntries(s)) {
    if (e.coldkey !== cold) continue;
    const info = stakeInfo(s, e.hotkey, cold, e.netuid);
    if (info) out.push(info);
  }
  return out;
}

/** `get_stake_info_for_coldkeys(coldkeys)`: each coldkey with its stakes, in the order asked. */
export function stakeInfoForColdkeys(s: Storage, coldkeys: readonly string[]): [string, Record<string, unknown>[]][] {
  return coldkeys.map((c) => [c, stakeInfoForColdkey(s, c)]);
}

/** `get_stake_info_for_hotkey_coldkey_netuid(hotkey, coldkey, netuid)`: always Some, with zero stake when there is none, as the chain answers (the Python SDK does not handle None here). */
export function stakeInfoForHotkeyColdkeyNetuid(
  s: Storage,
  hotkey: string,
  coldkey: string,
  netuid: number,
): Record<string, unknown> {
  const h = encodeAddress(hotkey, 42);
  const c = encodeAddress(coldkey, 42);
  return (
    stakeInfo(s, h, c, netuid) ?? {
      hotkey: h,
      coldkey: c,
      netuid,
      stake: 0,
      locked: 0,
      emission: 0,
      taoEmission: 0,
      drain: 0,
      isRegistered: uidOf(s, netuid, h) !== null,
    }
  );
}

/**
 * `get_stake_fee(origin, origin_coldkey, destination, destination_coldkey, amount)`: the pool fee (33/65535 of the
 * amount) for each leg that swaps through a subnet's pool; root (netuid 0) legs and transfers within one subnet are
 * free. A leg is None when the TAO comes from, or goes to, the coldkey's balance.
 */
export function stakeFee(
  origin: [string, number] | null,
  destination: [string, number] | null,
  amount: bigint,
): bigint {
  if (origin && destination && origin[1] === destination[1]) return 0n;
  const legs = [origin, destination].filter((leg): leg is [string, number] => leg !== null && Number(leg[1]) !== 0);
  return legs.length ? swapFee(amount) : 0n;
}

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

/** `get_network_registration_cost()`: the lock a subnet registered in the next block would take. */
export function networkRegistrationCost(s: Storage, nextBlock: number): bigint {
  return networkLockCost({ storage: s }, nextBlock);
}

/** Every hotkey with an owner (a coldkey), in storage order. */
function hotkeys(s: Storage): string[] {
  const prefix = prefixOf('Owner');
  const out: string[] = [];
  for (const key of s.map.keys()) {
    if (!key.startsWith(prefix)) continue;
    const rest = Buffer.from(key.slice(prefix.length), 'hex'); // blake2_128 ‖ hotkey
    if (rest.length === 48) out.push(encodeAddress(rest.subarray(16), 42));
  }
  return out;
}

function delegateInfo(
  s: Storage,
  hotkey: string,
  entries: { hotkey: string; coldkey: string; netuid: number }[],
): Record<string, unknown> {
  const nominators = new Map<string, [number, bigint][]>();
  for (const e of entries) {
    if (e.hotkey !== hotkey) continue;
    const stake = stakeOf({ storage: s }, hotkey, e.coldkey, e.netuid);
    if (stake === 0n) continue;
    nominators.set(e.coldkey, [...(nominators.get(e.coldkey) ?? []), [e.netuid, stake]]);
  }
  const registrations: number[] = [];
  const permits: number[] = [];
  for (const netuid of existingNetuids(s, false)) {
    const uid = uidOf(s, netuid, hotkey);
    if (uid === null) continue;
    registrations.push(netuid);
    const p = (s.get('subtensorModule', 'validatorPermit', netuid).toJSON() as boolean[] | null) ?? [];
    if (p[uid]) permits.push(netuid);
  }
  const take = s.has('subtensorModule', 'delegates', hotkey) ? num(s, 'delegates', hotkey) : DEFAULT_TAKE;
  return {
    delegateSs58: hotkey,
    take,
    nominators: [...nominators],
    ownerSs58: str(s, 'owner', hotkey),
    registrations,
    validatorPermits: permits,
    returnPer1000: 0,
    totalDailyReturn: 0,
  };
}

/**
 * `get_delegates()`: every hotkey with an owner is a delegate (take `Delegates`, default 18 %), with its nominators'
 * stakes per subnet, the subnets it is registered on and those where it holds a validator permit. Returns are not
 * modelled (0).
 */
export function delegates(s: Storage): Record<string, unknown>[] {
  const entries = [...alphaEntries(s)];
  return hotkeys(s).map((hk) => delegateInfo(s, hk, entries));
}

/** `get_delegate(hotkey)`: None for a hotkey without an owner. */
export function delegate(s: Storage, hotkey: string): Record<string, unknown> | null {
  const hk = encodeAddress(hotkey, 42);
  if (!s.has('subtensorModule', 'owner', hk)) return null;
  return delegateInfo(s, hk, [...alphaEntries(s)]);
}

/** `get_delegated(coldkey)`: each delegate the coldkey stakes to, once per subnet, with that stake. */
export function delegated(s: Storage, coldkey: string): [Record<string, unknown>, [number, bigint]][] {
  const cold = encodeAddress(coldkey, 42);
  const entries = [...alphaEntries(s)];
  const out: [Record<string, unknown>, [number, bigint]][] = [];
  const infos = new Map<string, Record<string, unknown>>();
  for (const e of entries) {
    if (e.coldkey !== cold) continue;
    const stake = stakeOf({ storage: s }, e.hotkey, cold, e.netuid);
    if (stake === 0n) continue;
    let info = infos.get(e.hotkey);
    if (!info) infos.set(e.hotkey, (info = delegateInfo(s, e.hotkey, entries)));
    out.push([info, [e.netuid, stake]]);
  }
  return out;
}
