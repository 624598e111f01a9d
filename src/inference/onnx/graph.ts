/**
 * A small ONNX graph description and its encoder: enough to write the models subnetkit builds itself (n-gram tables,
 * GPT-style transformers) and the nodes graph surgery appends. Field numbers follow onnx.proto (IR version 8).
 */
import { ProtoWriter } from '../../internal/protobuf.js';

/** ONNX element types used here, with their TensorProto.DataType numbers. */
export const ONNX_DTYPE = { float32: 1, int32: 6, int64: 7 } as const;

/** An element type name. */
export type OnnxElemType = keyof typeof ONNX_DTYPE;

/** A constant tensor (an initializer or a tensor attribute). */
export interface OnnxTensor {
  name: string;
  type: OnnxElemType;
  dims: readonly number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

/** A node attribute value, tagged with its ONNX attribute type. */
export type OnnxAttr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: OnnxTensor };

/** One operator application. */
export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attrs?: Readonly<Record<string, OnnxAttr>>;
}

/** A graph input or output: name, element type and shape (numbers are fixed, strings are symbolic). */
export interface OnnxValueInfo {
  name: string;
  type: OnnxElemType;
  shape: readonly (number | string)[];
}

/** A whole graph. */
export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

/** Attribute constructors. */
export const attr = {
  int: (value: number): OnnxAttr => ({ kind: 'int', value }),
  float: (value: number): OnnxAttr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): OnnxAttr => ({ kind: 'ints', value }),
  string: (value: string): OnnxAttr => ({ kind: 'string', value }),
  tensor: (value: OnnxTensor): OnnxAttr => ({ kind: 'tensor', value }),
};

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, ints: 7 } as const;

function bytesOf(data: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function writeTensor(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, ONNX_DTYPE[t.type]);
  w.string(8, t.name);
  w.bytes(9, bytesOf(t.data));
  return w;
}

function writeAttr(name: string, a: OnnxAttr): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, writeTensor(a.value));
      break;
    case 'ints':
      for (const v of a.value) w.int(8, v);
      break;
  }
  w.int(20, ATTR_TYPE[a.kind]);
  return w;
}

export function writeNode(n: OnnxNode, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.op}_${index}`);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, writeAttr(k, v));
  return w;
}

export function writeValueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, ONNX_DTYPE[v.type]).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

/** Options of {@link encodeModel}. */
export interface EncodeModelOptions {
  /** Default-domain opset (17 unless given: LayerNormalization needs 17). */
  opset?: number;
  /** Free-form metadata stored in `metadata_props` (read back by the adapter: vocab size, model kind). */
  metadata?: Readonly<Record<string, string>>;
}

/** Serializes a graph as an ONNX ModelProto (IR version 8). */
export function encodeModel(graph: OnnxGraph, options: EncodeModelOptions = {}): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((n, i) => {
    g.message(1, writeNode(n, i));
  });
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, writeTensor(t));
  for (const v of graph.inputs) g.message(11, writeValueInfo(v));
  for (const v of graph.outputs) g.message(12, writeValueInfo(v));
  const m = new ProtoWriter();
  m.int(1, 8);
  m.string(2, 'subnetkit');
  m.string(3, '0.1');
  m.message(7, g);
  m.message(8, new ProtoWriter().string(1, '').int(2, options.opset ?? 17));
  for (const [k, v] of Object.entries(options.metadata ?? {}))
    m.message(14, new ProtoWriter().string(1, k).string(2, v));
  return m.finish();
}
