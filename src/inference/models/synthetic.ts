/**
 * A seeded synthetic text source whose true next-token distribution is known: a second-order Markov chain over common
 * English words, each a single GPT-2 token with its leading space. Models trained on its output can be scored against
 * the truth, which is what a validator's scoring code needs to be checked.
 */
import { InferenceError } from '../errors.js';
import type { Tokenizer } from '../tokenizer.js';
import { createRng } from './random.js';

const WORDS = (
  'the of and to in is that it was for on are as with his they at be this from have or by one had not but what all ' +
  'were when we there can an your which their said if do will each about how up out them then she many some so these ' +
  'would other into has more her two like him see time could no make than first been its who now people my made over'
).split(' ');

/** Options of {@link createSyntheticSource}. */
export interface SyntheticSourceOptions {
  /** Seed of the transition probabilities and of sampling (default 1). */
  seed?: number;
  /** Words used, at most 96 (default 48). */
  words?: number;
  /** Peakedness: weights are uniform^sharpness before normalising (default 4; higher is more predictable). */
  sharpness?: number;
}

/** The source: its token ids, its exact distributions and a sampler. */
export interface SyntheticSource {
  /** GPT-2 ids of the words, in word order. */
  readonly tokenIds: Int32Array;
  /** Draws `n` tokens (ids) starting from a seeded state; the same seed gives the same tokens. */
  sample(n: number, seed?: number): Int32Array;
  /** The true probability of `next` after `context` (the last two tokens matter; 0 for tokens outside the source). */
  probability(context: readonly number[], next: number): number;
  /** The true entropy rate in nats per token, estimated over `n` sampled tokens. */
  entropy(n?: number): number;
}

/**
 * Creates the source. Needs the GPT-2 tokenizer to find each word's id.
 *
 * @example
 * ```ts
 * const source = createSyntheticSource(await loadGpt2Tokenizer(), { seed: 7 });
 * const tokens = source.sample(100_000);
 * ```
 */
export function createSyntheticSource(tokenizer: Tokenizer, options: SyntheticSourceOptions = {}): SyntheticSource {
  const w = options.words ?? 48;
  if (!Number.isInteger(w) || w < 2 || w > WORDS.length)
    throw new InferenceError('INFERENCE_INVALID_INPUT', `words must be an integer in [2, ${WORDS.length}]`);
  const sharp = options.sharpness ?? 4;
  const seed = options.seed ?? 1;
  const tokenIds = new Int32Array(w);
  const indexOf = new Map<number, number>();
  for (let i = 0; i < w; i++) {
    const ids = tokenizer.encode(` ${WORDS[i]}`);
    if (ids.length !== 1)
      throw new InferenceError('INFERENCE_INVALID_INPUT', `" ${WORDS[i]}" is not a single token in this tokenizer`);
    tokenIds[i] = ids[0]!;
    indexOf.set(ids[0]!, i);
  }
  // probs[(a·w + b)·w + c] = p(c | a, b); a = w stands for "no previous word".
  const rng = createRng(seed);
  const probs = new Float64Array((w + 1) * w * w);
  for (let ctx = 0; ctx < (w + 1) * w; ctx++) {
    let sum = 0;
    for (let c = 0; c < w; c++) sum += probs[ctx * w + c] = rng() ** sharp + 1e-3;
    for (let c = 0; c < w; c++) probs[ctx * w + c]! /= sum;
  }
  const prob = (a: number, b: number, c: number) => probs[(a * w + b) * w + c]!;
  const source: SyntheticSource = {
    tokenIds,
    sample(n, sampleSeed = seed + 1) {
      if (!Number.isInteger(n) || n < 1)
        throw new InferenceError('INFERENCE_INVALID_INPUT', 'n must be a positive integer');
      const r = createRng(sampleSeed);
      const out = new Int32Array(n);
      let a = w;
      let b = Math.floor(r() * w);
      out[0] = tokenIds[b]!;
      for (let i = 1; i < n; i++) {
        let u = r();
        let c = 0;
        for (; c < w - 1; c++) {
          u -= prob(a, b, c);
          if (u <= 0) break;
        }
        out[i] = tokenIds[c]!;
        a = b;
        b = c;
      }
      return out;
    },
    probability(context, next) {
      if (context.length === 0)
        throw new InferenceError('INFERENCE_INVALID_INPUT', 'the context must hold at least one token');
      const b = indexOf.get(context[context.length - 1]!);
      const c = indexOf.get(next);
      if (b === undefined || c === undefined) return 0;
      const a = context.length > 1 ? (indexOf.get(context[context.length - 2]!) ?? w) : w;
      return prob(a, b, c);
    },
    entropy(n = 100_000) {
      const toks = source.sample(n);
      let h = 0;
      for (let i = 1; i < n; i++)
        h -= Math.log(source.probability([...toks.subarray(Math.max(0, i - 2), i)], toks[i]!));
      return h / (n - 1);
    },
  };
  return source;
}
