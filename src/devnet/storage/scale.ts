/** Hand-rolled SCALE for the few shapes on the devnet's hot paths (vectors of u16 pairs, u64, bool; scalars). */
import { compactToU8a } from '@polkadot/util';

/** A SCALE compact integer at `pos`: [value, next position], or null when the bytes end first. */
export function readCompact(b: Uint8Array, pos: number): [bigint, number] | null {
  if (pos >= b.length) return null;
  const mode = b[pos]! & 3;
  if (mode === 0) return [BigInt(b[pos]! >> 2), pos + 1];
  if (mode === 1) return pos + 2 <= b.length ? [BigInt((b[pos]! | (b[pos + 1]! << 8)) >> 2), pos + 2] : null;
  if (mode === 2)
    return pos + 4 <= b.length
      ? [BigInt(((b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16)) >>> 0) + b[pos + 3]! * 2 ** 24) >> 2n, pos + 4]
      : null;
  const n = (b[pos]! >> 2) + 4;
  if (pos + 1 + n > b.length || n > 16) return null;
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[pos + 1 + i]!);
  return [v, pos + 1 + n];
}

function compactAt(b: Uint8Array, pos: number): [number, number] {
  const c = readCompact(b, pos);
  if (!c) throw new Error('truncated SCALE vector');
  return [Number(c[0]), c[1]];
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
  values.forEach((v, i) => {
    dv.setBigUint64(head.length + 8 * i, v, true);
  });
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
  return Array.from(
    { length: n },
    (_, i) =>
      [b[p + 4 * i]! | (b[p + 4 * i + 1]! << 8), b[p + 4 * i + 2]! | (b[p + 4 * i + 3]! << 8)] as [number, number],
  );
}

export function encodeU16Vec(values: ArrayLike<number>): Uint8Array {
  const head = compactToU8a(values.length);
  const out = new Uint8Array(head.length + 2 * values.length);
  out.set(head, 0);
  for (let i = 0, o = head.length; i < values.length; i++, o += 2) {
    out[o] = values[i]! & 0xff;
    out[o + 1] = (values[i]! >> 8) & 0xff;
  }
  return out;
}

export function encodeBoolVec(values: ArrayLike<unknown>): Uint8Array {
  const head = compactToU8a(values.length);
  const out = new Uint8Array(head.length + values.length);
  out.set(head, 0);
  for (let i = 0; i < values.length; i++) out[head.length + i] = values[i] ? 1 : 0;
  return out;
}
