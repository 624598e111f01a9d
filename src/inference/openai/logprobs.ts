/** Reading `/v1/completions` logprobs: token keys to ids, entries sorted, rows packed into a {@link TopkResult}. */
import { InferenceError } from '../errors.js';
import type { Tokenizer } from '../tokenizer.js';
import type { TopkResult } from '../types.js';

/** The `logprobs` object of a completion choice. */
export interface CompletionLogprobs {
  tokens?: string[];
  top_logprobs?: (Record<string, number> | null)[];
}

/** A logprobs key as a token id: `token_id:N` as such, token text through the tokenizer (one token, or an error). */
export function tokenIdOf(key: string, tokenizer: Tokenizer | undefined): number {
  const m = /^token_id:(\d+)$/.exec(key);
  if (m) return Number(m[1]);
  if (!tokenizer)
    throw new InferenceError(
      'INFERENCE_UPSTREAM',
      `the server returned token text ${JSON.stringify(key)}; pass a tokenizer or enable return_tokens_as_token_ids`,
    );
  const ids = tokenizer.encode(key);
  if (ids.length !== 1)
    throw new InferenceError(
      'INFERENCE_UPSTREAM',
      `token text ${JSON.stringify(key)} is not a single token of the tokenizer`,
    );
  return ids[0]!;
}

/** One position's top entries as (id, logprob), most likely first, ties by id. */
export function sortedTop(
  entry: Record<string, number> | null | undefined,
  tokenId: (key: string) => number,
): [number, number][] {
  if (!entry || typeof entry !== 'object')
    throw new InferenceError('INFERENCE_UPSTREAM', 'the server returned no top_logprobs');
  return Object.entries(entry)
    .map(([key, lp]) => [tokenId(key), Number(lp)] as [number, number])
    .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

/** rows[b][p] → a TopkResult with k the smallest count any position returned (at most the k asked). */
export function packTopk(
  rows: [number, number][][][],
  k: number,
  batch: number,
  per: number,
  vocabSize: number,
): TopkResult {
  const got = Math.min(k, ...rows.flat().map((r) => r.length));
  if (got < 1) throw new InferenceError('INFERENCE_UPSTREAM', 'the server returned empty top_logprobs');
  const ids = new Int32Array(batch * per * got);
  const logprobs = new Float32Array(batch * per * got);
  rows.forEach((row, b) => {
    row.forEach((entries, p) => {
      for (let j = 0; j < got; j++) {
        ids[(b * per + p) * got + j] = entries[j]![0];
        logprobs[(b * per + p) * got + j] = entries[j]![1];
      }
    });
  });
  return { batch, positions: per, k: got, ids, logprobs, vocabSize };
}
