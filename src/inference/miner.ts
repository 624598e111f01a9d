/**
 * Miner glue: Axon handlers that answer the v3 text synapses from any {@link InferenceAdapter}, and a streaming text
 * synapse for generation.
 */
import { compactTopkTokenPhrases } from '../codec/index.js';
import {
  Tensor,
  type TextCausalLM,
  type TextCausalLMNext,
  type TextSeq2Seq,
  defineStreamingSynapse,
  createStreamingResponse,
  t,
} from '../synapse/index.js';
import type { StreamingResponse } from '../synapse/index.js';
import { InferenceError } from './errors.js';
import type { InferenceAdapter, TokenBatch } from './types.js';
import { createTextPieces } from './text-pieces.js';
import type { Tokenizer } from './tokenizer.js';

/** Options shared by the handlers. */
export interface TextHandlerOptions {
  /**
   * Standard-token phrase of a model token (see createPhraseTable). Omit when the model uses GPT-2's tokenizer:
   * each token is then its own phrase.
   */
  phraseOf?: (modelTokenId: number) => readonly number[];
  /** Largest `topk` a request may ask for (default 4096, the v3 default of TextCausalLMNext). */
  maxTopk?: number;
  /** Largest batch × sequence a request may carry (default 65,536 tokens). */
  maxTokens?: number;
}

function requestBatch(tensor: Tensor, maxTokens: number): TokenBatch {
  if (tensor.shape.length !== 2)
    throw new InferenceError(
      'INFERENCE_INVALID_INPUT',
      `token tensor must be [batch, sequence], got [${tensor.shape.join(', ')}]`,
    );
  const [batch, length] = tensor.shape as [number, number];
  if (batch * length > maxTokens)
    throw new InferenceError(
      'INFERENCE_INVALID_INPUT',
      `request carries ${batch * length} tokens, the limit is ${maxTokens}`,
    );
  const values = tensor.toArray();
  const ids = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff)
      throw new InferenceError('INFERENCE_INVALID_INPUT', `token ${String(values[i])} is not a valid id`);
    ids[i] = v;
  }
  return { ids, batch, length };
}

function checkTopk(k: number, adapter: InferenceAdapter, max: number): void {
  if (!Number.isInteger(k) || k < 1 || k > max || k >= adapter.vocabSize) {
    throw new InferenceError(
      'INFERENCE_INVALID_INPUT',
      `topk ${k} must be in [1, ${Math.min(max, adapter.vocabSize - 1)}]`,
    );
  }
}

/**
 * What every text handler does first: the synapse's own request checks, its `topk` against the adapter (when it has
 * one), and its token tensor as a bounded batch of ids.
 */
function readRequest(
  synapse: { checkRequest(): void; topk?: number },
  tokens: Tensor,
  adapter: InferenceAdapter,
  options: TextHandlerOptions,
): TokenBatch {
  synapse.checkRequest();
  if (synapse.topk !== undefined) checkTopk(synapse.topk, adapter, options.maxTopk ?? 4096);
  return requestBatch(tokens, options.maxTokens ?? 65_536);
}

/**
 * Answers TextCausalLMNext: top-k next-token phrases plus the floor, compacted as v3 does.
 *
 * @example
 * ```ts
 * axon.attach(TextCausalLMNext, textCausalLMNextHandler(adapter));
 * ```
 */
export function textCausalLMNextHandler(adapter: InferenceAdapter, options: TextHandlerOptions = {}) {
  const phraseOf = options.phraseOf ?? ((id: number) => [id]);
  return async (synapse: TextCausalLMNext): Promise<TextCausalLMNext> => {
    const batch = readRequest(synapse, synapse.text_inputs, adapter, options);
    const r = await adapter.topk(batch, { k: synapse.topk, positions: 'last' });
    const k = r.k;
    const probs = new Float64Array(r.batch * k);
    const floors = new Float64Array(r.batch);
    const phrases: number[][] = [];
    for (let b = 0; b < r.batch; b++) {
      let mass = 0;
      for (let j = 0; j < k; j++) {
        const p = Math.exp(r.logprobs[b * k + j]!);
        probs[b * k + j] = p;
        mass += p;
        phrases.push([...phraseOf(r.ids[b * k + j]!)]);
      }
      floors[b] = Math.min(Math.max(1 - mass, 1e-40), 1) / (r.vocabSize - k);
    }
    const compact = compactTopkTokenPhrases({ batch: r.batch, topk: k, probs, floors, phrases });
    synapse.topk_phrases = Tensor.fromArray(compact, { shape: [compact.length] });
    return synapse;
  };
}

/**
 * Answers TextCausalLM: per position, the top-k probabilities then their ids, [B, S, 2k] float32. The model must
 * share GPT-2's vocabulary (v3 translates other vocabularies position by position; this handler does not).
 *
 * @example
 * ```ts
 * axon.attach(TextCausalLM, textCausalLMHandler(adapter));
 * ```
 */
