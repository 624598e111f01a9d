/**
 * Validator-side weight utilities, matching Python bittensor's `weight_utils` (float32 quantisation, banker's
 * rounding), so the same input gives the same u16 weights on chain.
 */
import { invalidInput as fail } from './errors.js';
import { ONE, fxDiv } from './fixed.js';

/**
 * Caps every weight at `limit` of the total and renormalises (Python's `normalize_max_weight`); uniform when the sum
 * is 0 or `n·limit ≤ 1`.
 *
 * @example
 * ```ts
 * normalizeMaxWeight([1, 2, 3, 4, 10], 0.3); // ≈ [0.07, 0.14, 0.21, 0.28, 0.30]
 * ```
 */
export function normalizeMaxWeight(x: ArrayLike<number>, limit = 0.1): Float64Array {
  const n = x.length;
  const eps = 1e-7;
  const w = Float64Array.from(x);
  let sum = 0;
  for (const v of w) sum += v;
  if (n === 0) return w;
  if (sum === 0 || n * limit <= 1) return w.fill(1 / n);
  const est = Float64Array.from(w)
    .sort()
    .map((v) => v / sum);
  if (Math.max(...est) <= limit) return w.map((v) => v / sum);
  const cumsum = new Float64Array(n);
  let acc = 0;
  est.forEach((e, i) => {
    cumsum[i] = acc += e;
  });
  let nValues = 0;
  est.forEach((e, i) => {
    if (e / ((n - i - 1) * e + cumsum[i]! + eps) < limit) nValues++;
  });
  const cutoff = ((limit * cumsum[Math.max(nValues - 1, 0)]! - eps) / (1 - limit * (n - nValues))) * sum;
  for (let i = 0; i < n; i++) if (w[i]! > cutoff) w[i] = cutoff;
  let s2 = 0;
  for (const v of w) s2 += v;
  return w.map((v) => v / s2);
}

/** The u16 vectors `set_weights` sends. */
export interface EmitWeights {
  /** Destination uids. */
  uids: number[];
  /** u16 weights, max-normalised to 65535. */
  weights: number[];
}

/** Float weights after {@link processWeightsForNetuid}. */
export interface ProcessedWeights {
  /** Uids kept. */
  uids: Int32Array;
  /** Their normalised weights. */
  weights: Float64Array;
}

/** Python's round(): half to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Converts float weights to the u16 pairs `set_weights` sends, as Python's `convert_weights_and_uids_for_emit`:
 * float32 quantisation, max-normalisation, `round(w·65535)` half to even, zero entries dropped.
 *
 * @throws {@link ConsensusError} on negative weights or uids, or mismatched lengths.
 * @example
 * ```ts
 * convertWeightsAndUidsForEmit([0, 1, 2], [0.5, 0.25, 0]); // { uids: [0, 1], weights: [65535, 32768] }
 * ```
 */
export function convertWeightsAndUidsForEmit(uids: ArrayLike<number>, weights: ArrayLike<number>): EmitWeights {
  if (uids.length !== weights.length) fail(`${uids.length} uids but ${weights.length} weights`);
  const w32 = Float32Array.from(weights);
  for (let i = 0; i < w32.length; i++) {
    if (!(w32[i]! >= 0)) fail(`weight ${i} is negative or NaN: ${weights[i]}`);
    if (!Number.isInteger(uids[i]) || uids[i]! < 0) fail(`uid ${i} is not a non-negative integer: ${uids[i]}`);
  }
  let sum = 0;
  let max = 0;
  for (const v of w32) {
    sum += v;
    if (v > max) max = v;
  }
  if (sum === 0) return { uids: [], weights: [] };
  const outU: number[] = [];
  const outW: number[] = [];
  for (let i = 0; i < w32.length; i++) {
    const q = roundHalfEven((w32[i]! / max) * 65535);
    if (q === 0) continue;
    outU.push(uids[i]!);
    outW.push(q);
  }
  return { uids: outU, weights: outW };
}

