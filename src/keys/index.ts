/**
 * Keys: sr25519 keypairs (mnemonic, seed, URI derivation, SS58 prefix 42), signing and verification on the fastest
 * available backend, btwallet-compatible keyfiles with `$NACL` encryption, and wallets in btwallet's layout.
 *
 * @example
 * ```ts
 * import { createWallet, keypairFromUri, sign, verify } from 'subnetkit/keys';
 * const hotkey = await createWallet({ name: 'miner', hotkey: 'default' }).getHotkey(); // ~/.bittensor/wallets
 * const alice = keypairFromUri('//Alice');
 * verify('hello', sign(alice, 'hello'), alice.ss58Address); // true
 * ```
 *
 * @module keys
 */
export {
  SS58_FORMAT,
  DEV_PHRASE,
  generateMnemonic,
  keypairFromMnemonic,
  keypairFromSeed,
  keypairFromUri,
  keypairFromPrivateKey,
  keypairFromAddress,
  publicKeyOf,
  isValidSs58Address,
  ss58Encode,
  canonicalPrivateKey,
  sign,
  verify,
} from './keypair.js';
export type { Keypair } from './keypair.js';
export { cryptoReady } from './crypto-backend.js';
export { deriveKeyfileKey, NACL_SALT } from './argon2.js';
export {
  keyfileEncryption,
  keyfileJson,
  serializeKeyfile,
  parseKeyfile,
  encryptKeyfileData,
  decryptKeyfileData,
  passwordFromEnvironment,
  passwordToEnvironmentValue,
  envVarNameForKeyfile,
} from './keyfile.js';
export type { KeyfileJson, KeyfileSecret } from './keyfile.js';
export { createWallet } from './wallet.js';
export type { Wallet, WalletOptions, CreateKeyOptions, KeySource, NewKey, NewKeyOptions } from './wallet.js';
export { KeysError } from './errors.js';
export type { KeysErrorCode } from './errors.js';
