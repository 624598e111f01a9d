/**
 * An adapter over any OpenAI-compatible server (vLLM, TGI, llama.cpp, SGLang, or subnetkit's own): next-token top-k
 * from `/v1/completions` logprobs, generation and chat streamed over server-sent events.
 */
import { checkK, toTokenBatch } from '../batch.js';
import { InferenceError } from '../errors.js';
import type { GenerateOptions, InferenceAdapter, TokenInput, TopkOptions, TopkResult } from '../types.js';
import type { Tokenizer } from '../tokenizer.js';
import { sseData } from './sse.js';
import { createUpstream, type Upstream } from './upstream.js';
import { packTopk, sortedTop, tokenIdOf, type CompletionLogprobs } from './logprobs.js';

/** Options of {@link createOpenAIAdapter}. */
export interface OpenAIAdapterOptions {
  /** Server root, e.g. `http://127.0.0.1:8000` (the `/v1` paths are appended). */
  baseURL: string;
  /** Model name sent with each request. */
  model: string;
  /** Bearer token, when the server wants one. */
  apiKey?: string;
  /** Per-request timeout covering connect, send and the whole response (default 30 s). */
  timeoutMs?: number;
  /** Vocabulary size of the served model (default 50257). */
  vocabSize?: number;
  /** Maps token strings to ids when the server does not return `token_id:N` keys (vLLM's `return_tokens_as_token_ids`). */
  tokenizer?: Tokenizer;
  /** Largest response body read (default 16 MiB). */
  maxResponseBytes?: number;
}

/** A chat message. */
export interface ChatMessage {
  /** `system`, `user` or `assistant`. */
  role: 'system' | 'user' | 'assistant';
  /** The text. */
  content: string;
}

/** The OpenAI adapter: an {@link InferenceAdapter} plus chat streaming. */
export interface OpenAIAdapter extends InferenceAdapter {
  /** Streams an assistant reply, text piece by text piece. */
  chat(
    messages: readonly ChatMessage[],
    options?: { maxTokens?: number; temperature?: number; signal?: AbortSignal },
  ): AsyncIterable<string>;
}

/**
 * Connects to an OpenAI-compatible server. No request is made until the first call.
 *
 * @example
 * ```ts
 * const adapter = createOpenAIAdapter({ baseURL: 'http://127.0.0.1:8000', model: 'gpt2' });
 * const top = await adapter.topk([[464, 3290]], { k: 5 });
 * for await (const piece of adapter.chat([{ role: 'user', content: 'Hi' }])) process.stdout.write(piece);
 * ```
 */
export function createOpenAIAdapter(options: OpenAIAdapterOptions): OpenAIAdapter {
  if (!options || typeof options.baseURL !== 'string' || !/^https?:\/\//.test(options.baseURL)) {
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'baseURL must be an http(s) URL');
  }
  if (typeof options.model !== 'string' || !options.model)
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'model must be a non-empty string');
  const base = options.baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const vocabSize = options.vocabSize ?? 50257;
  const maxBytes = options.maxResponseBytes ?? 16 << 20;

  const upstream = createUpstream({ base, model: options.model, apiKey: options.apiKey, timeoutMs, maxBytes });
  const tokenId = (key: string) => tokenIdOf(key, options.tokenizer);

  const adapter: OpenAIAdapter = {
    name: `openai:${options.model}@${base}`,
    provider: 'openai',
    vocabSize,
    async topk(input: TokenInput, o: TopkOptions): Promise<TopkResult> {
      const k = checkK(o?.k, vocabSize);
      const positions = o.positions ?? 'last';
      const tb = toTokenBatch(input, vocabSize);
      const rows = await Promise.all(
        Array.from({ length: tb.batch }, (_, b) => {
          const prompt = Array.from(tb.ids.subarray(b * tb.length, (b + 1) * tb.length));
          return topkOfPrompt(upstream, tokenId, prompt, k, positions === 'all', o.signal);
        }),
      );
      return packTopk(rows, k, tb.batch, positions === 'all' ? tb.length : 1, vocabSize);
    },
    async logits() {
      throw new InferenceError(
        'INFERENCE_UNSUPPORTED',
        'OpenAI-compatible servers return log-probabilities of the top tokens only, not full logits',
      );
    },
    async *generate(prompt: readonly number[], o: GenerateOptions = {}) {
      toTokenBatch([prompt as number[]], vocabSize);
      yield* streamTokens(upstream, tokenId, options.tokenizer, prompt, o);
    },
    async *chat(messages, o = {}) {
      if (!Array.isArray(messages) || messages.length === 0)
        throw new InferenceError('INFERENCE_INVALID_INPUT', 'messages must be a non-empty array');
      yield* streamChat(upstream, messages, o);
    },
    async close() {
      upstream.close();
    },
  };
  return adapter;
}

