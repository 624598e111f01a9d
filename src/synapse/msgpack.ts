/**
 * A small, bounds-checked msgpack codec for the msgpack-numpy buffers bittensor's `Tensor` carries. It writes exactly
 * what Python's `msgpack.packb(..., use_bin_type=True)` writes for those maps (binary keys, smallest int forms), and
 * reads any well-formed msgpack without ever reading past the input or recursing without bound.
 */
import { SynapseError } from './errors.js';

/** A decoded msgpack value. Binary strings are `Uint8Array`; maps keep their keys in order. */
export type MsgpackValue = null | boolean | number | bigint | string | Uint8Array | MsgpackValue[] | MsgpackMap;
/** A decoded msgpack map: ordered entries, keys of any type (numpy uses binary keys). */
export type MsgpackMap = { readonly map: ReadonlyArray<readonly [MsgpackValue, MsgpackValue]> };

const MAX_DEPTH = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Enc = new TextEncoder();

/** Decodes one msgpack value that must span the whole input. */
export function decodeMsgpack(bytes: Uint8Array): MsgpackValue {
  const r = new Reader(bytes);
  const v = r.value(0);
  if (r.pos !== bytes.length) throw bad(`${bytes.length - r.pos} trailing bytes`);
  return v;
}

function bad(msg: string): SynapseError {
  return new SynapseError('MSGPACK_INVALID', `invalid msgpack: ${msg}`);
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private need(n: number): number {
    const p = this.pos;
    if (n < 0 || p + n > this.b.length) throw bad(`truncated at byte ${p} (needs ${n} more)`);
    this.pos = p + n;
    return p;
  }

  private u8(): number {
    return this.b[this.need(1)]!;
  }

  value(depth: number): MsgpackValue {
    if (depth > MAX_DEPTH) throw bad(`nested deeper than ${MAX_DEPTH}`);
    const t = this.u8();
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x80) return this.map(t & 0x0f, depth);
    if ((t & 0xf0) === 0x90) return this.array(t & 0x0f, depth);
    if ((t & 0xe0) === 0xa0) return this.str(t & 0x1f);
    const v = this.view;
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.u8());
      case 0xc5:
        return this.bin(v.getUint16(this.need(2)));
      case 0xc6:
        return this.bin(v.getUint32(this.need(4)));
      case 0xca:
        return v.getFloat32(this.need(4));
      case 0xcb:
        return v.getFloat64(this.need(8));
      case 0xcc:
        return this.u8();
      case 0xcd:
        return v.getUint16(this.need(2));
      case 0xce:
        return v.getUint32(this.need(4));
      case 0xcf:
        return small(v.getBigUint64(this.need(8)));
      case 0xd0:
        return v.getInt8(this.need(1));
      case 0xd1:
        return v.getInt16(this.need(2));
      case 0xd2:
        return v.getInt32(this.need(4));
      case 0xd3:
        return small(v.getBigInt64(this.need(8)));
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(v.getUint16(this.need(2)));
      case 0xdb:
        return this.str(v.getUint32(this.need(4)));
      case 0xdc:
        return this.array(v.getUint16(this.need(2)), depth);
      case 0xdd:
        return this.array(v.getUint32(this.need(4)), depth);
      case 0xde:
        return this.map(v.getUint16(this.need(2)), depth);
      case 0xdf:
        return this.map(v.getUint32(this.need(4)), depth);
      default:
        throw bad(`unsupported type byte 0x${t.toString(16)} at ${this.pos - 1}`);
    }
  }

  private bin(n: number): Uint8Array {
    const p = this.need(n);
    return this.b.subarray(p, p + n);
  }

  private str(n: number): string {
    const p = this.need(n);
    try {
      return utf8.decode(this.b.subarray(p, p + n));
    } catch {
      throw bad('string is not valid UTF-8');
    }
  }

  private array(n: number, depth: number): MsgpackValue[] {
    // Every element takes at least one byte: a count larger than what is left is a lie, not an allocation.
    if (n > this.b.length - this.pos) throw bad(`array of ${n} items exceeds the input`);
    const out: MsgpackValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
    return out;
  }

  private map(n: number, depth: number): MsgpackMap {
    if (2 * n > this.b.length - this.pos) throw bad(`map of ${n} entries exceeds the input`);
    const out: Array<readonly [MsgpackValue, MsgpackValue]> = [];
    for (let i = 0; i < n; i++) out.push([this.value(depth + 1), this.value(depth + 1)]);
    return { map: out };
  }
}

function small(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Incremental msgpack writer for the shapes Tensor needs. */
export class MsgpackWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(...bs: number[]): void {
    this.grow(bs.length);
    for (const b of bs) this.buf[this.len++] = b;
  }

  mapHeader(n: number): this {
    if (n < 16) this.byte(0x80 | n);
    else if (n < 0x10000) this.byte(0xde, n >> 8, n & 0xff);
    else this.byte(0xdf, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    return this;
  }

  arrayHeader(n: number): this {
    if (n < 16) this.byte(0x90 | n);
    else if (n < 0x10000) this.byte(0xdc, n >> 8, n & 0xff);
    else this.byte(0xdd, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    return this;
  }

  uint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`msgpack uint out of range: ${n}`);
    if (n < 0x80) this.byte(n);
    else if (n < 0x100) this.byte(0xcc, n);
    else if (n < 0x10000) this.byte(0xcd, n >> 8, n & 0xff);
    else if (n < 0x100000000) this.byte(0xce, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    else {
      this.byte(0xcf);
      this.grow(8);
      new DataView(this.buf.buffer).setBigUint64(this.len, BigInt(n));
      this.len += 8;
    }
    return this;
  }

  bool(v: boolean): this {
    this.byte(v ? 0xc3 : 0xc2);
    return this;
  }

  str(s: string): this {
    const b = utf8Enc.encode(s);
    if (b.length < 32) this.byte(0xa0 | b.length);
    else if (b.length < 0x100) this.byte(0xd9, b.length);
    else if (b.length < 0x10000) this.byte(0xda, b.length >> 8, b.length & 0xff);
    else this.byte(0xdb, (b.length >>> 24) & 0xff, (b.length >> 16) & 0xff, (b.length >> 8) & 0xff, b.length & 0xff);
    return this.raw(b);
  }

  bin(b: Uint8Array): this {
    const n = b.length;
    if (n < 0x100) this.byte(0xc4, n);
    else if (n < 0x10000) this.byte(0xc5, n >> 8, n & 0xff);
    else this.byte(0xc6, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    return this.raw(b);
  }

  binKey(s: string): this {
    return this.bin(utf8Enc.encode(s));
  }

  private raw(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
