/**
 * The sparse `epoch_mechanism`, step by step, over an {@link Arith}: exact I32F32 bits for the chain's outputs, or
 * float64 for simulation. See docs/consensus.md for the algorithm in prose.
 */
import { invalidInput as fail } from './errors.js';
import { checkYumaInput } from './validate.js';
import { normalize, type Arith } from './arith.js';
import { weightedMedian } from './median.js';
import { fxExpSafe } from './exp.js';
import { fxMul } from './fixed.js';
import type { YumaInput, YumaOutput } from './types.js';
import { colNormalize, emaSparse, emptyRows, readRows, toCsr, type Rows } from './sparse-rows.js';

/** Liquid-alpha α for one cell (the chain's `alpha_sigmoid`). */
function alphaSigmoid(
  ar: Arith,
  c: number,
  w: number,
  b: number,
  low: number,
  high: number,
  steepness: number,
): number {
  const clamp01 = (x: number) => (x < 0 ? 0 : x > ar.one ? ar.one : x);
  const d = w >= b ? clamp01(w - c) : clamp01(b - w);
  const slope = ar.div(steepness * ar.one, -100 * ar.one);
  const z = ar.mul(slope, d - ar.div(ar.one, 2 * ar.one));
  const e = ar.exact ? fxExpSafe(z) : Math.exp(Math.max(-20, Math.min(20, z)));
  const sig = ar.div(ar.one, ar.one + e);
  const a = low + ar.mul(sig, high - low);
  return a < low ? low : a > high ? high : a;
}

function bigOf(x: bigint | number, what: string): bigint {
  if (typeof x === 'bigint') return x;
  if (!Number.isSafeInteger(x)) fail(`${what} must be an integer number of rao`);
  return BigInt(x);
}

