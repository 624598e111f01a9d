/**
 * sr25519 sign/verify on the fastest kept implementation: @polkadot/wasm-crypto once its WASM is initialised
 * (≈0.2 ms sign, ≈0.5 ms verify), pure-JS @scure/sr25519 (via @polkadot/util-crypto) until then.
 */
import * as wasm from '@polkadot/wasm-crypto';
import { sr25519Sign as jsSign, sr25519Verify as jsVerify } from '@polkadot/util-crypto';

let ready = false;
let starting: Promise<boolean> | undefined;

/**
 * Initialises the WASM sr25519 backend (idempotent). Signing and verifying work before it resolves, on the slower
 * pure-JS path; await it once at start-up for the fast path from the first request.
 *
 * @example
 * ```ts
 * import { cryptoReady } from 'subnetkit/keys';
 * await cryptoReady(); // true when the WASM backend is active
 * ```
 */
export function cryptoReady(): Promise<boolean> {
  starting ??= wasm
    .waitReady()
    .then((ok) => (ready = ok && wasm.isReady()))
    .catch(() => (ready = false));
  return starting;
}

/** sr25519 signature (64 bytes) of `message` with a polkadot.js-form keypair. */
export function signRaw(publicKey: Uint8Array, secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (ready) return wasm.sr25519Sign(publicKey, secretKey, message);
  void cryptoReady();
  return jsSign(message, { publicKey, secretKey });
}

/** True when `signature` is a valid sr25519 signature of `message` by `publicKey`. */
export function verifyRaw(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    if (ready) return wasm.sr25519Verify(signature, message, publicKey);
    void cryptoReady();
    return jsVerify(message, signature, publicKey);
  } catch {
    return false; // malformed points or scalars are simply not valid signatures
  }
}
