/**
 * A compact binary top-k codec for next-token distributions.
 *
 * Layout (version 1): `u8 version | u8 flags | varint rows | varint k | varint vocab | f32 step | [varint m]`, then
 * a bit stream with, per row: the Exp-Golomb order of the id gaps (4 bits), the k ids sorted ascending as gaps,
 * the quantised top log-probability `qTop = round(−lp/step)` (Exp-Golomb), the bit width `w` (5 bits), each entry's
 * `q − qTop` in `w` bits, the residual mass as `round(−ln r/step)+1` (0 = none), and — when the exact head is on —
 * the positions and fp16 log-probabilities of the m most probable entries.
 *
 * Quantising on a fixed grid bounds the log-probability error by `step/2` whatever the row's range.
 */
import { BitReader, BitWriter, expGolombBits, bitLength } from './bits.js';
import { CodecError } from './errors.js';
import { fromFloat16Bits, toFloat16Bits } from '../internal/float16.js';

/**
 * The codec version this build writes.
 *
 * @example
 * ```ts
 * encodeTopk(batch)[0] === TOPK_CODEC_VERSION; // true
 * ```
 */
export const TOPK_CODEC_VERSION = 1;
const FLAG_EXACT_HEAD = 1;
const MAX_K = 1 << 20;
const MAX_ROWS = 1 << 24;
const MAX_VOCAB = 1 << 24;
const MAX_Q = 2 ** 30;

/** A batch of top-k rows: `ids[r·k + j]`, `logprobs[r·k + j]`, `residual[r]` (mass outside the top k). */
export interface TopkBatch {
  /** Positions (rows) in the batch. */
  readonly rows: number;
  /** Entries per row. */
  readonly k: number;
  /** Token ids, `rows × k`. */
  readonly ids: Int32Array;
  /** Natural-log probabilities, `rows × k`, aligned with `ids`. */
  readonly logprobs: Float32Array;
  /** Probability mass outside each row's top k. */
  readonly residual: Float32Array;
}

/** Options of {@link encodeTopk}. */
export interface EncodeTopkOptions {
  /** Vocabulary size; ids must be below it (default 50257). */
  vocab?: number;
  /** Quantisation step in nats; the maximum log-probability error is step/2 (default 0.05 → 0.025 nats). */
  step?: number;
  /** Send the m most probable entries of each row as exact fp16 (default 0). */
  exactHead?: number;
}

function varint(out: number[], x: number): void {
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x = Math.floor(x / 128);
  }
  out.push(x);
}

function readVarint(b: Uint8Array, pos: { at: number }): number {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos.at >= b.length) throw new CodecError('CODEC_MALFORMED', 'header truncated');
    const byte = b[pos.at++]!;
    x += (byte & 0x7f) * mul;
    if (!(byte & 0x80)) return x;
    mul *= 128;
  }
  throw new CodecError('CODEC_MALFORMED', 'varint longer than 5 bytes');
}

/**
 * Encodes a batch of top-k rows. Ids may come in any order; they are sent sorted.
 *
 * @throws {@link CodecError} `CODEC_INVALID_INPUT` on duplicate or out-of-range ids, positive or NaN log-probs.
 * @example
 * ```ts
 * const bytes = encodeTopk({ rows: 1, k: 2, ids: Int32Array.of(11, 262), logprobs: Float32Array.of(-0.3, -1.6), residual: Float32Array.of(0.06) });
 * ```
 */
