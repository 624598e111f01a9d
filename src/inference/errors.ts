import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the inference module. */
export type InferenceErrorCode =
  /** Bad input: ids outside the vocabulary, an empty or ragged batch, a k out of range, a wrong dtype. */
  | 'INFERENCE_INVALID_INPUT'
  /** The model lacks what the adapter needs (no logits output, a shape it cannot use) or does not parse. */
  | 'INFERENCE_BAD_MODEL'
  /** No execution provider in the list could start a session. */
  | 'INFERENCE_NO_PROVIDER'
  /** An optional package is missing: `onnxruntime-node` or `gpt-tokenizer`; the message names it. */
  | 'INFERENCE_RUNTIME_MISSING'
  /** The model failed while running. */
  | 'INFERENCE_RUN_FAILED'
  /** The adapter was used after `close()`. */
  | 'INFERENCE_CLOSED'
  /** A request to an upstream server took longer than its timeout. */
  | 'INFERENCE_TIMEOUT'
  /** An OpenAI-compatible server answered with an error or an unusable body. */
  | 'INFERENCE_UPSTREAM'
  /** The request was aborted by its signal. */
  | 'INFERENCE_ABORTED'
  /** The adapter cannot do what was asked (an operation the upstream server does not offer). */
  | 'INFERENCE_UNSUPPORTED';

/**
 * Thrown by inference adapters, model builders and the OpenAI-compatible client and server. `code` says what went
 * wrong: bad input (ids out of vocabulary, empty batch, wrong dtype), a model that lacks what the adapter needs, no
 * execution provider that could start, a failed run, a closed adapter, a timeout, or an upstream server's error.
 *
 * @example
 * ```ts
 * try { await adapter.topk(batch, { k: 20 }); }
 * catch (e) { if (e instanceof InferenceError && e.code === 'INFERENCE_INVALID_INPUT') reply400(e.message); }
 * ```
 */
export class InferenceError extends SubnetkitError<InferenceErrorCode> {
  constructor(code: InferenceErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'inference.md', ...options });
  }
}
