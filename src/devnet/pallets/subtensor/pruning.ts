/**
 * Replacing a neuron when a subnet is full (`subnets/registration.rs` `get_neuron_to_prune`): the uid with the
 * lowest Emission, ties to the older registration, then the lower uid; the owner hotkey is never pruned; immune uids
 * (registered less than ImmunityPeriod blocks ago) are candidates only when at most MinNonImmuneUids others are.
 */
import type { DispatchContext } from '../context.js';
import { num, str, vec } from '../../storage/read.js';

const MIN_NON_IMMUNE_UIDS = 10;

/** The uid to replace, or null when every uid is protected. */
export function neuronToPrune(ctx: DispatchContext, netuid: number): number | null {
  const n = num(ctx, 'subnetworkN', netuid);
  const emission = vec<number | string>(ctx, 'emission', netuid).map((e) => BigInt(e));
  const owner = str(ctx, 'subnetOwnerHotkey', netuid);
  const immunity = num(ctx, 'immunityPeriod', netuid);
  const candidates: { uid: number; emission: bigint; registered: number; immune: boolean }[] = [];
  for (let uid = 0; uid < n; uid++) {
    if (str(ctx, 'keys', netuid, uid) === owner) continue; // owner-immortal
    const registered = num(ctx, 'blockAtRegistration', netuid, uid);
    candidates.push({ uid, emission: emission[uid] ?? 0n, registered, immune: ctx.block - registered < immunity });
  }
  const nonImmune = candidates.filter((c) => !c.immune);
  const pool =
    nonImmune.length > MIN_NON_IMMUNE_UIDS || nonImmune.length === candidates.length ? nonImmune : candidates;
  pool.sort((a, b) =>
    a.emission < b.emission ? -1 : a.emission > b.emission ? 1 : a.registered - b.registered || a.uid - b.uid,
  );
  return pool[0]?.uid ?? null;
}

/** Gives `uid` to `hotkey`: the old neuron's records go, its incoming weights become 0, its bonds row is removed. */
export function replaceNeuron(ctx: DispatchContext, netuid: number, uid: number, hotkey: string): void {
  const s = ctx.storage;
  const old = str(ctx, 'keys', netuid, uid);
  s.remove('subtensorModule', 'uids', netuid, old);
  s.remove('subtensorModule', 'isNetworkMember', old, netuid);
  s.remove('subtensorModule', 'axons', netuid, old);
  s.remove('subtensorModule', 'prometheus', netuid, old);
  s.remove('subtensorModule', 'weights', netuid, uid);
  s.remove('subtensorModule', 'bonds', netuid, uid);
  s.set('subtensorModule', 'keys', [netuid, uid], hotkey);
  s.set('subtensorModule', 'uids', [netuid, hotkey], uid);
  s.set('subtensorModule', 'isNetworkMember', [hotkey, netuid], true);
  s.set('subtensorModule', 'blockAtRegistration', [netuid, uid], ctx.block);
  const n = num(ctx, 'subnetworkN', netuid);
  for (let row = 0; row < n; row++) {
    const w = vec<[number, number]>(ctx, 'weights', netuid, row);
    if (w.some(([j, v]) => j === uid && v !== 0))
      s.set(
        'subtensorModule',
        'weights',
        [netuid, row],
        w.map(([j, v]) => [j, j === uid ? 0 : v]),
      );
  }
  const reset = <T>(item: string, value: T) => {
    const v = vec<T>(ctx, item, netuid);
    if (uid < v.length) {
      v[uid] = value;
      s.set('subtensorModule', item, [netuid], v);
    }
  };
  reset('lastUpdate', ctx.block);
  reset('emission', 0);
  reset('incentive', 0);
  reset('consensus', 0);
  reset('dividends', 0);
  reset('validatorTrust', 0);
  reset('validatorPermit', false);
  reset('active', true);
  ctx.deposit({ SubtensorModule: { NeuronRegistered: [netuid, uid, hotkey] } });
}
