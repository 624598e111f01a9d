import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the keys module. */
export type KeysErrorCode =
  /** A mnemonic whose words or checksum are not BIP-39. */
  | 'KEY_INVALID_MNEMONIC'
  /** A seed that is not 32 bytes (0x-hex). */
  | 'KEY_INVALID_SEED'
  /** A secret URI that does not parse (`//hard/soft///password`). */
  | 'KEY_INVALID_URI'
  /** An SS58 address that does not decode. */
  | 'KEY_INVALID_ADDRESS'
  /** A private key of the wrong length or form. */
  | 'KEY_INVALID_PRIVATE_KEY'
  /** Signing with a public-only keypair. */
  | 'KEY_NO_SECRET'
  /** No keyfile at the path. */
  | 'KEYFILE_NOT_FOUND'
  /** A keyfile is already there (pass `overwrite: true`). */
  | 'KEYFILE_EXISTS'
  /** The keyfile does not parse as btwallet writes them. */
  | 'KEYFILE_CORRUPT'
  /** The password does not open the encrypted keyfile. */
  | 'KEYFILE_WRONG_PASSWORD'
  /** The keyfile is encrypted and no password was given (nor `BT_PW_<path>`). */
  | 'KEYFILE_NEEDS_PASSWORD'
  /** A keyfile encrypted the old ways (Ansible vault, legacy secretbox); re-create it from its mnemonic. */
  | 'KEYFILE_UNSUPPORTED_ENCRYPTION'
  /** A new password shorter than 6 characters. */
  | 'KEYFILE_WEAK_PASSWORD'
  /** A wallet or hotkey name outside `[A-Za-z0-9_.-]{1,64}`. */
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
