/** Epoch steps 1–4: activity, stake (threshold, normalised), validator permits and active stake. */
import { invalidInput as fail } from '../errors.js';
import { normalize, type Arith } from '../arith.js';
import type { YumaInput } from '../types.js';

/** What steps 1–4 leave for the rest of the epoch. */
export interface StakeView {
  n: number;
  /** The owner's uid when it is in range (exempt from the stake threshold, keeps its permit and self-weight). */
  ownerUid: number | null;
  /** 1 where the uid set weights within the activity cutoff. */
  active: Uint8Array;
  /** Normalised stake after the threshold. */
  S: Float64Array;
  /** The permits the masks use (last epoch's); empty when the input carries none. */
  oldPermit: Uint8Array;
  /** The top-k permits this epoch awards (effective next epoch). */
  newPermit: Uint8Array;
  /** Normalised stake of active permitted validators. */
  A: Float64Array;
}

function bigOf(x: bigint | number, what: string): bigint {
  if (typeof x === 'bigint') return x;
  if (!Number.isSafeInteger(x)) fail(`${what} must be an integer number of rao`);
  return BigInt(x);
}

/** Steps 1–4 of `epoch_mechanism`. */
export function stakeView(input: YumaInput, ar: Arith): StakeView {
  const n = input.n;
  const permitLen = input.validatorPermit.length;
  const owner = input.ownerUid ?? null;
  const ownerUid = owner !== null && owner >= 0 && owner < n ? owner : null;

  // 1. Activity.
  const active = new Uint8Array(n);
  for (let i = 0; i < n; i++) active[i] = input.lastUpdate[i]! + input.activityCutoff < input.currentBlock ? 0 : 1;

  // 2. Stake, threshold (owner exempt), normalised through I64F64 then floored to I32F32.
  const threshold = input.stakeThreshold ?? 0n;
  const raw = Array.from({ length: n }, (_, i) => {
    const s = bigOf(input.stake[i]!, `stake[${i}]`);
    if (s < 0n) fail(`stake[${i}] is negative`);
    return s < threshold && i !== ownerUid ? 0n : s;
  });
  const total = raw.reduce((a, b) => a + b, 0n);
  const S = new Float64Array(n);
  if (total > 0n) {
    for (let i = 0; i < n; i++) S[i] = ar.exact ? Number((raw[i]! << 32n) / total) : Number(raw[i]!) / Number(total);
  }

  // 3. Permits: masks use the old ones; new top-k permits take effect next epoch.
  const oldPermit = new Uint8Array(permitLen);
  for (let i = 0; i < permitLen; i++) oldPermit[i] = input.validatorPermit[i] ? 1 : 0;
  if (ownerUid !== null && permitLen > 0) oldPermit[ownerUid] = 1;
  const k = input.maxAllowedValidators;
  const newPermit = new Uint8Array(n);
  for (let i = 0; i < n; i++) newPermit[i] = S[i] !== 0 ? 1 : 0;
  if (n >= k) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => S[a]! - S[b]! || a - b);
    for (let r = 0; r < n - k; r++) newPermit[order[r]!] = 0;
  }
  if (ownerUid !== null) newPermit[ownerUid] = 1;

  // 4. Active stake.
  const A = new Float64Array(n);
  for (let i = 0; i < n; i++) A[i] = active[i] && (permitLen === 0 || oldPermit[i]) ? S[i]! : 0;
  normalize(ar, A);

  return { n, ownerUid, active, S, oldPermit, newPermit, A };
}
