/**
 * Timelock encryption to a drand round, in the byte format subtensor decrypts (CRv4 weight commits): Boneh–Franklin
 * IBE (FullIdent) over BLS12-381 with signatures on G1 and the beacon key on G2, the identity being the round, and
 * the payload under AES-256-GCM with the key the IBE part carries.
 *
 * The serialisation is arkworks' `serialize_compressed` of `TLECiphertext<TinyBLS381>`:
 *
 *   U: G2, compressed (96 bytes, zcash flags) ‖ Vec V (u64 LE length 32, then 32 bytes) ‖ Vec W (same)
 *   ‖ Vec body (u64 LE length, then: Vec ciphertext-with-tag ‖ Vec nonce (12 bytes)) ‖ Vec cipher suite ("AES_GCM_")
 *
 * with H2(g) = SHA-256 of the target-group element as arkworks writes it (twelve 48-byte little-endian base-field
 * coefficients, c0 before c1 at every level of the tower), H3(a, b) = SHA-256(a ‖ b) read big-endian modulo the group
 * order, H4(a) = SHA-256(a).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import { TimelockError } from './errors.js';

type Fp12 = ReturnType<typeof bls.fields.Fp12.create>;
type G1Point = InstanceType<typeof bls.G1.Point>;
type G2Point = InstanceType<typeof bls.G2.Point>;

/** The hash-to-G1 domain of drand's `bls-unchained-g1-rfc9380` scheme (quicknet). */
export const G1_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
const CIPHER_SUITE = new TextEncoder().encode('AES_GCM_');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

