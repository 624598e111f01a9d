import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the synapse module. */
export type SynapseErrorCode =
  /** The body is not JSON. */
  | 'SYNAPSE_INVALID_JSON'
  /** A field has the wrong type or an invalid value; the message names its path. */
  | 'SYNAPSE_INVALID_FIELD'
  /** A required field is absent. */
  | 'SYNAPSE_MISSING_FIELD'
  /** A `bt_header_*` header does not parse. */
  | 'SYNAPSE_INVALID_HEADER'
  /** The headers exceed their size limit. */
  | 'SYNAPSE_HEADERS_TOO_LARGE'
  /** Assigning `computed_body_hash` or `bodyHash`, which are derived, not set. */
  | 'SYNAPSE_FROZEN_FIELD'
  /** A tensor with a bad dtype, shape or buffer. */
  | 'TENSOR_INVALID'
  /** A tensor buffer that is not msgpack-numpy. */
  | 'MSGPACK_INVALID'
  /** A v3 text synapse whose request or response tensor has the wrong shape. */
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