export function textCausalLMHandler(adapter: InferenceAdapter, options: TextHandlerOptions = {}) {
  return async (synapse: TextCausalLM): Promise<TextCausalLM> => {
    const batch = readRequest(synapse, synapse.text_inputs, adapter, options);
    const r = await adapter.topk(batch, { k: synapse.topk, positions: 'all' });
    const k = r.k;
    const rows = r.batch * r.positions;
    const out = new Float32Array(rows * 2 * k);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < k; j++) {
        out[i * 2 * k + j] = Math.exp(r.logprobs[i * k + j]!);
        out[i * 2 * k + k + j] = r.ids[i * k + j]!;
      }
    }
    synapse.logits = Tensor.fromArray(out, { shape: [r.batch, r.positions, 2 * k] });
    return synapse;
  };
}

/**
 * Answers TextSeq2Seq: generates `num_to_generate` tokens per prompt row (greedy unless `do_sample`), right-padded with
 * 0, [B, ≤ num_to_generate] int64. Beam search parameters are accepted and not used.
 *
 * @example
 * ```ts
 * axon.attach(TextSeq2Seq, textSeq2SeqHandler(adapter, { maxGenerate: 64 }));
 * ```
 */
export function textSeq2SeqHandler(
  adapter: InferenceAdapter,
  options: TextHandlerOptions & { maxGenerate?: number; eosId?: number } = {},
) {
  const maxGenerate = options.maxGenerate ?? 256;
  return async (synapse: TextSeq2Seq): Promise<TextSeq2Seq> => {
    // Seq2Seq's topk is a sampling parameter, not a request for top-k output: it is not checked as one.
    const batch = readRequest({ checkRequest: () => synapse.checkRequest() }, synapse.text_prompt, adapter, options);
    const n = Math.min(synapse.num_to_generate, maxGenerate);
    const rows: number[][] = [];
    for (let b = 0; b < batch.batch; b++) {
      const prompt = Array.from(batch.ids.subarray(b * batch.length, (b + 1) * batch.length));
      const out: number[] = [];
      const gen = adapter.generate(prompt, {
        maxTokens: n,
        temperature: synapse.do_sample ? synapse.temperature : 0,
        topk: Math.max(1, synapse.topk),
        seed: b,
        ...(options.eosId !== undefined ? { stop: [options.eosId] } : {}),
      });
      for await (const tok of gen) out.push(tok);
      rows.push(out);
    }
    const width = Math.max(1, ...rows.map((r) => r.length));
    const data = new BigInt64Array(rows.length * width);
    rows.forEach((r, b) => {
      r.forEach((tok, i) => {
        data[b * width + i] = BigInt(tok);
      });
    });
    synapse.generations = Tensor.fromArray(data, { shape: [rows.length, width] });
    return synapse;
  };
}

/**
 * A streaming text-generation synapse: `prompt` in, the completion streamed back as text chunks.
 *
 * @example
 * ```ts
 * for await (const chunk of dendrite.stream(axon, new TextStream({ prompt: 'Once upon', max_tokens: 32 }))) {
 *   if (typeof chunk === 'string') process.stdout.write(chunk);
 * }
 * ```
 */
export class TextStream extends defineStreamingSynapse({
  name: 'TextStream',
  fields: {
    /** The prompt text. */
    prompt: t.str(),
    /** Tokens to generate at most. */
    max_tokens: t.int().default(64),
    /** 0 is greedy. */
    temperature: t.float().default(0),
  },
  requiredHashFields: ['prompt', 'max_tokens'],
}) {}

/**
 * Answers {@link TextStream} by streaming each generated token's text as soon as it exists.
 *
 * @example
 * ```ts
 * axon.attach(TextStream, textStreamHandler(adapter, await loadGpt2Tokenizer()));
 * ```
 */
export function textStreamHandler(
  adapter: InferenceAdapter,
  tokenizer: Tokenizer,
  options: { maxTokens?: number } = {},
) {
  const cap = options.maxTokens ?? 512;
  return (synapse: TextStream): StreamingResponse => {
    const prompt = tokenizer.encode(synapse.prompt);
    if (prompt.length === 0) throw new InferenceError('INFERENCE_INVALID_INPUT', 'the prompt is empty');
    const maxTokens = Math.max(1, Math.min(synapse.max_tokens, cap));
    return createStreamingResponse(
      synapse,
      streamText(adapter, tokenizer, prompt, { maxTokens, temperature: synapse.temperature }),
    );
  };
}

/**
 * Generates with `adapter` and yields text pieces, holding back bytes of a character split across tokens.
 *
 * @example
 * ```ts
 * for await (const piece of streamText(adapter, tok, tok.encode('Hello'), { maxTokens: 16 })) process.stdout.write(piece);
 * ```
 */
export async function* streamText(
  adapter: InferenceAdapter,
  tokenizer: Tokenizer,
  prompt: readonly number[],
  options: { maxTokens?: number; temperature?: number; signal?: AbortSignal } = {},
): AsyncGenerator<string> {
  const pieces = createTextPieces(tokenizer);
  const stop = tokenizer.eosId !== undefined ? [tokenizer.eosId] : [];
  for await (const tok of adapter.generate(prompt, { ...options, stop })) {
    const piece = pieces.push(tok);
    if (piece) yield piece;
  }
  const rest = pieces.rest();
  if (rest) yield rest;
}
