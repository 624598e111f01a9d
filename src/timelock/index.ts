/**
 * Timelock encryption to a drand round, as subtensor's CRv4 commit-reveal uses it: a weight commit encrypted now
 * opens only once the drand beacon publishes its signature of the chosen round, and the chain opens it by itself.
 * Byte-compatible with subtensor's `TLECiphertext<TinyBLS381>` (see docs/timelock.md), on drand quicknet by default.
 *
 * @module timelock
 */
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import { createHash } from 'node:crypto';
import { TimelockError } from './errors.js';
import { G1_DST, decryptWithSignature, encryptToRound, parseTle, roundMessage, type TleParts } from './tle.js';

export { TimelockError } from './errors.js';
export type { TimelockErrorCode } from './errors.js';
export type { TleParts } from './tle.js';

/**
 * A drand beacon whose rounds a ciphertext can be locked to.
 *
 * @example
 * ```ts
 * const beacon: BeaconInfo = { publicKey: info.public_key, genesisTime: info.genesis_time, period: info.period };
 * ```
 */
export interface BeaconInfo {
  /** The group public key on G2, compressed (96 bytes), as hex. */
  readonly publicKey: string;
  /** Unix time of round 1, in seconds. */
  readonly genesisTime: number;
  /** Seconds between rounds. */
  readonly period: number;
  /** The chain hash that names the beacon, as hex (informational). */
  readonly chainHash?: string;
}

/**
 * drand quicknet, the beacon subtensor's CRv4 commits are locked to (`bls-unchained-g1-rfc9380`, a round every
 * 3 s).
 *
 * @example
 * ```ts
 * const round = roundAt(DRAND_QUICKNET, Date.now() / 1000 + 72 * 12);
 * ```
 */
export const DRAND_QUICKNET: BeaconInfo = Object.freeze({
  publicKey:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  genesisTime: 1_692_803_367,
  period: 3,
  chainHash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
});

const hexToBytes = (v: string | Uint8Array, what: string, length?: number): Uint8Array => {
  let out: Uint8Array;
  if (v instanceof Uint8Array) out = v;
  else {
    const h = v.startsWith('0x') ? v.slice(2) : v;
    if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h))
      throw new TimelockError('INVALID_ARGUMENT', `${what} must be hex or bytes`);
    out = new Uint8Array(Buffer.from(h, 'hex'));
  }
  if (length !== undefined && out.length !== length)
    throw new TimelockError('INVALID_ARGUMENT', `${what} must be ${length} bytes, got ${out.length}`);
  return out;
};

function roundArg(round: bigint | number): bigint {
  const r = typeof round === 'number' ? (Number.isSafeInteger(round) ? BigInt(round) : -1n) : round;
  if (typeof r !== 'bigint' || r < 1n || r >= 1n << 64n)
    throw new TimelockError('INVALID_ARGUMENT', `round must be an integer from 1 to 2^64 - 1, got ${String(round)}`);
  return r;
}

const keyCache = new Map<string, InstanceType<typeof bls.G2.Point>>();
function publicKeyOf(beacon: BeaconInfo) {
  let pk = keyCache.get(beacon.publicKey);
  if (!pk) {
    try {
      pk = bls.G2.Point.fromHex(hexToBytes(beacon.publicKey, 'beacon public key', 96));
      pk.assertValidity();
    } catch (e) {
      if (e instanceof TimelockError) throw e;
      throw new TimelockError('INVALID_ARGUMENT', `beacon public key is not a point of G2: ${(e as Error).message}`, {
        cause: e,
      });
    }
    keyCache.set(beacon.publicKey, pk);
  }
  return pk;
}

