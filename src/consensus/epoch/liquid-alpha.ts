/** Yuma3's liquid alpha: a per-cell bond EMA rate from how far each weight sits from consensus. */
import type { Arith } from '../arith.js';
import { fxExpSafe } from '../exp.js';
import { emptyRows, type Rows } from '../sparse-rows.js';

/** The liquid-alpha parameters, as fixed-point or float values of `ar`. */
export interface LiquidAlpha {
  low: number;
  high: number;
  steepness: number;
}

/** The distance the chain's `alpha_sigmoid` feeds its sigmoid: how far the weight sits above consensus, or below its bond. */
function distance(ar: Arith, c: number, w: number, b: number): number {
  const x = w >= b ? w - c : b - w;
  return x < 0 ? 0 : x > ar.one ? ar.one : x;
}

/** The sigmoid's constants of an epoch: its slope and the midpoint ½, as `ar` computes them. */
interface SigmoidConstants extends LiquidAlpha {
  slope: number;
  half: number;
}

/** Liquid-alpha α for a distance (the rest of the chain's `alpha_sigmoid`). */
function alphaOf(ar: Arith, d: number, p: SigmoidConstants): number {
  const z = ar.mul(p.slope, d - p.half);
  const e = ar.exact ? fxExpSafe(z) : Math.exp(Math.max(-20, Math.min(20, z)));
  const sig = ar.div(ar.one, ar.one + e);
  const a = p.low + ar.mul(sig, p.high - p.low);
  return a < p.low ? p.low : a > p.high ? p.high : a;
}

/** The bond EMA with a liquid α per cell: only columns in each weights row survive, clamped to 1. */
export function liquidAlphaEma(ar: Arith, Wb: Rows, B: Rows, C: Float64Array, p: LiquidAlpha): Rows {
  const n = C.length;
  const one = ar.one;
  const out = emptyRows(n);
  const alphaRow = new Float64Array(n);
  const decayed = new Float64Array(n);
  // Most cells sit at distance 0 (a weight at or under consensus with no larger bond): their α is one constant,
  // computed once instead of through the fixed-point exp per cell. Same function, same bits.
  const k: SigmoidConstants = {
    ...p,
    slope: ar.div(p.steepness * ar.one, -100 * ar.one),
    half: ar.div(ar.one, 2 * ar.one),
  };
  const alphaAtZero = alphaOf(ar, 0, k);
  for (let i = 0; i < n; i++) {
    const wc = Wb.cols[i]!;
    const wv = Wb.vals[i]!;
    const bc = B.cols[i]!;
    const bv = B.vals[i]!;
    if (wc.length === 0) continue;
    // α for every column, in ascending order, with the weight and bond found by the chain's peek-cursors:
    // entries below the column sought are skipped for good, so an unsorted row reads 0 for some cells.
    let wi = 0;
    let bi = 0;
    for (let j = 0; j < n; j++) {
      let w = 0;
      while (wi < wc.length) {
        if (wc[wi]! < j) wi++;
        else {
          if (wc[wi] === j) w = wv[wi]!;
          break;
        }
      }
      let b = 0;
      while (bi < bc.length) {
        if (bc[bi]! < j) bi++;
        else {
          if (bc[bi] === j) b = bv[bi]!;
          break;
        }
      }
      const d = distance(ar, C[j]!, w, b);
      alphaRow[j] = d === 0 ? alphaAtZero : alphaOf(ar, d, k);
    }
    // EMA: old bonds decay by their own column's α; then each weights cell adds α·w, clamped to 1.
    decayed.fill(0);
    for (let k = 0; k < bc.length; k++) decayed[bc[k]!] = ar.mul(one - alphaRow[bc[k]!]!, bv[k]!);
    for (let k = 0; k < wc.length; k++) {
      const j = wc[k]!;
      const inc = Math.max(0, ar.mul(alphaRow[j]!, wv[k]!));
      const v = Math.min(one, decayed[j]! + inc);
      if (v > 0) {
        out.cols[i]!.push(j);
        out.vals[i]!.push(v);
      }
    }
  }
  return out;
}
