/**
 * Step 1, sync: the state follows the metagraph. Score arrays grow and shrink with `n`, and a uid whose hotkey changed
 * (a new miner in the slot) starts again from zero instead of inheriting its predecessor's average.
 */
import type { Metagraph } from '../metagraph/index.js';
import type { EpochState } from './state.js';

/** Fits the state to `fresh`; returns the uids whose hotkey changed and whether the subnet grew. */
export function fitStateToMetagraph(state: EpochState, fresh: Metagraph): { reset: number[]; grew: boolean } {
  const n = fresh.n;
  const grew = n > state.scores.length;
  if (n !== state.scores.length) {
    const scores = new Float64Array(n);
    scores.set(state.scores.subarray(0, n));
    state.scores = scores;
    state.hotkeys = state.hotkeys.slice(0, n);
  }
  const reset: number[] = [];
  for (let uid = 0; uid < n; uid++) {
    const was = state.hotkeys[uid];
    const now = fresh.hotkeys[uid]!;
    if (was && was !== now) {
      state.scores[uid] = 0; // a new hotkey earns its own average
      reset.push(uid);
    }
    state.hotkeys[uid] = now;
  }
  if (reset.length || n < state.order.length) state.order = state.order.filter((u) => u < n && !reset.includes(u));
  return { reset, grew };
}
