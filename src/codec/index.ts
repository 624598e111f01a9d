/**
 * Logit codecs: the v3 top-k token phrases of TextCausalLMNext and its cross-entropy scoring, TextCausalLM's top-k
 * encoding with the floor fill, a compact binary top-k codec, dense fp16/bf16, and a size-capped deflate wrapper.
 *
 * @example
 * ```ts
 * import { compactTopkTokenPhrases, unravelTopkTokenPhrases, phraseCrossEntropy } from 'subnetkit/codec';
 * const wire = compactTopkTokenPhrases(phrases); // a miner's TextCausalLMNext answer
 * const { loss } = phraseCrossEntropy(targets, unravelTopkTokenPhrases(wire, 4096)); // the validator's score
 * ```
 *
 * @module codec
 */
export {
  buildTopkTokenPhrases,
  compactTopkTokenPhrases,
  unravelTopkTokenPhrases,
  phraseCrossEntropy,
  topkTokensToVocab,
  IGNORE_INDEX,
  STD_VOCAB_SIZE,
} from './topk-phrases.js';
export type { TopkPhrases, BuildTopkPhrasesOptions, PhraseLoss } from './topk-phrases.js';
export { encodeCausalLMTopk, decodeCausalLMTopk, CAUSAL_LM_VOCAB } from './causal-lm.js';
export { topkFromLogits, selectTopIds } from './topk-select.js';
export type { TopkRow } from './topk-select.js';
export { encodeTopk, decodeTopk, TOPK_CODEC_VERSION } from './topk-binary.js';
export type { TopkBatch, EncodeTopkOptions, DecodeTopkOptions } from './topk-binary.js';
export { encodeFloat16, decodeFloat16, encodeBfloat16, decodeBfloat16 } from './dense.js';
export { deflateBytes, inflateBytes } from './deflate.js';
export { CodecError } from './errors.js';
export type { CodecErrorCode } from './errors.js';
