/** Dense half-precision codecs for full logit vectors: IEEE fp16 and bfloat16, little-endian. */
import { CodecError } from './errors.js';
import { fromBfloat16Bits, fromFloat16Bits, toBfloat16Bits, toFloat16Bits } from '../internal/float16.js';

function encode16(values: ArrayLike<number>, conv: (x: number) => number): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setUint16(i * 2, conv(values[i]!), true);
  return out;
}

function decode16(bytes: Uint8Array, conv: (h: number) => number, what: string): Float32Array {
  if (!(bytes instanceof Uint8Array) || bytes.length % 2 !== 0)
    throw new CodecError('CODEC_MALFORMED', `${what} bytes must be a Uint8Array of even length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = conv(dv.getUint16(i * 2, true));
  return out;
}

/**
 * Encodes values as IEEE fp16 (round to nearest even; beyond ±65504 → ±Inf).
 *
 * @example
 * ```ts
 * const bytes = encodeFloat16(logits); // 2 bytes per value
 * ```
 */
export function encodeFloat16(values: ArrayLike<number>): Uint8Array {
  return encode16(values, toFloat16Bits);
}

/**
 * Decodes IEEE fp16 bytes.
 *
 * @example
 * ```ts
 * decodeFloat16(encodeFloat16([0.5, -2])); // Float32Array [0.5, -2]
 * ```
 */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  return decode16(bytes, fromFloat16Bits, 'fp16');
}

/**
 * Encodes values as bfloat16 (float32's range, 8 bits of mantissa; round to nearest even).
 *
 * @example
 * ```ts
 * const bytes = encodeBfloat16(logits);
 * ```
 */
export function encodeBfloat16(values: ArrayLike<number>): Uint8Array {
  return encode16(values, toBfloat16Bits);
}

/**
 * Decodes bfloat16 bytes.
 *
 * @example
 * ```ts
 * decodeBfloat16(encodeBfloat16([1e30])); // ≈ 1e30
 * ```
 */
export function decodeBfloat16(bytes: Uint8Array): Float32Array {
  return decode16(bytes, fromBfloat16Bits, 'bf16');
}
