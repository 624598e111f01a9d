import { describe, expect, it } from 'vitest';
import {
  CodecError,
  buildTopkTokenPhrases,
  compactTopkTokenPhrases,
  decodeBfloat16,
  decodeCausalLMTopk,
  decodeFloat16,
  decodeTopk,
  deflateBytes,
  encodeBfloat16,
  encodeCausalLMTopk,
  encodeFloat16,
  encodeTopk,
  inflateBytes,
  phraseCrossEntropy,
  topkFromLogits,
  topkTokensToVocab,
  unravelTopkTokenPhrases,
  type TopkPhrases,
} from '../../src/codec/index.js';
import { thrownCodeSync } from '../helpers/helpers.js';

// v3-synapses-and-sn19.md §7: Vs = 50257, k = 3, probs [0.5, 0.2, 0.1], phrases [318], [257, 1332], [262]
const FLOOR = 0.2 / 50254;
const ROW1: TopkPhrases = {
  batch: 1,
  topk: 3,
  probs: Float64Array.of(0.5, 0.2, 0.1),
  floors: Float64Array.of(FLOOR),
  phrases: [[318], [257, 1332], [262]],
};
const ROW2 = { probs: [0.9, 0.05, 0.01], phrases: [[50256], [0], [1, 2]], floor: 0.04 / 50254 };

const codecCode = (fn: () => unknown): string => thrownCodeSync(CodecError, fn);

describe('top-k token phrases (v3 §3, §7)', () => {
  it('compacts the vector row to [0.5, 320, 0.2, 259, 1334, 0.1, 264, 3.9797827e-6]', () => {
    expect(FLOOR).toBeCloseTo(3.979782703864368e-6, 18);
    expect(Array.from(compactTopkTokenPhrases(ROW1))).toEqual(
      Array.from(Float32Array.of(0.5, 320, 0.2, 259, 1334, 0.1, 264, 3.9797827e-6)),
    );
  });

  it('appends the second vector row [0.9, 50258, 0.05, 2, 0.01, 3, 4, 7.959565e-7]', () => {
    const two: TopkPhrases = {
      batch: 2,
      topk: 3,
      probs: Float64Array.of(...ROW1.probs, ...ROW2.probs),
      floors: Float64Array.of(FLOOR, ROW2.floor),
      phrases: [...ROW1.phrases, ...ROW2.phrases],
    };
    const compact = compactTopkTokenPhrases(two);
    expect(Array.from(compact.subarray(8, 15))).toEqual(Array.from(Float32Array.of(0.9, 50258, 0.05, 2, 0.01, 3, 4)));
    expect(compact[15]).toBeCloseTo(7.959565e-7, 12); // the spec prints the floor to 7 digits
    const back = unravelTopkTokenPhrases(compact, 3);
    expect(back.batch).toBe(2);
    expect(back.phrases).toEqual(two.phrases);
    back.probs.forEach((p, i) => {
      expect(p).toBeCloseTo(two.probs[i]!, 7);
    });
    expect(back.floors[1]).toBeCloseTo(ROW2.floor, 12);
  });

  it('builds phrases from logits on the server side (float32 softmax, floor over V − k)', () => {
    const V = 50257;
    const logits = new Float32Array(V).fill(Math.log(FLOOR));
    logits[318] = Math.log(0.5);
    logits[257] = Math.log(0.2);
    logits[262] = Math.log(0.1);
    const tp = buildTopkTokenPhrases({
      logits,
      batch: 1,
      topk: 3,
      phraseOf: (id) => (id === 257 ? [257, 1332] : [id]),
    });
    expect(tp.phrases).toEqual([[318], [257, 1332], [262]]);
    expect(tp.probs[0]).toBeCloseTo(0.5, 5);
    expect(tp.floors[0]).toBeCloseTo(FLOOR, 9);
  });

  it.each([
    [[257, 1332, 11], 1.6094379, 1.609418],
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: a reference value from the spec, not ln 2
    [[318, 11, 5], 0.6931472, 0.6931392],
    [[999, 1, 2], 12.434283, 11.741136],
  ])('phrase cross-entropy for target %j = %f / %f', (target, lossVal, loss) => {
    const r = phraseCrossEntropy([target], ROW1);
    expect(r.lossVal).toBeCloseTo(lossVal, 5);
    expect(r.loss).toBeCloseTo(loss, 5);
  });

  it('topkTokensToVocab scatters normalised mass onto first tokens only', () => {
    const dense = topkTokensToVocab(ROW1);
    expect(dense.length).toBe(50258);
    expect(dense[318]).toBeCloseTo(0.5, 6);
    expect(dense[257]).toBeCloseTo(0.2, 6);
    expect(dense[1332]).toBe(0);
    expect(dense[5]).toBe(0);
  });

  it('round-trips random compact tensors (topk 64, batch 8, phrases up to 10 tokens)', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const k = 64;
    const probs = new Float64Array(8 * k);
    const floors = new Float64Array(8);
    const phrases: number[][] = [];
    for (let b = 0; b < 8; b++) {
      let mass = 0;
      for (let j = 0; j < k; j++) mass += probs[b * k + j] = rand() / (2 * k);
      floors[b] = (1 - mass) / (50257 - k);
      for (let j = 0; j < k; j++)
        phrases.push(Array.from({ length: 1 + Math.floor(rand() * 10) }, () => Math.floor(rand() * 50257)));
    }
    const back = unravelTopkTokenPhrases(compactTopkTokenPhrases({ batch: 8, topk: k, probs, floors, phrases }), k);
    expect(back.phrases).toEqual(phrases);
    back.probs.forEach((p, i) => {
      expect(Math.abs(p - probs[i]!)).toBeLessThan(1e-7);
    });
  });

  it('rejects malformed compact tensors with typed errors', () => {
    expect(codecCode(() => unravelTopkTokenPhrases([320, 0.5, 0.1], 1))).toBe('CODEC_MALFORMED'); // no leading probability
    expect(codecCode(() => unravelTopkTokenPhrases([0.5, 320, 0.2], 2))).toBe('CODEC_MALFORMED'); // markers do not divide
    expect(codecCode(() => unravelTopkTokenPhrases([0.9, 320, 0.5], 1))).toBe('CODEC_MALFORMED'); // mass > 1
    expect(codecCode(() => unravelTopkTokenPhrases([0.5, 1.5, 0.1], 1))).toBe('CODEC_MALFORMED'); // 1.5 is no token
    expect(codecCode(() => unravelTopkTokenPhrases([0.5, Number.NaN, 0.1], 1))).toBe('CODEC_MALFORMED');
    expect(codecCode(() => unravelTopkTokenPhrases([0.5, 0.4, 0.1], 1))).toBe('CODEC_MALFORMED'); // empty phrase
    expect(codecCode(() => phraseCrossEntropy([[1], [2]], ROW1))).toBe('CODEC_INVALID_INPUT');
  });
});

