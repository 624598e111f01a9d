import { describe, expect, it } from 'vitest';
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import {
  DRAND_QUICKNET,
  TimelockError,
  createLocalBeacon,
  parseTimelockCiphertext,
  roundAt,
  roundTime,
  timelockDecrypt,
  timelockEncrypt,
  verifyBeaconSignature,
} from '../../src/timelock/index.js';
import { gtBytes } from '../../src/timelock/tle.js';

// drand quicknet's published pulse for round 1000 (api.drand.sh/<quicknet>/public/1000).
const ROUND_1000_SIGNATURE =
  'b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39';

// The call of a `commit_timelocked_mechanism_weights` accepted on finney (block 9101269): netuid 7, mecid 0, a
// 303-byte commit made by Python's bittensor-drand, reveal round 32,340,463, version 4.
const FINNEY_CALL =
  '0776070000bd04add79c4f91c9b56920e48e41d7de2bb50289966534371c16faa5a023d0052165283424fbb6f6b4121516acb75f50f2181301bd76c3df06e40409b293b2e4e6d4c5d29dfaf57239e2d21ec7a65f1fdd00905d91dee6baebc895c9deb76849c8cf2000000000000000ce281554cf945eba34e9159487c3fe6854f039ebfb99c23e56075b6782187c402000000000000000c6650336df21d47c5cbd05e202b072c38c7d9c7ff7dad2ff9811ebddb41b3e7067000000000000004b0000000000000045f7265fea37fb03a04611dac062e06e03585ba9c05a17784e6a34efb1a7f787b4b9e5c5dd615c1746f01a2806db82524a93f616fe8981c62ab4ec28fe9839b75d0608593f6f72aceaaca10c00000000000000f6e30fc8e613b20200bf45fe08000000000000004145535f47434d5fef79ed01000000000400';

function finneyCommit(): { commit: Uint8Array; tail: Buffer } {
  const call = Buffer.from(FINNEY_CALL, 'hex');
  // pallet 7, call 118, netuid u16, mecid u8, then the commit as Vec<u8> (two-byte compact length).
  expect([call[0], call[1], call.readUInt16LE(2), call[4]]).toEqual([7, 118, 7, 0]);
  const len = call.readUInt16LE(5) >> 2;
  return { commit: new Uint8Array(call.subarray(7, 7 + len)), tail: call.subarray(7 + len) };
}

// e(G1, G2) of BLS12-381 as arkworks serialises it (Fq12, 12 × 48 bytes little-endian): the Gt generator constant
// of Aptos's arkworks-backed algebra natives (aptos-move/framework/src/natives/cryptography/algebra).
const ARKWORKS_GT_GENERATOR =
  'b68917caaa0543a808c53908f694d1b6e7b38de90ce9d83d505ca1ef1b442d2727d7d06831d8b2a7920afc71d8eb50120f17a0ea982a88591d9f43503e94a8f1abaf2e4589f65aafb7923c484540a868883432a5c60e75860b11e5465b1c9a08873ec29e844c1c888cb396933057ffdd541b03a5220eda16b2b3a6728ea678034ce39c6839f20397202d7c5c44bb68134f93193cec215031b17399577a1de5ff1f5b0666bdd8907c61a7651e4e79e0372951505a07fa73c25788db6eb8023519a5aa97b51f1cad1d43d8aabbff4dc319c79a58cafc035218747c2f75daf8f2fb7c00c44da85b129113173d4722f5b201b6b4454062e9ea8ba78c5ca3cadaf7238b47bace5ce561804ae16b8f4b63da4645b8457a93793cbd64a7254f150781019de87ee42682940f3e70a88683d512bb2c3fb7b2434da5dedbb2d0b3fb8487c84da0d5c315bdd69c46fb05d23763f2191aabd5d5c2e12a10b8f002ff681bfd1b2ee0bf619d80d2a795eb22f2aa7b85d5ffb671a70c94809f0dafc5b73ea2fb0657bae23373b4931bc9fa321e8848ef78894e987bff150d7d671aee30b3931ac8c50e0b3b0868effc38bf48cd24b4b811a2995ac2a09122bed9fd9fa0c510a87b10290836ad06c8203397b56a78e9a0c61c77e56ccb4f1bc3d3fcaea7550f3503efe30f2d24f00891cb45620605fcfaa4292687b3a7db7c1c0554a93579e889a121fd8f72649b2402996a084d2381c5043166673b3849e4fd1e7ee4af24aa8ed443f56dfd6b68ffde4435a92cd7a4ac3bc77e1ad0cb728606cf08bf6386e5410f';

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof TimelockError) return e.code;
    throw e;
  }
  throw new Error('did not throw');
};

