/**
 * NeuronInfo and NeuronInfoLite, SCALE-encoded straight from raw storage as the runtime's `rpc_info/neuron_info.rs`
 * builds them (get_neurons_lite is what every metagraph sync calls, so it skips the codec layer).
 * rank and trust are 0 and pruning_score 65535, as on finney.
 */
import { compactToU8a, u8aConcat } from '@polkadot/util';
import { encodeAddress } from '@polkadot/util-crypto';
import { decodeBoolVec, decodeU16Vec, decodeU64Vec, decodeU16Pairs, readUint } from '../storage/scale.js';
import type { Storage } from '../storage/storage.js';

const AXON_BYTES = 8 + 4 + 16 + 2 + 4;
const PROMETHEUS_BYTES = 8 + 4 + 16 + 2 + 1;

interface SubnetVectors {
  active: boolean[];
  emission: bigint[];
  incentive: number[];
  consensus: number[];
  validatorTrust: number[];
  dividends: number[];
  lastUpdate: bigint[];
  validatorPermit: boolean[];
}

function vectors(s: Storage, netuid: number): SubnetVectors {
  const raw = (item: string) => s.raw('subtensorModule', item, netuid);
  return {
    active: decodeBoolVec(raw('active')),
    emission: decodeU64Vec(raw('emission')),
    incentive: decodeU16Vec(raw('incentive')),
    consensus: decodeU16Vec(raw('consensus')),
    validatorTrust: decodeU16Vec(raw('validatorTrust')),
    dividends: decodeU16Vec(raw('dividends')),
    lastUpdate: decodeU64Vec(raw('lastUpdate')),
    validatorPermit: decodeBoolVec(raw('validatorPermit')),
  };
}

/** One neuron's SCALE bytes, or null when the uid does not exist. */
function encodeNeuron(s: Storage, netuid: number, uid: number, full: boolean, v: SubnetVectors): Uint8Array | null {
  const keyBytes = s.map.get(s.key('subtensorModule', 'keys', netuid, uid));
  if (!keyBytes) return null;
  const hotkey = encodeAddress(keyBytes, 42);
  const coldkey = s.raw('subtensorModule', 'owner', hotkey);
  const axon = s.map.get(s.key('subtensorModule', 'axons', netuid, hotkey)) ?? new Uint8Array(AXON_BYTES);
  const prometheus =
    s.map.get(s.key('subtensorModule', 'prometheus', netuid, hotkey)) ?? new Uint8Array(PROMETHEUS_BYTES);
  const alpha = readUint(s.raw('subtensorModule', 'totalHotkeyAlpha', hotkey, netuid));
  const parts: Uint8Array[] = [
    keyBytes,
    coldkey,
    compactToU8a(uid),
    compactToU8a(netuid),
    new Uint8Array([v.active[uid] ? 1 : 0]),
    axon,
    prometheus,
    compactToU8a(1),
    coldkey,
    compactToU8a(alpha),
    compactToU8a(0), // rank
    compactToU8a(v.emission[uid] ?? 0n),
    compactToU8a(v.incentive[uid] ?? 0),
    compactToU8a(v.consensus[uid] ?? 0),
    compactToU8a(0), // trust
    compactToU8a(v.validatorTrust[uid] ?? 0),
    compactToU8a(v.dividends[uid] ?? 0),
    compactToU8a(v.lastUpdate[uid] ?? 0n),
    new Uint8Array([v.validatorPermit[uid] ? 1 : 0]),
  ];
  if (full) {
    for (const item of ['weights', 'bonds']) {
      const pairs = decodeU16Pairs(s.raw('subtensorModule', item, netuid, uid));
      parts.push(compactToU8a(pairs.length));
      for (const [a, b] of pairs) parts.push(compactToU8a(a), compactToU8a(b));
    }
  }
  parts.push(compactToU8a(65535)); // pruning_score
  return u8aConcat(...parts);
}

/** `get_neuron(_lite)(netuid, uid)`: SCALE `Option<NeuronInfo(Lite)>`. */
export function encodeNeuronOption(s: Storage, netuid: number, uid: number, full: boolean): Uint8Array {
  const n = Number(readUint(s.raw('subtensorModule', 'subnetworkN', netuid)));
  const one = uid < n ? encodeNeuron(s, netuid, uid, full, vectors(s, netuid)) : null;
  return one ? u8aConcat(new Uint8Array([1]), one) : new Uint8Array([0]);
}

/** `get_neurons(_lite)(netuid)`: SCALE `Vec<NeuronInfo(Lite)>`, empty for a subnet that does not exist. */
export function encodeNeurons(s: Storage, netuid: number, full: boolean): Uint8Array {
  const exists = s.raw('subtensorModule', 'networksAdded', netuid)[0] === 1;
  const n = exists ? Number(readUint(s.raw('subtensorModule', 'subnetworkN', netuid))) : 0;
  const v = vectors(s, netuid);
  const items: Uint8Array[] = [];
  for (let uid = 0; uid < n; uid++) {
    const one = encodeNeuron(s, netuid, uid, full, v);
    if (one) items.push(one);
  }
  return u8aConcat(compactToU8a(items.length), ...items);
}
