/** Validation and normalisation of token input, shared by all adapters. */
import { InferenceError } from './errors.js';
import type { TokenBatch, TokenInput, TopkResult } from './types.js';

/**
 * Turns rows of ids or a {@link TokenBatch} into a checked TokenBatch: non-empty, rectangular, every id an integer in
 * `[0, vocabSize)`, and at most `maxLength` tokens per row when given.
 *
 * @example
 * ```ts
 * const batch = toTokenBatch([[1, 2, 3], [4, 5, 6]], 50257); // { batch: 2, length: 3, ids: Int32Array(6) }
 * ```
 */
export function toTokenBatch(input: TokenInput, vocabSize: number, maxLength?: number): TokenBatch {
  let ids: Int32Array;
  let batch: number;
  let length: number;
  if (Array.isArray(input)) {
    const rows = input as readonly (readonly number[])[];
    batch = rows.length;
    if (batch === 0) throw new InferenceError('INFERENCE_INVALID_INPUT', 'the batch is empty');
    if (!Array.isArray(rows[0]))
      throw new InferenceError(
        'INFERENCE_INVALID_INPUT',
        'token input must be rows of ids (number[][]) or a TokenBatch',
      );
    length = rows[0].length;
    ids = new Int32Array(batch * length);
    for (let b = 0; b < batch; b++) {
      const row = rows[b];
      if (!Array.isArray(row) || row.length !== length)
        throw new InferenceError(
          'INFERENCE_INVALID_INPUT',
          `row ${b} has ${Array.isArray(row) ? row.length : 'no'} tokens, row 0 has ${length}: rows must have equal lengths`,
        );
      for (let i = 0; i < length; i++) {
        const v = row[i];
        if (typeof v !== 'number')
          throw new InferenceError('INFERENCE_INVALID_INPUT', `token [${b}, ${i}] is a ${typeof v}, not a number`);
        ids[b * length + i] = v;
        if (ids[b * length + i] !== v)
          throw new InferenceError('INFERENCE_INVALID_INPUT', `token [${b}, ${i}] = ${v} is not a valid id`);
      }
    }
  } else if (input && typeof input === 'object' && (input as TokenBatch).ids instanceof Int32Array) {
    ({ ids, batch, length } = input as TokenBatch);
    if (!Number.isInteger(batch) || !Number.isInteger(length) || batch < 1 || ids.length !== batch * length) {
      throw new InferenceError(
        'INFERENCE_INVALID_INPUT',
        `TokenBatch holds ${ids.length} ids, not batch ${batch} × length ${length}`,
      );
    }
  } else {
    throw new InferenceError(
      'INFERENCE_INVALID_INPUT',
      'token input must be rows of ids (number[][]) or a TokenBatch with Int32Array ids',
    );
  }
  if (length < 1) throw new InferenceError('INFERENCE_INVALID_INPUT', 'rows must hold at least one token');
  if (maxLength !== undefined && length > maxLength)
    throw new InferenceError(
      'INFERENCE_INVALID_INPUT',
      `rows hold ${length} tokens, the model's context is ${maxLength}`,
    );
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= vocabSize) {
      throw new InferenceError(
        'INFERENCE_INVALID_INPUT',
        `token id ${v} at [${Math.floor(i / length)}, ${i % length}] is outside the vocabulary [0, ${vocabSize})`,
      );
    }
  }
  return { ids, batch, length };
}

/**
 * The probability mass outside the top k at one position (`1 − Σ exp(logprob)`, clamped at 0).
 *
 * @example
 * ```ts
 * const rest = residualMass(result, 0); // row 0, first position
 * ```
 */
export function residualMass(result: TopkResult, row: number, position = 0): number {
  const base = (row * result.positions + position) * result.k;
  let mass = 0;
  for (let j = 0; j < result.k; j++) mass += Math.exp(result.logprobs[base + j]!);
  return Math.max(0, 1 - mass);
}

export function checkK(k: unknown, vocabSize: number): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > vocabSize)
    throw new InferenceError('INFERENCE_INVALID_INPUT', `k must be an integer in [1, ${vocabSize}], got ${String(k)}`);
  return k;
}

export function abortError(): InferenceError {
  return new InferenceError('INFERENCE_ABORTED', 'the request was aborted');
}
