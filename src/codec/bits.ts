/** Bit-level writer and bounds-checked reader (MSB first), with Exp-Golomb codes. */
import { CodecError } from './errors.js';

export class BitWriter {
  private buf: Uint8Array;
  private byte = 0;
  private acc = 0; // pending bits, right-aligned
  private nacc = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** Writes the low `n` bits of `value` (n ≤ 32, value < 2^n). */
  write(value: number, n: number): void {
    if (n > 24) {
      this.write(Math.floor(value / 2 ** 16), n - 16);
      this.write(value & 0xffff, 16);
      return;
    }
    this.acc = ((this.acc << n) | value) >>> 0;
    this.nacc += n;
    while (this.nacc >= 8) {
      this.nacc -= 8;
      this.push((this.acc >>> this.nacc) & 0xff);
    }
    this.acc &= (1 << this.nacc) - 1;
  }

  /** Exp-Golomb code of order `g` for an integer x ≥ 0. */
  expGolomb(x: number, g: number): void {
    const y = x + 2 ** g;
    const n = bitLength(y);
    this.write(0, n - g - 1);
    this.write(y, n);
  }

  private push(b: number): void {
    if (this.byte === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.byte++] = b;
  }

  /** Pads to a byte boundary and returns the bytes. */
  finish(): Uint8Array {
    if (this.nacc > 0) this.write(0, 8 - this.nacc);
    return this.buf.subarray(0, this.byte);
  }
}

/** Number of bits needed to write x ≥ 1. */
export function bitLength(x: number): number {
  return x < 2 ** 31 ? 32 - Math.clz32(x) : Math.floor(Math.log2(x)) + 1;
}

/** Bits an Exp-Golomb code of order g takes for x. */
export function expGolombBits(x: number, g: number): number {
  return 2 * bitLength(x + 2 ** g) - g - 1;
}

export class BitReader {
  private pos = 0; // bit position

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
  ) {
    this.pos = start * 8;
  }

  read(n: number): number {
    if (n > 24) {
      const hi = this.read(n - 16);
      return hi * 2 ** 16 + this.read(16);
    }
    const end = this.pos + n;
    if (end > this.buf.length * 8) throw new CodecError('CODEC_MALFORMED', 'bit stream truncated');
    let v = 0;
    let p = this.pos;
    while (p < end) {
      const off = p & 7;
      const take = Math.min(8 - off, end - p);
      v = (v << take) | ((this.buf[p >> 3]! >> (8 - off - take)) & ((1 << take) - 1));
      p += take;
    }
    this.pos = end;
    return v >>> 0;
  }

  /** Counts and consumes zero bits up to the next 1 (which is consumed too). */
  private leadingZeros(): number {
    let zeros = 0;
    for (;;) {
      if (this.pos >= this.buf.length * 8) throw new CodecError('CODEC_MALFORMED', 'bit stream truncated');
      const off = this.pos & 7;
      const rest = (this.buf[this.pos >> 3]! << off) & 0xff; // remaining bits of this byte, left-aligned
      if (rest === 0) {
        zeros += 8 - off;
        this.pos += 8 - off;
      } else {
        const z = Math.clz32(rest) - 24;
        zeros += z;
        this.pos += z + 1;
        return zeros;
      }
      if (zeros > 31) throw new CodecError('CODEC_MALFORMED', 'Exp-Golomb prefix longer than 31 bits');
    }
  }

  expGolomb(g: number): number {
    const zeros = this.leadingZeros();
    if (zeros > 31) throw new CodecError('CODEC_MALFORMED', 'Exp-Golomb prefix longer than 31 bits');
    // The leading 1 was consumed: read the remaining zeros + g bits.
    const rest = zeros + g;
    const y = 2 ** rest + (rest > 0 ? this.read(rest) : 0);
    return y - 2 ** g;
  }

  /** Bytes consumed so far, rounded up. */
  get bytePos(): number {
    return Math.ceil(this.pos / 8);
  }
}
