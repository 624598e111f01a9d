/** Epoch step 13: emission shares (50/50 incentive and dividends, with the chain's fallbacks) and their rao. */
import { normalize, type Arith } from '../arith.js';
import { fxMul } from '../fixed.js';

/** Each uid's share of the epoch's emission, split into its server and validator parts. */
export interface EmissionShares {
  combined: Float64Array;
  server: Float64Array;
  validator: Float64Array;
}

/** Shares from incentive and dividends; when both are all 0, active stake (or stake) takes it all as validators. */
export function emissionShares(
  ar: Arith,
  I: Float64Array,
  D: Float64Array,
  A: Float64Array,
  S: Float64Array,
): EmissionShares {
  const n = I.length;
  const E = new Float64Array(n);
  let sumE = 0;
  for (let i = 0; i < n; i++) sumE += E[i] = I[i]! + D[i]!;
  const server = new Float64Array(n);
  const validator = new Float64Array(n);
  if (sumE === 0) {
    const combined = (A.some((a) => a !== 0) ? A : S).slice();
    validator.set(combined);
    return { combined, server, validator };
  }
  for (let i = 0; i < n; i++) {
    server[i] = ar.div(I[i]!, sumE);
    validator[i] = ar.div(D[i]!, sumE);
  }
  return { combined: normalize(ar, E), server, validator };
}

/** Turns shares into rao of `rao`: floor(share_bits × rao / 2^32) in exact arithmetic. */
export function raoOf(ar: Arith, rao: bigint): (shares: Float64Array) => BigUint64Array {
  // fxMul computes floor(bits × rao / 2^32) exactly on numbers while rao < 2^52 (4.5M TAO an epoch).
  const raoNum = Number(rao);
  const raoSmall = rao < 2n ** 52n;
  return (x) => {
    const out = new BigUint64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v <= 0) continue;
      if (!ar.exact) out[i] = BigInt(Math.floor(v * raoNum));
      else out[i] = raoSmall ? BigInt(fxMul(v, raoNum)) : (BigInt(v) * rao) >> 32n;
    }
    return out;
  };
}
