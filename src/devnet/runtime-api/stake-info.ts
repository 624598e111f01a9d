/**
 * StakeInfoRuntimeApi answers built from storage, in finney's types: stakes read from the `Alpha` share map, and the
 * pool fee of a stake move.
 */
import { encodeAddress } from '@polkadot/util-crypto';
import { stakeOf, swapFee } from '../pallets/subtensor/staking.js';
import { alphaEntries } from '../storage/entries.js';
import { uidOf } from '../storage/read.js';
import type { Storage } from '../storage/storage.js';

/** finney's StakeInfo of one (hotkey, coldkey, netuid). */
function stakeRecord(
  s: Storage,
  hotkey: string,
  coldkey: string,
  netuid: number,
  stake: bigint,
): Record<string, unknown> {
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

/** The StakeInfo of a stake, or null when there is none. */
function stakeInfo(s: Storage, hotkey: string, coldkey: string, netuid: number): Record<string, unknown> | null {
  const stake = stakeOf({ storage: s }, hotkey, coldkey, netuid);
  return stake === 0n ? null : stakeRecord(s, hotkey, coldkey, netuid, stake);
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
  return stakeRecord(s, h, c, netuid, stakeOf({ storage: s }, h, c, netuid));
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
