/**
 * Synapses: typed request/response objects, wire-compatible with Python bittensor 10.x — JSON bodies, `bt_header_*`
 * headers, the SHA3 body hash, msgpack-numpy Tensors, streaming, and the classic v3 text synapses.
 *
 * @example
 * ```ts
 * import { defineSynapse, t } from 'subnetkit/synapse';
 * const Sum = defineSynapse({ name: 'Sum', fields: { a: t.int(), b: t.int(), total: t.int().optional() }, requiredHashFields: ['a', 'b'] });
 * const s = Sum.fromJSON(new Sum({ a: 2, b: 3 }).toJSON()); // validated; s.a is a number
 * ```
 *
 * @module synapse
 */
export { Synapse } from './synapse.js';
export type { SynapseClass, SynapseInit, BaseFieldName } from './synapse.js';
export { defineSynapse } from './define.js';
export type { SynapseBase, SynapseWith, DefineSynapseOptions } from './define.js';
export { sha3Hex } from './hash.js';
export { mergeTerminalHeaders } from './headers.js';
export type { HeaderInput, FromHeadersOptions } from './headers.js';
export { TerminalInfo } from './terminal-info.js';
export type { TerminalField, TerminalInfoValues } from './terminal-info.js';
export { Field, t } from './fields.js';
export type { FieldCodec, FieldMap, FieldValues, FieldInit, AnyField } from './fields.js';
export { Tensor } from './tensor.js';
export type { TensorDtype, TensorArray, TensorArrayOf } from './tensor.js';
export {
  StreamingSynapse,
  createStreamingResponse,
  consumeStreamingResponse,
  defineStreamingSynapse,
} from './streaming.js';
export type { StreamingResponse } from './streaming.js';
export {
  TextLastHiddenState,
  TextCausalLM,
  TextCausalLMNext,
  TextSeq2Seq,
  packHiddenStates,
  unpackHiddenStates,
  HIDDEN_WIDTH,
} from './text-synapses.js';
export { parseJson, stringifyJson } from './json.js';
export type { JsonValue } from './json.js';
export { pythonRepr, pythonFloatRepr, pythonStrRepr } from './python-repr.js';
export { SynapseError } from './errors.js';
export type { SynapseErrorCode } from './errors.js';
