/** A plain-TypeScript forward pass of the GPT-style model of src/inference/models/gpt.ts, written independently
 * of the ONNX graph, loop by loop, in float64. Returns logits [T, V] for one sequence. */
import type { GptConfig, GptWeights } from '../../src/inference/index.js';

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

function layerNorm(x: Float64Array, g: Float32Array, b: Float32Array): Float64Array {
  const n = x.length;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  variance /= n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = ((x[i]! - mean) / Math.sqrt(variance + 1e-5)) * g[i]! + b[i]!;
  return out;
}

function matVec(x: Float64Array, w: Float32Array, bias: Float32Array, outDim: number): Float64Array {
  const out = new Float64Array(outDim);
  for (let o = 0; o < outDim; o++) out[o] = bias[o]!;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    for (let o = 0; o < outDim; o++) out[o]! += xi * w[i * outDim + o]!;
  }
  return out;
}

export function gptReferenceForward(c: GptConfig, w: GptWeights, ids: readonly number[]): Float64Array[] {
  const d = c.width;
  const hd = d / c.heads;
  const T = ids.length;
  let h = ids.map((id, t) => {
    const x = new Float64Array(d);
    for (let i = 0; i < d; i++) x[i] = w.tokenEmbedding[id * d + i]! + w.positionEmbedding[t * d + i]!;
    return x;
  });
  for (const blk of w.blocks) {
    const qkv = h.map((x) => matVec(layerNorm(x, blk.ln1Gain, blk.ln1Bias), blk.qkv, blk.qkvBias, 3 * d));
    const attnOut = h.map(() => new Float64Array(d));
    for (let head = 0; head < c.heads; head++) {
      for (let t = 0; t < T; t++) {
        const scores: number[] = [];
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let i = 0; i < hd; i++) dot += qkv[t]![head * hd + i]! * qkv[s]![d + head * hd + i]!;
          scores.push(dot / Math.sqrt(hd));
        }
        const max = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - max));
        const z = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++)
          for (let i = 0; i < hd; i++) attnOut[t]![head * hd + i]! += (e[s]! / z) * qkv[s]![2 * d + head * hd + i]!;
      }
    }
    h = h.map((x, t) => {
      const proj = matVec(attnOut[t]!, blk.proj, blk.projBias, d);
      const x1 = x.map((v, i) => v + proj[i]!);
      const up = matVec(layerNorm(x1, blk.ln2Gain, blk.ln2Bias), blk.up, blk.upBias, 4 * d);
      const act = up.map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2)));
      const down = matVec(act, blk.down, blk.downBias, d);
      return x1.map((v, i) => v + down[i]!);
    });
  }
  return h.map((x) => {
    const n = layerNorm(x, w.lnfGain, w.lnfBias);
    const logits = new Float64Array(c.vocabSize);
    for (let v = 0; v < c.vocabSize; v++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += n[i]! * w.tokenEmbedding[v * d + i]!;
      logits[v] = s;
    }
    return logits;
  });
}