/** One prompt's top-k, from `/v1/completions` with `max_tokens: 1` (and `echo` for every position). */
async function topkOfPrompt(
  upstream: Upstream,
  tokenId: (key: string) => number,
  prompt: number[],
  k: number,
  all: boolean,
  signal: AbortSignal | undefined,
): Promise<[number, number][][]> {
  const request = { prompt, max_tokens: 1, temperature: 0, logprobs: k, echo: all, return_tokens_as_token_ids: true };
  const body = await upstream.json('/v1/completions', request, signal);
  const lp = body?.choices?.[0]?.logprobs as CompletionLogprobs | undefined;
  const tops = lp?.top_logprobs;
  if (!Array.isArray(tops)) throw new InferenceError('INFERENCE_UPSTREAM', 'the server returned no logprobs');
  // With echo, entry i (i ≥ 1) predicts prompt token i, and entry `length` is the generated token's.
  const wanted = all ? Array.from({ length: prompt.length }, (_, p) => p + 1) : [tops.length - 1];
  if (all && tops.length < prompt.length + 1)
    throw new InferenceError('INFERENCE_UPSTREAM', 'the server did not echo prompt logprobs');
  return wanted.map((i) => sortedTop(tops[i], tokenId));
}

/** Generated token ids, streamed from `/v1/completions` until a stop token or the server's end. */
async function* streamTokens(
  upstream: Upstream,
  tokenId: (key: string) => number,
  tokenizer: Tokenizer | undefined,
  prompt: readonly number[],
  o: GenerateOptions,
): AsyncGenerator<number> {
  const res = await upstream.post(
    '/v1/completions',
    {
      prompt,
      max_tokens: o.maxTokens ?? 32,
      temperature: o.temperature ?? 0,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      logprobs: 1,
      return_tokens_as_token_ids: true,
      stream: true,
    },
    o.signal,
  );
  const stop = new Set(o.stop ?? []);
  try {
    for await (const data of sseData(res.body)) {
      if (data === '[DONE]') return;
      const chunk = JSON.parse(data) as { choices?: { text?: string; logprobs?: CompletionLogprobs }[] };
      const choice = chunk.choices?.[0];
      const tokens =
        choice?.logprobs?.tokens ?? (choice?.text && tokenizer ? tokenizer.encode(choice.text).map(String) : []);
      for (const tk of tokens) {
        const id = /^\d+$/.test(tk) ? Number(tk) : tokenId(tk);
        if (stop.has(id)) return;
        yield id;
      }
    }
  } catch (e) {
    res.body.destroy();
    if (e instanceof InferenceError) throw e;
    throw new InferenceError('INFERENCE_UPSTREAM', `generation stream failed: ${(e as Error).message}`, { cause: e });
  }
}

/** An assistant reply, streamed piece by piece from `/v1/chat/completions`. */
async function* streamChat(
  upstream: Upstream,
  messages: readonly ChatMessage[],
  o: { maxTokens?: number; temperature?: number; signal?: AbortSignal },
): AsyncGenerator<string> {
  const res = await upstream.post(
    '/v1/chat/completions',
    { messages, max_tokens: o.maxTokens ?? 256, temperature: o.temperature ?? 0, stream: true },
    o.signal,
  );
  try {
    for await (const data of sseData(res.body)) {
      if (data === '[DONE]') return;
      const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
      const piece = chunk.choices?.[0]?.delta?.content;
      if (piece) yield piece;
    }
  } catch (e) {
    res.body.destroy();
    if (e instanceof InferenceError) throw e;
    throw new InferenceError('INFERENCE_UPSTREAM', `chat stream failed: ${(e as Error).message}`, { cause: e });
  }
}