describe('TextCausalLM top-k (v3 §2, §7)', () => {
  it('decodes k = 2, probs 0.6/0.3 with the floor fill', () => {
    const out = decodeCausalLMTopk([0.6, 0.3, 7, 9], { topk: 2 });
    expect(out.length).toBe(50258);
    expect(out[0]).toBeCloseTo(-13.12747, 5);
    expect(out[7]).toBeCloseTo(-0.5108256, 6);
    expect(out[9]).toBeCloseTo(-1.2039728, 6);
  });

  it('encodes softmax top-k as [probs…, ids…] and rejects bad ids on decode', () => {
    const enc = encodeCausalLMTopk(Float32Array.of(0, Math.log(3), Math.log(6)), { positions: 1, topk: 2 });
    expect(Array.from(enc)).toEqual(Array.from(Float32Array.of(0.6, 0.3, 2, 1)));
    expect(codecCode(() => decodeCausalLMTopk([0.6, 0.3, 7, 60000], { topk: 2 }))).toBe('CODEC_MALFORMED');
    expect(codecCode(() => decodeCausalLMTopk([0.6, 0.3, 7], { topk: 2 }))).toBe('CODEC_MALFORMED');
  });
});

function modelLikeBatch(rows: number, k: number, seed: number) {
  let s = seed;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const ids = new Int32Array(rows * k);
  const logprobs = new Float32Array(rows * k);
  const residual = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const logits = new Float32Array(50257);
    for (let i = 0; i < logits.length; i++) logits[i] = -Math.log(1 + i * rand()) * 2 + rand();
    const top = topkFromLogits(logits, k);
    ids.set(top.ids, r * k);
    logprobs.set(top.logprobs, r * k);
    residual[r] = top.residual;
  }
  return { rows, k, ids, logprobs, residual };
}

