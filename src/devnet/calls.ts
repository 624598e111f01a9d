/**
 * Decoding of calls for dispatch: `SubtensorModule.set_weights`, the hot call of every subnet, is read straight from
 * its bytes; every other call goes through @polkadot/types.
 */
import type { TypeRegistry } from '@polkadot/types';
import type { DecodedCall } from './chain.js';

/** A decoded argument with the accessors dispatch uses on polkadot-js codecs. */
function arg(value: number | bigint | number[]) {
  return {
    toNumber: () => Number(value),
    toBigInt: () => (typeof value === 'bigint' ? value : BigInt(value as number)),
    toString: () => String(value),
    toJSON: () => (typeof value === 'bigint' ? value.toString() : value),
  };
}

function compactU32(b: Uint8Array, pos: number): [number, number] | null {
  if (pos >= b.length) return null;
  const mode = b[pos]! & 3;
  if (mode === 0) return [b[pos]! >> 2, pos + 1];
  if (mode === 1) return pos + 2 <= b.length ? [(b[pos]! | (b[pos + 1]! << 8)) >> 2, pos + 2] : null;
  if (mode === 2) return pos + 4 <= b.length ? [((b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16)) >>> 2) + b[pos + 3]! * 2 ** 22, pos + 4] : null;
  return null;
}

function u16Vec(b: Uint8Array, pos: number): [number[], number] | null {
  const len = compactU32(b, pos);
  if (!len || len[1] + 2 * len[0] > b.length) return null;
  const out = new Array<number>(len[0]);
  for (let i = 0, p = len[1]; i < len[0]; i++, p += 2) out[i] = b[p]! | (b[p + 1]! << 8);
  return [out, len[1] + 2 * len[0]];
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
  return { section: 'subtensorModule', method: 'setWeights', args: [arg(netuid), arg(dests[0]), arg(weights[0]), arg(versionKey)] };
}

export function decodeCall(registry: TypeRegistry, call: Uint8Array): DecodedCall {
  const fast = setWeightsCall(call);
  if (fast) return fast;
  const decoded = registry.createType('Call', call) as unknown as DecodedCall;
  return { section: decoded.section, method: decoded.method, args: decoded.args };
}
