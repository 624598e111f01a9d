/**
 * Step 2, select: the uids a step queries. By default a random order of the serving uids (the validator itself
 * excluded) is walked `sampleSize` at a time and refilled when used up, so every miner is queried as often as any
 * other; a `select` hook replaces it.
 */
import type { Metagraph } from '../metagraph/index.js';
import type { EpochState } from './state.js';
import type { Synapse } from '../synapse/index.js';
import type { EpochOptions } from './types.js';

/** Fisher–Yates with Math.random: the order only has to be unpredictable to miners, not reproducible. */
function shuffled(a: number[]): number[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export function selectUids(
  state: EpochState,
  metagraph: Metagraph,
  o: { block: number; myUid: number | null; sampleSize: number; select: EpochOptions<Synapse>['select'] },
): number[] {
  const candidates: number[] = [];
  for (let uid = 0; uid < metagraph.n; uid++)
    if (uid !== o.myUid && metagraph.axons[uid]!.isServing) candidates.push(uid);
  if (o.select)
    return o
      .select({ step: state.step, block: o.block, metagraph, candidates })
      .filter((u) => Number.isInteger(u) && u >= 0 && u < metagraph.n);
  const serving = new Set(candidates);
  state.order = state.order.filter((u) => serving.has(u));
  const out: number[] = [];
  while (out.length < Math.min(o.sampleSize, candidates.length)) {
    if (state.order.length === 0) state.order = shuffled(candidates.filter((u) => !out.includes(u)));
    if (state.order.length === 0) break;
    out.push(state.order.shift()!);
  }
  return out;
}
