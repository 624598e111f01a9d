/** Token-by-token generation over any adapter's `topk`: greedy, or sampling from the renormalised top-k. */
import { abortError } from './batch.js';
import { InferenceError } from './errors.js';
import { createRng } from './models/random.js';
import type { GenerateOptions, InferenceAdapter } from './types.js';

export async function* generateWith(
  adapter: Pick<InferenceAdapter, 'topk'>,
  prompt: readonly number[],
  options: GenerateOptions = {},
  contextLength?: number,
): AsyncGenerator<number> {
  const maxTokens = options.maxTokens ?? 32;
  const temperature = options.temperature ?? 0;
  const k = temperature > 0 ? (options.topk ?? 50) : 1;
  if (!Array.isArray(prompt) || prompt.length === 0)
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'the prompt must hold at least one token');
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw new InferenceError('INFERENCE_INVALID_INPUT', `maxTokens must be a positive integer, got ${maxTokens}`);
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw new InferenceError('INFERENCE_INVALID_INPUT', `temperature must be a finite number >= 0, got ${temperature}`);
  const stop = new Set(options.stop ?? []);
  const rng = createRng(options.seed ?? 0);
  const tokens = [...prompt];
  for (let step = 0; step < maxTokens; step++) {
    if (options.signal?.aborted) throw abortError();
    const window =
      contextLength && tokens.length > contextLength ? tokens.slice(tokens.length - contextLength) : tokens;
    const r = await adapter.topk([window], {
      k,
      positions: 'last',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let next = r.ids[0]!;
    if (temperature > 0) {
      const weights = new Float64Array(r.k);
      let total = 0;
      for (let j = 0; j < r.k; j++) total += weights[j] = Math.exp((r.logprobs[j]! - r.logprobs[0]!) / temperature);
      let u = rng() * total;
      for (let j = 0; j < r.k; j++) {
        u -= weights[j]!;
        if (u <= 0) {
          next = r.ids[j]!;
          break;
        }
      }
    }
    if (stop.has(next)) return;
    tokens.push(next);
    yield next;
  }
}
