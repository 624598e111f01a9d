/**
 * bittensor's `Tensor`: a numpy array carried in JSON as base64(msgpack-numpy), with its dtype string and shape.
 */
import { SynapseError } from './errors.js';
import { decodeMsgpack, MsgpackWriter, type MsgpackValue } from './msgpack.js';
import { pythonStrRepr } from './python-repr.js';
import { fromFloat16Bits, toFloat16Bits } from '../internal/float16.js';

/** The dtype names a Tensor may declare (bittensor also accepts each with a `torch.` prefix). */
export type TensorDtype = 'float16' | 'float32' | 'float64' | 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'bool';

/** The typed array each dtype decodes to (float16 widens to Float32Array; bool is 0/1 bytes). */
export interface TensorArrayOf {
  /** fp16 data widened to float32. */
  float16: Float32Array;
  /** float32 data. */
  float32: Float32Array;
  /** float64 data. */
  float64: Float64Array;
  /** uint8 data. */
  uint8: Uint8Array;
  /** int8 data. */
  int8: Int8Array;
  /** int16 data. */
  int16: Int16Array;
  /** int32 data. */
  int32: Int32Array;
  /** int64 data as bigint. */
  int64: BigInt64Array;
  /** bool data as 0/1 bytes. */
  bool: Uint8Array;
}
/** Any typed array a Tensor can hold. */
export type TensorArray = TensorArrayOf[TensorDtype];

interface DtypeInfo {
  numpy: string; // numpy dtype.str, little-endian
  size: number;
  make: (n: number) => TensorArray;
}

const DTYPES: Record<TensorDtype, DtypeInfo> = {
  float16: { numpy: '<f2', size: 2, make: (n) => new Float32Array(n) },
  float32: { numpy: '<f4', size: 4, make: (n) => new Float32Array(n) },
  float64: { numpy: '<f8', size: 8, make: (n) => new Float64Array(n) },
  uint8: { numpy: '|u1', size: 1, make: (n) => new Uint8Array(n) },
  int8: { numpy: '|i1', size: 1, make: (n) => new Int8Array(n) },
  int16: { numpy: '<i2', size: 2, make: (n) => new Int16Array(n) },
  int32: { numpy: '<i4', size: 4, make: (n) => new Int32Array(n) },
  int64: { numpy: '<i8', size: 8, make: (n) => new BigInt64Array(n) },
  bool: { numpy: '|b1', size: 1, make: (n) => new Uint8Array(n) },
};