function xor32(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The round's identity message: SHA-256 of the round as a big-endian u64 (what drand quicknet signs). */
export function roundMessage(round: bigint): Uint8Array {
  const be = new Uint8Array(8);
  new DataView(be.buffer).setBigUint64(0, round, false);
  return sha256(be);
}

/** The round's identity point on G1. */
export function roundPoint(round: bigint): G1Point {
  return bls.G1.hashToCurve(roundMessage(round), { DST: G1_DST }) as unknown as G1Point;
}

/** A target-group element as arkworks serialises it: 12 base-field coefficients, 48 bytes little-endian each. */
export function gtBytes(g: Fp12): Uint8Array {
  const out = new Uint8Array(12 * 48);
  const coeffs = [g.c0.c0, g.c0.c1, g.c0.c2, g.c1.c0, g.c1.c1, g.c1.c2].flatMap((fp2) => [fp2.c0, fp2.c1]);
  coeffs.forEach((c, i) => {
    let v = c;
    for (let j = 0; j < 48; j++, v >>= 8n) out[i * 48 + j] = Number(v & 0xffn);
  });
  return out;
}

const h2 = (g: Fp12) => sha256(gtBytes(g));
function h3(sigma: Uint8Array, message: Uint8Array): bigint {
  const digest = sha256(sigma, message);
  let v = 0n;
  for (const b of digest) v = (v << 8n) | BigInt(b);
  return v % bls.fields.Fr.ORDER;
}

/**
 * Parsed parts of a TLE ciphertext.
 *
 * @example
 * ```ts
 * const { nonce, cipherSuite } = parseTimelockCiphertext(commit); // 12 bytes, 'AES_GCM_'
 * ```
 */
export interface TleParts {
  /** U = rP on G2, compressed. */
  u: Uint8Array;
  /** V = σ ⊕ H2(e(Q_id, r·P_pub)). */
  v: Uint8Array;
  /** W = key ⊕ H4(σ). */
  w: Uint8Array;
  /** AES-GCM ciphertext with its 16-byte tag. */
  ciphertext: Uint8Array;
  /** AES-GCM nonce, 12 bytes. */
  nonce: Uint8Array;
  /** Cipher suite name: "AES_GCM_". */
  cipherSuite: string;
}

class Writer {
  private parts: Uint8Array[] = [];
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
  vec(b: Uint8Array): this {
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(b.length), true);
    return this.bytes(len).bytes(b);
  }
  done(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}
  take(n: number, what: string): Uint8Array {
    if (this.pos + n > this.b.length)
      throw new TimelockError(
        'MALFORMED',
        `TLE ciphertext ends inside ${what} (needs ${n} bytes at offset ${this.pos}, has ${this.b.length - this.pos})`,
      );
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  vec(what: string, max: number): Uint8Array {
    const len = new DataView(this.take(8, `${what} length`).slice().buffer).getBigUint64(0, true);
    if (len > BigInt(max))
      throw new TimelockError('MALFORMED', `TLE ciphertext: ${what} claims ${len} bytes (at most ${max})`);
    return this.take(Number(len), what);
  }
  end(): void {
    if (this.pos !== this.b.length)
      throw new TimelockError('MALFORMED', `TLE ciphertext has ${this.b.length - this.pos} bytes left over`);
  }
}

/** Reads a TLE ciphertext into its parts; throws MALFORMED on any structural fault. */
export function parseTle(bytes: Uint8Array): TleParts {
  const r = new Reader(bytes);
  const u = r.take(96, 'U');
  const v = r.vec('V', 32);
  const w = r.vec('W', 32);
  if (v.length !== 32 || w.length !== 32)
    throw new TimelockError('MALFORMED', `TLE ciphertext: V and W must be 32 bytes, got ${v.length} and ${w.length}`);
  const body = new Reader(r.vec('body', bytes.length));
  const ciphertext = body.vec('AES ciphertext', bytes.length);
  const nonce = body.vec('AES nonce', 64);
  body.end();
  const cipherSuite = new TextDecoder().decode(r.vec('cipher suite', 64));
  r.end();
  if (ciphertext.length < TAG_BYTES)
    throw new TimelockError(
      'MALFORMED',
      `TLE ciphertext: the AES ciphertext is ${ciphertext.length} bytes, shorter than its tag`,
    );
  return { u, v, w, ciphertext, nonce, cipherSuite };
}

/**
 * Encrypts `message` so that the beacon's signature of `round` opens it. `randomness` fixes the AES key, σ and the
 * nonce, for reproducible tests only; by default all three come from the CSPRNG.
 */
export function encryptToRound(
  publicKey: G2Point,
  round: bigint,
  message: Uint8Array,
  randomness?: { key: Uint8Array; sigma: Uint8Array; nonce: Uint8Array },
): Uint8Array {
  const key = randomness?.key ?? new Uint8Array(randomBytes(32));
  const sigma = randomness?.sigma ?? new Uint8Array(randomBytes(32));
  const nonce = randomness?.nonce ?? new Uint8Array(randomBytes(NONCE_BYTES));
  // IBE (FullIdent): r = H3(σ, key), U = rP, V = σ ⊕ H2(e(Q_id, r·P_pub)), W = key ⊕ H4(σ).
  const r = h3(sigma, key);
  const u = bls.G2.Point.BASE.multiply(r);
  // e(Q_id, r·P_pub) = e(r·Q_id, P_pub): the multiplication is done on G1, three times cheaper than on G2.
  const gId = bls.pairing(roundPoint(round).multiply(r), publicKey);
  const v = xor32(sigma, h2(gId));
  const w = xor32(key, sha256(sigma));
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = new Uint8Array(Buffer.concat([cipher.update(message), cipher.final(), cipher.getAuthTag()]));
  const body = new Writer().vec(sealed).vec(nonce).done();
  return new Writer().bytes(u.toRawBytes(true)).vec(v).vec(w).vec(body).vec(CIPHER_SUITE).done();
}

/** Opens a TLE ciphertext with the beacon's signature of its round (a G1 point). */
export function decryptWithSignature(bytes: Uint8Array, signature: G1Point): Uint8Array {
  const parts = parseTle(bytes);
  if (parts.cipherSuite !== 'AES_GCM_')
    throw new TimelockError('MALFORMED', `TLE ciphertext: unknown cipher suite ${JSON.stringify(parts.cipherSuite)}`);
  if (parts.nonce.length !== NONCE_BYTES)
    throw new TimelockError(
      'MALFORMED',
      `TLE ciphertext: the AES nonce is ${parts.nonce.length} bytes, not ${NONCE_BYTES}`,
    );
  let u: G2Point;
  try {
    u = bls.G2.Point.fromHex(parts.u);
    u.assertValidity();
  } catch (e) {
    throw new TimelockError('MALFORMED', `TLE ciphertext: U is not a point of G2 (${(e as Error).message})`, {
      cause: e,
    });
  }
  const sigma = xor32(parts.v, h2(bls.pairing(signature, u)));
  const key = xor32(parts.w, sha256(sigma));
  // The FullIdent check: U must be H3(σ, key)·P, else the signature is not the one for this ciphertext's round.
  if (!bls.G2.Point.BASE.multiply(h3(sigma, key)).equals(u))
    throw new TimelockError(
      'DECRYPT_FAILED',
      'the signature does not open this ciphertext (another round or another beacon)',
    );
  const decipher = createDecipheriv('aes-256-gcm', key, parts.nonce);
  decipher.setAuthTag(parts.ciphertext.subarray(parts.ciphertext.length - TAG_BYTES));
  try {
    return new Uint8Array(
      Buffer.concat([
        decipher.update(parts.ciphertext.subarray(0, parts.ciphertext.length - TAG_BYTES)),
        decipher.final(),
      ]),
    );
  } catch (e) {
    throw new TimelockError('DECRYPT_FAILED', 'the AES-GCM body fails its tag: the ciphertext was altered', {
      cause: e,
    });
  }
}
