/**
 * sr25519 keypairs as bittensor uses them: from a mnemonic, a 32-byte seed, a secret URI with `//hard` and `/soft`
 * derivation, btwallet's canonical private key, or an SS58 address (public only). SS58 prefix 42.
 */
import { getPublicKey } from '@scure/sr25519';
import { hexToU8a, isHex, u8aToHex } from '@polkadot/util';
import {
  decodeAddress,
  encodeAddress,
  keyExtractSuri,
  keyFromPath,
  mnemonicGenerate,
  mnemonicToMiniSecret,
  mnemonicValidate,
  sr25519PairFromSeed,
} from '@polkadot/util-crypto';
import { KeysError } from './errors.js';
import { signRaw, verifyRaw } from './crypto-backend.js';

/**
 * Bittensor's SS58 address prefix.
 *
 * @example
 * ```ts
 * encodeAddress(publicKey, SS58_FORMAT);
 * ```
 */
export const SS58_FORMAT = 42;
/**
 * The well-known development mnemonic behind `//Alice`, `//Bob`, …
 *
 * @example
 * ```ts
 * keypairFromUri(`${DEV_PHRASE}//Alice`); // same as keypairFromUri('//Alice')
 * ```
 */
export const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

/**
 * An sr25519 keypair. `secretKey` (64 bytes, polkadot.js "ed25519 form") is absent for public-only keypairs.
 */
export interface Keypair {
  /** Always sr25519. */
  readonly type: 'sr25519';
  /** 32-byte public key (= AccountId). */
  readonly publicKey: Uint8Array;
  /** SS58 address with prefix 42. */
  readonly ss58Address: string;
  /** 64-byte secret: scalar·8 ‖ nonce (polkadot.js / wasm-crypto form). Absent when public-only. */
  readonly secretKey?: Uint8Array;
  /** The mnemonic it came from, when it came from one without derivation. */
  readonly mnemonic?: string;
  /** The 32-byte mini-secret seed, when known (not for derived keys). */
  readonly seed?: Uint8Array;
}

function toBytes(
  input: string | Uint8Array,
  what: string,
  code: 'KEY_INVALID_SEED' | 'KEY_INVALID_PRIVATE_KEY',
): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (typeof input === 'string' && isHex(input)) return hexToU8a(input);
  throw new KeysError(code, `${what} must be 0x-prefixed hex or bytes`);
}

function make(
  publicKey: Uint8Array,
  secretKey: Uint8Array | undefined,
  extra: { mnemonic?: string; seed?: Uint8Array } = {},
): Keypair {
  return Object.freeze({
    type: 'sr25519' as const,
    publicKey,
    ss58Address: encodeAddress(publicKey, SS58_FORMAT),
    ...(secretKey ? { secretKey } : {}),
    ...extra,
  });
}

/**
 * A fresh BIP-39 mnemonic (12 words by default).
 *
 * @example
 * ```ts
 * const words = generateMnemonic(24);
 * ```
 */
export function generateMnemonic(words: 12 | 15 | 18 | 21 | 24 = 12): string {
  return mnemonicGenerate(words);
}

/**
 * The keypair of a BIP-39 mnemonic (substrate-bip39: PBKDF2 over the entropy, as btwallet does).
 *
 * @throws {@link KeysError} `KEY_INVALID_MNEMONIC`.
 * @example
 * ```ts
 * keypairFromMnemonic('old leopard transfer rib spatial phone calm indicate online fire caution review').ss58Address;
 * // '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX'
 * ```
 */
export function keypairFromMnemonic(mnemonic: string, options: { password?: string } = {}): Keypair {
  const words = typeof mnemonic === 'string' ? mnemonic.trim().split(/\s+/).join(' ') : '';
  if (!words || !mnemonicValidate(words))
    throw new KeysError('KEY_INVALID_MNEMONIC', 'invalid mnemonic (wrong word, count or checksum)');
  const seed = mnemonicToMiniSecret(words, options.password ?? '');
  const pair = sr25519PairFromSeed(seed);
  return make(pair.publicKey, pair.secretKey, { mnemonic: words, seed });
}

/**
 * The keypair of a 32-byte mini-secret seed (btwallet's `secretSeed`).
 *
 * @throws {@link KeysError} `KEY_INVALID_SEED`.
 * @example
 * ```ts
 * keypairFromSeed('0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143');
 * ```
 */
export function keypairFromSeed(seed: string | Uint8Array): Keypair {
  const bytes = toBytes(seed, 'seed', 'KEY_INVALID_SEED');
  if (bytes.length !== 32) throw new KeysError('KEY_INVALID_SEED', `seed must be 32 bytes, got ${bytes.length}`);
  const pair = sr25519PairFromSeed(bytes);
  return make(pair.publicKey, pair.secretKey, { seed: bytes });
}

