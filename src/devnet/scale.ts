/** Hand-rolled SCALE for the few shapes on the devnet's hot paths (vectors of u16 pairs, u64, bool; scalars). */
import { compactToU8a } from '@polkadot/util';

function compactAt(b: Uint8Array, pos: number): [number, number] {
  const mode = b[pos]! & 3;
  if (mode === 0) return [b[pos]! >> 2, pos + 1];
  if (mode === 1) return [(b[pos]! | (b[pos + 1]! << 8)) >> 2, pos + 2];
  if (mode === 2) return [((b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16)) >>> 2) + b[pos + 3]! * 2 ** 22, pos + 4];
  throw new Error('vector too long');
}

/** Little-endian unsigned integer of `bytes` (up to 8). */
export function readUint(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(b.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export function decodeU64Vec(b: Uint8Array): bigint[] {
  if (b.length === 0) return [];
  const [n, p] = compactAt(b, 0);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: n }, (_, i) => dv.getBigUint64(p + 8 * i, true));
}

export function encodeU64Vec(values: readonly bigint[]): Uint8Array {
  const head = compactToU8a(values.length);
  const out = new Uint8Array(head.length + 8 * values.length);
  out.set(head, 0);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setBigUint64(head.length + 8 * i, v, true));
  return out;
}

export function decodeBoolVec(b: Uint8Array): boolean[] {
  if (b.length === 0) return [];
  const [n, p] = compactAt(b, 0);
  return Array.from({ length: n }, (_, i) => b[p + i] === 1);
}

/** Vec<(u16, u16)>. */
export function encodePairs(pairs: readonly (readonly [number, number])[]): Uint8Array {
  const head = compactToU8a(pairs.length);
  const out = new Uint8Array(head.length + 4 * pairs.length);
  out.set(head, 0);
  let o = head.length;
  for (const [a, b] of pairs) {
    out[o++] = a & 0xff;
    out[o++] = a >> 8;
    out[o++] = b & 0xff;
    out[o++] = b >> 8;
  }
  return out;
}

export function decodeU16Vec(b: Uint8Array): number[] {
  if (b.length === 0) return [];
  const [n, p] = compactAt(b, 0);
  return Array.from({ length: n }, (_, i) => b[p + 2 * i]! | (b[p + 2 * i + 1]! << 8));
}

/** Vec<(u16, u16)>. */
export function decodeU16Pairs(b: Uint8Array): [number, number][] {
  if (b.length === 0) return [];
  const [n, p] = compactAt(b, 0);
  return Array.from({ length: n }, (_, i) => [b[p + 4 * i]! | (b[p + 4 * i + 1]! << 8), b[p + 4 * i + 2]! | (b[p + 4 * i + 3]! << 8)] as [number, number]);
}
