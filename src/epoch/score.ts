/**
 * Step 4, score: the scorer's result checked (one finite reward in [0, 1] per uid; failed replies get the penalty
 * unless the scorer scores failures itself), then folded into each uid's exponential moving average.
 */
import type { Synapse } from '../synapse/index.js';
import { EpochError } from './errors.js';
import type { ScoreResult, Scorer } from './types.js';

export function checkRewards<S extends Synapse, C>(
  result: ScoreResult,
  uids: number[],
  responses: S[],
  scorer: Scorer<S, C>,
): { rewards: Float64Array; detail: (Record<string, unknown> | undefined)[] } {
  const raw = (result as { rewards?: ArrayLike<number> }).rewards ?? (result as ArrayLike<number>);
  if (!raw || typeof raw.length !== 'number' || raw.length !== uids.length) {
    throw new EpochError(
      'EPOCH_SCORER_FAILED',
      `the scorer returned ${raw?.length ?? 'no'} rewards for ${uids.length} uids`,
    );
  }
  const detail = Array.from(
    { length: uids.length },
    (_, i) => (result as { detail?: ReadonlyArray<Record<string, unknown> | undefined> }).detail?.[i],
  );
  const rewards = new Float64Array(uids.length);
  for (let i = 0; i < uids.length; i++) {
    const reply = responses[i]!;
    if (!scorer.scoresFailures && !reply.isSuccess) {
      rewards[i] = scorer.penalty ?? 0;
      detail[i] = { ...detail[i], failed: reply.dendrite.status_code, reason: reply.dendrite.status_message };
      continue;
    }
    const r = raw[i]!;
    if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1) {
      throw new EpochError(
        'EPOCH_INVALID_REWARD',
        `the scorer gave uid ${uids[i]} the reward ${String(r)}; rewards must be finite numbers in [0, 1]`,
      );
    }
    rewards[i] = r;
  }
  return { rewards, detail };
}

/** score ← α·reward + (1 − α)·score, for each uid scored. */
export function foldRewards(
  scores: Float64Array,
  uids: readonly number[],
  rewards: ArrayLike<number>,
  alpha: number,
): void {
  for (let i = 0; i < uids.length; i++) {
    const uid = uids[i]!;
    scores[uid] = alpha * rewards[i]! + (1 - alpha) * scores[uid]!;
  }
}
