/**
 * Text prompting: validators score miners on next-token prediction with v3's TextCausalLMNext (top-k phrases
 * against held-out text), and clients ask the best miners for generated text with the streaming TextStream.
 */
import { createSyntheticSource, loadGpt2Tokenizer } from 'subnetkit/inference';
export { TextCausalLMNext } from 'subnetkit/synapse';
export { TextStream } from 'subnetkit/inference';

/**
 * The validator's text: the seeded synthetic source (a second-order Markov chain over GPT-2 tokens whose true
 * distribution is known), so a miner's loss can be compared with the best possible one. Point `--data.corpus` at a
 * text file to score on real text instead.
 */
export async function textSource(corpus: string | null): Promise<(n: number) => Int32Array> {
  const tokenizer = await loadGpt2Tokenizer();
  if (corpus) {
    const { readFileSync } = await import('node:fs');
    const ids = Int32Array.from(tokenizer.encode(readFileSync(corpus, 'utf8')));
    return (n) => {
      const at = Math.floor(Math.random() * Math.max(1, ids.length - n));
      return ids.subarray(at, at + n);
    };
  }
  const source = createSyntheticSource(tokenizer, { seed: 1 });
  return (n) => source.sample(n, Math.floor(Math.random() * 2 ** 31));
}
