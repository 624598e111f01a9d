/**
 * The sparse `epoch_mechanism`, phase by phase, over an {@link Arith}: exact I32F32 bits for the chain's outputs, or
 * float64 for simulation. Each phase is a file of this folder; docs/consensus.md has the algorithm in prose.
 */
import { invalidInput as fail } from '../errors.js';
import { checkYumaInput } from '../validate.js';
import type { Arith } from '../arith.js';
import type { YumaInput, YumaOutput } from '../types.js';
import { toCsr } from '../sparse-rows.js';
import { stakeView } from './stake.js';
import { clipAndRank, consensus, maskedWeights } from './ranks.js';
import { bondsAndDividends, bondWeights, storedBonds } from './bonds.js';
import { emissionShares, raoOf } from './emission-shares.js';

function checkShapes(input: YumaInput): void {
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
  if (input.raoEmission < 0n) fail('raoEmission must be >= 0');
}

/** Runs one epoch. `ar` picks exact I32F32 or float64 arithmetic. */
export function runEpoch(input: YumaInput, ar: Arith): YumaOutput {
  checkYumaInput(input);
  checkShapes(input);
  const view = stakeView(input, ar); // 1–4
  const { S, A, newPermit } = view;
  const W = maskedWeights(input, ar, view); // 5
  const C = consensus(ar, W, A, input.kappa ?? 32767); // 6
  const { Wc, VT, I } = clipAndRank(ar, W, C, A); // 7–9
  const Wb = bondWeights(ar, W, Wc, input.bondsPenalty ?? 65535); // 10
  const { bonds, D } = bondsAndDividends(input, ar, { A, C, I, Wb }); // 11–12
  const stored = storedBonds(ar, bonds, newPermit, input.yuma3 ?? false);
  const shares = emissionShares(ar, I, D, A, S); // 13
  const toRao = raoOf(ar, input.raoEmission);
  const u16 = (x: Float64Array) => Uint16Array.from(x, (v) => ar.toU16(v));
  const real = (x: Float64Array) => Float64Array.from(x, (v) => ar.toFloat(v));
  return {
    active: view.active,
    validatorPermit: newPermit,
    stakeWeight: u16(S),
    consensus: u16(C),
    incentive: u16(I),
    dividends: u16(D),
    validatorTrust: u16(VT),
    emission: toRao(shares.combined),
    serverEmission: toRao(shares.server),
    validatorEmission: toRao(shares.validator),
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
