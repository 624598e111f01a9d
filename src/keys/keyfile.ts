/**
 * btwallet keyfiles: the JSON layout (`accountId`, `publicKey`, `privateKey`, `secretPhrase`, `secretSeed`,
 * `ss58Address`), its load priority, and `$NACL` encryption (Argon2i key + XSalsa20-Poly1305 secretbox).
 */
import { randomBytes } from 'node:crypto';
import { u8aToHex } from '@polkadot/util';
import { naclDecrypt, naclEncrypt } from '@polkadot/util-crypto';
import { KeysError } from './errors.js';
import { deriveKeyfileKey } from './argon2.js';
import {
  canonicalPrivateKey,
  keypairFromAddress,
  keypairFromMnemonic,
  keypairFromPrivateKey,
  keypairFromSeed,
  type Keypair,
} from './keypair.js';

/** The JSON fields of a btwallet keyfile (missing items are omitted). */
export interface KeyfileJson {
  /** `0x` + public key hex (same as publicKey). */
  accountId?: string;
  /** `0x` + 32-byte public key hex. */
  publicKey?: string;
  /** `0x` + 64-byte canonical schnorrkel secret. */
  privateKey?: string;
  /** The mnemonic. */
  secretPhrase?: string;
  /** `0x` + 32-byte mini-secret. */
  secretSeed?: string;
  /** SS58 address, prefix 42. */
  ss58Address?: string;
}

const NACL_PREFIX = new TextEncoder().encode('$NACL');
const ANSIBLE_PREFIX = new TextEncoder().encode('$ANSIBLE_VAULT');
const LEGACY_PREFIX = new TextEncoder().encode('gAAAAA');

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/**
 * The encryption a keyfile's bytes use, by prefix: `nacl` (current), `ansible` and `legacy` (old formats), or null.
 *
 * @example
 * ```ts
 * keyfileEncryption(await readFile(path)); // 'nacl'
 * ```
 */
export function keyfileEncryption(data: Uint8Array): 'nacl' | 'ansible' | 'legacy' | null {
  if (startsWith(data, NACL_PREFIX)) return 'nacl';
  if (startsWith(data, ANSIBLE_PREFIX)) return 'ansible';
  if (startsWith(data, LEGACY_PREFIX)) return 'legacy';
  return null;
}

/**
 * The keyfile JSON of a keypair. Public-only keypairs (and `publicOnly: true`) give btwallet's `*pub.txt` form.
 *
 * @example
 * ```ts
 * const json = keyfileJson(keypairFromMnemonic(words)); // { accountId, publicKey, privateKey, secretPhrase, secretSeed, ss58Address }
 * ```
 */
export function keyfileJson(keypair: Keypair, options: { publicOnly?: boolean } = {}): KeyfileJson {
  const pub = u8aToHex(keypair.publicKey);
  const out: KeyfileJson = { accountId: pub, publicKey: pub };
  if (!options.publicOnly && keypair.secretKey) {
    out.privateKey = canonicalPrivateKey(keypair);
    if (keypair.mnemonic) out.secretPhrase = keypair.mnemonic;
    if (keypair.seed) out.secretSeed = u8aToHex(keypair.seed);
  }
  out.ss58Address = keypair.ss58Address;
  return out;
}

/**
 * Serialises keyfile JSON compactly, in btwallet's field order.
 *
 * @example
 * ```ts
 * const bytes = serializeKeyfile(keypair); // UTF-8 JSON, no spaces
 * ```
 */
export function serializeKeyfile(keypair: Keypair, options: { publicOnly?: boolean } = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(keyfileJson(keypair, options)));
}

/**
 * The keypair in plaintext keyfile bytes, by btwallet's priority: `secretPhrase`, `secretSeed`, `privateKey`, then
 * `ss58Address` / `publicKey` (public only).
 *
 * @throws {@link KeysError} `KEYFILE_CORRUPT`, or `KEYFILE_NEEDS_PASSWORD` when the bytes are encrypted.
 * @example
 * ```ts
 * parseKeyfile(await readFile('~/.bittensor/wallets/default/hotkeys/default')).ss58Address;
 * ```
 */
export function parseKeyfile(data: Uint8Array): Keypair {
  if (keyfileEncryption(data)) throw new KeysError('KEYFILE_NEEDS_PASSWORD', 'keyfile is encrypted: decrypt it first');
  let json: KeyfileJson;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data)) as KeyfileJson;
  } catch (cause) {
    throw new KeysError('KEYFILE_CORRUPT', 'keyfile is not valid UTF-8 JSON', { cause });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new KeysError('KEYFILE_CORRUPT', 'keyfile JSON is not an object');
  let keypair: Keypair;
  try {
    if (typeof json.secretPhrase === 'string' && json.secretPhrase) keypair = keypairFromMnemonic(json.secretPhrase);
    else if (typeof json.secretSeed === 'string' && json.secretSeed) keypair = keypairFromSeed(json.secretSeed);
    else if (typeof json.privateKey === 'string' && json.privateKey) keypair = keypairFromPrivateKey(json.privateKey);
    else if (typeof json.ss58Address === 'string' && json.ss58Address) keypair = keypairFromAddress(json.ss58Address);
    else if (typeof json.publicKey === 'string' && json.publicKey) keypair = keypairFromAddress(json.publicKey);
    else throw new Error('no secretPhrase, secretSeed, privateKey, ss58Address or publicKey');
  } catch (cause) {
    throw new KeysError('KEYFILE_CORRUPT', `keyfile holds no usable key: ${(cause as Error).message}`, { cause });
  }
  if (json.ss58Address && keypair.secretKey && json.ss58Address !== keypair.ss58Address) {
    throw new KeysError(
      'KEYFILE_CORRUPT',
      `keyfile secret belongs to ${keypair.ss58Address}, not its ss58Address ${json.ss58Address}`,
    );
  }
  return keypair;
}

