/**
 * Token-by-token generation for the OpenAI endpoints: each step's top-k (kept for logprobs), greedy or sampled at a
 * temperature from a seeded generator, and text released only in whole characters.
 */
import type { Tokenizer } from '../tokenizer.js';
import type { InferenceAdapter } from '../types.js';
import { createRng } from '../models/random.js';

/** One generated token, its log-probability, and the step's top tokens with theirs. */
export interface Step {
  token: number;
  logprob: number;
  top: [number, number][];
}

/** What a generation loop asks for. */
export interface GenerationRequest {
  prompt: number[];
  maxTokens: number;
  temperature: number;
  /** Top tokens kept per step (0: none). */
  topLogprobs: number;
  seed: number;
  signal: AbortSignal;
}

export async function* generateSteps(
  adapter: InferenceAdapter,
  tokenizer: Tokenizer,
  r: GenerationRequest,
): AsyncGenerator<Step> {
  const rng = createRng(r.seed);
  const tokens = [...r.prompt];
  for (let i = 0; i < r.maxTokens; i++) {
    if (r.signal.aborted) return;
    const kk = Math.max(r.topLogprobs, r.temperature > 0 ? 50 : 1);
    const top = await adapter.topk([tokens], { k: Math.min(kk, adapter.vocabSize), positions: 'last' });
    let j = 0;
    if (r.temperature > 0) {
      let total = 0;
      const w = Array.from(top.logprobs, (lp) => Math.exp((lp - top.logprobs[0]!) / r.temperature));
      for (const x of w) total += x;
      let u = rng() * total;
      for (j = 0; j < w.length - 1; j++) if ((u -= w[j]!) <= 0) break;
    }
    const token = top.ids[j]!;
    const kept: [number, number][] = [];
    for (let q = 0; q < Math.min(r.topLogprobs, top.k); q++) kept.push([top.ids[q]!, top.logprobs[q]!]);
    yield { token, logprob: top.logprobs[j]!, top: kept };
    if (tokenizer.eosId !== undefined && token === tokenizer.eosId) return;
    tokens.push(token);
  }
}
