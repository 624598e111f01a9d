/**
 * Graph surgery on an existing causal LM: append TopK and log-softmax normalisation after its logits so that only k ids and values per
 * position leave the device. The original bytes are kept as they are; new nodes, one initializer, one input and two
 * outputs are appended to the graph message, which protobuf permits for repeated fields.
 */
import { InferenceError } from '../errors.js';
import {
  attr,
  writeNode,
  writeTensor,
  writeValueInfo,
  type OnnxElemType,
  type OnnxNode,
  type OnnxTensor,
} from './graph.js';
import {
  MalformedProtobuf,
  ProtoWriter,
  fieldString,
  readFields as readRawFields,
  type ProtoField,
} from '../../internal/protobuf.js';

function readFields(buf: Uint8Array, start?: number, end?: number): ProtoField[] {
  try {
    return readRawFields(buf, start, end);
  } catch (e) {
    if (e instanceof MalformedProtobuf)
      throw new InferenceError('INFERENCE_BAD_MODEL', `malformed ONNX model: ${e.message}`, { cause: e });
    throw e;
  }
}

/** A graph input or output as the model declares it. */
export interface ModelValue {
  /** Value name. */
  name: string;
  /** ONNX element type number (1 float32, 6 int32, 7 int64, 10 float16, …). */
  elemType: number;
  /** Dimensions: numbers where fixed, names where symbolic, null where unknown. */
  shape: (number | string | null)[];
}

/** What {@link inspectModel} reads from an ONNX file without loading it into a runtime. */
export interface ModelSummary {
  /** Graph inputs that are not initializers. */
  inputs: ModelValue[];
  /** Graph outputs. */
  outputs: ModelValue[];
  /** Default-domain opset version. */
  opset: number;
  /** `metadata_props` key/values. */
  metadata: Record<string, string>;
}

function readValueInfo(buf: Uint8Array, f: ProtoField): ModelValue {
  let name = '';
  let elemType = 0;
  const shape: (number | string | null)[] = [];
  for (const vf of readFields(buf, f.valueStart, f.end)) {
    if (vf.field === 1 && vf.wire === 2) name = fieldString(buf, vf);
    if (vf.field === 2 && vf.wire === 2) {
      for (const tp of readFields(buf, vf.valueStart, vf.end)) {
        if (tp.field !== 1 || tp.wire !== 2) continue;
        for (const tt of readFields(buf, tp.valueStart, tp.end)) {
          if (tt.field === 1 && tt.varint !== undefined) elemType = Number(tt.varint);
          if (tt.field === 2 && tt.wire === 2) {
            for (const dim of readFields(buf, tt.valueStart, tt.end)) {
              if (dim.field !== 1 || dim.wire !== 2) continue;
              let d: number | string | null = null;
              for (const dv of readFields(buf, dim.valueStart, dim.end)) {
                if (dv.field === 1 && dv.varint !== undefined) d = Number(dv.varint);
                if (dv.field === 2 && dv.wire === 2) d = fieldString(buf, dv);
              }
              shape.push(d);
            }
          }
        }
      }
    }
  }
  return { name, elemType, shape };
}

function graphField(fields: ProtoField[]): ProtoField {
  const g = fields.find((f) => f.field === 7 && f.wire === 2);
  if (!g) throw new InferenceError('INFERENCE_BAD_MODEL', 'the ONNX model has no graph');
  return g;
}

/**
 * Reads a model's inputs, outputs, opset and metadata from its bytes.
 *
 * @example
 * ```ts
 * const { inputs, outputs } = inspectModel(readFileSync('model.onnx'));
 * ```
 */
