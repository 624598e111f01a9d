import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the keys module. */
export type KeysErrorCode =
  | 'KEY_INVALID_MNEMONIC'
  | 'KEY_INVALID_SEED'
  | 'KEY_INVALID_URI'
  | 'KEY_INVALID_ADDRESS'
  | 'KEY_INVALID_PRIVATE_KEY'
  | 'KEY_NO_SECRET'
  | 'KEYFILE_NOT_FOUND'
  | 'KEYFILE_EXISTS'
  | 'KEYFILE_CORRUPT'
  | 'KEYFILE_WRONG_PASSWORD'
  | 'KEYFILE_NEEDS_PASSWORD'
  | 'KEYFILE_UNSUPPORTED_ENCRYPTION'
  | 'KEYFILE_WEAK_PASSWORD'
  | 'WALLET_INVALID_NAME';

/**
 * Thrown by keypairs, keyfiles and wallets: bad mnemonics, seeds, URIs and addresses, missing or existing files,
 * wrong passwords and corrupt keyfiles. A failed write never leaves a partial keyfile behind.
 *
 * @example
 * ```ts
 * try { await wallet.getColdkey('wrong'); }
 * catch (e) { if (e instanceof KeysError && e.code === 'KEYFILE_WRONG_PASSWORD') retry(); }
 * ```
 */
export class KeysError extends SubnetkitError<KeysErrorCode> {
  constructor(code: KeysErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'keys.md', ...options });
  }
}
