/** Epoch steps 5–9: masked weights, consensus, clipping, validator trust and ranks → incentive. */
import { normalize, type Arith } from '../arith.js';
import { weightedMedian } from '../median.js';
import type { YumaInput } from '../types.js';
import { emptyRows, readRows, type Rows } from '../sparse-rows.js';
import type { StakeView } from './stake.js';

/**
 * Step 5: weights of permitted validators, without self-weight (the owner's kept), without weights older than the
 * target's registration or committed before it; each row normalised.
 */
export function maskedWeights(input: YumaInput, ar: Arith, view: StakeView): Rows {
  const { n, ownerUid, oldPermit } = view;
  const permitLen = oldPermit.length;
  const Wraw = readRows(input.weights, n, 'weights');
  const W = emptyRows(n);
  const commit = input.commitBlocks ?? null;
  for (let i = 0; i < n; i++) {
    if (permitLen === 0 || !oldPermit[i]) continue;
    const lu = input.lastUpdate[i]!;
    const cb = commit ? (commit[i] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    const cols: number[] = [];
    const vals: number[] = [];
    let sum = 0;
    const rc = Wraw.cols[i]!;
    const rv = Wraw.vals[i]!;
    for (let c = 0; c < rc.length; c++) {
      const j = rc[c]!;
      if (j === i && i !== ownerUid) continue;
      const reg = input.blockAtRegistration[j]!;
      if (lu <= reg) continue;
      if (commit && cb < reg) continue;
      cols.push(j);
      vals.push(rv[c]!);
      sum += rv[c]!;
    }
    for (let c = 0; c < vals.length; c++) vals[c] = sum > 0 ? ar.ratio(vals[c]!, sum) : vals[c]! * ar.one;
    W.cols[i] = cols;
    W.vals[i] = vals;
  }
  return W;
}

/** Step 6: consensus, the stake-weighted median of each column over validators with active stake. */
export function consensus(ar: Arith, W: Rows, A: Float64Array, kappaU16: number): Float64Array {
  const n = A.length;
  const kappa = ar.ratio(kappaU16, 65535);
  const validators: number[] = [];
  for (let i = 0; i < n; i++) if (A[i]! > 0) validators.push(i);
  const useStake = normalize(
    ar,
    Float64Array.from(validators, (i) => A[i]!),
  );
  let stakeSum = 0;
  for (const s of useStake) stakeSum += s;
  const minority = stakeSum - kappa;
  const C = new Float64Array(n);
  if (validators.length === 0) return C;
  const m = validators.length;
  const scores = new Float64Array(n * m); // column-major: scores[j·m + r]
  for (let r = 0; r < m; r++) {
    const wc = W.cols[validators[r]!]!;
    const wv = W.vals[validators[r]!]!;
    for (let c = 0; c < wc.length; c++) scores[wc[c]! * m + r] = wv[c]!;
  }
  const idx = Array.from({ length: m }, (_, r) => r);
  for (let j = 0; j < n; j++)
    C[j] = weightedMedian(useStake, scores.subarray(j * m, (j + 1) * m), idx, minority, 0, stakeSum);
  return C;
}

/** Steps 7–9: weights clipped to consensus, validator trust (each row's clipped sum), ranks and incentive. */
export function clipAndRank(
  ar: Arith,
  W: Rows,
  C: Float64Array,
  A: Float64Array,
): { Wc: Rows; VT: Float64Array; I: Float64Array } {
  const n = A.length;
  const Wc = emptyRows(n);
  const VT = new Float64Array(n);
  const R = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const wc = W.cols[i]!;
    const wv = W.vals[i]!;
    const outC = Wc.cols[i]!;
    const outV = Wc.vals[i]!;
    const a = A[i]!;
    let vt = 0;
    for (let c = 0; c < wc.length; c++) {
      const j = wc[c]!;
      const w = wv[c]!;
      const t = C[j]!;
      let v: number;
      if (t < w) {
        if (!(t > 0)) continue;
        v = t;
      } else v = w;
      outC.push(j);
      outV.push(v);
      vt += v;
      R[j] = R[j]! + ar.mul(a, v);
    }
    VT[i] = vt;
  }
  return { Wc, VT, I: normalize(ar, R.slice()) };
}
