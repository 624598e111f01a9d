/**
 * CPU inference: tokens per second and event-loop lag for the n-gram model and a small GPT-style transformer served
 * by createOnnxAdapter on this machine, measured side by side in one run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  buildGptModel,
  createOnnxAdapter,
  createSyntheticSource,
  loadGpt2Tokenizer,
  ngramToOnnx,
  trainNgram,
  type OnnxAdapter,
} from '../src/inference/index.js';
import type { BenchReport } from './run.js';

const T = 128;
const K = 20;

async function measure(
  adapter: OnnxAdapter,
  label: string,
  tokens: number[],
  table: BenchReport['table'],
  figures: BenchReport['figures'],
) {
  const rows = (b: number) => Array.from({ length: b }, (_, r) => tokens.slice(r * T, (r + 1) * T));
  const h = monitorEventLoopDelay({ resolution: 1 });
  const scenarios: [string, () => Promise<unknown>, number][] = [
    ['top-k all positions, 8 × 128', () => adapter.topk(rows(8), { k: K, positions: 'all' }), 8 * T],
    ['full logits all positions, 8 × 128', () => adapter.logits(rows(8), { positions: 'all' }), 8 * T],
    [
      'next-token top-k, 32 concurrent 1 × 128',
      () => Promise.all(rows(32).map((r) => adapter.topk([r], { k: K }))),
      32 * T,
    ],
  ];
  for (const [name, fn, tokensPerCall] of scenarios) {
    await fn();
    await fn();
    h.reset();
    h.enable();
    let calls = 0;
    const start = performance.now();
    while (calls < 3 || performance.now() - start < 3000) {
      await fn();
      calls++;
    }
    const ms = performance.now() - start;
    h.disable();
    const tps = Math.round((calls * tokensPerCall * 1000) / ms);
    const lagMax = +(h.max / 1e6).toFixed(1);
    table.push({
      model: label,
      scenario: name,
      'tokens/s': tps,
      'ms/call': +(ms / calls).toFixed(1),
      'loop lag max ms': lagMax,
      'loop lag p99 ms': +(h.percentile(99) / 1e6).toFixed(1),
    });
    const key = `${label}_${name.startsWith('top-k') ? 'topk_all' : name.startsWith('full') ? 'full_all' : 'next_c32'}`;
    figures[`${key}_tokens_per_s`] = tps;
    figures[`${key}_lag_max_ms`] = lagMax;
  }
}

export async function run(): Promise<BenchReport> {
  const table: BenchReport['table'] = [];
  const figures: BenchReport['figures'] = {};
  const tok = await loadGpt2Tokenizer();
  const corpus = '../shared/corpus/tinyshakespeare.txt';
  const text = existsSync(corpus) ? readFileSync(corpus, 'utf8') : null;
  const tokens = text ? tok.encode(text) : Array.from(createSyntheticSource(tok, { seed: 1 }).sample(300_000));
  const train = tokens.slice(0, Math.floor(tokens.length * 0.9));
  const held = tokens.slice(Math.floor(tokens.length * 0.9));
  let t0 = performance.now();
  const ngram = trainNgram([train], { order: 3, vocabSize: 50257 });
  const ngramBytes = ngramToOnnx(ngram);
  figures.ngram_train_ms = Math.round(performance.now() - t0);
  let ce = 0;
  for (let i = 2; i < held.length; i++) ce -= ngram.logprob(held.slice(i - 2, i), held[i]!);
  figures.ngram_heldout_nats_per_token = +(ce / (held.length - 2)).toFixed(3);
  const a = await createOnnxAdapter({ model: ngramBytes, providers: ['cpu'] });
  await measure(a, 'ngram3', held, table, figures);
  await a.close();
  t0 = performance.now();
  const { model } = buildGptModel({ vocabSize: 50257, contextLength: T, layers: 4, heads: 4, width: 256, seed: 1 });
  figures.gpt_build_ms = Math.round(performance.now() - t0);
  const g = await createOnnxAdapter({ model, providers: ['cpu'] });
  await measure(g, 'gpt_4x256', held, table, figures);
  await g.close();
  return {
    table,
    figures,
    notes: [
      `corpus: ${text ? 'tinyshakespeare (90% train, 10% held out)' : 'synthetic source'}; trigram from counts, ${(ngramBytes.length / 1e6).toFixed(1)} MB ONNX`,
      'gpt_4x256: 4 layers, width 256, vocab 50257, seeded random weights; fp32; CPU EP with the default pool',
      'loop lag: the main thread event-loop delay (perf_hooks) while requests run; inference runs in worker threads',
    ],
  };
}
