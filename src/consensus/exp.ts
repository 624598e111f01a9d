/**
 * substrate-fixed's `exp` as the chain uses it for liquid alpha: the Taylor series up to the x^31/31! term in I32F32,
 * 1/series(−x) for negative x, and `exp_safe` clamping x to [−20, 20]. (At x = 20 it comes out ≈0.8 % below e^20,
 * as on chain.)
 */
import { ONE, fxDiv, fxMul } from './fixed.js';

// e as substrate-fixed's I9F23 constant, widened to I32F32 bits. The fixed crate's constants are the exact value
// truncated to the type's precision (e·2^23 = 22802600.7…, so 22802600), not rounded.
const E_I9F23 = Math.floor(Math.E * 2 ** 23) * 2 ** 9;

function series(x: number): number {
  let sum = ONE + x;
  let term = x;
  for (let k = 2; k <= 31; k++) {
    term = Math.trunc(fxMul(term, x) / k);
    if (term === 0) break;
    sum += term;
  }
  return sum;
}

/** exp of I32F32 bits with the chain's clamp to [−20, 20]. */
export function fxExpSafe(x: number): number {
  const lim = 20 * ONE;
  const c = x < -lim ? -lim : x > lim ? lim : x;
  if (c === 0) return ONE;
  if (c === ONE) return E_I9F23;
  return c > 0 ? series(c) : fxDiv(ONE, series(-c));
}