/**
 * The chain's `vec_max_upscale_to_u16` as `set_weights` applies it to the submitted u16 values: the largest becomes
 * 65535, others scale with I32F32 rounding (divide, multiply, round half away from zero).
 *
 * @example
 * ```ts
 * vecMaxUpscaleToU16([100, 50]); // [65535, 32768]
 * ```
 */
export function vecMaxUpscaleToU16(values: ArrayLike<number>): number[] {
  const v = Array.from(values);
  for (const x of v) if (!Number.isInteger(x) || x < 0 || x > 65535) fail(`value ${x} is not a u16`);
  if (v.length === 0) return [];
  const max = Math.max(...v);
  if (max === 0) return v.map(() => 0);
  const round = (bits: number) => Math.min(65535, Math.floor((bits + ONE / 2) / ONE));
  if (max > 32768) {
    const ratio = fxDiv(65535 * ONE, max * ONE);
    return v.map((x) => round(x * ratio));
  }
  return v.map((x) => round(fxDiv(x * 65535 * ONE, max * ONE)));
}

/** numpy's default (linear) quantile. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The chain parameters {@link processWeightsForNetuid} needs. */
export interface WeightLimits {
  /** Number of uids in the subnet. */
  n: number;
  /** MinAllowedWeights. */
  minAllowedWeights: number;
  /** MaxWeightsLimit as stored (u16; 65535 = no limit). */
  maxWeightsLimit: number;
  /** Lowest quantile to exclude, as u16 (default 0). */
  excludeQuantile?: number;
}

/**
 * Python's `process_weights_for_netuid`: uniform weights when too few are set, a floor for short lists, exclusion of
 * the lowest quantile, and the max-weight cap.
 *
 * @example
 * ```ts
 * const { uids, weights } = processWeightsForNetuid([0, 1, 2], [0.2, 0.3, 0.5], { n: 3, minAllowedWeights: 1, maxWeightsLimit: 65535 });
 * ```
 */
export function processWeightsForNetuid(
  uids: ArrayLike<number>,
  weights: ArrayLike<number>,
  limits: WeightLimits,
): ProcessedWeights {
  if (uids.length !== weights.length) fail(`${uids.length} uids but ${weights.length} weights`);
  const { n, minAllowedWeights } = limits;
  const maxWeightLimit = limits.maxWeightsLimit / 65535;
  const q = (limits.excludeQuantile ?? 0) / 65535;
  const w32 = Float32Array.from(weights);
  const nzIdx: number[] = [];
  for (let i = 0; i < w32.length; i++) if (w32[i]! > 0) nzIdx.push(i);
  const all = () => Int32Array.from({ length: n }, (_, i) => i);
  if (nzIdx.length === 0 || n < minAllowedWeights) return { uids: all(), weights: new Float64Array(n).fill(1 / n) };
  if (nzIdx.length < minAllowedWeights) {
    const dense = new Float64Array(n).fill(1e-5);
    for (const i of nzIdx) {
      const u = uids[i]!;
      if (!(u >= 0 && u < n)) fail(`uid ${u} is outside [0, ${n})`);
      dense[u] = dense[u]! + w32[i]!;
    }
    return { uids: all(), weights: normalizeMaxWeight(dense, maxWeightLimit) };
  }
  const k = nzIdx.length;
  const maxExclude = Math.max(0, k - minAllowedWeights) / k;
  const nz = Float64Array.from(nzIdx, (i) => w32[i]!);
  const threshold = quantile(nz.slice().sort(), Math.min(q, maxExclude));
  const keep = nzIdx.filter((i) => w32[i]! >= threshold);
  return {
    uids: Int32Array.from(keep, (i) => uids[i]!),
    weights: normalizeMaxWeight(
      Float64Array.from(keep, (i) => w32[i]!),
      maxWeightLimit,
    ),
  };
}
