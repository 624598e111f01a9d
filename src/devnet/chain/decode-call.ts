/**
 * Decoding of calls for dispatch: `SubtensorModule.set_weights`, the hot call of every subnet, is read straight from
 * its bytes; every other call goes through @polkadot/types.
 */
import type { TypeRegistry } from '@polkadot/types';
import type { DecodedCall } from './types.js';
import { readCompact } from '../storage/scale.js';

/** A decoded argument with the accessors dispatch uses on polkadot-js codecs. */
function arg(value: number | bigint | number[]) {
  return {
    toNumber: () => Number(value),
    toBigInt: () => (typeof value === 'bigint' ? value : BigInt(value as number)),
    toString: () => String(value),
    toJSON: () => (typeof value === 'bigint' ? value.toString() : value),
  };
}

function u16Vec(b: Uint8Array, pos: number): [number[], number] | null {
  const c = readCompact(b, pos);
  if (!c || c[0] > BigInt(b.length)) return null;
  const n = Number(c[0]);
  if (c[1] + 2 * n > b.length) return null;
  const out = new Array<number>(n);
  for (let i = 0, p = c[1]; i < n; i++, p += 2) out[i] = b[p]! | (b[p + 1]! << 8);
  return [out, c[1] + 2 * n];
}

/** set_weights(netuid u16, dests Vec<u16>, weights Vec<u16>, version_key u64) at pallet 7, call 0. */
function setWeightsCall(call: Uint8Array): DecodedCall | null {
  if (call.length < 4 || call[0] !== 7 || call[1] !== 0) return null;
  const netuid = call[2]! | (call[3]! << 8);
  const dests = u16Vec(call, 4);
  if (!dests) return null;
  const weights = u16Vec(call, dests[1]);
  if (!weights || weights[1] + 8 !== call.length) return null;
  const versionKey = new DataView(call.buffer, call.byteOffset + weights[1], 8).getBigUint64(0, true);
  return {
    section: 'subtensorModule',
    method: 'setWeights',
    args: [arg(netuid), arg(dests[0]), arg(weights[0]), arg(versionKey)],
  };
}

export function decodeCall(registry: TypeRegistry, call: Uint8Array): DecodedCall {
  const fast = setWeightsCall(call);
  if (fast) return fast;
  const decoded = registry.createType('Call', call) as unknown as DecodedCall;
  return { section: decoded.section, method: decoded.method, args: decoded.args };
}
