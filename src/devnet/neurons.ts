/** NeuronInfo and NeuronInfoLite built from storage, as the runtime's `rpc_info/neuron_info.rs` does. */
import type { Storage } from './state.js';

const AXON_DEFAULT = { block: 0, version: 0, ip: 0, port: 0, ipType: 0, protocol: 0, placeholder1: 0, placeholder2: 0 };
const PROMETHEUS_DEFAULT = { block: 0, version: 0, ip: 0, port: 0, ipType: 0 };

function vec<T>(storage: Storage, item: string, netuid: number): T[] {
  return (storage.get('subtensorModule', item, netuid).toJSON() as T[]) ?? [];
}

function opt(storage: Storage, item: string, ...args: unknown[]): unknown {
  const v = storage.get('subtensorModule', item, ...args) as unknown as { isSome: boolean; unwrap(): { toJSON(): unknown } };
  return v.isSome ? v.unwrap().toJSON() : null;
}

/** One neuron; null when the uid does not exist. */
export function neuronInfo(storage: Storage, netuid: number, uid: number, full: boolean): Record<string, unknown> | null {
  const n = Number(storage.get('subtensorModule', 'subnetworkN', netuid).toString());
  if (uid >= n || !storage.has('subtensorModule', 'keys', netuid, uid)) return null;
  const hotkey = storage.get('subtensorModule', 'keys', netuid, uid).toString();
  const coldkey = storage.get('subtensorModule', 'owner', hotkey).toString();
  const at = <T>(item: string, fallback: T): T => (vec<T>(storage, item, netuid)[uid] ?? fallback);
  const alpha = BigInt(storage.get('subtensorModule', 'totalHotkeyAlpha', hotkey, netuid).toString());
  const info: Record<string, unknown> = {
    hotkey,
    coldkey,
    uid,
    netuid,
    active: at('active', false),
    axonInfo: opt(storage, 'axons', netuid, hotkey) ?? AXON_DEFAULT,
    prometheusInfo: opt(storage, 'prometheus', netuid, hotkey) ?? PROMETHEUS_DEFAULT,
    stake: [[coldkey, alpha]],
    rank: 0,
    emission: at('emission', 0),
    incentive: at('incentive', 0),
    consensus: at('consensus', 0),
    trust: 0,
    validatorTrust: at('validatorTrust', 0),
    dividends: at('dividends', 0),
    lastUpdate: at('lastUpdate', 0),
    validatorPermit: at('validatorPermit', false),
    pruningScore: 65535,
  };
  if (full) {
    const pairs = (item: string) => (storage.get('subtensorModule', item, netuid, uid).toJSON() as [number, number][]) ?? [];
    info.weights = pairs('weights');
    info.bonds = pairs('bonds');
  }
  return info;
}

export function neuronInfos(storage: Storage, netuid: number, full: boolean): Record<string, unknown>[] {
  if (!(storage.get('subtensorModule', 'networksAdded', netuid) as unknown as { isTrue: boolean }).isTrue) return [];
  const n = Number(storage.get('subtensorModule', 'subnetworkN', netuid).toString());
  const out: Record<string, unknown>[] = [];
  for (let uid = 0; uid < n; uid++) {
    const info = neuronInfo(storage, netuid, uid, full);
    if (info) out.push(info);
  }
  return out;
}
