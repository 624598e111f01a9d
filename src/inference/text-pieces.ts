/** Decoding generated tokens as they come, releasing text only in whole characters. */
import type { Tokenizer } from './tokenizer.js';

/**
 * Returns `push(token)`, which gives the text that is new since the last call (empty while the tokens so far end
 * inside a multi-byte character: the tokenizer then decodes a trailing U+FFFD), and `rest()`, whatever is left.
 */
export function createTextPieces(tokenizer: Tokenizer): { push(token: number): string; rest(): string } {
  const done: number[] = [];
  let emitted = '';
  const take = (all: string) => {
    if (all.length <= emitted.length) return '';
    const piece = all.slice(emitted.length);
    emitted = all;
    return piece;
  };
  return {
    push(token) {
      done.push(token);
      const all = tokenizer.decode(done);
      return all.endsWith('\uFFFD') ? '' : take(all);
    },
    rest: () => take(tokenizer.decode(done)),
  };
}
