import { describe, expect, it } from 'vitest';
import { SynapseError, Tensor, type TensorDtype } from '../../src/synapse/index.js';
import { decodeMsgpack } from '../../src/synapse/msgpack.js';
import { thrownCodeSync } from '../helpers/helpers.js';

// python-wire.md §9.8
const F32_123 = 'hcQCbmTDxAR0eXBlozxmNMQEa2luZMQAxAVzaGFwZZEDxARkYXRhxAwAAIA/AAAAQAAAQEA=';
const I64_2X2 = 'hcQCbmTDxAR0eXBlozxpOMQEa2luZMQAxAVzaGFwZZICAsQEZGF0YcQgAQAAAAAAAAACAAAAAAAAAAMAAAAAAAAABAAAAAAAAAA=';

describe('Tensor buffers (python-wire.md §1.6, §9.8)', () => {
  it('encodes float32 [1,2,3] byte for byte', () => {
    const t = Tensor.fromArray(new Float32Array([1, 2, 3]));
    expect(t.buffer).toBe(F32_123);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([3]);
  });

  it('encodes int64 [[1,2],[3,4]] byte for byte', () => {
    const t = Tensor.fromArray(new BigInt64Array([1n, 2n, 3n, 4n]), { shape: [2, 2] });
    expect(t.buffer).toBe(I64_2X2);
  });

  it('decodes both vectors back to typed arrays', () => {
    expect(
      Array.from(Tensor.parse({ buffer: F32_123, dtype: 'float32', shape: [3] }).toArray() as Float32Array),
    ).toEqual([1, 2, 3]);
    const i = Tensor.parse({ buffer: I64_2X2, dtype: 'int64', shape: [2, 2] }).toArray();
    expect(Array.from(i as BigInt64Array)).toEqual([1n, 2n, 3n, 4n]);
  });

  it('accepts torch dtype names, the "[2, 2]" shape string, and converts on astype', () => {
    const t = Tensor.parse({ buffer: I64_2X2, dtype: 'torch.float32', shape: '[2, 2]' });
    expect(t.baseDtype).toBe('float32');
    expect(Array.from(t.toArray() as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('round-trips every dtype', () => {
    const cases: Array<[TensorDtype, number[]]> = [
      ['float16', [0.5, -2, 65504]],
      ['float64', [Math.PI, -0]],
      ['uint8', [0, 255]],
      ['int8', [-128, 127]],
      ['int16', [-32768, 32767]],
      ['int32', [-(2 ** 31), 2 ** 31 - 1]],
      ['bool', [1, 0, 1]],
    ];
    for (const [dtype, values] of cases) {
      const t = Tensor.fromArray(values, { dtype });
      const back = Tensor.parse({ buffer: t.buffer, dtype: t.dtype, shape: [...t.shape] });
      expect(Array.from(back.toArray() as ArrayLike<number>)).toEqual(values);
    }
  });

  it('writes big data as bin16/bin32 and decodes it', () => {
    const big = new Float32Array(20_000).map((_, i) => i);
    const t = Tensor.fromArray(big, { shape: [100, 200] });
    const back = Tensor.parse({ buffer: t.buffer, dtype: 'float32', shape: [100, 200] }).toArray() as Float32Array;
    expect(back[19_999]).toBe(19_999);
  });

  it('treats shape [0] with a single-element buffer as a 0-d scalar', () => {
    // A numpy 0-d array packs with shape () and the Tensor declares [0].
    const scalar = 'hcQCbmTDxAR0eXBlozxmNMQEa2luZMQAxAVzaGFwZZDEBGRhdGHEBAAAgD8=';
    expect(
      Array.from(Tensor.parse({ buffer: scalar, dtype: 'float32', shape: [0] }).toArray() as Float32Array),
    ).toEqual([1]);
  });
});

describe('malformed tensors give typed errors', () => {
  const code = (fn: () => unknown): string => thrownCodeSync(SynapseError, fn);

  it('rejects bad base64, unknown dtypes and shape mismatches', () => {
    expect(code(() => Tensor.parse({ buffer: '!!!!', dtype: 'float32', shape: [1] }))).toBe('TENSOR_INVALID');
    expect(code(() => Tensor.parse({ buffer: F32_123, dtype: 'complex64', shape: [3] }))).toBe('TENSOR_INVALID');
    expect(code(() => Tensor.parse({ buffer: F32_123, dtype: 'float32', shape: [4] }))).toBe('TENSOR_INVALID');
    expect(code(() => Tensor.parse({ buffer: F32_123, dtype: 'float32', shape: [-3] }))).toBe('TENSOR_INVALID');
    expect(code(() => Tensor.fromArray([1, 2, 3], { dtype: 'float32', shape: [2] }))).toBe('TENSOR_INVALID');
  });

  it('rejects truncated msgpack and lying lengths without reading out of bounds', () => {
    const bytes = Buffer.from(F32_123, 'base64');
    for (let cut = 1; cut < bytes.length; cut++) {
      const b64 = bytes.subarray(0, cut).toString('base64');
      const c = b64.length % 4 === 0 ? code(() => Tensor.parse({ buffer: b64, dtype: 'float32', shape: [3] })) : 'skip';
      expect(['TENSOR_INVALID', 'MSGPACK_INVALID', 'skip']).toContain(c);
    }
    // array32 header claiming 2^32-1 items in a 5-byte input
    expect(code(() => decodeMsgpack(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff])))).toBe('MSGPACK_INVALID');
    // deep nesting
    expect(code(() => decodeMsgpack(new Uint8Array(40).fill(0x91)))).toBe('MSGPACK_INVALID');
  });

  it('refuses object (pickled) arrays', () => {
    // {nd: true, type: '|O', kind: b'O', shape: [1], data: b'x'}
    const m = Buffer.from([
      0x85, 0xc4, 2, 110, 100, 0xc3, 0xc4, 4, 116, 121, 112, 101, 0xa2, 124, 79, 0xc4, 4, 107, 105, 110, 100, 0xc4, 1,
      79, 0xc4, 5, 115, 104, 97, 112, 101, 0x91, 1, 0xc4, 4, 100, 97, 116, 97, 0xc4, 1, 120,
    ]);
    expect(code(() => Tensor.parse({ buffer: m.toString('base64'), dtype: 'float32', shape: [1] }))).toBe(
      'TENSOR_INVALID',
    );
  });

  it('survives 2,000 random byte mutations of a valid buffer with only typed errors', () => {
    const base = Buffer.from(I64_2X2, 'base64');
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(base);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        Tensor.parse({ buffer: b.toString('base64'), dtype: 'int64', shape: [2, 2] });
      } catch (e) {
        expect(e).toBeInstanceOf(SynapseError);
      }
    }
  });
});
