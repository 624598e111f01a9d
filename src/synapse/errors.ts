import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the synapse module. */
export type SynapseErrorCode =
  | 'SYNAPSE_INVALID_JSON'
  | 'SYNAPSE_INVALID_FIELD'
  | 'SYNAPSE_MISSING_FIELD'
  | 'SYNAPSE_INVALID_HEADER'
  | 'SYNAPSE_HEADERS_TOO_LARGE'
  | 'SYNAPSE_FROZEN_FIELD'
  | 'TENSOR_INVALID'
  | 'MSGPACK_INVALID'
  | 'TEXT_SYNAPSE_SHAPE';

/**
 * Thrown when a synapse, its headers, its JSON body or a tensor in it is malformed. Nothing is half-applied: the
 * operation that throws leaves existing objects untouched.
 *
 * @example
 * ```ts
 * try { Tensor.parse({ buffer: '!!', dtype: 'float32', shape: [1] }).toArray(); }
 * catch (e) { if (e instanceof SynapseError) console.log(e.code); } // 'TENSOR_INVALID'
 * ```
 */
export class SynapseError extends SubnetkitError<SynapseErrorCode> {
  constructor(code: SynapseErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'synapse.md', ...options });
  }
}