/** numpy type string (either byte order) -> dtype. */
const NUMPY_TO_DTYPE = new Map<string, TensorDtype>();
for (const [name, info] of Object.entries(DTYPES) as [TensorDtype, DtypeInfo][]) {
  NUMPY_TO_DTYPE.set(info.numpy, name);
  NUMPY_TO_DTYPE.set(info.numpy.replace('<', '>'), name);
  NUMPY_TO_DTYPE.set(info.numpy.replace('<', '='), name);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fail(msg: string, cause?: unknown): never {
  throw new SynapseError('TENSOR_INVALID', msg, { cause });
}

/** Normalises `torch.float32` -> `float32`; throws on names bittensor does not allow. */
function baseDtype(dtype: string): TensorDtype {
  const name = dtype.startsWith('torch.') ? dtype.slice(6) : dtype;
  if (!(name in DTYPES)) fail(`unsupported dtype ${JSON.stringify(dtype)}; allowed: ${Object.keys(DTYPES).join(', ')}`);
  return name as TensorDtype;
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: unknown): number[] {
  let s = shape;
  if (typeof s === 'string') {
    // bittensor's validator also accepts the string form "[2, 3]".
    if (!/^\s*\[\s*(\d+\s*(,\s*\d+\s*)*)?\]\s*$/.test(s))
      fail(`shape string ${JSON.stringify(s)} is not a list of ints`);
    s = JSON.parse(s);
  }
  if (!Array.isArray(s)) fail('shape must be a list of non-negative ints');
  for (const d of s)
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      fail(`shape ${JSON.stringify(s)} holds a non-int or negative dimension`);
  if (numel(s) > 2 ** 31) fail(`shape ${JSON.stringify(s)} has more than 2^31 elements`);
  return s as number[];
}

/**
 * A bittensor `Tensor`: numpy data carried as base64 msgpack-numpy, byte-compatible with Python peers.
 *
 * @example
 * ```ts
 * import { Tensor } from 'subnetkit/synapse';
 * const t = Tensor.fromArray(new Float32Array([1, 2, 3]));
 * t.buffer; // 'hcQCbmTDxAR0eXBlozxmNMQEa2luZMQAxAVzaGFwZZEDxARkYXRhxAwAAIA/AAAAQAAAQEA='
 * Tensor.parse({ buffer: t.buffer, dtype: 'float32', shape: [3] }).toArray(); // Float32Array [1, 2, 3]
 * ```
 */
export class Tensor {
  private decoded: TensorArray | undefined;

  private constructor(
    /** base64 msgpack-numpy bytes, or null for an empty Tensor. */
    readonly buffer: string | null,
    /** The dtype name as sent (`float32`, or `torch.float32`). */
    readonly dtype: string,
    /** The shape as sent; `[0]` also marks a 0-d scalar. */
    readonly shape: readonly number[],
    decoded?: TensorArray,
  ) {
    this.decoded = decoded;
    Object.freeze(this.shape);
  }

  /**
   * Builds a Tensor from a typed array (dtype inferred) or a number list (dtype required).
   *
   * @example
   * ```ts
   * Tensor.fromArray(new BigInt64Array([1n, 2n, 3n, 4n]), { shape: [2, 2] });
   * Tensor.fromArray([0.5, 0.25], { dtype: 'float16' });
   * ```
   */
  static fromArray(
    data: TensorArray | ArrayLike<number> | readonly bigint[],
    options: { shape?: readonly number[]; dtype?: TensorDtype | `torch.${TensorDtype}` } = {},
  ): Tensor {
    const dtypeName = options.dtype ?? inferDtype(data);
    const dtype = baseDtype(dtypeName);
    const info = DTYPES[dtype];
    const n = data.length;
    const shape = options.shape ? checkShape([...options.shape]) : [n];
    if (numel(shape) !== n) fail(`shape ${JSON.stringify(shape)} holds ${numel(shape)} elements but data has ${n}`);
    const values = info.make(n);
    if (values instanceof BigInt64Array) {
      for (let i = 0; i < n; i++) {
        const v = (data as ArrayLike<number | bigint>)[i]!;
        if (typeof v === 'number' && !Number.isSafeInteger(v)) fail(`int64 element ${i} is not an integer: ${v}`);
        values[i] = BigInt(v);
      }
    } else {
      for (let i = 0; i < n; i++) (values as Float64Array)[i] = Number((data as ArrayLike<number | bigint>)[i]);
      if (dtype === 'float16')
        for (let i = 0; i < n; i++) values[i] = fromFloat16Bits(toFloat16Bits(values[i] as number));
      if (dtype === 'bool') for (let i = 0; i < n; i++) values[i] = values[i] ? 1 : 0;
    }
    const buffer = encodeBuffer(dtype, shape, values);
    return new Tensor(buffer, dtypeName, shape, values);
  }

  /**
   * Validates a Tensor as received in a synapse's JSON (`{buffer, dtype, shape}`), decoding the buffer once so that
   * malformed base64 or msgpack is rejected here, not later.
   *
   * @throws {@link SynapseError} `TENSOR_INVALID` or `MSGPACK_INVALID`.
   * @example
   * ```ts
   * Tensor.parse({ buffer: null, dtype: 'float32', shape: [] }).toArray(); // Float32Array []
   * ```
   */
  static parse(obj: Record<string, unknown>): Tensor {
    const { buffer, dtype, shape } = obj;
    if (buffer !== null && buffer !== undefined && typeof buffer !== 'string')
      fail('buffer must be a base64 string or null');
    if (typeof dtype !== 'string') fail('dtype must be a string');
    const base = baseDtype(dtype);
    const dims = checkShape(shape ?? []);
    const tensor = new Tensor(buffer ?? null, dtype, dims);
    tensor.decoded = buffer ? decodeBuffer(buffer, base, dims) : DTYPES[base].make(0);
    return tensor;
  }

  /** The element type without a `torch.` prefix. */
  get baseDtype(): TensorDtype {
    return baseDtype(this.dtype);
  }

  /**
   * The data as a typed array (a view shared with this Tensor: copy it before mutating).
   *
   * @example
   * ```ts
   * const ids = tensor.toArray() as BigInt64Array;
   * ```
   */
  toArray(): TensorArray {
    this.decoded ??= this.buffer
      ? decodeBuffer(this.buffer, this.baseDtype, this.shape)
      : DTYPES[this.baseDtype].make(0);
    return this.decoded;
  }

  /**
   * The wire JSON of this Tensor (`{"buffer":…,"dtype":…,"shape":[…]}`).
   *
   * @example
   * ```ts
   * Tensor.fromArray(new Float32Array([1])).toJSON(); // '{"buffer":"…","dtype":"float32","shape":[1]}'
   * ```
   */
  toJSON(): string {
    return `{"buffer":${this.buffer === null ? 'null' : JSON.stringify(this.buffer)},"dtype":${JSON.stringify(this.dtype)},"shape":[${this.shape.join(',')}]}`;
  }

  /**
   * The Python `repr()` of this Tensor as it appears in a synapse's `model_dump()` (used by the body hash).
   *
   * @example
   * ```ts
   * tensor.pythonRepr(); // "{'buffer': '…', 'dtype': 'float32', 'shape': [3]}"
   * ```
   */
  pythonRepr(): string {
    const buf = this.buffer === null ? 'None' : pythonStrRepr(this.buffer);
    return `{'buffer': ${buf}, 'dtype': ${pythonStrRepr(this.dtype)}, 'shape': [${this.shape.join(', ')}]}`;
  }
}

function inferDtype(data: unknown): TensorDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return fail(
    'pass options.dtype for plain arrays and for typed arrays other than Float32/Float64/Uint8/Int8/Int16/Int32/BigInt64',
  );
}