export function inspectModel(bytes: Uint8Array): ModelSummary {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0)
    throw new InferenceError('INFERENCE_BAD_MODEL', 'the ONNX model is empty');
  const fields = readFields(bytes);
  const g = graphField(fields);
  let opset = 0;
  const metadata: Record<string, string> = {};
  for (const f of fields) {
    if (f.field === 8 && f.wire === 2) {
      let domain = '';
      let version = 0;
      for (const o of readFields(bytes, f.valueStart, f.end)) {
        if (o.field === 1 && o.wire === 2) domain = fieldString(bytes, o);
        if (o.field === 2 && o.varint !== undefined) version = Number(o.varint);
      }
      if (domain === '' || domain === 'ai.onnx') opset = version;
    }
    if (f.field === 14 && f.wire === 2) {
      let k = '';
      let v = '';
      for (const o of readFields(bytes, f.valueStart, f.end)) {
        if (o.field === 1 && o.wire === 2) k = fieldString(bytes, o);
        if (o.field === 2 && o.wire === 2) v = fieldString(bytes, o);
      }
      metadata[k] = v;
    }
  }
  const initializers = new Set<string>();
  const inputs: ModelValue[] = [];
  const outputs: ModelValue[] = [];
  for (const f of readFields(bytes, g.valueStart, g.end)) {
    if (f.field === 5 && f.wire === 2) {
      for (const t of readFields(bytes, f.valueStart, f.end))
        if (t.field === 8 && t.wire === 2) initializers.add(fieldString(bytes, t));
    }
    if (f.field === 11 && f.wire === 2) inputs.push(readValueInfo(bytes, f));
    if (f.field === 12 && f.wire === 2) outputs.push(readValueInfo(bytes, f));
  }
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs, opset, metadata };
}

/**
 * Finds the logits output of a causal LM: one named `logits`, else the only rank-3 float32 output.
 *
 * @example
 * ```ts
 * findLogitsOutput(inspectModel(bytes)).name; // 'logits'
 * ```
 */
export function findLogitsOutput(summary: ModelSummary, name?: string): ModelValue {
  if (name !== undefined) {
    const o = summary.outputs.find((x) => x.name === name);
    if (!o) throw new InferenceError('INFERENCE_BAD_MODEL', `the model has no output named ${JSON.stringify(name)}`);
    return o;
  }
  const named = summary.outputs.find((o) => o.name === 'logits');
  if (named) return named;
  const rank3 = summary.outputs.filter((o) => o.elemType === 1 && o.shape.length === 3);
  if (rank3.length !== 1) {
    throw new InferenceError(
      'INFERENCE_BAD_MODEL',
      `the model has no logits output (outputs: ${summary.outputs.map((o) => o.name).join(', ') || 'none'})`,
    );
  }
  return rank3[0]!;
}

/**
 * Names of what {@link appendTopk} adds.
 *
 * @example
 * ```ts
 * session.run({ input_ids, [TOPK_IO.k]: kTensor }, [TOPK_IO.values, TOPK_IO.indices]);
 * ```
 */
export const TOPK_IO = {
  /** Input: k, int64 [1]. */
  k: 'subnetkit_topk_k',
  /** Output: log-probabilities, float32. */
  values: 'subnetkit_topk_values',
  /** Output: token ids, int64. */
  indices: 'subnetkit_topk_indices',
} as const;

/** Options of {@link appendTopk}. */
export interface AppendTopkOptions {
  /** `last`: top-k of the last position only ([B, k]); `all`: of every position ([B, T, k]). */
  positions: 'last' | 'all';
  /** Logits output to read (found by {@link findLogitsOutput} when omitted). */
  logitsOutput?: string;
  /**
   * `exact` (default): one TopK over the whole vocabulary. `blocked`: the vocabulary is cut into blocks of
   * `blockSize`; the k blocks with the largest maxima must hold the k largest values, so TopK runs over k block maxima
   * and then over the k·blockSize values of those blocks. Same result, a few passes over the logits instead of a full
   * sort (the WebGPU TopK kernel is a bitonic sort: about 136 passes at V = 50257). Needs a fixed vocabulary size and
   * k ≤ ⌈V / blockSize⌉ at run time.
   */
  method?: 'exact' | 'blocked';
  /** Block size of the `blocked` method (64 unless given). */
  blockSize?: number;
}

