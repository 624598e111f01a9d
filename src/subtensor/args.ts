/** Argument checks of the chain client's writes: a wrong argument is `INVALID_ARGUMENT`, before anything is signed. */
import { publicKeyOf } from '../keys/index.js';
import { SubtensorError } from './errors.js';

export function rao(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n)
    throw new SubtensorError('INVALID_ARGUMENT', `${what} must be a bigint amount of rao in [0, 2^64)`);
  return v;
}

export function u16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 65535)
    throw new SubtensorError('INVALID_ARGUMENT', `${what} must be an integer in [0, 65535], got ${String(v)}`);
  return v;
}

export function address(v: string, what: string): string {
  try {
    publicKeyOf(v);
  } catch (e) {
    throw new SubtensorError('INVALID_ARGUMENT', `${what} is not an SS58 address: ${String(v)}`, { cause: e });
  }
  return v;
}
