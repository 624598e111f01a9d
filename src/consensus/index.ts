/**
 * Consensus: the chain's Yuma Consensus epoch with its exact fixed-point arithmetic (every u16 and rao output equal
 * to the chain's), a float64 twin for what-if simulation, validator weight utilities, and emission.
 *
 * @module consensus
 */
import { runEpoch } from './epoch/run.js';
import { EXACT, FLOAT } from './arith.js';
import type { YumaInput, YumaOutput } from './types.js';

/**
 * One Yuma Consensus epoch exactly as subtensor's sparse `epoch_mechanism` computes it, in I32F32/I64F64 fixed
 * point. Pure: reads the input, returns what the chain would write.
 *
 * @throws {@link ConsensusError} on inconsistent input.
 * @example
 * ```ts
 * import { yumaEpoch, activityCutoffBlocks } from 'subnetkit/consensus';
 * const out = yumaEpoch({
 *   n: 2, currentBlock: 100, tempo: 10, activityCutoff: activityCutoffBlocks(10),
 *   lastUpdate: [99, 99], blockAtRegistration: [0, 0], stake: [1_000_000_000n, 0n],
 *   validatorPermit: [true, false], maxAllowedValidators: 64,
 *   weights: { indptr: [0, 1, 1], indices: [1], values: [65535] },
 *   bonds: { indptr: [0, 0, 0], indices: [], values: [] },
 *   raoEmission: 1_000_000_000n,
 * });
 * out.incentive; // Uint16Array [0, 65535]
 * ```
 */
export function yumaEpoch(input: YumaInput): YumaOutput {
  return runEpoch(input, EXACT);
}

/**
 * The same epoch in float64: no fixed-point rounding, several times faster, for simulation. Its u16 outputs differ
 * from {@link yumaEpoch} by at most a few units (see docs/consensus.md for the measured tolerance).
 *
 * @example
 * ```ts
 * const approx = yumaEpochFloat(input);
 * ```
 */
export function yumaEpochFloat(input: YumaInput): YumaOutput {
  return runEpoch(input, FLOAT);
}

export { weightedMedian } from './median.js';
export { fxMul, fxDiv, fxRatio, fxToU16, ONE as I32F32_ONE } from './fixed.js';
export {
  normalizeMaxWeight,
  convertWeightsAndUidsForEmit,
  processWeightsForNetuid,
  vecMaxUpscaleToU16,
} from './weights.js';
export type { WeightLimits, EmitWeights, ProcessedWeights } from './weights.js';
export { blockEmission, activityCutoffBlocks, simulateEpochs, TOTAL_SUPPLY_RAO } from './emission.js';
export type { SimulateOptions, SimulationResult } from './emission.js';
export { simulateAttribution } from './attribution.js';
export type { AttributionEdges, AttributionOptions, AttributionResult } from './attribution.js';
export type { YumaInput, YumaOutput, YumaReals, SparseRows } from './types.js';
export { ConsensusError } from './errors.js';
export type { ConsensusErrorCode } from './errors.js';
