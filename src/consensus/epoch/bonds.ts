/** Epoch steps 10–12: the weights bonds follow, the bond EMA (classic or Yuma3), dividends and stored bonds. */
import { normalize, type Arith } from '../arith.js';
import type { YumaInput } from '../types.js';
import { colNormalize, emaSparse, emptyRows, readRows, type Rows } from '../sparse-rows.js';
import { liquidAlphaEma } from './liquid-alpha.js';

/** Step 10: the weights bonds follow, W + β(W̄ − W) with W̄ the clipped weights. */
export function bondWeights(ar: Arith, W: Rows, Wc: Rows, penaltyU16: number): Rows {
  const beta = ar.ratio(penaltyU16, 65535);
  if (beta === 0) return W;
  if (beta === ar.one) return Wc;
  const n = W.cols.length;
  const Wb = emptyRows(n);
  const d1 = new Float64Array(n);
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (W.cols[i]!.length === 0 && Wc.cols[i]!.length === 0) continue;
    d1.fill(0);
    d2.fill(0);
    W.cols[i]!.forEach((j, c) => {
      d1[j] = d1[j]! + W.vals[i]![c]!;
    });
    Wc.cols[i]!.forEach((j, c) => {
      d2[j] = d2[j]! + Wc.vals[i]![c]!;
    });
    for (let j = 0; j < n; j++) {
      const v = d1[j]! + ar.mul(beta, d2[j]! - d1[j]!);
      if (v > 0) {
        Wb.cols[i]!.push(j);
        Wb.vals[i]!.push(v);
      }
    }
  }
  return Wb;
}

/** What the bond step needs besides the input. */
export interface BondsContext {
  A: Float64Array;
  C: Float64Array;
  I: Float64Array;
  Wb: Rows;
}

/** Steps 11–12: last epoch's bonds (reset for uids registered since), the EMA, and dividends. */
export function bondsAndDividends(input: YumaInput, ar: Arith, ctx: BondsContext): { bonds: Rows; D: Float64Array } {
  const n = input.n;
  const yuma3 = input.yuma3 ?? false;
  const lastStep = input.lastMechanismStepBlock ?? 0;
  const lastTempo = lastStep === 0 ? input.currentBlock - input.tempo : lastStep + 1;
  const Braw = readRows(input.bonds, n, 'bonds');
  const B = emptyRows(n);
  for (let i = 0; i < n; i++) {
    const bc = Braw.cols[i]!;
    const bv = Braw.vals[i]!;
    for (let c = 0; c < bc.length; c++) {
      const j = bc[c]!;
      if (lastTempo <= input.blockAtRegistration[j]!) continue;
      B.cols[i]!.push(j);
      B.vals[i]!.push(yuma3 ? ar.ratio(bv[c]!, 65535) : bv[c]!);
    }
  }
  const bma = input.bondsMovingAverage ?? 900_000;
  // α = 1 − BMA/1e6, the division done in I64F64 and floored to I32F32.
  const alpha = ar.exact ? ar.one - Number((BigInt(bma) << 32n) / 1_000_000n) : 1 - bma / 1e6;
  return yuma3 ? yuma3Bonds(input, ar, ctx, B, alpha) : classicBonds(ar, ctx, B, alpha);
}

function classicBonds(ar: Arith, ctx: BondsContext, B: Rows, alpha: number): { bonds: Rows; D: Float64Array } {
  const { A, I, Wb } = ctx;
  const n = A.length;
  // Classic bonds are stored as integers: I32F32 division of integers is the integer ratio.
  const sum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = B.cols[i]!;
    const v = B.vals[i]!;
    for (let k = 0; k < c.length; k++) sum[c[k]!] = sum[c[k]!]! + v[k]!;
  }
  for (let i = 0; i < n; i++) {
    const c = B.cols[i]!;
    const v = B.vals[i]!;
    for (let k = 0; k < v.length; k++) v[k] = ar.ratio(v[k]!, sum[c[k]!]!);
  }
  const delta = emptyRows(n);
  for (let i = 0; i < n; i++) {
    delta.cols[i] = Wb.cols[i]!.slice();
    const wv = Wb.vals[i]!;
    const dv = new Array<number>(wv.length);
    for (let k = 0; k < wv.length; k++) dv[k] = ar.mul(wv[k]!, A[i]!);
    delta.vals[i] = dv;
  }
  colNormalize(ar, delta, n);
  const bonds = emaSparse(ar, delta, B, alpha, n);
  colNormalize(ar, bonds, n);
  const D = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const bc = bonds.cols[i]!;
    const bv = bonds.vals[i]!;
    let d = 0;
    for (let c = 0; c < bc.length; c++) d += ar.mul(bv[c]!, I[bc[c]!]!);
    D[i] = d;
  }
  normalize(ar, D);
  return { bonds, D };
}

function yuma3Bonds(
  input: YumaInput,
  ar: Arith,
  ctx: BondsContext,
  B: Rows,
  alpha: number,
): { bonds: Rows; D: Float64Array } {
  const { A, C, I, Wb } = ctx;
  const n = A.length;
  const liquid = (input.liquidAlpha ?? false) && C.some((c) => c !== 0);
  const bonds = liquid
    ? liquidAlphaEma(ar, Wb, B, C, {
        low: ar.ratio(input.alphaLow ?? 45875, 65535),
        high: ar.ratio(input.alphaHigh ?? 58982, 65535),
        steepness: input.alphaSigmoidSteepness ?? 1000,
      })
    : emaSparse(ar, Wb, B, alpha, n);
  // Dividends from column-normalised bonds, scaled by each validator's active stake; the bonds kept unnormalised.
  const Bn = emptyRows(n);
  for (let i = 0; i < n; i++) {
    Bn.cols[i] = bonds.cols[i]!;
    Bn.vals[i] = bonds.vals[i]!.slice();
  }
  colNormalize(ar, Bn, n);
  const D = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    Bn.cols[i]!.forEach((j, c) => {
      t += ar.mul(Bn.vals[i]![c]!, I[j]!);
    });
    D[i] = ar.mul(t, A[i]!);
  }
  normalize(ar, D);
  return { bonds, D };
}

/** Bonds for storage, as u16: classic max-upscales each column; Yuma3 stores proportions. Only newly permitted rows. */
export function storedBonds(ar: Arith, bonds: Rows, newPermit: Uint8Array, yuma3: boolean): Rows {
  const n = newPermit.length;
  if (!yuma3) {
    const max = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = bonds.cols[i]!;
      const v = bonds.vals[i]!;
      for (let k = 0; k < c.length; k++) if (v[k]! > max[c[k]!]!) max[c[k]!] = v[k]!;
    }
    for (let i = 0; i < n; i++) {
      const c = bonds.cols[i]!;
      const v = bonds.vals[i]!;
      for (let k = 0; k < v.length; k++) if (max[c[k]!] !== 0) v[k] = ar.div(v[k]!, max[c[k]!]!);
    }
  }
  const stored = emptyRows(n);
  for (let i = 0; i < n; i++) {
    if (!newPermit[i]) continue;
    stored.cols[i] = bonds.cols[i]!;
    stored.vals[i] = bonds.vals[i]!.map((v) => ar.toU16(v));
  }
  return stored;
}