function signaturePoint(signature: string | Uint8Array) {
  try {
    const p = bls.G1.Point.fromHex(hexToBytes(signature, 'signature', 48));
    p.assertValidity();
    return p;
  } catch (e) {
    if (e instanceof TimelockError) throw e;
    throw new TimelockError('INVALID_ARGUMENT', `signature is not a point of G1: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * Encrypts `message` to `round` of `beacon` (quicknet by default): the result is the `commit` of a CRv4
 * `commit_timelocked_(mechanism_)weights`, or anything else to be opened by that round's signature.
 *
 * @example
 * ```ts
 * const commit = timelockEncrypt(payload, 18_000_000n);
 * ```
 */
export function timelockEncrypt(
  message: Uint8Array,
  round: bigint | number,
  beacon: BeaconInfo = DRAND_QUICKNET,
): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new TimelockError('INVALID_ARGUMENT', 'message must be a Uint8Array');
  return encryptToRound(publicKeyOf(beacon), roundArg(round), message);
}

/**
 * Opens a timelock ciphertext with the beacon's signature of its round (48 bytes, compressed G1; hex or bytes).
 * Throws DECRYPT_FAILED when the signature is for another round or beacon, MALFORMED for bytes that are not a
 * TLE ciphertext.
 *
 * @example
 * ```ts
 * const payload = timelockDecrypt(commit, pulse.signature);
 * ```
 */
export function timelockDecrypt(ciphertext: Uint8Array, signature: string | Uint8Array): Uint8Array {
  if (!(ciphertext instanceof Uint8Array))
    throw new TimelockError('INVALID_ARGUMENT', 'ciphertext must be a Uint8Array');
  return decryptWithSignature(ciphertext, signaturePoint(signature));
}

/**
 * Reads a TLE ciphertext into its parts without opening it (MALFORMED on any structural fault).
 *
 * @example
 * ```ts
 * const { cipherSuite, ciphertext } = parseTimelockCiphertext(commit); // 'AES_GCM_', payload + 16-byte tag
 * ```
 */
export function parseTimelockCiphertext(bytes: Uint8Array): TleParts {
  return parseTle(bytes);
}

/**
 * Checks a beacon's signature of a round: e(sig, G2) = e(H(round), pk).
 *
 * @example
 * ```ts
 * verifyBeaconSignature(DRAND_QUICKNET, 1000n, pulse.signature); // true for the real pulse
 * ```
 */
export function verifyBeaconSignature(
  beacon: BeaconInfo,
  round: bigint | number,
  signature: string | Uint8Array,
): boolean {
  const sig = signaturePoint(signature);
  const pk = publicKeyOf(beacon);
  const message = bls.G1.hashToCurve(roundMessage(roundArg(round)), { DST: G1_DST });
  return bls.fields.Fp12.eql(bls.pairing(sig, bls.G2.Point.BASE), bls.pairing(message as unknown as typeof sig, pk));
}

/**
 * The latest round published at `unixSeconds` (round 1 at genesis).
 *
 * @example
 * ```ts
 * roundAt(DRAND_QUICKNET, 1_692_803_367 + 2_997); // 1000
 * ```
 */
export function roundAt(beacon: BeaconInfo, unixSeconds: number): bigint {
  if (!Number.isFinite(unixSeconds))
    throw new TimelockError('INVALID_ARGUMENT', `time must be a finite number of seconds, got ${unixSeconds}`);
  if (unixSeconds < beacon.genesisTime) return 0n;
  return BigInt(Math.floor((unixSeconds - beacon.genesisTime) / beacon.period)) + 1n;
}

/**
 * The unix time, in seconds, at which `round` is published.
 *
 * @example
 * ```ts
 * roundTime(DRAND_QUICKNET, 1000n); // 1_692_806_364
 * ```
 */
export function roundTime(beacon: BeaconInfo, round: bigint | number): number {
  return beacon.genesisTime + Number(roundArg(round) - 1n) * beacon.period;
}

/**
 * A beacon this process holds the secret of: the devnet's, or a test's.
 *
 * @example
 * ```ts
 * const beacon: LocalBeacon = createLocalBeacon('seed');
 * const signature = beacon.sign(7n); // what drand would publish for round 7
 * ```
 */
export interface LocalBeacon {
  /** What encrypting clients need. */
  readonly info: BeaconInfo;
  /** The beacon's signature of a round (48 bytes), what a drand pulse carries. */
  sign(round: bigint | number): Uint8Array;
}

/**
 * A beacon with a secret derived from `seed`, signing rounds as drand quicknet does (same scheme and hash). The
 * embedded devnet runs one so that CRv4 commits are real ciphertexts it opens at the reveal epoch.
 *
 * @example
 * ```ts
 * const beacon = createLocalBeacon('my test');
 * const commit = timelockEncrypt(payload, 5n, beacon.info);
 * timelockDecrypt(commit, beacon.sign(5n)); // payload
 * ```
 */
export function createLocalBeacon(
  seed: string | Uint8Array,
  options: { genesisTime?: number; period?: number } = {},
): LocalBeacon {
  const digest = createHash('sha512')
    .update(typeof seed === 'string' ? Buffer.from(seed) : seed)
    .digest();
  const secret = (BigInt(`0x${digest.toString('hex')}`) % (bls.fields.Fr.ORDER - 1n)) + 1n;
  const pk = bls.G2.Point.BASE.multiply(secret);
  const info: BeaconInfo = Object.freeze({
    publicKey: Buffer.from(pk.toRawBytes(true)).toString('hex'),
    genesisTime: options.genesisTime ?? DRAND_QUICKNET.genesisTime,
    period: options.period ?? DRAND_QUICKNET.period,
  });
  return {
    info,
    sign: (round) =>
      (
        bls.G1.hashToCurve(roundMessage(roundArg(round)), { DST: G1_DST }) as unknown as InstanceType<
          typeof bls.G1.Point
        >
      )
        .multiply(secret)
        .toRawBytes(true),
  };
}
