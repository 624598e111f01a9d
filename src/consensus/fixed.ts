/**
 * I32F32 arithmetic with the chain's rounding, on JS numbers holding the raw bits (value × 2^32) as exact integers.
 * Multiplication floors (toward −∞), division truncates toward zero, division by zero gives 0. Products are exact from
 * the float product corrected by its low 32 bits, quotients by limb splitting; operands outside the fast range fall
 * back to BigInt.
 */

/**
 * 2^32: the bits of 1.0 in I32F32 (exported as `I32F32_ONE`).
 *
 * @example
 * ```ts
 * fxToU16(I32F32_ONE / 2); // 32767
 * ```
 */
export const ONE = 4294967296;
const TWO83 = 2 ** 83;
const TWO52 = 4503599627370496;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** floor(x / y) for non-negative integers below 2^52, exact despite the rounded float quotient. */
function floorDiv(x: number, y: number): number {
  let q = Math.floor(x / y);
  if (q * y > x) q -= 1;
  else if ((q + 1) * y <= x) q += 1;
  return q;
}

/**
 * I32F32 multiply: floor(a·b / 2^32), exact for results below 2^53.
 *
 * @example
 * ```ts
 * fxMul(3 * I32F32_ONE, I32F32_ONE / 2); // bits of 1.5
 * ```
 */
export function fxMul(a: number, b: number): number {
  const p = a * b;
  if (p <= MAX_SAFE && p >= -MAX_SAFE) return Math.floor(p / ONE);
  if (p < TWO83 && p > -TWO83) {
    // a·b mod 2^32 is exact in 32-bit integer arithmetic, so floor(a·b / 2^32) = (a·b − low) / 2^32 is an integer;
    // the float product is off by at most 2^-53·|a·b| < 2^30 and the quotient by under ½, which rounding removes.
    const low = Math.imul(a, b) >>> 0;
    return Math.round((p - low) / ONE);
  }
  return bigMul(a, b);
}

function bigMul(a: number, b: number): number {
  return Number((BigInt(a) * BigInt(b)) >> 32n);
}

/**
 * I32F32 divide: trunc(a·2^32 / b); 0 when b is 0 (the chain's safe_div).
 *
 * @example
 * ```ts
 * fxDiv(I32F32_ONE, 10 * I32F32_ONE); // 429496729, the bits of 0.1
 * ```
 */
export function fxDiv(a: number, b: number): number {
  if (b === 0) return 0;
  const neg = a < 0 !== b < 0;
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x >= TWO52 || y >= TWO52) return bigDiv(a, b);
  const qi = floorDiv(x, y);
  let r = x - qi * y;
  if (y < 68719476736) {
    // y < 2^36: two 16-bit long-division steps keep r·2^16 below 2^52 (the common case: proportions).
    r *= 65536;
    const d1 = floorDiv(r, y);
    r = (r - d1 * y) * 65536;
    const q = qi * ONE + d1 * 65536 + floorDiv(r, y);
    if (q > MAX_SAFE) return bigDiv(a, b);
    return neg ? -q : q;
  }
  let frac = 0;
  // Long division, as many bits per step as keep r·2^k below 2^52.
  const k = Math.max(1, 52 - Math.ceil(Math.log2(y + 1)));
  let left = 32;
  while (left > 0) {
    const step = Math.min(k, left);
    r *= 2 ** step;
    const d = floorDiv(r, y);
    r -= d * y;
    frac = frac * 2 ** step + d;
    left -= step;
  }
  const q = qi * ONE + frac;
  if (q > MAX_SAFE) return bigDiv(a, b);
  return neg ? -q : q;
}

function bigDiv(a: number, b: number): number {
  const q = (BigInt(a) << 32n) / BigInt(b); // BigInt division truncates toward zero, as the chain's does
  return Number(q);
}

/**
 * I32F32 of the ratio num/den of two non-negative integers: trunc(num·2^32/den) (0 when den is 0).
 *
 * @example
 * ```ts
 * fxRatio(32767, 65535); // kappa's bits, just under 0.5
 * ```
 */
export function fxRatio(num: number, den: number): number {
  if (den === 0) return 0;
  const x = num * ONE;
  if (x < TWO52 && den < TWO52) return floorDiv(x, den);
  return Number((BigInt(num) << 32n) / BigInt(den));
}

/**
 * The chain's `fixed_proportion_to_u16`: floor(x·65535), saturated to [0, 65535].
 *
 * @example
 * ```ts
 * fxToU16(I32F32_ONE); // 65535
 * ```
 */
export function fxToU16(x: number): number {
  if (x <= 0) return 0;
  const v = Math.floor((x * 65535) / ONE);
  return v > 65535 ? 65535 : v;
}
