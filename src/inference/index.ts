/**
 * Inference for miners: an adapter interface for text models; onnxruntime-node sessions in worker threads with
 * execution providers tried in order (CUDA, WebGPU, CPU) and top-k selected on the device; an OpenAI-compatible client
 * adapter and server; the GPT-2 tokenizer and standard-token phrases; handlers that answer the v3 text synapses; and
 * models the project builds itself (n-gram tables, seeded GPT-style transformers) so nothing is downloaded.
 *
 * `onnxruntime-node` is an optional peer dependency: install it to use {@link createOnnxAdapter}.
 *
 * @example
 * ```ts
 * import { createOnnxAdapter, textCausalLMNextHandler } from 'subnetkit/inference';
 * const adapter = await createOnnxAdapter({ model: 'models/ngram3-synthetic.onnx' });
 * axon.attach(TextCausalLMNext, textCausalLMNextHandler(adapter));
 * ```
 *
 * @module inference
 */
export type {
  InferenceAdapter,
  TokenBatch,
  TokenInput,
  Positions,
  TopkResult,
  LogitsResult,
  TopkOptions,
  LogitsOptions,
  GenerateOptions,
} from './types.js';
export { toTokenBatch, residualMass } from './batch.js';
export { createOnnxAdapter } from './onnx/adapter.js';
export type {
  OnnxAdapter,
  OnnxAdapterStats,
  OnnxAdapterOptions,
  ExecutionProviderName,
  ProviderAttempt,
} from './onnx/adapter.js';
export { appendTopk, inspectModel, findLogitsOutput, blockedTopkLimit, TOPK_IO } from './onnx/surgery.js';
export type { AppendTopkOptions, ModelSummary, ModelValue } from './onnx/surgery.js';
export { createOpenAIAdapter } from './openai/client.js';
export type { OpenAIAdapter, OpenAIAdapterOptions, ChatMessage } from './openai/client.js';
export { createOpenAIServer } from './openai/server.js';
export type { OpenAIServer, OpenAIServerOptions } from './openai/server.js';
export { loadGpt2Tokenizer, createPhraseTable, tokenizersEquivalent, GPT2_EOS } from './tokenizer.js';
export type { Tokenizer, PhraseTableOptions } from './tokenizer.js';
export {
  textCausalLMNextHandler,
  textCausalLMHandler,
  textSeq2SeqHandler,
  textStreamHandler,
  streamText,
  TextStream,
} from './miner.js';
export type { TextHandlerOptions } from './miner.js';
export { buildGptModel, gptWeights, GPT2_SMALL, GPT_MASK_VALUE } from './models/gpt.js';
export type { GptConfig, GptWeights, GptBlockWeights, BuiltGptModel } from './models/gpt.js';
export { trainNgram, ngramToOnnx } from './models/ngram.js';
export type { NgramModel, NgramOptions } from './models/ngram.js';
export { createSyntheticSource } from './models/synthetic.js';
export type { SyntheticSource, SyntheticSourceOptions } from './models/synthetic.js';
export { InferenceError } from './errors.js';
export type { InferenceErrorCode } from './errors.js';
