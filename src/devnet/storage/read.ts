/** Typed storage access shared by the devnet's pallet, epoch and runtime-API code: SubtensorModule reads, balances. */
import type { Storage } from './storage.js';

/** A storage, or anything that carries one (a dispatch context). */
export type Source = Storage | { storage: Storage };

const of = (x: Source): Storage => ('map' in x ? x : x.storage);
const get = (x: Source, item: string, args: unknown[]) => of(x).get('subtensorModule', item, ...args);

export const num = (x: Source, item: string, ...args: unknown[]): number => Number(get(x, item, args).toString());
export const big = (x: Source, item: string, ...args: unknown[]): bigint => BigInt(get(x, item, args).toString());
export const str = (x: Source, item: string, ...args: unknown[]): string => get(x, item, args).toString();
export const bool = (x: Source, item: string, ...args: unknown[]): boolean =>
  (get(x, item, args) as unknown as { isTrue: boolean }).isTrue;
export const vec = <T>(x: Source, item: string, ...args: unknown[]): T[] =>
  (get(x, item, args).toJSON() as T[] | null) ?? [];

/** How many netuids the devnet checks for subnets (the subnet limit). */
export const SUBNET_LIMIT = 128;

/** The netuids of the subnets that exist, in order; root (0) only when asked for. */
export function existingNetuids(x: Source, withRoot: boolean): number[] {
  const out: number[] = [];
  for (let netuid = withRoot ? 0 : 1; netuid < SUBNET_LIMIT; netuid++)
    if (bool(x, 'networksAdded', netuid)) out.push(netuid);
  return out;
}

/** The uid of a hotkey on a subnet, or null. */
export function uidOf(x: Source, netuid: number, hotkey: string): number | null {
  const v = get(x, 'uids', [netuid, hotkey]) as unknown as { isSome: boolean; unwrap(): { toNumber(): number } };
  return v.isSome ? v.unwrap().toNumber() : null;
}

/** Free balance of an account, read from AccountInfo's bytes (four u32 counters, then `free` as u64). */
export function freeOf(x: Source, who: string): bigint {
  const a = of(x).raw('system', 'account', who);
  return new DataView(a.buffer, a.byteOffset, a.byteLength).getBigUint64(16, true);
}

/** Adds `delta` (may be negative) to an account's free balance; returns the new balance. */
export function addFree(x: Source, who: string, delta: bigint): bigint {
  const a = new Uint8Array(of(x).raw('system', 'account', who));
  const view = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const free = view.getBigUint64(16, true) + delta;
  view.setBigUint64(16, free, true);
  of(x).setRaw('system', 'account', [who], a);
  return free;
}
