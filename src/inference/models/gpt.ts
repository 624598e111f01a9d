/**
 * A GPT-style decoder (pre-LayerNorm, GELU MLP, learned positions, tied embeddings) with seeded random weights,
 * written straight to ONNX. It exists so that tests and benchmarks have a real transformer without downloading one;
 * its predictions are meaningless, its shapes and cost are those of the configured size.
 */
import { InferenceError } from '../errors.js';
import { attr, encodeModel, type OnnxNode, type OnnxTensor } from '../onnx/graph.js';
import { createRng, uniformArray } from './random.js';

/** Shape of a GPT-style model. */
export interface GptConfig {
  /** Vocabulary size (50257 for GPT-2). */
  vocabSize: number;
  /** Longest sequence (positions). */
  contextLength: number;
  /** Transformer blocks. */
  layers: number;
  /** Attention heads; must divide `width`. */
  heads: number;
  /** Model width. */
  width: number;
  /** Weight seed. */
  seed?: number;
}

/**
 * The GPT-2-small shape (124 M parameters), used by the GPU benchmark.
 *
 * @example
 * ```ts
 * const { model } = buildGptModel(GPT2_SMALL);
 * ```
 */
export const GPT2_SMALL: GptConfig = { vocabSize: 50257, contextLength: 1024, layers: 12, heads: 12, width: 768 };

/** One block's weights (row-major; matrices are [in, out]). */
export interface GptBlockWeights {
  /** LayerNorm before attention. */
  ln1Gain: Float32Array;
  /** LayerNorm before attention. */
  ln1Bias: Float32Array;
  /** Fused q, k, v projection [width, 3·width]. */
  qkv: Float32Array;
  /** Fused q, k, v bias. */
  qkvBias: Float32Array;
  /** Attention output projection [width, width]. */
  proj: Float32Array;
  /** Attention output bias. */
  projBias: Float32Array;
  /** LayerNorm before the MLP. */
  ln2Gain: Float32Array;
  /** LayerNorm before the MLP. */
  ln2Bias: Float32Array;
  /** MLP up [width, 4·width]. */
  up: Float32Array;
  /** MLP up bias. */
  upBias: Float32Array;
  /** MLP down [4·width, width]. */
  down: Float32Array;
  /** MLP down bias. */
  downBias: Float32Array;
}

/** All weights of a GPT-style model. */
export interface GptWeights {
  /** Token embeddings [vocab, width], also the output head (tied). */
  tokenEmbedding: Float32Array;
  /** Position embeddings [contextLength, width]. */
  positionEmbedding: Float32Array;
  /** Blocks in order. */
  blocks: GptBlockWeights[];
  /** Final LayerNorm. */
  lnfGain: Float32Array;
  /** Final LayerNorm. */
  lnfBias: Float32Array;
}

/**
 * The value added to attention scores above the diagonal (a large negative, not −∞, so no backend sees NaN).
 *
 * @example
 * ```ts
 * const masked = j > i ? score + GPT_MASK_VALUE : score;
 * ```
 */
export const GPT_MASK_VALUE = -1e9;

function checkConfig(c: GptConfig): void {
  const ints: (keyof GptConfig)[] = ['vocabSize', 'contextLength', 'layers', 'heads', 'width'];
  for (const k of ints) {
    const v = c[k];
    if (!Number.isInteger(v) || (v as number) < 1)
      throw new InferenceError('INFERENCE_INVALID_INPUT', `GptConfig.${k} must be a positive integer, got ${v}`);
  }
  if (c.width % c.heads !== 0)
    throw new InferenceError('INFERENCE_INVALID_INPUT', `width ${c.width} is not divisible by heads ${c.heads}`);
}

/**
 * Seeded weights of a GPT-style model (uniform, standard deviation about 0.02 for matrices).
 *
 * @example
 * ```ts
 * const w = gptWeights({ vocabSize: 64, contextLength: 16, layers: 2, heads: 2, width: 32, seed: 1 });
 * ```
 */
