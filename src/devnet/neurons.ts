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

const VECTORS = ['active', 'emission', 'incentive', 'consensus', 'validatorTrust', 'dividends', 'lastUpdate', 'validatorPermit'] as const;
type Vectors = Record<(typeof VECTORS)[number], unknown[]>;

/** The per-uid vectors of a subnet, each decoded once. */
function vectors(storage: Storage, netuid: number): Vectors {
  return Object.fromEntries(VECTORS.map((item) => [item, vec<unknown>(storage, item, netuid)])) as Vectors;
}

/** One neuron; null when the uid does not exist. */
export function neuronInfo(storage: Storage, netuid: number, uid: number, full: boolean, vs: Vectors = vectors(storage, netuid)): Record<string, unknown> | null {
  const n = Number(storage.get('subtensorModule', 'subnetworkN', netuid).toString());
  if (uid >= n || !storage.has('subtensorModule', 'keys', netuid, uid)) return null;
  const hotkey = storage.get('subtensorModule', 'keys', netuid, uid).toString();
  const coldkey = storage.get('subtensorModule', 'owner', hotkey).toString();
  const at = <T>(item: (typeof VECTORS)[number], fallback: T): T => (vs[item][uid] as T | undefined) ?? fallback;
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
  const vs = vectors(storage, netuid);
  for (let uid = 0; uid < n; uid++) {
    const info = neuronInfo(storage, netuid, uid, full, vs);
    if (info) out.push(info);
  }
  return out;
}
