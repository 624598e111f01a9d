/**
 * The chain's stake-weighted median (`weighted_median`): a deterministic mid-pivot partition search. Only additions
 * and comparisons, so the same code serves exact I32F32 bits and float64.
 */

/**
 * Weighted median of `score[idx]` over the partition `idx`, with `stake` weights, for the given minority share.
 *
 * @example
 * ```ts
 * weightedMedian([0.75, 0.25], [0.2, 0.3], [0, 1], 0.74, 0, 1); // 0.2
 * ```
 */
export function weightedMedian(
  stake: ArrayLike<number>,
  score: ArrayLike<number>,
  partition: readonly number[],
  minority: number,
  lo0: number,
  hi0: number,
): number {
  let idx = partition;
  let partitionLo = lo0;
  let partitionHi = hi0;
  // Each pass removes the pivot, so the search ends within the partition's length.
  for (let guard = 0; guard <= partition.length; guard++) {
    const n = idx.length;
    if (n === 0) return 0;
    if (n === 1) return score[idx[0]!]!;
    const pivot = score[idx[n >> 1]!]!;
    let loStake = 0;
    let hiStake = 0;
    const lower: number[] = [];
    const upper: number[] = [];
    for (const i of idx) {
      const s = score[i]!;
      if (s === pivot) continue;
      if (s < pivot) {
        loStake += stake[i]!;
        lower.push(i);
      } else {
        hiStake += stake[i]!;
        upper.push(i);
      }
    }
    if (partitionLo + loStake <= minority && minority < partitionHi - hiStake) return pivot;
    if (minority < partitionLo + loStake && lower.length > 0) {
      partitionHi = partitionLo + loStake;
      idx = lower;
    } else if (partitionHi - hiStake <= minority && upper.length > 0) {
      partitionLo = partitionHi - hiStake;
      idx = upper;
    } else return pivot;
  }
  return 0;
}
