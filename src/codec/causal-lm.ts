/**
 * TextCausalLM's v3 top-k encoding: per position, the top-k probabilities then their ids, `[..., 2k]`; decoded back
 * to full log-probabilities with the remaining mass spread evenly (the floor fill).
 */
import { CodecError } from './errors.js';
import { selectTopIds } from './topk-select.js';

/**
 * v3's `__vocab_size__` used by the TextCausalLM decoder.
 *
 * @example
 * ```ts
 * decodeCausalLMTopk(wire, { topk: 2, vocab: CAUSAL_LM_VOCAB });
 * ```
 */
export const CAUSAL_LM_VOCAB = 50258;

/**
 * Encodes logits [positions, vocab] as [positions, 2k]: softmax, then the k largest probabilities followed by their
 * token ids (as floats).
 *
 * @example
 * ```ts
 * const wire = encodeCausalLMTopk(logits, { positions: B * S, topk: 512 });
 * ```
 */
export function encodeCausalLMTopk(
  logits: ArrayLike<number>,
  options: { positions: number; topk: number },
): Float32Array {
  const { positions, topk } = options;
  if (!Number.isInteger(positions) || positions < 1 || logits.length % positions !== 0)
    throw new CodecError(
      'CODEC_INVALID_INPUT',
      `logits length ${logits.length} is not a multiple of ${positions} positions`,
    );
  const vocab = logits.length / positions;
  if (!Number.isInteger(topk) || topk < 1 || topk > vocab)
    throw new CodecError('CODEC_INVALID_INPUT', `topk must be in [1, ${vocab}]`);
  const out = new Float32Array(positions * 2 * topk);
  const row = new Float64Array(vocab);
  for (let s = 0; s < positions; s++) {
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) if ((row[i] = logits[s * vocab + i]!) > max) max = row[i]!;
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += row[i] = Math.exp(row[i]! - max);
    for (let i = 0; i < vocab; i++) row[i] = row[i]! / sum;
    const ids = selectTopIds(row, topk);
    for (let j = 0; j < topk; j++) {
      out[s * 2 * topk + j] = row[ids[j]!]!;
      out[s * 2 * topk + topk + j] = ids[j]!;
    }
  }
  return out;
}

/**
 * Decodes [positions, 2k] back to log-probabilities [positions, vocab]: every entry `ln(r / (vocab − k))` with
 * `r = clamp(1 − Σ top-k, 1e-40, 1)`, and the top-k entries `ln(p + 1e-40)`.
 *
 * @example
 * ```ts
 * const logprobs = decodeCausalLMTopk(wire, { topk: 2 }); // Float32Array(positions × 50258)
 * ```
 */
export function decodeCausalLMTopk(
  encoded: ArrayLike<number>,
  options: { topk: number; vocab?: number },
): Float32Array {
  const { topk } = options;
  const vocab = options.vocab ?? CAUSAL_LM_VOCAB;
  if (!Number.isInteger(topk) || topk < 1 || topk >= vocab)
    throw new CodecError('CODEC_INVALID_INPUT', `topk must be in [1, ${vocab - 1}]`);
  if (encoded.length % (2 * topk) !== 0)
    throw new CodecError(
      'CODEC_MALFORMED',
      `encoded length ${encoded.length} is not a multiple of 2·topk = ${2 * topk}`,
    );
  const positions = encoded.length / (2 * topk);
  const out = new Float32Array(positions * vocab);
  for (let s = 0; s < positions; s++) {
    let mass = 0;
    for (let j = 0; j < topk; j++) mass += encoded[s * 2 * topk + j]!;
    const remainder = Math.min(Math.max(1 - mass, 1e-40), 1);
    out.fill(Math.log(remainder / (vocab - topk)), s * vocab, (s + 1) * vocab);
    for (let j = 0; j < topk; j++) {
      const p = encoded[s * 2 * topk + j]!;
      const id = encoded[s * 2 * topk + topk + j]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocab)
        throw new CodecError('CODEC_MALFORMED', `token id ${id} at position ${s} is outside [0, ${vocab})`);
      if (!(p >= 0 && p <= 1 + 1e-6))
        throw new CodecError('CODEC_MALFORMED', `probability ${p} at position ${s} is outside [0, 1]`);
      out[s * vocab + id] = Math.log(p + 1e-40);
    }
  }
  return out;
}