export function gptWeights(config: GptConfig): GptWeights {
  checkConfig(config);
  const rng = createRng(config.seed ?? 1);
  const d = config.width;
  const s = 0.02 * Math.sqrt(3);
  const blocks: GptBlockWeights[] = [];
  const tokenEmbedding = uniformArray(rng, config.vocabSize * d, s * 5);
  const positionEmbedding = uniformArray(rng, config.contextLength * d, s);
  for (let l = 0; l < config.layers; l++) {
    blocks.push({
      ln1Gain: uniformArray(rng, d, 0.1, 1),
      ln1Bias: uniformArray(rng, d, 0.02),
      qkv: uniformArray(rng, d * 3 * d, s),
      qkvBias: uniformArray(rng, 3 * d, 0.02),
      proj: uniformArray(rng, d * d, s),
      projBias: uniformArray(rng, d, 0.02),
      ln2Gain: uniformArray(rng, d, 0.1, 1),
      ln2Bias: uniformArray(rng, d, 0.02),
      up: uniformArray(rng, d * 4 * d, s),
      upBias: uniformArray(rng, 4 * d, 0.02),
      down: uniformArray(rng, 4 * d * d, s),
      downBias: uniformArray(rng, d, 0.02),
    });
  }
  return {
    tokenEmbedding,
    positionEmbedding,
    blocks,
    lnfGain: uniformArray(rng, d, 0.1, 1),
    lnfBias: uniformArray(rng, d, 0.02),
  };
}

/** What {@link buildGptModel} returns. */
export interface BuiltGptModel {
  /** The ONNX bytes. */
  model: Uint8Array;
  /** The weights in it. */
  weights: GptWeights;
}

/**
 * Builds the ONNX model: input `input_ids` int64 [batch, sequence], output `logits` float32 [batch, sequence, vocab].
 * Opset 17. Metadata records `subnetkit.kind = gpt` and `subnetkit.vocab_size`.
 *
 * @example
 * ```ts
 * const { model } = buildGptModel({ vocabSize: 50257, contextLength: 128, layers: 2, heads: 4, width: 128, seed: 7 });
 * writeFileSync('gpt.onnx', model);
 * ```
 */
