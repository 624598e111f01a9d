/**
 * An adapter over any OpenAI-compatible server (vLLM, TGI, llama.cpp, SGLang, or subnetkit's own): next-token top-k
 * from `/v1/completions` logprobs, generation and chat streamed over server-sent events.
 */
import { request } from 'undici';
import { abortError, checkK, toTokenBatch } from '../batch.js';
import { InferenceError } from '../errors.js';
import type { GenerateOptions, InferenceAdapter, TokenInput, TopkOptions, TopkResult } from '../types.js';
import type { Tokenizer } from '../tokenizer.js';
import { sseData } from './sse.js';

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

interface CompletionLogprobs {
  tokens?: string[];
  top_logprobs?: (Record<string, number> | null)[];
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
  let closed = false;

  async function post(path: string, body: Record<string, unknown>, signal?: AbortSignal) {
    if (closed) throw new InferenceError('INFERENCE_CLOSED', 'the adapter is closed');
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await request(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: options.model, ...body }),
        signal: combined,
      });
      if (res.statusCode >= 400) {
        const text = (await res.body.text().catch(() => '')).slice(0, 500);
        let message = text;
        try {
          message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
        } catch {
          /* not JSON */
        }
        throw new InferenceError('INFERENCE_UPSTREAM', `${path} answered ${res.statusCode}: ${message}`);
      }
      return res;
    } catch (e) {
      throw mapError(e, signal, timeout, path);
    }
  }

  function mapError(e: unknown, signal: AbortSignal | undefined, timeout: AbortSignal, path: string): Error {
    if (e instanceof InferenceError) return e;
    if (signal?.aborted) return abortError();
    if (timeout.aborted)
      return new InferenceError('INFERENCE_TIMEOUT', `${path} took longer than ${timeoutMs} ms`, { cause: e });
    return new InferenceError('INFERENCE_UPSTREAM', `${path} failed: ${(e as Error).message}`, { cause: e });
  }

  // biome-ignore lint/suspicious/noExplicitAny: the response is checked field by field by the caller
  async function json(path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<any> {
    const res = await post(path, body, signal);
    const chunks: Uint8Array[] = [];
    let n = 0;
    try {
      for await (const c of res.body) {
        n += c.length;
        if (n > maxBytes) throw new InferenceError('INFERENCE_UPSTREAM', `${path} response exceeds ${maxBytes} bytes`);
        chunks.push(c);
      }
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      res.body.destroy();
      if (e instanceof SyntaxError)
        throw new InferenceError('INFERENCE_UPSTREAM', `${path} returned invalid JSON`, { cause: e });
      throw e instanceof InferenceError ? e : mapError(e, signal, AbortSignal.timeout(0), path);
    }
  }

  function tokenId(key: string): number {
    const m = /^token_id:(\d+)$/.exec(key);
    if (m) return Number(m[1]);
    if (!options.tokenizer)
      throw new InferenceError(
        'INFERENCE_UPSTREAM',
        `the server returned token text ${JSON.stringify(key)}; pass a tokenizer or enable return_tokens_as_token_ids`,
      );
    const ids = options.tokenizer.encode(key);
    if (ids.length !== 1)
      throw new InferenceError(
        'INFERENCE_UPSTREAM',
        `token text ${JSON.stringify(key)} is not a single token of the tokenizer`,
      );
    return ids[0]!;
  }

  function sortedTop(entry: Record<string, number> | null | undefined): [number, number][] {
    if (!entry || typeof entry !== 'object')
      throw new InferenceError('INFERENCE_UPSTREAM', 'the server returned no top_logprobs');
    return Object.entries(entry)
      .map(([key, lp]) => [tokenId(key), Number(lp)] as [number, number])
      .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }

  const adapter: OpenAIAdapter = {
    name: `openai:${options.model}@${base}`,
    provider: 'openai',
    vocabSize,
    async topk(input: TokenInput, o: TopkOptions): Promise<TopkResult> {
      const k = checkK(o?.k, vocabSize);
      const positions = o.positions ?? 'last';
      const tb = toTokenBatch(input, vocabSize);
      const rows = await Promise.all(
        Array.from({ length: tb.batch }, async (_, b) => {
          const prompt = Array.from(tb.ids.subarray(b * tb.length, (b + 1) * tb.length));
          const body = await json(
            '/v1/completions',
            {
              prompt,
              max_tokens: 1,
              temperature: 0,
              logprobs: k,
              echo: positions === 'all',
              return_tokens_as_token_ids: true,
            },
            o.signal,
          );
          const lp = body?.choices?.[0]?.logprobs as CompletionLogprobs | undefined;
          const tops = lp?.top_logprobs;
          if (!Array.isArray(tops)) throw new InferenceError('INFERENCE_UPSTREAM', 'the server returned no logprobs');
          // With echo, entry i (i ≥ 1) predicts prompt token i, and entry `length` is the generated token's.
          const wanted = positions === 'all' ? Array.from({ length: tb.length }, (_, p) => p + 1) : [tops.length - 1];
          if (positions === 'all' && tops.length < tb.length + 1)
            throw new InferenceError('INFERENCE_UPSTREAM', 'the server did not echo prompt logprobs');
          return wanted.map((i) => sortedTop(tops[i]));
        }),
      );
      const got = Math.min(k, ...rows.flat().map((r) => r.length));
      if (got < 1) throw new InferenceError('INFERENCE_UPSTREAM', 'the server returned empty top_logprobs');
      const per = positions === 'all' ? tb.length : 1;
      const ids = new Int32Array(tb.batch * per * got);
      const logprobs = new Float32Array(tb.batch * per * got);
      rows.forEach((row, b) => {
        row.forEach((entries, p) => {
          for (let j = 0; j < got; j++) {
            ids[(b * per + p) * got + j] = entries[j]![0];
            logprobs[(b * per + p) * got + j] = entries[j]![1];
          }
        });
      });
      return { batch: tb.batch, positions: per, k: got, ids, logprobs, vocabSize };
    },
    async logits() {
      throw new InferenceError(
        'INFERENCE_UNSUPPORTED',
        'OpenAI-compatible servers return log-probabilities of the top tokens only, not full logits',
      );
    },
    async *generate(prompt: readonly number[], o: GenerateOptions = {}) {
      toTokenBatch([prompt as number[]], vocabSize);
      const res = await post(
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
            choice?.logprobs?.tokens ??
            (choice?.text && options.tokenizer ? options.tokenizer.encode(choice.text).map(String) : []);
          for (const tk of tokens) {
            const id = /^\d+$/.test(tk) ? Number(tk) : tokenId(tk);
            if (stop.has(id)) return;
            yield id;
          }
        }
      } catch (e) {
        res.body.destroy();
        if (e instanceof InferenceError) throw e;
        throw new InferenceError('INFERENCE_UPSTREAM', `generation stream failed: ${(e as Error).message}`, {
          cause: e,
        });
      }
    },
    async *chat(messages, o = {}) {
      if (!Array.isArray(messages) || messages.length === 0)
        throw new InferenceError('INFERENCE_INVALID_INPUT', 'messages must be a non-empty array');
      const res = await post(
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
    },
    async close() {
      closed = true;
    },
  };
  return adapter;
}
