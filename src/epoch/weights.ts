/**
 * The weight-setting side of the loop: when weights are due, weights from the moving averages, sending them the way
 * the subnet wants (plain, CRv4 timelock commit, CRv2 hash commit) and revealing CRv2 commits in their epoch.
 */
import type { Keypair } from '../keys/index.js';
import type { Metagraph } from '../metagraph/index.js';
import type { Subtensor } from '../subtensor/index.js';
import { EpochError } from './errors.js';
import type { EpochState } from './state.js';
import type { WeightsEvent } from './types.js';

/** Uids and float weights, as `setWeights` takes them. */
export interface WeightVector {
  /** Every uid. */
  uids: number[];
  /** Its weight; the weights sum to 1. */
  weights: number[];
}

/** The chain parameters that decide when weights may be set. */
export interface WeightSchedule {
  tempo: number;
  rateLimit: number;
  commitReveal: boolean;
  revealPeriod: number;
}

/** Reads tempo, `weights_rate_limit` and the commit-reveal settings of a subnet. */
export async function readSchedule(st: Subtensor, netuid: number): Promise<WeightSchedule> {
  const q = st.query.subtensorModule;
  const [tempo, rateLimit, cr] = await Promise.all([
    q.tempo(netuid),
    q.weightsSetRateLimit(netuid),
    st.commitReveal(netuid),
  ]);
  return {
    tempo: Number(tempo),
    rateLimit: Number(rateLimit),
    commitReveal: cr.enabled,
    revealPeriod: Number(cr.revealPeriodEpochs),
  };
}

/** Blocks between weight settings: the requested interval (default tempo), never under the rate limit. */
export function weightsInterval(schedule: WeightSchedule, requested: number | undefined): number {
  return Math.max(requested ?? schedule.tempo, schedule.rateLimit, 1);
}

/** The last block this hotkey set (or committed) weights, from the loop's memory and the chain's `LastUpdate`. */
export function lastWeightsBlock(state: EpochState, mg: Metagraph | null, myUid: number | null): number {
  const chain = mg && myUid !== null && myUid < mg.n ? mg.lastUpdate[myUid]! : 0;
  return Math.max(state.lastWeightsBlock, chain);
}

/**
 * Weights from the averages, L1-normalised over every uid, as the Python template does; null when all are zero.
 *
 * @example
 * ```ts
 * weightsFromScores(Float64Array.of(1, 3), 2); // { uids: [0, 1], weights: [0.25, 0.75] }
 * ```
 */
export function weightsFromScores(scores: Float64Array, n: number): WeightVector | null {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += scores[i] ?? 0;
  if (!(sum > 0)) return null;
  const uids: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    uids.push(i);
    weights.push((scores[i] ?? 0) / sum);
  }
  return { uids, weights };
}

/** Sends weights from the averages; records a CRv2 commit for revealing. */
export async function sendWeights(args: {
  st: Subtensor;
  hotkey: Keypair;
  netuid: number;
  state: EpochState;
  n: number;
  commitReveal: 'timelock' | 'hash' | undefined;
  excludeQuantile: number | undefined;
  versionKey: bigint | undefined;
}): Promise<WeightsEvent | null> {
  const { st, hotkey, netuid, state } = args;
  const w = weightsFromScores(state.scores, args.n);
  if (!w) return null;
  let receipt;
  try {
    receipt = await st.setWeights(hotkey, netuid, w.uids, w.weights, {
      ...(args.commitReveal ? { commitReveal: args.commitReveal } : {}),
      ...(args.excludeQuantile !== undefined ? { excludeQuantile: args.excludeQuantile } : {}),
      ...(args.versionKey !== undefined ? { versionKey: args.versionKey } : {}),
    });
  } catch (e) {
    throw new EpochError(
      'EPOCH_WEIGHTS_FAILED',
      `setting weights on subnet ${netuid} failed: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const block = receipt.blockNumber ?? (await st.blockNumber());
  state.lastWeightsBlock = block;
  if (receipt.mode === 'hash-commit') {
    const at = receipt.blockHash ? st.at(receipt.blockHash) : st;
    const commitEpoch = Number(await at.query.subtensorModule.subnetEpochIndex(netuid));
    state.pendingReveals.push({
      uids: receipt.uids,
      weights: receipt.weights,
      salt: receipt.salt!,
      versionKey: receipt.versionKey,
      commitEpoch,
      block,
    });
  }
  return { kind: receipt.mode === 'set' ? 'set' : 'committed', block, receipt };
}

/**
 * Reveals the CRv2 commits whose reveal epoch has come (commit epoch + `RevealPeriodEpochs`); drops the ones whose
 * epoch has passed. Resolves with one event per reveal sent.
 */
export async function revealDue(args: {
  st: Subtensor;
  hotkey: Keypair;
  netuid: number;
  state: EpochState;
  revealPeriod: number;
  onExpired: (e: EpochError) => void;
}): Promise<WeightsEvent[]> {
  const { st, hotkey, netuid, state } = args;
  if (state.pendingReveals.length === 0) return [];
  const epoch = Number(await st.query.subtensorModule.subnetEpochIndex(netuid));
  const out: WeightsEvent[] = [];
  const keep = [];
  for (const p of state.pendingReveals) {
    const due = p.commitEpoch + args.revealPeriod;
    if (epoch < due) {
      keep.push(p);
      continue;
    }
    if (epoch > due) {
      args.onExpired(
        new EpochError(
          'EPOCH_WEIGHTS_FAILED',
          `the CRv2 commit of block ${p.block} expired unrevealed (reveal epoch ${due}, now ${epoch})`,
        ),
      );
      continue;
    }
    try {
      const r = await st.revealWeights(hotkey, netuid, p.uids, p.weights, p.salt, p.versionKey);
      out.push({
        kind: 'revealed',
        block: r.blockNumber ?? 0,
        receipt: { ...r, mode: 'reveal', uids: p.uids, weights: p.weights, versionKey: p.versionKey, salt: p.salt },
      });
    } catch (e) {
      keep.push(p); // still in its epoch: the next step tries again
      args.onExpired(
        new EpochError(
          'EPOCH_WEIGHTS_FAILED',
          `revealing the CRv2 commit of block ${p.block} failed: ${(e as Error).message}`,
          { cause: e },
        ),
      );
    }
  }
  state.pendingReveals = keep;
  return out;
}
