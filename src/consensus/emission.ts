/** Block emission with halvings, and a multi-epoch "what does each neuron earn" simulator. */
import { runEpoch } from './epoch/run.js';
import { invalidInput } from './errors.js';
import { EXACT, FLOAT } from './arith.js';
import type { YumaInput, YumaOutput } from './types.js';

/**
 * 21M TAO in rao: the supply cap that drives halvings.
 *
 * @example
 * ```ts
 * blockEmission(TOTAL_SUPPLY_RAO / 2n); // 500_000_000n
 * ```
 */
export const TOTAL_SUPPLY_RAO = 21_000_000_000_000_000n;

/**
 * Rao emitted per block at a given total issuance: 1 TAO halved each time issuance crosses half of what remains
 * (10.5M, 15.75M, … TAO); 0 at 21M.
 *
 * @example
 * ```ts
 * blockEmission(0n);                      // 1_000_000_000n
 * blockEmission(10_500_000_000_000_000n); // 500_000_000n
 * ```
 */
export function blockEmission(issuance: bigint, options: { blockReward?: bigint; totalSupply?: bigint } = {}): bigint {
  if (typeof issuance !== 'bigint') invalidInput(`issuance must be a bigint of rao, got ${typeof issuance}`);
  const total = options.totalSupply ?? TOTAL_SUPPLY_RAO;
  const reward = options.blockReward ?? 1_000_000_000n;
  if (issuance >= total) return 0n;
  const remaining = total - (issuance < 0n ? 0n : issuance);
  // halvings = floor(log2(total / remaining)), exactly, on integers.
  let h = 0n;
  while (remaining << (h + 1n) <= total) h++;
  return reward >> h;
}

/**
 * Activity cutoff in blocks from ActivityCutoffFactorMilli: max(1, factor·tempo/1000).
 *
 * @example
 * ```ts
 * activityCutoffBlocks(360); // 5000
 * ```
 */
export function activityCutoffBlocks(tempo: number, factorMilli = 13_889): number {
  if (!Number.isInteger(tempo) || tempo < 0 || tempo > 65535)
    invalidInput(`tempo must be an integer in [0, 65535], got ${String(tempo)}`);
  if (!Number.isInteger(factorMilli) || factorMilli < 0)
    invalidInput(`factorMilli must be a non-negative integer, got ${String(factorMilli)}`);
  return Math.max(1, Math.floor((factorMilli * tempo) / 1000));
}

/** Options of {@link simulateEpochs}. */
export interface SimulateOptions {
  /** Epochs to run. */
  epochs: number;
  /** Use the exact chain arithmetic (default false: float64, faster). */
  exact?: boolean;
  /** Add each uid's emission to its stake after every epoch (default true), as staked emission does on chain. */
  compoundStake?: boolean;
}

/** Result of {@link simulateEpochs}. */
export interface SimulationResult {
  /** Total rao each uid earned over all epochs. */
  earned: BigUint64Array;
  /** Each epoch's full output. */
  perEpoch: YumaOutput[];
}

/**
 * Runs k epochs with fixed weights, carrying bonds, permits and (optionally) compounding stake between them:
 * "with these validators' weights, what does each neuron earn over k epochs".
 *
 * @example
 * ```ts
 * const { earned } = simulateEpochs(input, { epochs: 10 });
 * ```
 */
export function simulateEpochs(input: YumaInput, options: SimulateOptions): SimulationResult {
  if (!options || !Number.isInteger(options.epochs) || options.epochs < 0 || options.epochs > 1_000_000)
    invalidInput(`epochs must be an integer in [0, 1000000], got ${String(options?.epochs)}`);
  const ar = options.exact ? EXACT : FLOAT;
  const earned = new BigUint64Array(input.n);
  const perEpoch: YumaOutput[] = [];
  let state: YumaInput = { ...input, stake: Array.from(input.stake as ArrayLike<bigint | number>, (s) => BigInt(s)) };
  for (let e = 0; e < options.epochs; e++) {
    const out = runEpoch(state, ar);
    perEpoch.push(out);
    out.emission.forEach((v, i) => {
      earned[i] = earned[i]! + v;
    });
    const stake = (state.stake as bigint[]).map((s, i) => (options.compoundStake === false ? s : s + out.emission[i]!));
    state = {
      ...state,
      stake,
      bonds: out.bonds,
      validatorPermit: out.validatorPermit,
      currentBlock: state.currentBlock + state.tempo,
      lastUpdate: Array.from(state.lastUpdate, (b) => b + state.tempo),
      lastMechanismStepBlock: state.currentBlock,
    };
  }
  return { earned, perEpoch };
}
