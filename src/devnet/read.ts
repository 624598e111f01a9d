/** Typed reads of SubtensorModule storage, shared by the devnet's pallet, epoch and runtime-API code. */
import { moduleError, type DispatchContext } from './pallets.js';
import type { Storage } from './state.js';

/** A storage, or anything that carries one (a dispatch context). */
export type Source = Storage | { storage: Storage };

const of = (x: Source): Storage => ('map' in x ? x : x.storage);
const get = (x: Source, item: string, args: unknown[]) => of(x).get('subtensorModule', item, ...args);

export const num = (x: Source, item: string, ...args: unknown[]): number => Number(get(x, item, args).toString());
export const big = (x: Source, item: string, ...args: unknown[]): bigint => BigInt(get(x, item, args).toString());
export const str = (x: Source, item: string, ...args: unknown[]): string => get(x, item, args).toString();
export const bool = (x: Source, item: string, ...args: unknown[]): boolean => (get(x, item, args) as unknown as { isTrue: boolean }).isTrue;
export const vec = <T>(x: Source, item: string, ...args: unknown[]): T[] => (get(x, item, args).toJSON() as T[] | null) ?? [];

/** The uid of a hotkey on a subnet, or null. */
export function uidOf(x: Source, netuid: number, hotkey: string): number | null {
  const v = get(x, 'uids', [netuid, hotkey]) as unknown as { isSome: boolean; unwrap(): { toNumber(): number } };
  return v.isSome ? v.unwrap().toNumber() : null;
}

/** A SubtensorModule module error. */
export const fail = (ctx: Pick<DispatchContext, 'registry'>, name: string) => moduleError(ctx.registry, 'SubtensorModule', name);
