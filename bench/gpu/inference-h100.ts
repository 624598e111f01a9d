/**
 * GPU benchmark (bundled and run on the H100 machine by run-h100.sh): the GPT-2-small-shaped model built by
 * subnetkit, batch {1, 8, 32} × 128 tokens, k = 20 log-prob top-k of every position selected inside the graph versus
 * the full logits copied to the host, per execution provider that starts (cuda, webgpu, cpu tried in turn).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import { GPT2_SMALL, buildGptModel } from '../../src/inference/models/gpt.js';
import { TOPK_IO, appendTopk } from '../../src/inference/onnx/surgery.js';

const T = 128;
const K = 20;
const BATCHES = [1, 8, 32];
const out = process.argv[2] ?? 'onnx.json';
const results: Record<string, unknown> = { cpus: cpus().length, onnxruntime: ort.env.versions?.common ?? 'unknown' };

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
const topkModel = appendTopk(model, { positions: 'all', method: 'blocked' });
const exactModel = appendTopk(model, { positions: 'all', method: 'exact' });
results.build_ms = Math.round(performance.now() - t0);
console.log(`built GPT-2-small ONNX (${(model.length / 1e6).toFixed(0)} MB) in ${results.build_ms} ms`);

for (const ep of ['cuda', 'webgpu', 'cpu']) {
  let full: ort.InferenceSession;
  let topk: ort.InferenceSession;
  let exact: ort.InferenceSession;
  try {
    t0 = performance.now();
    full = await ort.InferenceSession.create(model, { executionProviders: [ep] });
    const verbose = process.env.ORT_PLACEMENT === '1' && ep === 'webgpu';
    topk = await ort.InferenceSession.create(topkModel, { executionProviders: [ep], ...(verbose ? { logSeverityLevel: 0 as const, logVerbosityLevel: 0 } : {}) });
    exact = await ort.InferenceSession.create(exactModel, { executionProviders: [ep] });
    results[`${ep}_session_ms`] = Math.round(performance.now() - t0);
  } catch (e) {
    results[`${ep}_error`] = String((e as Error).message).slice(0, 300);
    console.log(`${ep}: did not start: ${results[`${ep}_error`]}`);
    continue;
  }
  for (const b of BATCHES) {
    const ids = new BigInt64Array(b * T);
    for (let i = 0; i < ids.length; i++) ids[i] = BigInt((i * 7919) % 50257);
    const input = new ort.Tensor('int64', ids, [b, T]);
    const kT = new ort.Tensor('int64', BigInt64Array.from([BigInt(K)]), [1]);
    const topkMs = await timed(async () => {
      const r = await topk.run({ input_ids: input, [TOPK_IO.k]: kT }, [TOPK_IO.values, TOPK_IO.indices]);
      return r[TOPK_IO.values]!.data;
    });
    const exactMs = await timed(async () => {
      const r = await exact.run({ input_ids: input, [TOPK_IO.k]: kT }, [TOPK_IO.values, TOPK_IO.indices]);
      return r[TOPK_IO.values]!.data;
    });
    results[`${ep}_topk_exact_b${b}_ms`] = +exactMs.toFixed(2);
    const fullMs = await timed(async () => (await full.run({ input_ids: input })).logits!.data);
    results[`${ep}_topk_b${b}_ms`] = +topkMs.toFixed(2);
    results[`${ep}_full_b${b}_ms`] = +fullMs.toFixed(2);
    results[`${ep}_topk_b${b}_tokens_per_s`] = Math.round((b * T * 1000) / topkMs);
    results[`${ep}_full_b${b}_tokens_per_s`] = Math.round((b * T * 1000) / fullMs);
    console.log(`${ep} b=${b}: top-k ${topkMs.toFixed(1)} ms (${results[`${ep}_topk_b${b}_tokens_per_s`]} tok/s), exact top-k ${exactMs.toFixed(1)} ms, full ${fullMs.toFixed(1)} ms`);
  }
  await full.release();
  await topk.release();
  await exact.release();
}
writeFileSync(out, JSON.stringify(results, null, 1));
