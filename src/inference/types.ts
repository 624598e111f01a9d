/** The adapter interface every text model backend implements, and the batch and result shapes it uses. */

/** A rectangular batch of token ids, row-major `[batch, length]`. */
export interface TokenBatch {
  /** Token ids, `batch × length`. */
  readonly ids: Int32Array;
  /** Rows. */
  readonly batch: number;
  /** Tokens per row. */
  readonly length: number;
}

/** What adapters accept as tokens: a {@link TokenBatch} or rows of ids (all rows the same length). */
export type TokenInput = TokenBatch | readonly (readonly number[])[];

/** Which positions a request asks about: the next token after each row, or every position. */
export type Positions = 'last' | 'all';

/** Top-k log-probabilities: `ids[(b·P + p)·k + j]` is the j-th most probable token at row b, position p. */
export interface TopkResult {
  /** Rows. */
  readonly batch: number;
  /** Positions per row: 1 for `last`, the sequence length for `all`. */
  readonly positions: number;
  /** Entries per position. */
  readonly k: number;
  /** Token ids, most probable first. */
  readonly ids: Int32Array;
  /** Natural-log probabilities, same layout. */
  readonly logprobs: Float32Array;
  /** The model's vocabulary size (the residual mass is spread over `vocabSize − k` tokens). */
  readonly vocabSize: number;
}

/** Full logits (unnormalised), `[batch, positions, vocab]` row-major. */
export interface LogitsResult {
  /** Rows. */
  readonly batch: number;
  /** Positions per row. */
  readonly positions: number;
  /** Vocabulary size. */
  readonly vocab: number;
  /** The logits. */
  readonly data: Float32Array;
}

/** Options of {@link InferenceAdapter.topk}. */
export interface TopkOptions {
  /** Entries per position. */
  k: number;
  /** `last` (default) or `all`. */
  positions?: Positions;
  /** Abandons the request (the result is dropped and the promise rejects with INFERENCE_ABORTED). */
  signal?: AbortSignal;
}

/** Options of {@link InferenceAdapter.logits}. */
export interface LogitsOptions {
  /** `last` (default) or `all`. */
  positions?: Positions;
  /** Abandons the request. */
  signal?: AbortSignal;
}

/** Options of {@link InferenceAdapter.generate}. */
export interface GenerateOptions {
  /** Tokens to generate at most (default 32). */
  maxTokens?: number;
  /** 0 (default) is greedy; above 0 samples from the top-k renormalised at this temperature. */
  temperature?: number;
  /** Candidates sampled from when temperature > 0 (default 50). */
  topk?: number;
  /** Seed of the sampler. */
  seed?: number;
  /** Token ids that end generation (not yielded). */
  stop?: readonly number[];
  /** Abandons generation. */
  signal?: AbortSignal;
}

/**
 * A text model backend. Implemented by {@link createOnnxAdapter} (onnxruntime-node in worker threads) and
 * {@link createOpenAIAdapter} (any OpenAI-compatible server); miner handlers take any adapter.
 *
 * @example
 * ```ts
 * const adapter: InferenceAdapter = await createOnnxAdapter({ model: 'gpt.onnx' });
 * const { ids, logprobs } = await adapter.topk([[464, 3290]], { k: 20 });
 * ```
 */
export interface InferenceAdapter {
  /** A short description of the backend and model. */
  readonly name: string;
  /** Where it runs: the ONNX execution provider that started (`webgpu`, `cpu`, …) or `openai`. */
  readonly provider: string;
  /** Vocabulary size of the model. */
  readonly vocabSize: number;
  /** Top-k next-token log-probabilities for each row (or each position). */
  topk(input: TokenInput, options: TopkOptions): Promise<TopkResult>;
  /** Full logits; adapters that cannot return them throw INFERENCE_UNSUPPORTED. */
  logits(input: TokenInput, options?: LogitsOptions): Promise<LogitsResult>;
  /** Generates token ids after `prompt`, one at a time. */
  generate(prompt: readonly number[], options?: GenerateOptions): AsyncIterable<number>;
  /** Releases workers, sessions and sockets. */
  close(): Promise<void>;
}
