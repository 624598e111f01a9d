/**
 * The gRPC wire of proto/subnetkit/axon/v1/axon.proto, encoded with our own protobuf helpers (no code generation):
 * the message codec, the service definition shared by the axon and the dendrite, and the split of a synapse body into
 * JSON plus raw tensor bytes.
 */
import { MalformedProtobuf, ProtoWriter, fieldString, readFields } from './protobuf.js';
import { Tensor, parseJson, stringifyJson, type JsonValue, type Synapse } from '../synapse/index.js';

/** One tensor field as raw bytes. */
export interface TensorData {
  field: string;
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** The request and response message. */
export interface SynapseMessage {
  name: string;
  json: Uint8Array;
  tensors: TensorData[];
}

export const GRPC_PATHS = {
  forward: '/subnetkit.axon.v1.Axon/Forward',
  stream: '/subnetkit.axon.v1.Axon/ForwardStream',
} as const;

export function encodeSynapseMessage(m: SynapseMessage): Buffer {
  const w = new ProtoWriter().string(1, m.name).bytes(2, m.json);
  for (const t of m.tensors) {
    const tw = new ProtoWriter().string(1, t.field).string(2, t.dtype).packedInts(3, t.shape).bytes(4, t.data);
    w.message(3, tw);
  }
  const out = w.finish();
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export function decodeSynapseMessage(buf: Uint8Array): SynapseMessage {
  const m: SynapseMessage = { name: '', json: new Uint8Array(0), tensors: [] };
  for (const f of readFields(buf)) {
    if (f.wire !== 2) continue;
    if (f.field === 1) m.name = fieldString(buf, f);
    else if (f.field === 2) m.json = buf.subarray(f.valueStart, f.end);
    else if (f.field === 3) {
      const t: TensorData = { field: '', dtype: '', shape: [], data: new Uint8Array(0) };
      for (const g of readFields(buf, f.valueStart, f.end)) {
        if (g.field === 1 && g.wire === 2) t.field = fieldString(buf, g);
        else if (g.field === 2 && g.wire === 2) t.dtype = fieldString(buf, g);
        else if (g.field === 4 && g.wire === 2) t.data = buf.subarray(g.valueStart, g.end);
        else if (g.field === 3 && g.wire === 2) {
          let pos = g.valueStart;
          while (pos < g.end) {
            let v = 0;
            let mul = 1;
            for (;;) {
              if (pos >= g.end) throw new MalformedProtobuf('truncated shape');
              const b = buf[pos++]!;
              v += (b & 0x7f) * mul;
              mul *= 128;
              if (!(b & 0x80)) break;
              if (mul > 2 ** 49) throw new MalformedProtobuf('shape dimension too large');
            }
            t.shape.push(v);
          }
        } else if (g.field === 3 && g.varint !== undefined) t.shape.push(Number(g.varint));
      }
      m.tensors.push(t);
    }
  }
  return m;
}

export function encodeChunk(data: Uint8Array): Buffer {
  const out = new ProtoWriter().bytes(1, data).finish();
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export function decodeChunk(buf: Uint8Array): Uint8Array {
  for (const f of readFields(buf)) if (f.field === 1 && f.wire === 2) return buf.subarray(f.valueStart, f.end);
  return new Uint8Array(0);
}

const identity = (b: Buffer) => b;

/** The service definition (grpc-js `ServiceDefinition` shape); messages stay Buffers, decoded by the caller. */
export const AXON_SERVICE = {
  forward: {
    path: GRPC_PATHS.forward,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
  forwardStream: {
    path: GRPC_PATHS.stream,
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} as const;

/** Splits a synapse into its JSON without Tensor fields and those tensors' raw bytes. */
export function splitSynapse(synapse: Synapse, name: string): SynapseMessage {
  const dump = parseJson(synapse.toJSON()) as Record<string, JsonValue>;
  const tensors: TensorData[] = [];
  for (const key of Object.keys(dump)) {
    const v = (synapse as unknown as Record<string, unknown>)[key];
    if (v instanceof Tensor) {
      const arr = v.toArray();
      tensors.push({
        field: key,
        dtype: v.dtype,
        shape: [...v.shape],
        data: new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength),
      });
      delete dump[key];
    }
  }
  return { name, json: Buffer.from(stringifyJson(dump)), tensors };
}

const ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayLike<number> | BigInt64Array> = {
  float16: Float32Array,
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** Rebuilds the JSON object of a synapse, tensors as Tensor instances (the field codec accepts them). */
export function joinSynapse(m: SynapseMessage): Record<string, unknown> {
  const obj = (
    m.json.length ? parseJson(Buffer.from(m.json.buffer, m.json.byteOffset, m.json.byteLength).toString('utf8')) : {}
  ) as Record<string, unknown>;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new MalformedProtobuf('json is not an object');
  for (const t of m.tensors) {
    const base = t.dtype.replace(/^torch\./, '');
    const Ctor = ARRAYS[base];
    if (!Ctor) throw new MalformedProtobuf(`unknown tensor dtype ${t.dtype}`);
    const copy = new Uint8Array(t.data.length);
    copy.set(t.data); // aligned copy: protobuf bytes may sit at any offset
    const arr = new Ctor(copy.buffer) as never;
    obj[t.field] = Tensor.fromArray(arr, { shape: t.shape, dtype: t.dtype as never });
  }
  return obj;
}
