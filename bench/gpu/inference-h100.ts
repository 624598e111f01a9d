/**
 * GPU benchmark, bundled and run on the H100 machine by run-h100.sh. The GPT-2-small-shaped model built by
 * subnetkit, batch {1, 8, 32} × 128 tokens, through createOnnxAdapter (worker thread, providers tried in order):
 * k = 20 log-prob top-k of every position selected inside the graph, versus the full logits copied to the host.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { GPT2_SMALL, buildGptModel, createOnnxAdapter, type OnnxAdapter } from '../../src/inference/index.js';

const T = 128;
const K = 20;
const BATCHES = [1, 8, 32];
const out = process.argv[2] ?? 'onnx.json';
const results: Record<string, unknown> = { cpus: cpus().length };

async function timed(fn: () => Promise<unknown>, minRuns = 3, minMs = 2000): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  let runs = 0;
  const start = performance.now();
  while (runs < minRuns || performance.now() - start < minMs) {
    await fn();
    runs++;
    if (runs >= 100) break;
  }
  return (performance.now() - start) / runs;
}

let t0 = performance.now();
const { model } = buildGptModel({ ...GPT2_SMALL, seed: 1 });
results.build_ms = Math.round(performance.now() - t0);
console.log(`built GPT-2-small ONNX (${(model.length / 1e6).toFixed(0)} MB) in ${results.build_ms} ms`);

for (const ep of ['cuda', 'webgpu', 'cpu'] as const) {
  let adapter: OnnxAdapter;
  try {
    t0 = performance.now();
    // One worker: on the GPU runs are serialized anyway; on CPU one session gets every core for the one big batch.
    adapter = await createOnnxAdapter({
      model,
      providers: [ep],
      workers: 1,
      ...(ep === 'cpu' ? { intraOpThreads: cpus().length } : {}),
    });
    results[`${ep}_start_ms`] = Math.round(performance.now() - t0);
  } catch (e) {
    results[`${ep}_error`] = String((e as Error).message).slice(0, 300);
    console.log(`${ep}: did not start: ${results[`${ep}_error`]}`);
    continue;
  }
  for (const b of BATCHES) {
    const rows = Array.from({ length: b }, (_, r) => Array.from({ length: T }, (_, i) => ((r * T + i) * 7919) % 50257));
    const topkMs = await timed(() => adapter.topk(rows, { k: K, positions: 'all' }));
    const fullMs = await timed(() => adapter.logits(rows, { positions: 'all' }));
    results[`${ep}_topk_b${b}_ms`] = +topkMs.toFixed(2);
    results[`${ep}_full_b${b}_ms`] = +fullMs.toFixed(2);
    results[`${ep}_topk_b${b}_tokens_per_s`] = Math.round((b * T * 1000) / topkMs);
    results[`${ep}_full_b${b}_tokens_per_s`] = Math.round((b * T * 1000) / fullMs);
    console.log(
      `${ep} b=${b}: top-k ${topkMs.toFixed(1)} ms (${results[`${ep}_topk_b${b}_tokens_per_s`]} tok/s), full logits ${fullMs.toFixed(1)} ms`,
    );
  }
  await adapter.close();
}
writeFileSync(out, JSON.stringify(results, null, 1));
