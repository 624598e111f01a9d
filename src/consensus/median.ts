/**
 * The chain's stake-weighted median (`weighted_median`): a deterministic mid-pivot partition search. Only additions
 * and comparisons, so the same code serves exact I32F32 bits and float64.
 */

let scratchA = new Int32Array(64);
let scratchB = new Int32Array(64);
let scratchC = new Int32Array(64);

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
  partition: ArrayLike<number>,
  minority: number,
  lo0: number,
  hi0: number,
): number {
  const len = partition.length;
  if (scratchA.length < len) {
    scratchA = new Int32Array(len);
    scratchB = new Int32Array(len);
    scratchC = new Int32Array(len);
  }
  // cur holds the live partition; lower/upper keep the input order, as the chain's Vec pushes do.
  let cur = scratchA;
  let lower = scratchB;
  let upper = scratchC;
  for (let k = 0; k < len; k++) cur[k] = partition[k]!;
  let n = len;
  let partitionLo = lo0;
  let partitionHi = hi0;
  // Each pass removes the pivot, so the search ends within the partition's length.
  for (let guard = 0; guard <= len; guard++) {
    if (n === 0) return 0;
    if (n === 1) return score[cur[0]!]!;
    const pivot = score[cur[n >> 1]!]!;
    let loStake = 0;
    let hiStake = 0;
    let nl = 0;
    let nu = 0;
    for (let k = 0; k < n; k++) {
      const i = cur[k]!;
      const s = score[i]!;
      if (s === pivot) continue;
      if (s < pivot) {
        loStake += stake[i]!;
        lower[nl++] = i;
      } else {
        hiStake += stake[i]!;
        upper[nu++] = i;
      }
    }
    if (partitionLo + loStake <= minority && minority < partitionHi - hiStake) return pivot;
    if (minority < partitionLo + loStake && nl > 0) {
      partitionHi = partitionLo + loStake;
      [cur, lower] = [lower, cur];
      n = nl;
    } else if (partitionHi - hiStake <= minority && nu > 0) {
      partitionLo = partitionHi - hiStake;
      [cur, upper] = [upper, cur];
      n = nu;
    } else return pivot;
  }
  return 0;
}
