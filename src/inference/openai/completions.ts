/**
 * `POST /v1/completions`: token-id or text prompts, logprobs (with the prompt's own under `echo`), and one generation
 * loop whose tokens are either streamed as server-sent events or collected into one reply.
 */
import type { ServerResponse } from 'node:http';
import type { Tokenizer } from '../tokenizer.js';
import type { InferenceAdapter } from '../types.js';
import { createTextPieces } from '../text-pieces.js';
import { generateSteps } from './generation.js';
import { intField, json, openEventStream, temperatureField } from './http.js';

/** What the completion handlers share with the server. */
export interface EndpointContext {
  adapter: InferenceAdapter;
  tokenizer: Tokenizer;
  modelName: string;
  maxTokens: number;
  maxLogprobs: number;
  /** A fresh response id with this prefix. */
  id(prefix: string): string;
  /** The prompt as checked token ids (a string is tokenized). */
  promptIds(prompt: unknown): number[];
}

interface Logprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
}

function logSoftmaxAt(data: Float32Array, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) if (data[offset + i]! > max) max = data[offset + i]!;
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(data[offset + i]! - max);
  return data[offset + token]! - max - Math.log(sum);
}

/** The prompt's tokens with their log-probabilities under the model (the first has none), for `echo`. */
async function promptLogprobs(
  c: EndpointContext,
  prompt: number[],
  lp: number,
  key: (t: number) => string,
  into: Logprobs,
): Promise<void> {
  const r = await c.adapter.topk([prompt], { k: Math.max(1, lp), positions: 'all' });
  const full = await c.adapter.logits([prompt], { positions: 'all' }).catch(() => null);
  prompt.forEach((t, i) => {
    into.tokens.push(key(t));
    if (i === 0) {
      into.token_logprobs.push(null);
      into.top_logprobs.push(null);
      return;
    }
    const base = (i - 1) * r.k;
    const top: Record<string, number> = {};
    for (let q = 0; q < lp; q++) top[key(r.ids[base + q]!)] = r.logprobs[base + q]!;
    into.top_logprobs.push(top);
    into.token_logprobs.push(
      full ? logSoftmaxAt(full.data, (i - 1) * full.vocab, full.vocab, t) : (top[key(t)] ?? null),
    );
  });
}

export async function completions(
  c: EndpointContext,
  body: Record<string, unknown>,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const { tokenizer } = c;
  const prompt = c.promptIds(body.prompt);
  const maxTokens = intField(body, 'max_tokens', 16, 0, c.maxTokens);
  const lp =
    body.logprobs === null || body.logprobs === undefined ? null : intField(body, 'logprobs', 0, 0, c.maxLogprobs);
  const temperature = temperatureField(body);
  const echo = body.echo === true;
  const asIds = body.return_tokens_as_token_ids === true;
  const key = (t: number) => (asIds ? `token_id:${t}` : tokenizer.decode([t]));
  const topOf = (top: [number, number][]) => Object.fromEntries(top.map(([t, v]) => [key(t), v]));
  const seed = typeof body.seed === 'number' ? body.seed : 0;
  const head = {
    id: c.id('cmpl'),
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: c.modelName,
  };
  const logprobs: Logprobs = { tokens: [], token_logprobs: [], top_logprobs: [] };
  if (echo && lp !== null) await promptLogprobs(c, prompt, lp, key, logprobs);

  const events = body.stream === true ? openEventStream(res) : null;
  const piece = createTextPieces(tokenizer);
  const out: number[] = [];
  let finish = 'length';
  let generated = 0;
  const request = { prompt, maxTokens, temperature, topLogprobs: lp ?? 0, seed, signal };
  for await (const s of generateSteps(c.adapter, tokenizer, request)) {
    generated++;
    if (s.token === tokenizer.eosId) {
      finish = 'stop';
      break;
    }
    out.push(s.token);
    if (events) {
      const stepLogprobs =
        lp === null ? null : { tokens: [key(s.token)], token_logprobs: [s.logprob], top_logprobs: [topOf(s.top)] };
      events.send({
        ...head,
        choices: [{ index: 0, text: piece.push(s.token), finish_reason: null, logprobs: stepLogprobs }],
      });
    } else {
      logprobs.tokens.push(key(s.token));
      logprobs.token_logprobs.push(s.logprob);
      logprobs.top_logprobs.push(topOf(s.top));
    }
  }
  if (events) {
    events.send({ ...head, choices: [{ index: 0, text: '', finish_reason: finish, logprobs: null }] });
    events.done();
    return;
  }
  const text = (echo ? tokenizer.decode(prompt) : '') + tokenizer.decode(out);
  json(res, 200, {
    ...head,
    choices: [{ index: 0, text, finish_reason: finish, logprobs: lp === null ? null : logprobs }],
    usage: { prompt_tokens: prompt.length, completion_tokens: generated, total_tokens: prompt.length + generated },
  });
}