function encodeBuffer(dtype: TensorDtype, shape: readonly number[], values: TensorArray): string {
  const info = DTYPES[dtype];
  const n = values.length;
  const data = new Uint8Array(n * info.size);
  const dv = new DataView(data.buffer);
  switch (dtype) {
    case 'float16':
      for (let i = 0; i < n; i++) dv.setUint16(i * 2, toFloat16Bits(values[i] as number), true);
      break;
    case 'float32':
      for (let i = 0; i < n; i++) dv.setFloat32(i * 4, values[i] as number, true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) dv.setFloat64(i * 8, values[i] as number, true);
      break;
    case 'int16':
      for (let i = 0; i < n; i++) dv.setInt16(i * 2, values[i] as number, true);
      break;
    case 'int32':
      for (let i = 0; i < n; i++) dv.setInt32(i * 4, values[i] as number, true);
      break;
    case 'int64':
      for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, values[i] as bigint, true);
      break;
    default:
      data.set(values as Uint8Array);
  }
  const w = new MsgpackWriter().mapHeader(5);
  w.binKey('nd').bool(true);
  w.binKey('type').str(info.numpy);
  w.binKey('kind').bin(new Uint8Array(0));
  w.binKey('shape').arrayHeader(shape.length);
  // A 0-d scalar travels as Tensor.shape [0] but its ndarray has shape ().
  for (const d of shape) w.uint(d);
  w.binKey('data').bin(data);
  return Buffer.from(w.finish()).toString('base64');
}

