import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by timelock encryption. */
export type TimelockErrorCode =
  /** A bad argument: a round that is not a positive integer, a key or signature of the wrong length… */
  | 'INVALID_ARGUMENT'
  /** Bytes that do not parse as a TLE ciphertext, a point that is not on the curve. */
  | 'MALFORMED'
  /** The signature does not open the ciphertext (wrong round or wrong beacon), or the body fails its tag. */
  | 'DECRYPT_FAILED';

/**
 * Thrown by `subnetkit/timelock`, with a stable `code`.
 *
 * @example
 * ```ts
 * try { timelockDecrypt(bytes, signature); } catch (e) { if (e instanceof TimelockError && e.code === 'DECRYPT_FAILED') wait(); }
 * ```
 */
export class TimelockError extends SubnetkitError<TimelockErrorCode> {
  constructor(code: TimelockErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'timelock.md', ...options });
  }
}