describe('compact binary top-k codec', () => {
  it('round-trips within step/2 and returns ids sorted with their log-probs', () => {
    const batch = modelLikeBatch(16, 20, 1);
    const bytes = encodeTopk(batch);
    const back = decodeTopk(bytes);
    expect(back.rows).toBe(16);
    for (let r = 0; r < 16; r++) {
      const want = new Map<number, number>();
      for (let j = 0; j < 20; j++) want.set(batch.ids[r * 20 + j]!, batch.logprobs[r * 20 + j]!);
      for (let j = 0; j < 20; j++) {
        const id = back.ids[r * 20 + j]!;
        if (j > 0) expect(id).toBeGreaterThan(back.ids[r * 20 + j - 1]!);
        expect(Math.abs(back.logprobs[r * 20 + j]! - want.get(id)!)).toBeLessThanOrEqual(0.025 + 1e-6);
      }
      const relErr = Math.abs(back.residual[r]! - batch.residual[r]!) / batch.residual[r]!;
      expect(relErr).toBeLessThan(0.026);
    }
  });

  it('sends the exact head as fp16', () => {
    const batch = modelLikeBatch(4, 20, 2);
    const back = decodeTopk(encodeTopk(batch, { exactHead: 3 }));
    for (let r = 0; r < 4; r++) {
      const top = Math.max(...batch.logprobs.subarray(r * 20, r * 20 + 20));
      const got = Math.max(...back.logprobs.subarray(r * 20, r * 20 + 20));
      expect(Math.abs(got - top)).toBeLessThan(Math.abs(top) * 1e-3 + 1e-4);
    }
  });

  it('rejects invalid input: duplicate ids, ids ≥ vocab, positive log-probs, wrong lengths', () => {
    const one = (ids: number[], lps: number[]) => ({
      rows: 1,
      k: ids.length,
      ids: Int32Array.from(ids),
      logprobs: Float32Array.from(lps),
      residual: Float32Array.of(0.1),
    });
    expect(codecCode(() => encodeTopk(one([5, 5], [-1, -2])))).toBe('CODEC_INVALID_INPUT');
    expect(codecCode(() => encodeTopk(one([5, 60000], [-1, -2])))).toBe('CODEC_INVALID_INPUT');
    expect(codecCode(() => encodeTopk(one([5, 6], [0.5, -2])))).toBe('CODEC_INVALID_INPUT');
    expect(codecCode(() => encodeTopk({ ...one([5, 6], [-1, -2]), rows: 2 }))).toBe('CODEC_INVALID_INPUT');
  });

  it('malformed bytes give typed errors: bad version, truncation, lying headers, random mutations', () => {
    const bytes = encodeTopk(modelLikeBatch(4, 20, 3));
    expect(codecCode(() => decodeTopk(Uint8Array.of(9, 0)))).toBe('CODEC_UNSUPPORTED_VERSION');
    for (let cut = 0; cut < bytes.length; cut += 3)
      expect(() => decodeTopk(bytes.subarray(0, cut))).toThrow(CodecError);
    // Header claims 2^24 rows of k=2^20 in a few bytes: refused before any allocation.
    expect(() =>
      decodeTopk(Uint8Array.of(1, 0, 0xff, 0xff, 0xff, 0x07, 0x80, 0x80, 0x40, 0x80, 0x80, 0x40, 0, 0, 0x80, 0x3f)),
    ).toThrow(CodecError);
    let s = 99;
    const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    for (let i = 0; i < 3000; i++) {
      const b = bytes.slice();
      for (let f = 0; f < 3; f++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        decodeTopk(b);
      } catch (e) {
        expect(e).toBeInstanceOf(CodecError);
      }
    }
  });
});

describe('dense fp16 / bf16', () => {
  it('encodes known IEEE half values and rounds to nearest even', () => {
    const bits = (x: number) => new DataView(encodeFloat16([x]).buffer).getUint16(0, true);
    expect(bits(1)).toBe(0x3c00);
    expect(bits(-2)).toBe(0xc000);
    expect(bits(65504)).toBe(0x7bff);
    expect(bits(65520)).toBe(0x7c00); // rounds to +Inf
    expect(bits(2 ** -24)).toBe(0x0001);
    expect(bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(Array.from(decodeFloat16(encodeFloat16([0.5, -0.25, 1024])))).toEqual([0.5, -0.25, 1024]);
    expect(Number.isNaN(decodeFloat16(encodeFloat16([Number.NaN]))[0])).toBe(true);
  });

  it('bfloat16 keeps float32 range', () => {
    expect(new DataView(encodeBfloat16([1]).buffer).getUint16(0, true)).toBe(0x3f80);
    const back = decodeBfloat16(encodeBfloat16([1e30, -3.140625]));
    expect(back[0]! / 1e30).toBeCloseTo(1, 2);
    expect(back[1]).toBe(-3.140625);
    expect(codecCode(() => decodeBfloat16(new Uint8Array(3)))).toBe('CODEC_MALFORMED');
  });
});

describe('deflate wrapper', () => {
  it('round-trips and caps the inflated size', () => {
    const data = new Uint8Array(100_000).fill(7);
    const small = deflateBytes(data);
    expect(small.length).toBeLessThan(1000);
    expect(inflateBytes(small)).toEqual(data);
    expect(codecCode(() => inflateBytes(small, { maxOutputBytes: 10_000 }))).toBe('CODEC_TOO_LARGE');
    expect(codecCode(() => inflateBytes(Uint8Array.of(0xff, 0xff, 0xff)))).toBe('CODEC_MALFORMED');
    expect(codecCode(() => inflateBytes(small.subarray(0, small.length - 2)))).toBe('CODEC_MALFORMED');
  });
});