/**
 * The keypair of a secret URI: `<mnemonic | 0xseed>[//hard][/soft][///password]`; a URI that starts with `/` uses
 * the development phrase (`//Alice`).
 *
 * @throws {@link KeysError} `KEY_INVALID_URI`, `KEY_INVALID_MNEMONIC`.
 * @example
 * ```ts
 * keypairFromUri('//Alice').ss58Address; // '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'
 * ```
 */
export function keypairFromUri(uri: string): Keypair {
  if (typeof uri !== 'string' || uri.length === 0)
    throw new KeysError('KEY_INVALID_URI', 'secret URI must be a non-empty string');
  const full = uri.startsWith('/') ? `${DEV_PHRASE}${uri}` : uri;
  let parts: ReturnType<typeof keyExtractSuri>;
  try {
    parts = keyExtractSuri(full);
  } catch (cause) {
    throw new KeysError('KEY_INVALID_URI', `cannot parse secret URI: ${(cause as Error).message}`, { cause });
  }
  const base = isHex(parts.phrase)
    ? keypairFromSeed(parts.phrase)
    : keypairFromMnemonic(parts.phrase, { password: parts.password ?? '' });
  if (parts.path.length === 0) return base;
  const derived = keyFromPath({ publicKey: base.publicKey, secretKey: base.secretKey! }, parts.path, 'sr25519');
  return make(derived.publicKey, derived.secretKey);
}

/**
 * The keypair of btwallet's `privateKey`: the canonical schnorrkel secret (scalar ‖ nonce, 64 bytes).
 *
 * @throws {@link KeysError} `KEY_INVALID_PRIVATE_KEY`.
 * @example
 * ```ts
 * keypairFromPrivateKey(keyfile.privateKey).ss58Address;
 * ```
 */
export function keypairFromPrivateKey(privateKey: string | Uint8Array): Keypair {
  const canonical = toBytes(privateKey, 'privateKey', 'KEY_INVALID_PRIVATE_KEY');
  if (canonical.length !== 64)
    throw new KeysError('KEY_INVALID_PRIVATE_KEY', `privateKey must be 64 bytes, got ${canonical.length}`);
  const secretKey = scalarTimesCofactor(canonical);
  let publicKey: Uint8Array;
  try {
    publicKey = getPublicKey(secretKey);
  } catch (cause) {
    throw new KeysError('KEY_INVALID_PRIVATE_KEY', 'privateKey is not a valid sr25519 secret', { cause });
  }
  return make(publicKey, secretKey);
}

/**
 * A public-only keypair from an SS58 address (any prefix) or a 0x public key; it can verify but not sign.
 *
 * @throws {@link KeysError} `KEY_INVALID_ADDRESS`.
 * @example
 * ```ts
 * keypairFromAddress('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY').publicKey;
 * ```
 */
export function keypairFromAddress(address: string | Uint8Array): Keypair {
  return make(publicKeyOf(address), undefined);
}

/**
 * The 32-byte public key of an SS58 address or 0x hex key.
 *
 * @throws {@link KeysError} `KEY_INVALID_ADDRESS`.
 * @example
 * ```ts
 * publicKeyOf('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
 * ```
 */
export function publicKeyOf(address: string | Uint8Array): Uint8Array {
  if (typeof address === 'string') {
    const known = decodedAddresses.get(address);
    if (known) return known.slice();
  }
  try {
    const pk = address instanceof Uint8Array ? address : decodeAddress(address);
    if (pk.length !== 32) throw new Error(`expected 32 bytes, got ${pk.length}`);
    if (typeof address === 'string') remember(decodedAddresses, address, pk.slice());
    return pk;
  } catch (cause) {
    throw new KeysError(
      'KEY_INVALID_ADDRESS',
      `not an SS58 address or 32-byte public key: ${String(address).slice(0, 64)}`,
      { cause },
    );
  }
}

// Axons decode and check the same few hundred hotkeys on every request (base58 and a BLAKE2b checksum each time):
// the last 4096 good ones are remembered. Only valid addresses are kept, so junk cannot flush them.
const CACHE_SIZE = 4096;
const decodedAddresses = new Map<string, Uint8Array>();
const validAddresses = new Map<string, true>();

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

/**
 * True when `address` is a valid SS58 address with prefix 42 (as the Python SDK checks).
 *
 * @example
 * ```ts
 * isValidSs58Address('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'); // true
 * ```
 */
