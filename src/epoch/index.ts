/**
 * The validator: `createEpoch` runs the loop Python users know from the subnet template and v3's `run_epoch` —
 * query miners, score the replies, keep per-uid moving averages, resync the metagraph, set weights on chain
 * (commit-reveal aware) — with its state saved atomically and resumed after a restart. Scorers are plain functions:
 * v3's TextCausalLMNext and TextCausalLM scoring, SN19-style capacity scoring, and a correctness × latency helper
 * for custom subnets. `createRouter` forwards organic requests to the best miners.
 *
 * @example
 * ```ts
 * import { createEpoch, correctnessScorer } from 'subnetkit/epoch';
 * const epoch = createEpoch({
 *   subtensor: st, dendrite, hotkey, netuid,
 *   query: () => new Sum({ a: 2, b: 3 }),
 *   score: correctnessScorer<Sum>((reply) => (reply.total === 5 ? 1 : 0)),
 *   statePath: './epoch-state.json',
 * });
 * await epoch.run({ signal });
 * ```
 *
 * @module epoch
 */
export { createEpoch } from './loop.js';
export type {
  Epoch,
  EpochEvents,
  EpochOptions,
  QueryContext,
  QueryFn,
  QueryPlan,
  ScoreContext,
  ScoreFn,
  ScoreResult,
  Scorer,
  RunOptions,
  StepReport,
  WeightsEvent,
  ResyncEvent,
  Logger,
} from './types.js';
export type { LogMethod } from '../internal/logger.js';
export { createRouter } from './router.js';
export type { Router, RouterOptions, RouteResult } from './router.js';
export { encodeState, decodeState } from './state.js';
export type { EpochState, PendingReveal } from './state.js';
export { weightsFromScores } from './weights.js';
export type { WeightVector } from './weights.js';
export {
  scalingLawParams,
  routingTarget,
  shapleySynergy,
  hellinger,
  logitsExcess,
  divergencesFromMean,
  divergencePenalty,
  createV3NeuronStats,
  LOSS_FLOOR,
  NAN_LOSS,
} from './scorers/v3-math.js';
export type { SynergyShares, V3NeuronStat, V3Observation, V3NeuronStats } from './scorers/v3-math.js';
export {
  textCausalLMNextQuery,
  textCausalLMQuery,
  textCausalLMNextScorer,
  textCausalLMScorer,
} from './scorers/text.js';
export type { TextTargets, TextQueryOptions, TextScorerOptions, TextScoreDetail } from './scorers/text.js';
export {
  Capacity,
  SN19_TASKS,
  speedFactor,
  periodScore,
  normalisedPeriodScore,
  cubedShares,
  capacityScores,
  syntheticPlan,
  checkFraction,
  declarableVolume,
  storeProbability,
  createCapacityLedger,
  fetchCapacities,
} from './scorers/sn19.js';
export type {
  SpeedConfig,
  CapacityTask,
  PeriodRecord,
  TaskScores,
  RequestOutcome,
  CapacityLedger,
  SyntheticPlan,
} from './scorers/sn19.js';
export { latencyFactor, correctnessLatencyReward, correctnessScorer } from './scorers/generic.js';
export { EpochError } from './errors.js';
export type { EpochErrorCode } from './errors.js';
