/**
 * Timelock encryption of a CRv4 weights payload (64 uids) to a quicknet round, and opening it with the round's
 * signature, side by side with their floor: one BLS12-381 pairing, which each direction must compute.
 */
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import { DRAND_QUICKNET, createLocalBeacon, timelockDecrypt, timelockEncrypt } from '../src/timelock/index.js';
import type { BenchReport } from './run.js';

const RUNS = 30;

function median(fn: () => unknown): number {
  for (let i = 0; i < 5; i++) fn(); // warm-up: the first call builds the curve tables
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1]!;
}

export async function run(): Promise<BenchReport> {
  // WeightsTlockPayload for 64 uids: hotkey (1 + 32), uids and values (1 + 128 each), version key (8).
  const payload = new Uint8Array(33 + 129 + 129 + 8).fill(7);
  const beacon = createLocalBeacon('bench');
  const round = 20_000_000n;
  const signature = beacon.sign(round);
  const ct = timelockEncrypt(payload, round, beacon.info);
  const P = bls.G1.Point.BASE.multiply(12345n);
  const Q = bls.G2.Point.BASE.multiply(67890n);
  const pairingMs = median(() => bls.pairing(P, Q));
  const encryptMs = median(() => timelockEncrypt(payload, round, DRAND_QUICKNET));
  const decryptMs = median(() => timelockDecrypt(ct, signature));
  const figures = {
    encrypt_ms: +encryptMs.toFixed(2),
    decrypt_ms: +decryptMs.toFixed(2),
    pairing_ms: +pairingMs.toFixed(2),
    encrypt_over_pairing: +(encryptMs / pairingMs).toFixed(2),
    decrypt_over_pairing: +(decryptMs / pairingMs).toFixed(2),
    ciphertext_bytes: ct.length,
  };
  return {
    table: [
      { case: 'one pairing e(G1, G2) (the floor of each direction)', value: figures.pairing_ms, unit: 'ms' },
      { case: 'timelockEncrypt, 64-uid weights payload, quicknet', value: figures.encrypt_ms, unit: 'ms' },
      { case: 'timelockDecrypt, same payload', value: figures.decrypt_ms, unit: 'ms' },
      { case: 'encrypt / pairing', value: figures.encrypt_over_pairing, unit: '×' },
      { case: 'decrypt / pairing', value: figures.decrypt_over_pairing, unit: '×' },
    ],
    figures,
    notes: [
      `median of ${RUNS} after 5 warm-up calls; ciphertext ${ct.length} bytes`,
      'encrypt = hash to G1 + two G2 multiplications + one pairing + AES-GCM; decrypt = one pairing + one G2 multiplication (the FullIdent check) + AES-GCM',
    ],
  };
}
