/**
 * Builds the models subnetkit ships no weights for, so that nothing is downloaded:
 *   npm run build-models -- [--out models] [--corpus ../shared/corpus/tinyshakespeare.txt] [--gpt small|tiny]
 * writes
 *   ngram3-synthetic.onnx  a trigram trained on 1M tokens of the seeded synthetic source (known true distribution)
 *   ngram3-corpus.onnx     a trigram trained on the corpus, when --corpus names a file that exists
 *   gpt-<size>.onnx        a GPT-style transformer with seeded random weights (tiny: 4 × 256; small: GPT-2-small shape)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  GPT2_SMALL,
  buildGptModel,
  createSyntheticSource,
  loadGpt2Tokenizer,
  ngramToOnnx,
  trainNgram,
} from '../src/inference/index.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'models' },
    corpus: { type: 'string' },
    gpt: { type: 'string', default: 'tiny' },
  },
});
const out = values.out!;
mkdirSync(out, { recursive: true });
const log = (s: string) => process.stderr.write(`${s}\n`);
const tok = await loadGpt2Tokenizer();

const source = createSyntheticSource(tok, { seed: 1 });
const synthetic = trainNgram([source.sample(1_000_000)], {
  order: 3,
  vocabSize: 50257,
  contexts: 128,
  pairContexts: 4096,
  columns: 128,
  alpha: 0.01,
});
writeFileSync(join(out, 'ngram3-synthetic.onnx'), ngramToOnnx(synthetic));
log(
  `ngram3-synthetic.onnx: ${synthetic.rows} context rows, true entropy ${source.entropy(50_000).toFixed(3)} nats/token`,
);

if (values.corpus && existsSync(values.corpus)) {
  const tokens = tok.encode(readFileSync(values.corpus, 'utf8'));
  const corpus = trainNgram([tokens], { order: 3, vocabSize: 50257 });
  writeFileSync(join(out, 'ngram3-corpus.onnx'), ngramToOnnx(corpus));
  log(`ngram3-corpus.onnx: ${tokens.length} training tokens, ${corpus.rows} context rows`);
}

const config =
  values.gpt === 'small'
    ? { ...GPT2_SMALL, seed: 1 }
    : { vocabSize: 50257, contextLength: 256, layers: 4, heads: 4, width: 256, seed: 1 };
const { model } = buildGptModel(config);
writeFileSync(join(out, `gpt-${values.gpt}.onnx`), model);
log(`gpt-${values.gpt}.onnx: ${(model.length / 1e6).toFixed(0)} MB`);
