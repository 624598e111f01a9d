/**
 * DelegateInfoRuntimeApi answers: every hotkey with an owner as a delegate, with its nominators' stakes per subnet,
 * in finney's types.
 */
import { encodeAddress } from '@polkadot/util-crypto';
import { stakeOf } from '../pallets/subtensor/staking.js';
import { alphaEntries, ownedHotkeys } from '../storage/entries.js';
import { existingNetuids, num, str, uidOf } from '../storage/read.js';
import type { Storage } from '../storage/storage.js';

const DEFAULT_TAKE = 11_796;

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
  return ownedHotkeys(s).map((hk) => delegateInfo(s, hk, entries));
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
