/** The Yuma Consensus hyperparameters of a subnet, read from SubtensorModule storage with finney's defaults. */
import type { Storage } from './storage.js';
import { bool, num, vec } from './read.js';

/** `AlphaValues`' default: (alpha_low, alpha_high) = (0.7, 0.9) of u16::MAX. */
export const DEFAULT_ALPHA_VALUES: readonly [number, number] = [45_875, 58_982];

/** What the epoch and the hyperparameter runtime APIs both read. */
export interface YumaParams {
  kappa: number;
  rho: number;
  bondsPenalty: number;
  bondsMovingAverage: number;
  maxAllowedValidators: number;
  activityCutoffFactorMilli: number;
  yuma3: boolean;
  liquidAlpha: boolean;
  alphaLow: number;
  alphaHigh: number;
  /** The i16 steepness (stored as I32F32 in the hyperparameters). */
  alphaSigmoidSteepness: number;
}

export function yumaParams(s: Storage, netuid: number): YumaParams {
  const alpha = vec<number>(s, 'alphaValues', netuid);
  return {
    kappa: num(s, 'kappa', netuid),
    rho: num(s, 'rho', netuid),
    bondsPenalty: num(s, 'bondsPenalty', netuid),
    bondsMovingAverage: num(s, 'bondsMovingAverage', netuid),
    maxAllowedValidators: num(s, 'maxAllowedValidators', netuid),
    activityCutoffFactorMilli: num(s, 'activityCutoffFactorMilli', netuid),
    yuma3: bool(s, 'yuma3On', netuid),
    liquidAlpha: bool(s, 'liquidAlphaOn', netuid),
    alphaLow: Number(alpha[0] ?? DEFAULT_ALPHA_VALUES[0]),
    alphaHigh: Number(alpha[1] ?? DEFAULT_ALPHA_VALUES[1]),
    alphaSigmoidSteepness: num(s, 'alphaSigmoidSteepness', netuid),
  };
}