export function isValidSs58Address(address: unknown): boolean {
  if (typeof address !== 'string') return false;
  if (validAddresses.has(address)) return true;
  let valid: boolean;
  try {
    valid = encodeAddress(decodeAddress(address, false, SS58_FORMAT), SS58_FORMAT) === address;
  } catch {
    valid = false;
  }
  if (valid) remember(validAddresses, address, true);
  return valid;
}

/**
 * The SS58 (prefix 42) address of a public key.
 *
 * @example
 * ```ts
 * ss58Encode(keypair.publicKey);
 * ```
 */
export function ss58Encode(publicKey: Uint8Array): string {
  return encodeAddress(publicKeyOf(publicKey), SS58_FORMAT);
}

/**
 * btwallet's canonical `privateKey` (scalar ‖ nonce) of a keypair.
 *
 * @throws {@link KeysError} `KEY_NO_SECRET` for public-only keypairs.
 * @example
 * ```ts
 * canonicalPrivateKey(keypairFromMnemonic(words)); // '0x1f1995bd…'
 * ```
 */
export function canonicalPrivateKey(keypair: Keypair): string {
  return u8aToHex(scalarDivCofactor(requireSecret(keypair)));
}

function requireSecret(keypair: Keypair): Uint8Array {
  if (!keypair?.secretKey)
    throw new KeysError('KEY_NO_SECRET', `keypair ${keypair?.ss58Address ?? ''} has no secret key (public only)`);
  return keypair.secretKey;
}

// schnorrkel stores the scalar divided by the cofactor 8; polkadot.js keeps it multiplied ("ed25519 form").
function scalarTimesCofactor(canonical: Uint8Array): Uint8Array {
  const out = new Uint8Array(canonical);
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const v = (canonical[i]! << 3) | carry;
    out[i] = v & 0xff;
    carry = v >> 8;
  }
  return out;
}

function scalarDivCofactor(edForm: Uint8Array): Uint8Array {
  const out = new Uint8Array(edForm);
  let low = 0;
  for (let i = 31; i >= 0; i--) {
    const r = edForm[i]! & 7;
    out[i] = (edForm[i]! >> 3) | low;
    low = r << 5;
  }
  return out;
}

const encoder = new TextEncoder();

/** A message as bytes the way btwallet's `Keypair.sign(str)` reads it: `0x…` strings are hex, others UTF-8. */
function messageBytes(message: string | Uint8Array): Uint8Array {
  if (message instanceof Uint8Array) return message;
  if (typeof message !== 'string') throw new TypeError('message must be a string or bytes');
  return message.startsWith('0x') && isHex(message) ? hexToU8a(message) : encoder.encode(message);
}

/**
 * Signs a message (sr25519, context `substrate`); returns `0x` + 128 hex chars. Signatures are randomised.
 *
 * @throws {@link KeysError} `KEY_NO_SECRET` for public-only keypairs.
 * @example
 * ```ts
 * const signature = sign(keypairFromUri('//Alice'), `${nonce}.${hotkey}.${axonHotkey}.${uuid}.${bodyHash}`);
 * ```
 */
export function sign(keypair: Keypair, message: string | Uint8Array): string {
  return u8aToHex(signRaw(keypair.publicKey, requireSecret(keypair), messageBytes(message)));
}

/**
 * Verifies an sr25519 signature by an address, public key or keypair. Like btwallet it also accepts a signature over
 * `<Bytes>message</Bytes>`. Malformed signatures or addresses verify as `false`.
 *
 * @example
 * ```ts
 * verify(message, signature, '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX'); // true
 * ```
 */
export function verify(
  message: string | Uint8Array,
  signature: string | Uint8Array,
  signer: string | Uint8Array | Keypair,
): boolean {
  let publicKey: Uint8Array;
  let sig: Uint8Array;
  try {
    publicKey = typeof signer === 'object' && !(signer instanceof Uint8Array) ? signer.publicKey : publicKeyOf(signer);
    sig =
      typeof signature === 'string'
        ? signature.startsWith('0x') && isHex(signature)
          ? hexToU8a(signature)
          : new Uint8Array(0)
        : signature;
  } catch {
    return false;
  }
  if (sig.length !== 64) return false;
  const msg = messageBytes(message);
  if (verifyRaw(msg, sig, publicKey)) return true;
  const wrapped = new Uint8Array(msg.length + 15);
  wrapped.set(encoder.encode('<Bytes>'));
  wrapped.set(msg, 7);
  wrapped.set(encoder.encode('</Bytes>'), 7 + msg.length);
  return verifyRaw(wrapped, sig, publicKey);
}
