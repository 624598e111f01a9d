/** Checks of JSON-RPC parameters: a wrong one is `-32602 Invalid params`, never an exception from deeper down. */
import { RpcError } from './errors.js';

export function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new RpcError(-32602, `Invalid params: ${what} must be a string`);
  return v;
}

export function hexParam(v: unknown, what: string): string {
  const s = str(v, what);
  // A character class, not a repeated group: a group keeps a backtrack entry per byte and a huge parameter would
  // overflow the stack (an internal error instead of invalid params).
  if (s.length % 2 !== 0 || !/^0x[0-9a-fA-F]*$/.test(s))
    throw new RpcError(-32602, `Invalid params: ${what} must be 0x-prefixed hex`);
  return s.toLowerCase();
}

/** Hex data as the Python SDK sends it: with or without `0x`, or empty for no arguments. */
export function looseHexParam(v: unknown, what: string): string {
  if (v === undefined || v === null || v === '') return '0x';
  const s = str(v, what);
  return hexParam(s.startsWith('0x') ? s : `0x${s}`, what);
}

/** A netuid parameter as SCALE u16 bytes. */
export function u16Param(v: unknown): Uint8Array {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535)
    throw new RpcError(-32602, 'Invalid params: netuid must be an integer in [0, 65535]');
  return new Uint8Array([v & 0xff, v >> 8]);
}

/** An integer in [min, max], or the named parameter is invalid. */
export function intParam(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new RpcError(-32602, `Invalid params: ${what} must be an integer in [${min}, ${max}]`);
  return v;
}