export function encodeTopk(batch: TopkBatch, options: EncodeTopkOptions = {}): Uint8Array {
  // over 80 lines by design: the checks and the single pass that writes the frame mirror decodeTopk field by field;
  // split, the byte layout would be read in pieces.
  const { rows, k, ids, logprobs, residual } = batch;
  const vocab = options.vocab ?? 50257;
  const step = options.step ?? 0.05;
  const m = options.exactHead ?? 0;
  if (!Number.isInteger(rows) || rows < 0 || rows > MAX_ROWS)
    throw new CodecError('CODEC_INVALID_INPUT', `rows must be in [0, ${MAX_ROWS}]`);
  if (!Number.isInteger(k) || k < 1 || k > MAX_K)
    throw new CodecError('CODEC_INVALID_INPUT', `k must be in [1, ${MAX_K}]`);
  if (!Number.isInteger(vocab) || vocab < k || vocab > MAX_VOCAB)
    throw new CodecError('CODEC_INVALID_INPUT', `vocab must be in [k, ${MAX_VOCAB}]`);
  if (!(step > 1e-6 && step <= 10)) throw new CodecError('CODEC_INVALID_INPUT', 'step must be in (1e-6, 10]');
  if (!Number.isInteger(m) || m < 0 || m > k)
    throw new CodecError('CODEC_INVALID_INPUT', `exactHead must be in [0, ${k}]`);
  if (ids.length !== rows * k || logprobs.length !== rows * k || residual.length !== rows) {
    throw new CodecError('CODEC_INVALID_INPUT', `expected ${rows * k} ids and logprobs and ${rows} residuals`);
  }
  const header: number[] = [TOPK_CODEC_VERSION, m > 0 ? FLAG_EXACT_HEAD : 0];
  varint(header, rows);
  varint(header, k);
  varint(header, vocab);
  const stepBytes = new Uint8Array(new Float32Array([step]).buffer);
  header.push(...stepBytes);
  const stepF = new Float32Array(stepBytes.buffer)[0]!; // the decoder sees the float32 step
  if (m > 0) varint(header, m);

  const w = new BitWriter(Math.max(256, rows * k * 2));
  const order = new Int32Array(k);
  const sortedIds = new Int32Array(k);
  const q = new Float64Array(k);
  const gaps = new Float64Array(k);
  const posBits = k > 1 ? bitLength(k - 1) : 0;
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    for (let j = 0; j < k; j++) order[j] = j;
    order.sort((a, b) => ids[base + a]! - ids[base + b]!);
    let qTop = Infinity;
    let qMax = 0;
    for (let j = 0; j < k; j++) {
      const src = base + order[j]!;
      const id = ids[src]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocab)
        throw new CodecError('CODEC_INVALID_INPUT', `row ${r}: id ${id} is outside [0, ${vocab})`);
      if (j > 0 && id === sortedIds[j - 1])
        throw new CodecError('CODEC_INVALID_INPUT', `row ${r}: id ${id} appears twice`);
      sortedIds[j] = id;
      gaps[j] = j === 0 ? id : id - sortedIds[j - 1]! - 1;
      const lp = logprobs[src]!;
      if (!(lp <= 1e-6))
        throw new CodecError('CODEC_INVALID_INPUT', `row ${r}: log-probability ${lp} is positive or NaN`);
      const qi = Math.min(Math.round(-Math.min(lp, 0) / stepF), MAX_Q);
      q[j] = qi;
      if (qi < qTop) qTop = qi;
      if (qi > qMax) qMax = qi;
    }
    // The best Exp-Golomb order for geometric gaps sits near log2(mean gap); compare exact costs around it.
    const meanGap = sortedIds[k - 1]! / k;
    const g0 = meanGap > 1 ? Math.min(15, Math.floor(Math.log2(meanGap * 0.7))) : 0;
    let bestG = 0;
    let bestBits = Infinity;
    for (let g = Math.max(0, g0 - 1); g <= Math.min(15, g0 + 1); g++) {
      let bits = 0;
      for (let j = 0; j < k; j++) bits += expGolombBits(gaps[j]!, g);
      if (bits < bestBits) {
        bestBits = bits;
        bestG = g;
      }
    }
    w.write(bestG, 4);
    for (let j = 0; j < k; j++) w.expGolomb(gaps[j]!, bestG);
    w.expGolomb(qTop, 4);
    const width = qMax > qTop ? bitLength(qMax - qTop) : 0;
    w.write(width, 5);
    if (width > 0) for (let j = 0; j < k; j++) w.write(q[j]! - qTop, width);
    const res = residual[r]!;
    if (!(res >= 0 && res <= 1 + 1e-6))
      throw new CodecError('CODEC_INVALID_INPUT', `row ${r}: residual ${res} is outside [0, 1]`);
    w.expGolomb(res > 0 ? Math.min(Math.round(-Math.log(Math.min(res, 1)) / stepF), MAX_Q) + 1 : 0, 6);
    if (m > 0) {
      // The m most probable entries, by sorted position, travel again as fp16.
      const byProb = Array.from(order, (_, j) => j)
        .sort((a, b) => logprobs[base + order[a]!]! - logprobs[base + order[b]!]! || a - b)
        .reverse();
      const head = byProb.slice(0, m).sort((a, b) => a - b);
      for (const j of head) {
        w.write(j, posBits);
        w.write(toFloat16Bits(logprobs[base + order[j]!]!), 16);
      }
    }
  }
  const body = w.finish();
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