/**
 * The largest k the `blocked` method of {@link appendTopk} supports for a vocabulary.
 *
 * @example
 * ```ts
 * blockedTopkLimit(50257); // 786
 * ```
 */
export function blockedTopkLimit(vocabSize: number, blockSize = 64): number {
  return Math.ceil(vocabSize / blockSize);
}

/**
 * {@link appendTopk} as a list of byte parts, most of them views of `model` itself: nothing large is copied, so the
 * caller can concatenate in a worker thread (a 500 MB model would otherwise block the event loop while it is copied).
 */
export function appendTopkParts(model: Uint8Array, options: AppendTopkOptions): Uint8Array[] {
  // over 80 lines by design: the graph edits (new nodes, outputs, value infos) are appended in one pass so every part
  // stays a view of the model's own bytes.
  const summary = inspectModel(model);
  if (summary.opset < 13)
    throw new InferenceError('INFERENCE_BAD_MODEL', `top-k surgery needs opset >= 13, the model has ${summary.opset}`);
  if (summary.outputs.some((o) => o.name === TOPK_IO.values))
    throw new InferenceError('INFERENCE_BAD_MODEL', 'the model already has top-k outputs');
  const logitsValue = findLogitsOutput(summary, options.logitsOutput);
  const logits = logitsValue.name;
  const last = options.positions === 'last';
  const nodes: OnnxNode[] = [];
  const consts: OnnxTensor[] = [];
  const i64 = (name: string, values: number[], dims: number[] = [values.length]) => {
    consts.push({ name, type: 'int64', dims, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  };
  const p = (name: string) => `subnetkit_topk_${name}`;
  const node = (op: string, inputs: string[], outputs: string[], attrs?: OnnxNode['attrs']) =>
    nodes.push({ op, inputs, outputs, ...(attrs ? { attrs } : {}) });
  let source = logits;
  if (last) {
    node('Gather', [logits, i64(p('last_index'), [-1], [])], [p('last_logits')], { axis: attr.int(1) });
    source = p('last_logits');
  }
  // Log-sum-exp from plain reductions: every execution provider has those, while LogSoftmax is missing from some
  // (WebGPU), which would send the whole [B, T, V] tensor back to the host and defeat the point.
  const axes = i64(p('axes'), [-1]);
  const reduceMax = (input: string, output: string, keepdims: number) =>
    summary.opset >= 18
      ? node('ReduceMax', [input, axes], [output], { keepdims: attr.int(keepdims) })
      : node('ReduceMax', [input], [output], { axes: attr.ints([-1]), keepdims: attr.int(keepdims) });
  reduceMax(source, p('max'), 1);
  node('Sub', [source, p('max')], [p('shifted')]);
  node('Exp', [p('shifted')], [p('exp')]);
  node('ReduceSum', [p('exp'), axes], [p('sum')], { keepdims: attr.int(1) });
  node('Log', [p('sum')], [p('logsum')]);
  node('Add', [p('max'), p('logsum')], [p('lse')]);
  const topk = (input: string, values: string, indices: string) =>
    node('TopK', [input, TOPK_IO.k], [values, indices], {
      axis: attr.int(-1),
      largest: attr.int(1),
      sorted: attr.int(1),
    });
  if ((options.method ?? 'exact') === 'exact') {
    // TopK on the raw logits: the order is that of the log-probabilities.
    topk(source, p('raw'), TOPK_IO.indices);
  } else {
    const vocab = logitsValue.shape[logitsValue.shape.length - 1];
    if (typeof vocab !== 'number')
      throw new InferenceError(
        'INFERENCE_BAD_MODEL',
        'blocked top-k needs the logits output to declare a fixed vocabulary size',
      );
    const s = options.blockSize ?? 64;
    if (!Number.isInteger(s) || s < 2)
      throw new InferenceError('INFERENCE_INVALID_INPUT', `blockSize must be an integer >= 2, got ${s}`);
    const g = blockedTopkLimit(vocab, s);
    const rank = last ? 2 : 3;
    const pads = new Array<number>(2 * rank).fill(0);
    pads[2 * rank - 1] = g * s - vocab;
    consts.push({ name: p('pad_value'), type: 'float32', dims: [], data: new Float32Array([-3.4e38]) });
    node('Pad', [source, i64(p('pads'), pads), p('pad_value')], [p('padded')]);
    node('Reshape', [p('padded'), i64(p('block_shape'), last ? [0, g, s] : [0, 0, g, s])], [p('blocks')]);
    reduceMax(p('blocks'), p('block_max'), 0);
    topk(p('block_max'), p('best_block_max'), p('best_blocks'));
    node('Unsqueeze', [p('best_blocks'), axes], [p('best_blocks_1')]);
    node('Expand', [p('best_blocks_1'), i64(p('expand_shape'), last ? [1, 1, s] : [1, 1, 1, s])], [p('gather_index')]);
    node('GatherElements', [p('blocks'), p('gather_index')], [p('candidates')], { axis: attr.int(rank - 1) });
    node('Reshape', [p('candidates'), i64(p('flat_shape'), last ? [0, -1] : [0, 0, -1])], [p('flat')]);
    topk(p('flat'), p('raw'), p('flat_pos'));
    const bs = i64(p('block_size'), [s], []);
    node('Div', [p('flat_pos'), bs], [p('slot')]);
    node('Mod', [p('flat_pos'), bs], [p('offset')]);
    node('GatherElements', [p('best_blocks'), p('slot')], [p('block_of')], { axis: attr.int(-1) });
    node('Mul', [p('block_of'), bs], [p('block_start')]);
    node('Add', [p('block_start'), p('offset')], [TOPK_IO.indices]);
  }
  node('Sub', [p('raw'), p('lse')], [TOPK_IO.values]);
  const fields = readFields(model);
  const g = graphField(fields);
  const extra = new ProtoWriter();
  nodes.forEach((n, i) => {
    extra.message(1, writeNode({ ...n, name: `subnetkit_topk_${i}` }, i));
  });
  for (const t of consts) extra.message(5, writeTensor(t));
  extra.message(11, writeValueInfo({ name: TOPK_IO.k, type: 'int64', shape: [1] }));
  const shape: (number | string)[] = last ? ['batch', 'k'] : ['batch', 'sequence', 'k'];
  const out = (name: string, type: OnnxElemType) => writeValueInfo({ name, type, shape });
  extra.message(12, out(TOPK_IO.values, 'float32'));
  extra.message(12, out(TOPK_IO.indices, 'int64'));
  const extraBytes = extra.finish();
  // The new graph is the old graph's bytes followed by the extra fields; only the length prefix changes.
  const graph = new ProtoWriter().raw(model.subarray(g.valueStart, g.end)).raw(extraBytes);
  const m = new ProtoWriter();
  for (const f of fields) {
    if (f === g) m.message(7, graph);
    else m.raw(model.subarray(f.start, f.end));
  }
  return m.parts;
}

/**
 * Returns a copy of `model` with TopK and a log-sum-exp appended to its logits: a new int64 input `subnetkit_topk_k`
 * (shape [1]) and outputs `subnetkit_topk_values` (log-probabilities, float32) and `subnetkit_topk_indices` (int64),
 * largest first. The logits output stays, so one session can serve both.
 *
 * @example
 * ```ts
 * const topkModel = appendTopk(readFileSync('gpt.onnx'), { positions: 'last' });
 * ```
 */
export function appendTopk(model: Uint8Array, options: AppendTopkOptions): Uint8Array {
  return concatParts(appendTopkParts(model, options));
}

/** Concatenates byte parts into one array. */
export function concatParts(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