/** Runs one epoch. `ar` picks exact I32F32 or float64 arithmetic. */
export function runEpoch(input: YumaInput, ar: Arith): YumaOutput {
  checkYumaInput(input);
  const n = input.n;
  for (const [name, arr] of [
    ['lastUpdate', input.lastUpdate],
    ['blockAtRegistration', input.blockAtRegistration],
    ['stake', input.stake],
  ] as const) {
    if (arr.length !== n) fail(`${name} has ${arr.length} entries, expected n = ${n}`);
  }
  const permitLen = input.validatorPermit.length;
  if (permitLen !== 0 && permitLen !== n) fail(`validatorPermit has ${permitLen} entries, expected 0 or ${n}`);
  const owner = input.ownerUid ?? null;
  const ownerUid = owner !== null && owner >= 0 && owner < n ? owner : null;
  const one = ar.one;

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

  // 5. Weights: permit rows, diagonal (owner kept), outdated, commit-reveal; row-normalised.
  const Wraw = readRows(input.weights, n, 'weights');
  const W = emptyRows(n);
  const commit = input.commitBlocks ?? null;
  for (let i = 0; i < n; i++) {
    if (permitLen === 0 || !oldPermit[i]) continue;
    const lu = input.lastUpdate[i]!;
    const cb = commit ? (commit[i] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    const cols: number[] = [];
    const vals: number[] = [];
    let sum = 0;
    const rc = Wraw.cols[i]!;
    const rv = Wraw.vals[i]!;
    for (let c = 0; c < rc.length; c++) {
      const j = rc[c]!;
      if (j === i && i !== ownerUid) continue;
      const reg = input.blockAtRegistration[j]!;
      if (lu <= reg) continue;
      if (commit && cb < reg) continue;
      cols.push(j);
      vals.push(rv[c]!);
      sum += rv[c]!;
    }
    for (let c = 0; c < vals.length; c++) vals[c] = sum > 0 ? ar.ratio(vals[c]!, sum) : vals[c]! * one;
    W.cols[i] = cols;
    W.vals[i] = vals;
  }

  // 6. Consensus: stake-weighted median per column over validators with A > 0.
  const kappa = ar.ratio(input.kappa ?? 32767, 65535);
  const validators: number[] = [];
  for (let i = 0; i < n; i++) if (A[i]! > 0) validators.push(i);
  const useStake = normalize(
    ar,
    Float64Array.from(validators, (i) => A[i]!),
  );
  let stakeSum = 0;
  for (const s of useStake) stakeSum += s;
  const minority = stakeSum - kappa;
  const C = new Float64Array(n);
  if (validators.length > 0) {
    const m = validators.length;
    const scores = new Float64Array(n * m); // column-major: scores[j·m + r]
    for (let r = 0; r < m; r++) {
      const wc = W.cols[validators[r]!]!;
      const wv = W.vals[validators[r]!]!;
      for (let c = 0; c < wc.length; c++) scores[wc[c]! * m + r] = wv[c]!;
    }
    const idx = Array.from({ length: m }, (_, r) => r);
    for (let j = 0; j < n; j++)
      C[j] = weightedMedian(useStake, scores.subarray(j * m, (j + 1) * m), idx, minority, 0, stakeSum);
  }

  // 7–9. Clip, validator trust, ranks → incentive.
  const Wc = emptyRows(n);
  const VT = new Float64Array(n);
  const R = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const wc = W.cols[i]!;
    const wv = W.vals[i]!;
    const outC = Wc.cols[i]!;
    const outV = Wc.vals[i]!;
    const a = A[i]!;
    let vt = 0;
    for (let c = 0; c < wc.length; c++) {
      const j = wc[c]!;
      const w = wv[c]!;
      const t = C[j]!;
      let v: number;
      if (t < w) {
        if (!(t > 0)) continue;
        v = t;
      } else v = w;
      outC.push(j);
      outV.push(v);
      vt += v;
      R[j] = R[j]! + ar.mul(a, v);
    }
    VT[i] = vt;
  }
  const I = normalize(ar, R.slice());

  // 10. Weights for bonds: W + β(W̄ − W).
  const beta = ar.ratio(input.bondsPenalty ?? 65535, 65535);
  let Wb: Rows;
  if (beta === 0) Wb = W;
  else if (beta === one) Wb = Wc;
  else {
    Wb = emptyRows(n);
    const d1 = new Float64Array(n);
    const d2 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (W.cols[i]!.length === 0 && Wc.cols[i]!.length === 0) continue;
      d1.fill(0);
      d2.fill(0);
      W.cols[i]!.forEach((j, c) => {
        d1[j] = d1[j]! + W.vals[i]![c]!;
      });
      Wc.cols[i]!.forEach((j, c) => {
        d2[j] = d2[j]! + Wc.vals[i]![c]!;
      });
      for (let j = 0; j < n; j++) {
        const v = d1[j]! + ar.mul(beta, d2[j]! - d1[j]!);
        if (v > 0) {
          Wb.cols[i]!.push(j);
          Wb.vals[i]!.push(v);
        }
      }
    }
  }

  // 11/12. Bonds.
  const lastStep = input.lastMechanismStepBlock ?? 0;
  const lastTempo = lastStep === 0 ? input.currentBlock - input.tempo : lastStep + 1;
  const Braw = readRows(input.bonds, n, 'bonds');
  const yuma3 = input.yuma3 ?? false;
  const B = emptyRows(n);
  for (let i = 0; i < n; i++) {
    const bc = Braw.cols[i]!;
    const bv = Braw.vals[i]!;
    for (let c = 0; c < bc.length; c++) {
      const j = bc[c]!;
      if (lastTempo <= input.blockAtRegistration[j]!) continue;
      B.cols[i]!.push(j);
      B.vals[i]!.push(yuma3 ? ar.ratio(bv[c]!, 65535) : bv[c]!);
    }
  }
  const bma = input.bondsMovingAverage ?? 900_000;
  // α = 1 − BMA/1e6, the division done in I64F64 and floored to I32F32.
  const alpha = ar.exact ? one - Number((BigInt(bma) << 32n) / 1_000_000n) : 1 - bma / 1e6;
  const D = new Float64Array(n);
  let Bnew: Rows;
  if (!yuma3) {
    // Classic bonds are stored as integers: I32F32 division of integers is the integer ratio.
    const sum = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = B.cols[i]!;
      const v = B.vals[i]!;
      for (let k = 0; k < c.length; k++) sum[c[k]!] = sum[c[k]!]! + v[k]!;
    }
    for (let i = 0; i < n; i++) {
      const c = B.cols[i]!;
      const v = B.vals[i]!;
      for (let k = 0; k < v.length; k++) v[k] = ar.ratio(v[k]!, sum[c[k]!]!);
    }
    const delta = emptyRows(n);
    for (let i = 0; i < n; i++) {
      delta.cols[i] = Wb.cols[i]!.slice();
      const wv = Wb.vals[i]!;
      const dv = new Array<number>(wv.length);
      for (let k = 0; k < wv.length; k++) dv[k] = ar.mul(wv[k]!, A[i]!);
      delta.vals[i] = dv;
    }
    colNormalize(ar, delta, n);
    Bnew = emaSparse(ar, delta, B, alpha, n);
    colNormalize(ar, Bnew, n);
    for (let i = 0; i < n; i++) {
      const bc = Bnew.cols[i]!;
      const bv = Bnew.vals[i]!;
      let d = 0;
      for (let c = 0; c < bc.length; c++) d += ar.mul(bv[c]!, I[bc[c]!]!);
      D[i] = d;
    }
    normalize(ar, D);
  } else {
    const liquid = (input.liquidAlpha ?? false) && C.some((c) => c !== 0);
    if (liquid) {
      const low = ar.ratio(input.alphaLow ?? 45875, 65535);
      const high = ar.ratio(input.alphaHigh ?? 58982, 65535);
      const steep = input.alphaSigmoidSteepness ?? 1000;
      Bnew = emptyRows(n);
      const alphaRow = new Float64Array(n);
      const decayed = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const wc = Wb.cols[i]!;
        const wv = Wb.vals[i]!;
        const bc = B.cols[i]!;
        const bv = B.vals[i]!;
        if (wc.length === 0) continue; // only columns in the weights row survive
        // α for every column, in ascending order, with the weight and bond found by the chain's peek-cursors:
        // entries below the column sought are skipped for good, so an unsorted row reads 0 for some cells.
        let wi = 0;
        let bi = 0;
        for (let j = 0; j < n; j++) {
          let w = 0;
          while (wi < wc.length) {
            if (wc[wi]! < j) wi++;
            else {
              if (wc[wi] === j) w = wv[wi]!;
              break;
            }
          }
          let b = 0;
          while (bi < bc.length) {
            if (bc[bi]! < j) bi++;
            else {
              if (bc[bi] === j) b = bv[bi]!;
              break;
            }
          }
          alphaRow[j] = alphaSigmoid(ar, C[j]!, w, b, low, high, steep);
        }
        // EMA: old bonds decay by their own column's α; then each weights cell adds α·w, clamped to 1.
        decayed.fill(0);
        for (let k = 0; k < bc.length; k++) decayed[bc[k]!] = ar.mul(one - alphaRow[bc[k]!]!, bv[k]!);
        for (let k = 0; k < wc.length; k++) {
          const j = wc[k]!;
          const inc = Math.max(0, ar.mul(alphaRow[j]!, wv[k]!));
          const v = Math.min(one, decayed[j]! + inc);
          if (v > 0) {
            Bnew.cols[i]!.push(j);
            Bnew.vals[i]!.push(v);
          }
        }
      }
    } else Bnew = emaSparse(ar, Wb, B, alpha, n);
    const Bn = emptyRows(n);
    for (let i = 0; i < n; i++) {
      Bn.cols[i] = Bnew.cols[i]!;
      Bn.vals[i] = Bnew.vals[i]!.slice();
    }
    colNormalize(ar, Bn, n);
    for (let i = 0; i < n; i++) {
      let t = 0;
      Bn.cols[i]!.forEach((j, c) => {
        t += ar.mul(Bn.vals[i]![c]!, I[j]!);
      });
      D[i] = ar.mul(t, A[i]!);
    }
    normalize(ar, D);
  }

  // Bonds for storage: classic max-upscales each column; Yuma3 stores proportions. Only rows with a new permit.
  if (!yuma3) {
    const max = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = Bnew.cols[i]!;
      const v = Bnew.vals[i]!;
      for (let k = 0; k < c.length; k++) if (v[k]! > max[c[k]!]!) max[c[k]!] = v[k]!;
    }
    for (let i = 0; i < n; i++) {
      const c = Bnew.cols[i]!;
      const v = Bnew.vals[i]!;
      for (let k = 0; k < v.length; k++) if (max[c[k]!] !== 0) v[k] = ar.div(v[k]!, max[c[k]!]!);
    }
  }
  const stored = emptyRows(n);
  for (let i = 0; i < n; i++) {
    if (!newPermit[i]) continue;
    stored.cols[i] = Bnew.cols[i]!;
    stored.vals[i] = Bnew.vals[i]!.map((v) => ar.toU16(v));
  }

  // 13. Emission shares: 50/50 incentive/dividends, with the chain's fallbacks when both are 0.
  const E = new Float64Array(n);
  let sumE = 0;
  for (let i = 0; i < n; i++) sumE += E[i] = I[i]! + D[i]!;
  const server = new Float64Array(n);
  const validator = new Float64Array(n);
  let combined: Float64Array;
  if (sumE === 0) {
    const anyA = A.some((a) => a !== 0);
    combined = (anyA ? A : S).slice();
    validator.set(combined);
  } else {
    for (let i = 0; i < n; i++) {
      server[i] = ar.div(I[i]!, sumE);
      validator[i] = ar.div(D[i]!, sumE);
    }
    combined = normalize(ar, E);
  }
  const rao = input.raoEmission;
  if (rao < 0n) fail('raoEmission must be >= 0');
  // floor(share_bits × rao / 2^32): fxMul computes exactly that on numbers while rao < 2^52 (4.5M TAO an epoch).
  const raoNum = Number(rao);
  const raoSmall = rao < 2n ** 52n;
  const toRao = (x: Float64Array) => {
    const out = new BigUint64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v <= 0) continue;
      if (!ar.exact) out[i] = BigInt(Math.floor(v * raoNum));
      else out[i] = raoSmall ? BigInt(fxMul(v, raoNum)) : (BigInt(v) * rao) >> 32n;
    }
    return out;
  };
  const u16 = (x: Float64Array) => Uint16Array.from(x, (v) => ar.toU16(v));
  const real = (x: Float64Array) => Float64Array.from(x, (v) => ar.toFloat(v));

  return {
    active,
    validatorPermit: newPermit,
    stakeWeight: u16(S),
    consensus: u16(C),
    incentive: u16(I),
    dividends: u16(D),
    validatorTrust: u16(VT),
    emission: toRao(combined),
    serverEmission: toRao(server),
    validatorEmission: toRao(validator),
    bonds: toCsr(stored),
    real: {
      stake: real(S),
      activeStake: real(A),
      consensus: real(C),
      incentive: real(I),
      dividends: real(D),
      validatorTrust: real(VT),
    },
  };
}