/** Limits applied while decoding untrusted bytes. */
export interface DecodeTopkOptions {
  /** Largest rows·k to accept (default 2^24 entries). */
  maxEntries?: number;
}

/**
 * Decodes bytes from {@link encodeTopk}. Each row's ids come back sorted ascending with their log-probabilities.
 *
 * @throws {@link CodecError} `CODEC_MALFORMED`, `CODEC_UNSUPPORTED_VERSION` or `CODEC_TOO_LARGE`; never reads out of
 *   bounds, never loops on its input.
 * @example
 * ```ts
 * const { ids, logprobs, residual } = decodeTopk(bytes);
 * ```
 */
export function decodeTopk(bytes: Uint8Array, options: DecodeTopkOptions = {}): TopkBatch {
  if (!(bytes instanceof Uint8Array)) throw new CodecError('CODEC_INVALID_INPUT', 'bytes must be a Uint8Array');
  if (bytes.length < 2) throw new CodecError('CODEC_MALFORMED', 'input shorter than its header');
  if (bytes[0] !== TOPK_CODEC_VERSION)
    throw new CodecError(
      'CODEC_UNSUPPORTED_VERSION',
      `top-k codec version ${bytes[0]} is not supported (this build reads ${TOPK_CODEC_VERSION})`,
    );
  const flags = bytes[1]!;
  if (flags & ~FLAG_EXACT_HEAD) throw new CodecError('CODEC_MALFORMED', `unknown flags 0x${flags.toString(16)}`);
  const pos = { at: 2 };
  const rows = readVarint(bytes, pos);
  const k = readVarint(bytes, pos);
  const vocab = readVarint(bytes, pos);
  if (k < 1 || k > MAX_K || rows > MAX_ROWS || vocab < k || vocab > MAX_VOCAB)
    throw new CodecError('CODEC_MALFORMED', `implausible header: rows ${rows}, k ${k}, vocab ${vocab}`);
  if (rows * k > (options.maxEntries ?? 2 ** 24))
    throw new CodecError('CODEC_TOO_LARGE', `${rows * k} entries exceed the limit`);
  // Each entry takes at least one bit: more entries than bits is a lie, refused before allocating.
  if (rows * k > (bytes.length - pos.at) * 8)
    throw new CodecError('CODEC_MALFORMED', `${rows * k} entries cannot fit in ${bytes.length} bytes`);
  if (pos.at + 4 > bytes.length) throw new CodecError('CODEC_MALFORMED', 'header truncated');
  const step = new DataView(bytes.buffer, bytes.byteOffset + pos.at, 4).getFloat32(0, true);
  pos.at += 4;
  if (!(step > 1e-6 && step <= 10)) throw new CodecError('CODEC_MALFORMED', `step ${step} is out of range`);
  const m = flags & FLAG_EXACT_HEAD ? readVarint(bytes, pos) : 0;
  if (m > k) throw new CodecError('CODEC_MALFORMED', `exact head ${m} exceeds k ${k}`);

  const ids = new Int32Array(rows * k);
  const logprobs = new Float32Array(rows * k);
  const residual = new Float32Array(rows);
  const r0 = new BitReader(bytes, pos.at);
  const posBits = k > 1 ? bitLength(k - 1) : 0;
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    const g = r0.read(4);
    let prev = -1;
    for (let j = 0; j < k; j++) {
      const id = prev + 1 + r0.expGolomb(g);
      if (id >= vocab) throw new CodecError('CODEC_MALFORMED', `row ${r}: id ${id} is outside [0, ${vocab})`);
      ids[base + j] = prev = id;
    }
    const qTop = r0.expGolomb(4);
    const width = r0.read(5);
    if (width > 30) throw new CodecError('CODEC_MALFORMED', `row ${r}: width ${width} exceeds 30 bits`);
    for (let j = 0; j < k; j++) logprobs[base + j] = -(qTop + (width > 0 ? r0.read(width) : 0)) * step;
    const rc = r0.expGolomb(6);
    residual[r] = rc === 0 ? 0 : Math.exp(-(rc - 1) * step);
    for (let h = 0; h < m; h++) {
      const j = r0.read(posBits);
      if (j >= k) throw new CodecError('CODEC_MALFORMED', `row ${r}: head position ${j} exceeds k`);
      logprobs[base + j] = fromFloat16Bits(r0.read(16));
    }
  }
  if (bytes.length - r0.bytePos > 0)
    throw new CodecError('CODEC_MALFORMED', `${bytes.length - r0.bytePos} trailing bytes`);
  return { rows, k, ids, logprobs, residual };
}
