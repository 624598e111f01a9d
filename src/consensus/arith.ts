/** The two arithmetics the epoch runs on: the chain's exact I32F32, and float64 for fast what-if simulation. */
import { ONE, fxDiv, fxMul, fxRatio, fxToU16 } from './fixed.js';

/** Operations the epoch needs; values are I32F32 bits (exact) or plain reals (float). */
export interface Arith {
  readonly exact: boolean;
  /** The representation of 1.0. */
  readonly one: number;
  mul(a: number, b: number): number;
  div(a: number, b: number): number;
  /** num/den of two non-negative integers. */
  ratio(num: number, den: number): number;
  toU16(x: number): number;
  toFloat(x: number): number;
}

export const EXACT: Arith = {
  exact: true,
  one: ONE,
  mul: fxMul,
  div: fxDiv,
  ratio: fxRatio,
  toU16: fxToU16,
  toFloat: (x) => x / ONE,
};

export const FLOAT: Arith = {
  exact: false,
  one: 1,
  mul: (a, b) => a * b,
  div: (a, b) => (b === 0 ? 0 : a / b),
  ratio: (n, d) => (d === 0 ? 0 : n / d),
  toU16: (x) => (x <= 0 ? 0 : Math.min(65535, Math.floor(x * 65535))),
  toFloat: (x) => x,
};

/** In-place normalisation to sum 1 (left unchanged when the sum is 0). */
export function normalize(ar: Arith, x: Float64Array): Float64Array {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]!;
  if (sum === 0) return x;
  for (let i = 0; i < x.length; i++) x[i] = ar.div(x[i]!, sum);
  return x;
}
