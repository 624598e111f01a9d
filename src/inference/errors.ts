import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the inference module. */
export type InferenceErrorCode =
  | 'INFERENCE_INVALID_INPUT'
  | 'INFERENCE_BAD_MODEL'
  | 'INFERENCE_NO_PROVIDER'
  | 'INFERENCE_RUNTIME_MISSING'
  | 'INFERENCE_RUN_FAILED'
  | 'INFERENCE_CLOSED'
  | 'INFERENCE_TIMEOUT'
  | 'INFERENCE_UPSTREAM'
  | 'INFERENCE_ABORTED'
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
