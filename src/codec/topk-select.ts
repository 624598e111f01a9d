/** Softmax / log-softmax and top-k selection over one row of logits. */
import { CodecError } from './errors.js';

/** The top-k entries of one distribution row. */
export interface TopkRow {
  /** Token ids, most probable first. */
  ids: Int32Array;
  /** Their log-probabilities (natural log), same order. */
  logprobs: Float64Array;
  /** Probability mass outside the top k (>= 0). */
  residual: number;
}

/**
 * Selects the k most probable entries of a logits row (log-softmax in float64), most probable first; ties keep the
 * lower id first.
 *
 * @example
 * ```ts
 * const { ids, logprobs, residual } = topkFromLogits(new Float32Array([2, 1, 0]), 2);
 * ```
 */
export function topkFromLogits(logits: ArrayLike<number>, k: number): TopkRow {
  const v = logits.length;
  if (!Number.isInteger(k) || k < 1 || k > v)
    throw new CodecError('CODEC_INVALID_INPUT', `k must be an integer in [1, ${v}], got ${k}`);
  let max = -Infinity;
  for (let i = 0; i < v; i++) {
    const x = logits[i]!;
    if (Number.isNaN(x)) throw new CodecError('CODEC_INVALID_INPUT', `logit ${i} is NaN`);
    if (x > max) max = x;
  }
  if (!Number.isFinite(max)) throw new CodecError('CODEC_INVALID_INPUT', 'logits have no finite maximum');
  let sum = 0;
  for (let i = 0; i < v; i++) sum += Math.exp(logits[i]! - max);
  const logZ = max + Math.log(sum);
  const ids = selectTopIds(logits, k);
  const logprobs = new Float64Array(k);
  let mass = 0;
  for (let j = 0; j < k; j++) {
    logprobs[j] = logits[ids[j]!]! - logZ;
    mass += Math.exp(logprobs[j]!);
  }
  return { ids, logprobs, residual: Math.max(0, 1 - mass) };
}

/**
 * Indices of the k largest values, largest first (ties: lower index first), in O(V log k).
 *
 * @example
 * ```ts
 * selectTopIds(Float32Array.of(0.1, 0.7, 0.2), 2); // Int32Array [1, 2]
 * ```
 */
export function selectTopIds(values: ArrayLike<number>, k: number): Int32Array {
  // A min-heap of size k over (value, -index) keeps the running top k.
  const heapV = new Float64Array(k);
  const heapI = new Int32Array(k);
  let size = 0;
  const less = (va: number, ia: number, vb: number, ib: number) => va < vb || (va === vb && ia > ib);
  const siftDown = (pos: number) => {
    for (;;) {
      const l = 2 * pos + 1;
      const r = l + 1;
      let m = pos;
      if (l < size && less(heapV[l]!, heapI[l]!, heapV[m]!, heapI[m]!)) m = l;
      if (r < size && less(heapV[r]!, heapI[r]!, heapV[m]!, heapI[m]!)) m = r;
      if (m === pos) return;
      [heapV[pos], heapV[m]] = [heapV[m]!, heapV[pos]!];
      [heapI[pos], heapI[m]] = [heapI[m]!, heapI[pos]!];
      pos = m;
    }
  };
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (size < k) {
      let pos = size++;
      heapV[pos] = x;
      heapI[pos] = i;
      while (pos > 0) {
        const p = (pos - 1) >> 1;
        if (!less(heapV[pos]!, heapI[pos]!, heapV[p]!, heapI[p]!)) break;
        [heapV[pos], heapV[p]] = [heapV[p]!, heapV[pos]!];
        [heapI[pos], heapI[p]] = [heapI[p]!, heapI[pos]!];
        pos = p;
      }
    } else if (less(heapV[0]!, heapI[0]!, x, i)) {
      heapV[0] = x;
      heapI[0] = i;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, j) => j).sort(
    (a, b) => heapV[b]! - heapV[a]! || heapI[a]! - heapI[b]!,
  );
  return Int32Array.from(order, (j) => heapI[j]!);
}
