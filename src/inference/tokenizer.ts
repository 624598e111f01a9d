/**
 * Tokenizers: GPT-2 BPE (r50k_base, vocab 50257) from gpt-tokenizer, loaded on first use, and the standard-token
 * phrase table that lets a miner whose model has another tokenizer answer TextCausalLMNext (bittensor v3's phrase format).
 */
import { InferenceError } from './errors.js';

/** A text tokenizer. */
export interface Tokenizer {
  /** Vocabulary size. */
  readonly vocabSize: number;
  /** End-of-text id, when the tokenizer has one. */
  readonly eosId?: number;
  /** Text → ids. */
  encode(text: string): number[];
  /** Ids → text. */
  decode(ids: readonly number[]): string;
}

/**
 * GPT-2's end-of-text id.
 *
 * @example
 * ```ts
 * adapter.generate(prompt, { stop: [GPT2_EOS] });
 * ```
 */
export const GPT2_EOS = 50256;

let gpt2: Promise<Tokenizer> | undefined;
const BYTE_FF = 187;

/**
 * The GPT-2 tokenizer (r50k_base, 50257 ids), the "standard" tokenizer of Bittensor's text synapses. Loaded once, on
 * first call (about 50 ms). Special-token text in input is encoded as ordinary text, never as the special id.
 *
 * @example
 * ```ts
 * const tok = await loadGpt2Tokenizer();
 * tok.encode('Hello world'); // [15496, 995]
 * ```
 */
export function loadGpt2Tokenizer(): Promise<Tokenizer> {
  gpt2 ??= import('gpt-tokenizer/encoding/r50k_base').then(
    (m) => ({
      vocabSize: 50257,
      eosId: GPT2_EOS,
      encode: (text: string) => {
        if (typeof text !== 'string') throw new InferenceError('INFERENCE_INVALID_INPUT', 'encode() takes a string');
        return m.encode(text, { disallowedSpecial: new Set() });
      },
      decode: (ids: readonly number[]) => {
        for (const id of ids) {
          if (!Number.isInteger(id) || id < 0 || id >= 50257)
            throw new InferenceError('INFERENCE_INVALID_INPUT', `token id ${id} is outside the GPT-2 vocabulary`);
        }
        // gpt-tokenizer decodes bytes through one shared streaming TextDecoder that keeps an unfinished character's
        // bytes for the next call. Appending byte 0xFF (id 187), which can never continue or start a character,
        // flushes them as U+FFFD (as Python's errors='replace' does) and leaves the decoder clean; its own U+FFFD is
        // then cut off.
        return m.decode([...ids, BYTE_FF]).slice(0, -1);
      },
    }),
    (cause) => {
      gpt2 = undefined;
      throw new InferenceError(
        'INFERENCE_RUNTIME_MISSING',
        'the GPT-2 tokenizer needs the gpt-tokenizer package: npm install gpt-tokenizer',
        { cause },
      );
    },
  );
  return gpt2;
}

/**
 * True when both tokenizers decode every id to the same text (v3's equivalence shortcut): a server using such a
 * tokenizer needs no translation, each token is its own standard phrase.
 *
 * @example
 * ```ts
 * if (tokenizersEquivalent(serverTok, await loadGpt2Tokenizer())) phraseOf = (id) => [id];
 * ```
 */
export function tokenizersEquivalent(a: Tokenizer, b: Tokenizer): boolean {
  if (a.vocabSize !== b.vocabSize) return false;
  for (let id = 0; id < a.vocabSize; id++) if (a.decode([id]) !== b.decode([id])) return false;
  return true;
}

/** Options of {@link createPhraseTable}. */
export interface PhraseTableOptions {
  /**
   * Whether the server tokenizer keeps leading whitespace in decoded tokens (GPT-2, Llama with byte fallback do; BERT
   * wordpieces do not). When false a space is prepended before re-tokenizing, as v3 does. Detected when omitted: a
   * tokenizer that encodes and decodes " " back to " " preserves whitespace.
   */
  whitespacePreserving?: boolean;
}

/**
 * Builds `phraseOf(serverId)`: the standard (GPT-2) tokenization of the server token's text, computed once per id and
 * cached. With equivalent tokenizers it is the identity, `[id]`.
 *
 * @example
 * ```ts
 * const phraseOf = createPhraseTable(serverTok, await loadGpt2Tokenizer());
 * phraseOf(1234); // e.g. [640, 1143]
 * ```
 */
export function createPhraseTable(
  server: Tokenizer,
  standard: Tokenizer,
  options: PhraseTableOptions = {},
): (serverId: number) => number[] {
  if (server === standard) return (id) => [id];
  let ws = options.whitespacePreserving;
  if (ws === undefined) {
    try {
      ws = server.decode(server.encode(' ')) === ' ';
    } catch {
      ws = false;
    }
  }
  const cache = new Map<number, number[]>();
  const fallback = standard.eosId ?? 0;
  return (id: number) => {
    let phrase = cache.get(id);
    if (!phrase) {
      if (!Number.isInteger(id) || id < 0 || id >= server.vocabSize)
        throw new InferenceError(
          'INFERENCE_INVALID_INPUT',
          `server token id ${id} is outside [0, ${server.vocabSize})`,
        );
      const text = server.decode([id]);
      phrase = standard.encode(ws ? text : ` ${text}`);
      if (phrase.length === 0) phrase = [fallback]; // a token that decodes to nothing still needs a phrase of >= 1 token
      cache.set(id, phrase);
    }
    return phrase;
  };
}