function keyName(k: MsgpackValue): string | undefined {
  if (typeof k === 'string') return k;
  if (k instanceof Uint8Array) return Buffer.from(k).toString('latin1');
  return undefined;
}

function decodeBuffer(buffer: string, target: TensorDtype, declaredShape: readonly number[]): TensorArray {
  if (buffer.length % 4 !== 0 || !BASE64.test(buffer)) fail('buffer is not valid base64');
  const bytes = new Uint8Array(Buffer.from(buffer, 'base64'));
  const root = decodeMsgpack(bytes);
  if (root === null || typeof root !== 'object' || Array.isArray(root) || root instanceof Uint8Array)
    fail('buffer is not a msgpack-numpy map');
  const fields = new Map<string, MsgpackValue>();
  for (const [k, v] of root.map) {
    const name = keyName(k);
    if (name !== undefined) fields.set(name, v);
  }
  const nd = fields.get('nd');
  const type = fields.get('type');
  const data = fields.get('data');
  if (typeof type !== 'string' && !(type instanceof Uint8Array)) fail('msgpack-numpy map lacks a type string');
  const typeStr = typeof type === 'string' ? type : Buffer.from(type).toString('latin1');
  const kind = fields.get('kind');
  if (kind instanceof Uint8Array && kind.length > 0)
    fail(`structured or object arrays (kind ${JSON.stringify(Buffer.from(kind).toString('latin1'))}) are refused`);
  const source = NUMPY_TO_DTYPE.get(typeStr);
  if (!source) fail(`unsupported numpy type ${JSON.stringify(typeStr)}`);
  if (!(data instanceof Uint8Array)) fail('msgpack-numpy map lacks binary data');
  let innerShape: number[];
  if (nd === true) {
    const s = fields.get('shape');
    if (!Array.isArray(s)) fail('msgpack-numpy array lacks a shape');
    innerShape = checkShape(s);
  } else innerShape = []; // numpy scalar
  const n = numel(innerShape);
  const size = DTYPES[source].size;
  if (data.length !== n * size)
    fail(`data holds ${data.length} bytes, shape ${JSON.stringify(innerShape)} of ${typeStr} needs ${n * size}`);
  const declared = numel(declaredShape);
  const scalarMark = declaredShape.length === 1 && declaredShape[0] === 0 && n === 1;
  if (declared !== n && !scalarMark)
    fail(`Tensor.shape ${JSON.stringify(declaredShape)} does not match the ${n} elements in its buffer`);
  return convert(data, typeStr.startsWith('>'), source, target, n);
}

function convert(
  data: Uint8Array,
  bigEndian: boolean,
  source: TensorDtype,
  target: TensorDtype,
  n: number,
): TensorArray {
  const le = !bigEndian;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = DTYPES[target].make(n);
  const read = (i: number): number | bigint => {
    switch (source) {
      case 'float16':
        return fromFloat16Bits(dv.getUint16(i * 2, le));
      case 'float32':
        return dv.getFloat32(i * 4, le);
      case 'float64':
        return dv.getFloat64(i * 8, le);
      case 'int16':
        return dv.getInt16(i * 2, le);
      case 'int32':
        return dv.getInt32(i * 4, le);
      case 'int64':
        return dv.getBigInt64(i * 8, le);
      case 'int8':
        return dv.getInt8(i);
      case 'bool':
        return data[i]! ? 1 : 0;
      default:
        return data[i]!;
    }
  };
  if (source === target && le && source !== 'float16' && source !== 'bool') {
    // Same layout: one aligned copy instead of per-element reads.
    new Uint8Array(out.buffer).set(data);
    return out;
  }
  if (out instanceof BigInt64Array) for (let i = 0; i < n; i++) out[i] = BigInt(Math.trunc(Number(read(i))));
  else if (target === 'bool') for (let i = 0; i < n; i++) out[i] = read(i) ? 1 : 0;
  else for (let i = 0; i < n; i++) (out as Float64Array)[i] = Number(read(i));
  return out;
}