describe('timelock encryption to drand rounds', () => {
  it('verifies the real quicknet pulse of round 1000, and nothing else, with the quicknet key and hash', () => {
    expect(verifyBeaconSignature(DRAND_QUICKNET, 1000n, ROUND_1000_SIGNATURE)).toBe(true);
    expect(verifyBeaconSignature(DRAND_QUICKNET, 1001n, ROUND_1000_SIGNATURE)).toBe(false);
    const other = createLocalBeacon('another beacon');
    expect(verifyBeaconSignature(other.info, 1000n, ROUND_1000_SIGNATURE)).toBe(false);
  });

  it('hashes the pairing value as arkworks writes it: e(G1, G2) is byte for byte the arkworks Gt generator', () => {
    // H2 hashes these bytes: the same pairing value and the same serialisation as subtensor's decryption.
    const g = bls.pairing(bls.G1.Point.BASE, bls.G2.Point.BASE);
    expect(Buffer.from(gtBytes(g)).toString('hex')).toBe(ARKWORKS_GT_GENERATOR);
    // Its inverse (what a pairing with the opposite sign convention would give) is not.
    expect(Buffer.from(gtBytes(bls.fields.Fp12.inv(g))).toString('hex')).not.toBe(ARKWORKS_GT_GENERATOR);
  });

  it('encrypts to a quicknet round that the real drand signature of that round opens', () => {
    const message = new TextEncoder().encode('weights for round 1000');
    const ct = timelockEncrypt(message, 1000n);
    expect(Buffer.from(timelockDecrypt(ct, ROUND_1000_SIGNATURE)).toString()).toBe('weights for round 1000');
    // Two encryptions of the same message differ (fresh key, σ and nonce) and both open.
    const again = timelockEncrypt(message, 1000);
    expect(Buffer.from(again).equals(Buffer.from(ct))).toBe(false);
    expect(Buffer.from(timelockDecrypt(again, ROUND_1000_SIGNATURE)).toString()).toBe('weights for round 1000');
    // Locked to round 1001, the round-1000 signature does not open it.
    expect(code(() => timelockDecrypt(timelockEncrypt(message, 1001n), ROUND_1000_SIGNATURE))).toBe('DECRYPT_FAILED');
  });

  it('reads the commit of a real finney extrinsic, and writes the same layout', () => {
    const { commit, tail } = finneyCommit();
    expect(commit.length).toBe(303);
    // After the commit: reveal_round u64 and commit_reveal_version u16.
    expect(tail.readBigUInt64LE(0)).toBe(32_340_463n);
    expect(tail.readUInt16LE(8)).toBe(4);
    const parts = parseTimelockCiphertext(commit);
    expect(parts.cipherSuite).toBe('AES_GCM_');
    expect([parts.v.length, parts.w.length, parts.nonce.length]).toEqual([32, 32, 12]);
    // 59 bytes of WeightsTlockPayload (32-byte hotkey, four uids and values, version key) + the 16-byte tag.
    expect(parts.ciphertext.length).toBe(59 + 16);
    const u = bls.G2.Point.fromHex(parts.u);
    expect(() => u.assertValidity()).not.toThrow();
    // It is locked to round 32,340,463, so round 1000's signature does not open it.
    expect(code(() => timelockDecrypt(commit, ROUND_1000_SIGNATURE))).toBe('DECRYPT_FAILED');

    // Ours, for a payload of the same size: same length, and the same bytes wherever the layout is fixed (the
    // length prefixes and the cipher suite).
    const ours = timelockEncrypt(new Uint8Array(59), 32_340_463n);
    expect(ours.length).toBe(commit.length);
    const fixed = [
      [96, 104],
      [136, 144],
      [176, 184],
      [184, 192],
      [267, 275],
      [287, 303],
    ];
    for (const [a, b] of fixed)
      expect(Buffer.from(ours.subarray(a, b)).toString('hex')).toBe(Buffer.from(commit.subarray(a, b)).toString('hex'));
  });

  it('refuses altered and malformed ciphertexts with typed errors', () => {
    const ct = timelockEncrypt(new TextEncoder().encode('payload'), 1000n);
    const flip = (i: number) => {
      const c = ct.slice();
      c[i]! ^= 0x01;
      return c;
    };
    expect(code(() => timelockDecrypt(flip(200), ROUND_1000_SIGNATURE))).toBe('DECRYPT_FAILED'); // the AES ciphertext
    expect(code(() => timelockDecrypt(flip(120), ROUND_1000_SIGNATURE))).toBe('DECRYPT_FAILED'); // V
    expect(code(() => timelockDecrypt(flip(160), ROUND_1000_SIGNATURE))).toBe('DECRYPT_FAILED'); // W
    expect(['MALFORMED', 'DECRYPT_FAILED']).toContain(code(() => timelockDecrypt(flip(40), ROUND_1000_SIGNATURE))); // U
    expect(code(() => timelockDecrypt(ct.subarray(0, ct.length - 1), ROUND_1000_SIGNATURE))).toBe('MALFORMED');
    expect(code(() => timelockDecrypt(new Uint8Array([...ct, 0]), ROUND_1000_SIGNATURE))).toBe('MALFORMED');
    expect(code(() => parseTimelockCiphertext(new Uint8Array(10)))).toBe('MALFORMED');
    const huge = ct.slice();
    huge.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 96); // V claims 2^63 bytes
    expect(code(() => parseTimelockCiphertext(huge))).toBe('MALFORMED');
  });

  it('validates its arguments', () => {
    const m = new Uint8Array(4);
    expect(code(() => timelockEncrypt(m, 0n))).toBe('INVALID_ARGUMENT');
    expect(code(() => timelockEncrypt(m, -5))).toBe('INVALID_ARGUMENT');
    expect(code(() => timelockEncrypt(m, 1.5))).toBe('INVALID_ARGUMENT');
    expect(code(() => timelockEncrypt(m, 1n << 64n))).toBe('INVALID_ARGUMENT');
    expect(code(() => timelockEncrypt('text' as unknown as Uint8Array, 1n))).toBe('INVALID_ARGUMENT');
    expect(code(() => timelockEncrypt(m, 1n, { ...DRAND_QUICKNET, publicKey: 'abcd' }))).toBe('INVALID_ARGUMENT');
    expect(code(() => timelockEncrypt(m, 1n, { ...DRAND_QUICKNET, publicKey: 'zz'.repeat(96) }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => timelockDecrypt(new Uint8Array(303), 'ab'))).toBe('INVALID_ARGUMENT');
    expect(code(() => verifyBeaconSignature(DRAND_QUICKNET, 1000n, '00'.repeat(48)))).toBe('INVALID_ARGUMENT');
  });

  it('maps rounds to time as quicknet publishes them', () => {
    expect(roundTime(DRAND_QUICKNET, 1n)).toBe(1_692_803_367);
    expect(roundTime(DRAND_QUICKNET, 1000n)).toBe(1_692_806_364);
    expect(roundAt(DRAND_QUICKNET, 1_692_806_364)).toBe(1000n);
    expect(roundAt(DRAND_QUICKNET, 1_692_806_366.9)).toBe(1000n);
    expect(roundAt(DRAND_QUICKNET, 1_692_806_367)).toBe(1001n);
    expect(roundAt(DRAND_QUICKNET, 0)).toBe(0n);
  });

  it('a local beacon signs rounds that open ciphertexts to its key', () => {
    const beacon = createLocalBeacon('test seed');
    expect(createLocalBeacon('test seed').info.publicKey).toBe(beacon.info.publicKey);
    const sig = beacon.sign(42n);
    expect(sig.length).toBe(48);
    expect(verifyBeaconSignature(beacon.info, 42n, sig)).toBe(true);
    const ct = timelockEncrypt(new Uint8Array([1, 2, 3]), 42n, beacon.info);
    expect(Array.from(timelockDecrypt(ct, sig))).toEqual([1, 2, 3]);
    expect(code(() => timelockDecrypt(ct, beacon.sign(43n)))).toBe('DECRYPT_FAILED');
    expect(code(() => timelockDecrypt(ct, ROUND_1000_SIGNATURE))).toBe('DECRYPT_FAILED');
  });
});