export function buildGptModel(config: GptConfig, weights: GptWeights = gptWeights(config)): BuiltGptModel {
  // over 80 lines by design: the graph is built in forward order, node after node, as a reader follows the model;
  // helpers for each layer would only pass the node list around.
  checkConfig(config);
  const { vocabSize: v, contextLength: c, heads: h, width: d } = config;
  const hd = d / h;
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const f32 = (name: string, dims: number[], data: Float32Array) => {
    inits.push({ name, type: 'float32', dims, data });
    return name;
  };
  const i64 = (name: string, values: number[], dims: number[] = [values.length]) => {
    inits.push({ name, type: 'int64', dims, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  };
  let n = 0;
  const op = (type: string, inputs: string[], attrs?: OnnxNode['attrs'], outputs = 1): string[] => {
    const outs = Array.from({ length: outputs }, (_, i) => `${type.toLowerCase()}_${n}_${i}`);
    nodes.push({ op: type, inputs, outputs: outs, name: `${type}_${n++}`, ...(attrs ? { attrs } : {}) });
    return outs;
  };
  const one = (type: string, inputs: string[], attrs?: OnnxNode['attrs']) => op(type, inputs, attrs)[0]!;

  const mask = new Float32Array(c * c);
  for (let i = 0; i < c; i++) for (let j = i + 1; j < c; j++) mask[i * c + j] = GPT_MASK_VALUE;
  f32('causal_mask', [c, c], mask);
  f32('wte', [v, d], weights.tokenEmbedding);
  f32('wpe', [c, d], weights.positionEmbedding);
  f32('attn_scale', [], new Float32Array([1 / Math.sqrt(hd)]));
  f32('half', [], new Float32Array([0.5]));
  f32('one', [], new Float32Array([1]));
  f32('inv_sqrt2', [], new Float32Array([Math.SQRT1_2]));
  i64('idx1', [1], []);
  i64('zero1', [0]);
  i64('zero2', [0, 0]);
  i64('axes0', [0]);
  i64('axes01', [0, 1]);
  i64('heads_shape', [0, 0, h, hd]);
  i64('merge_shape', [0, 0, d]);
  i64('qkv_split', [d, d, d]);

  const shape = one('Shape', ['input_ids']);
  const t = one('Gather', [shape, 'idx1'], { axis: attr.int(0) });
  const t1 = one('Unsqueeze', [t, 'axes0']);
  const tt = one('Concat', [t1, t1], { axis: attr.int(0) });
  const causal = one('Slice', ['causal_mask', 'zero2', tt, 'axes01']);
  const pos = one('Slice', ['wpe', 'zero1', t1, 'axes0']);
  let x = one('Add', [one('Gather', ['wte', 'input_ids'], { axis: attr.int(0) }), pos]);
  const ln = (input: string, gain: string, bias: string) =>
    one('LayerNormalization', [input, gain, bias], { axis: attr.int(-1), epsilon: attr.float(1e-5) });
  const linear = (input: string, w: string, b: string) => one('Add', [one('MatMul', [input, w]), b]);
  const heads = (input: string, perm: number[]) =>
    one('Transpose', [one('Reshape', [input, 'heads_shape'])], { perm: attr.ints(perm) });

  weights.blocks.forEach((bw, l) => {
    const p = `h${l}_`;
    f32(`${p}ln1_g`, [d], bw.ln1Gain);
    f32(`${p}ln1_b`, [d], bw.ln1Bias);
    f32(`${p}qkv_w`, [d, 3 * d], bw.qkv);
    f32(`${p}qkv_b`, [3 * d], bw.qkvBias);
    f32(`${p}proj_w`, [d, d], bw.proj);
    f32(`${p}proj_b`, [d], bw.projBias);
    f32(`${p}ln2_g`, [d], bw.ln2Gain);
    f32(`${p}ln2_b`, [d], bw.ln2Bias);
    f32(`${p}up_w`, [d, 4 * d], bw.up);
    f32(`${p}up_b`, [4 * d], bw.upBias);
    f32(`${p}down_w`, [4 * d, d], bw.down);
    f32(`${p}down_b`, [d], bw.downBias);
    const a = ln(x, `${p}ln1_g`, `${p}ln1_b`);
    const [q, k, vv] = op('Split', [linear(a, `${p}qkv_w`, `${p}qkv_b`), 'qkv_split'], { axis: attr.int(2) }, 3) as [
      string,
      string,
      string,
    ];
    const scores = one('Add', [
      one('Mul', [one('MatMul', [heads(q, [0, 2, 1, 3]), heads(k, [0, 2, 3, 1])]), 'attn_scale']),
      causal,
    ]);
    const probs = one('Softmax', [scores], { axis: attr.int(-1) });
    const ctx = one('MatMul', [probs, heads(vv, [0, 2, 1, 3])]);
    const merged = one('Reshape', [one('Transpose', [ctx], { perm: attr.ints([0, 2, 1, 3]) }), 'merge_shape']);
    x = one('Add', [x, linear(merged, `${p}proj_w`, `${p}proj_b`)]);
    const m = ln(x, `${p}ln2_g`, `${p}ln2_b`);
    const up = linear(m, `${p}up_w`, `${p}up_b`);
    const gelu = one('Mul', [
      one('Mul', [up, 'half']),
      one('Add', ['one', one('Erf', [one('Mul', [up, 'inv_sqrt2'])])]),
    ]);
    x = one('Add', [x, linear(gelu, `${p}down_w`, `${p}down_b`)]);
  });
  f32('lnf_g', [d], weights.lnfGain);
  f32('lnf_b', [d], weights.lnfBias);
  const head = one('Transpose', ['wte'], { perm: attr.ints([1, 0]) });
  const last = one('MatMul', [ln(x, 'lnf_g', 'lnf_b'), head]);
  nodes.push({ op: 'Identity', inputs: [last], outputs: ['logits'], name: 'logits_out' });
  const model = encodeModel(
    {
      name: 'subnetkit_gpt',
      nodes,
      initializers: inits,
      inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] }],
      outputs: [{ name: 'logits', type: 'float32', shape: ['batch', 'sequence', v] }],
    },
    {
      opset: 17,
      metadata: { 'subnetkit.kind': 'gpt', 'subnetkit.vocab_size': String(v), 'subnetkit.context_length': String(c) },
    },
  );
  return { model, weights };
}