/** A password, or an already-derived key (see {@link deriveKeyfileKey}) to skip the ≈10 s derivation. */
export type KeyfileSecret =
  | {
      /** The keyfile password (Argon2i runs in a worker, ≈5–10 s). */
      password: string;
    }
  | {
      /** A key from {@link deriveKeyfileKey}. */
      key: Uint8Array;
    };

async function keyOf(secret: KeyfileSecret): Promise<Uint8Array> {
  if ('key' in secret) {
    if (!(secret.key instanceof Uint8Array) || secret.key.length !== 32)
      throw new KeysError('KEYFILE_NEEDS_PASSWORD', 'key must be 32 bytes');
    return secret.key;
  }
  return deriveKeyfileKey(secret.password);
}

/**
 * Encrypts keyfile bytes as btwallet does: `$NACL` ‖ nonce(24) ‖ secretbox(data). The key derivation runs in a
 * worker thread (≈10 s) unless a derived `key` is given.
 *
 * @example
 * ```ts
 * const encrypted = await encryptKeyfileData(serializeKeyfile(keypair), { password: 'correct horse' });
 * ```
 */
export async function encryptKeyfileData(
  data: Uint8Array,
  secret: KeyfileSecret,
  options: { nonce?: Uint8Array } = {},
): Promise<Uint8Array> {
  const key = await keyOf(secret);
  const nonce = options.nonce ?? new Uint8Array(randomBytes(24));
  if (nonce.length !== 24) throw new KeysError('KEYFILE_CORRUPT', 'nonce must be 24 bytes');
  const { encrypted } = naclEncrypt(data, key, nonce);
  const out = new Uint8Array(NACL_PREFIX.length + 24 + encrypted.length);
  out.set(NACL_PREFIX);
  out.set(nonce, NACL_PREFIX.length);
  out.set(encrypted, NACL_PREFIX.length + 24);
  return out;
}

/**
 * Decrypts `$NACL` keyfile bytes. Ansible Vault and legacy Fernet keyfiles are refused with
 * `KEYFILE_UNSUPPORTED_ENCRYPTION` (btwallet 4 cannot decrypt legacy files either).
 *
 * @throws {@link KeysError} `KEYFILE_WRONG_PASSWORD`, `KEYFILE_CORRUPT`, `KEYFILE_UNSUPPORTED_ENCRYPTION`.
 * @example
 * ```ts
 * const plain = await decryptKeyfileData(await readFile(coldkeyPath), { password });
 * const coldkey = parseKeyfile(plain);
 * ```
 */
export async function decryptKeyfileData(data: Uint8Array, secret: KeyfileSecret): Promise<Uint8Array> {
  const kind = keyfileEncryption(data);
  if (kind === null) return data;
  if (kind !== 'nacl')
    throw new KeysError(
      'KEYFILE_UNSUPPORTED_ENCRYPTION',
      `${kind} keyfile encryption is not supported; re-create the key from its mnemonic`,
    );
  if (data.length < NACL_PREFIX.length + 24 + 16)
    throw new KeysError('KEYFILE_CORRUPT', 'encrypted keyfile is truncated');
  const key = await keyOf(secret);
  const nonce = data.subarray(NACL_PREFIX.length, NACL_PREFIX.length + 24);
  const plain = naclDecrypt(data.subarray(NACL_PREFIX.length + 24), nonce, key);
  if (!plain) throw new KeysError('KEYFILE_WRONG_PASSWORD', 'wrong password, or the keyfile was altered');
  return plain;
}

/**
 * The password btwallet reads from `BT_PW_<PATH>`: base64 of the password XOR-ed (cyclically) with the variable's
 * name. Returns undefined when the variable is not set.
 *
 * @example
 * ```ts
 * passwordFromEnvironment(envVarNameForKeyfile(coldkeyPath));
 * ```
 */
export function passwordFromEnvironment(
  envVarName: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const value = env[envVarName];
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value.trim(), 'base64');
  const name = Buffer.from(envVarName, 'utf8');
  if (name.length === 0) return undefined;
  for (let i = 0; i < bytes.length; i++) bytes[i]! ^= name[i % name.length]!;
  return bytes.toString('utf8');
}

/**
 * The value to put in `BT_PW_<PATH>` so that btwallet (and subnetkit) read `password` from it.
 *
 * @example
 * ```ts
 * process.env[envVarNameForKeyfile(path)] = passwordToEnvironmentValue(envVarNameForKeyfile(path), 'pw');
 * ```
 */
export function passwordToEnvironmentValue(envVarName: string, password: string): string {
  const bytes = Buffer.from(password, 'utf8');
  const name = Buffer.from(envVarName, 'utf8');
  for (let i = 0; i < bytes.length; i++) bytes[i]! ^= name[i % name.length]!;
  return bytes.toString('base64');
}

/**
 * btwallet's env-var name for a keyfile's password: `BT_PW_` + the path with `/` and `.` as `_`, upper-cased.
 *
 * @example
 * ```ts
 * envVarNameForKeyfile('/home/me/.bittensor/wallets/default/coldkey'); // 'BT_PW__HOME_ME__BITTENSOR_WALLETS_DEFAULT_COLDKEY'
 * ```
 */
export function envVarNameForKeyfile(path: string): string {
  return `BT_PW_${path.replace(/[/.]/g, '_').toUpperCase()}`;
}
