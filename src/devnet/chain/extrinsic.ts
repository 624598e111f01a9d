/**
 * A direct reader of signed v4 extrinsics with subtensor's transaction extensions, and of their signing payload:
 * byte slicing instead of @polkadot/types codecs on the transaction pool's hot path. Anything it does not
 * recognise returns null and goes through polkadot-js instead.
 *
 * Layout: compact(len) ‖ 0x84 ‖ MultiAddress::Id(0x00 ‖ 32) ‖ MultiSignature(variant ‖ 64|65) ‖ era(1|2) ‖
 * compact(nonce) ‖ compact(tip) ‖ metadata-hash mode(u8) ‖ call.
 */
import { u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { readCompact } from '../storage/scale.js';

/** A signed extrinsic, sliced. */
export interface RawExtrinsic {
  /** The signer's public key. */
  signer: Uint8Array;
  /** MultiSignature variant: 0 ed25519, 1 sr25519, 2 ecdsa. */
  sigType: number;
  signature: Uint8Array;
  /** The era bytes as signed (0x00 immortal, or two bytes). */
  era: Uint8Array;
  nonce: number;
  tip: bigint;
  /** The encoded nonce and tip, as signed. */
  nonceTip: Uint8Array;
  mode: number;
  call: Uint8Array;
  /** blake2-256 of the whole extrinsic (its hash). */
  hash: Uint8Array;
}

export function parseSigned(bytes: Uint8Array): RawExtrinsic | null {
  const len = readCompact(bytes, 0);
  if (!len || Number(len[0]) !== bytes.length - len[1]) return null;
  let p = len[1];
  if (bytes[p++] !== 0x84 || bytes[p++] !== 0x00) return null; // signed v4, MultiAddress::Id
  if (p + 32 > bytes.length) return null;
  const signer = bytes.subarray(p, p + 32);
  p += 32;
  const sigType = bytes[p++]!;
  const sigLen = sigType === 2 ? 65 : sigType <= 1 ? 64 : -1;
  if (sigLen < 0 || p + sigLen > bytes.length) return null;
  const signature = bytes.subarray(p, p + sigLen);
  p += sigLen;
  const eraLen = bytes[p] === 0 ? 1 : 2;
  if (p + eraLen > bytes.length) return null;
  const era = bytes.subarray(p, p + eraLen);
  p += eraLen;
  const extraStart = p;
  const nonce = readCompact(bytes, p);
  if (!nonce || nonce[0] > 0xffffffffn) return null;
  const tip = readCompact(bytes, nonce[1]);
  if (!tip) return null;
  p = tip[1];
  const nonceTip = bytes.subarray(extraStart, p);
  const mode = bytes[p++];
  if (mode !== 0 || p >= bytes.length) return null; // metadata-hash mode 1 takes the general path
  return {
    signer,
    sigType,
    signature,
    era,
    nonce: Number(nonce[0]),
    tip: tip[0],
    nonceTip,
    mode,
    call: bytes.subarray(p),
    hash: blake2AsU8a(bytes),
  };
}

/** Substrate's `Era::birth` and `death` for a mortal era's two bytes at block `current`. */
export function mortalWindow(era: Uint8Array, current: number): { birth: number; death: number } {
  const encoded = era[0]! | (era[1]! << 8);
  const period = 2 ** ((encoded % 16) + 1);
  const quantize = Math.max(period >> 12, 1);
  const phase = (encoded >> 4) * quantize;
  const birth = Math.floor((Math.max(current, phase) - phase) / period) * period + phase;
  return { birth, death: birth + period };
}

/** The signing payload of a parsed extrinsic (blake2-256'd when over 256 bytes, as signers do). */
export function signingPayload(
  x: RawExtrinsic,
  specVersion: number,
  txVersion: number,
  genesis: Uint8Array,
  birthHash: Uint8Array,
): Uint8Array {
  const versions = new Uint8Array(8);
  const dv = new DataView(versions.buffer);
  dv.setUint32(0, specVersion, true);
  dv.setUint32(4, txVersion, true);
  const out = u8aConcat(
    x.call,
    x.era,
    x.nonceTip,
    new Uint8Array([x.mode]),
    versions,
    genesis,
    birthHash,
    new Uint8Array([0]),
  );
  return out.length > 256 ? blake2AsU8a(out) : out;
}
