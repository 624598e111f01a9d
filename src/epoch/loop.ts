/**
 * The validator loop. Each step runs the files beside this one in order — sync (the metagraph, now and then),
 * select (the uids), query (the dendrite fan-out), score (rewards into moving averages), state (saved) — and, at each
 * weight-setting point, weights (set, commit or reveal). Failures cost the step they happen in, never the loop.
 */
import { EventEmitter } from 'eventemitter3';
import { withLevels } from '../internal/logger.js';
import { createMetagraphTracker, type Metagraph } from '../metagraph/index.js';
import type { Synapse } from '../synapse/index.js';
import { EpochError } from './errors.js';
import { asEpochError, checkOptions } from './options.js';
import { fanOut, readPlan } from './query.js';
import { checkRewards, foldRewards } from './score.js';
import { selectUids } from './select.js';
import { emptyState, loadState, saveState, type EpochState } from './state.js';
import { createRunLoop } from './run.js';
import { fitStateToMetagraph } from './sync.js';
import type {
  Epoch,
  EpochEvents,
  EpochOptions,
  QueryPlan,
  ScoreResult,
  Scorer,
  StepReport,
  WeightsEvent,
  ResyncEvent,
} from './types.js';
import {
  lastWeightsBlock,
  readSchedule,
  revealDue,
  sendWeights,
  weightsInterval,
  type WeightSchedule,
} from './weights.js';

/**
 * Creates a validator loop. Nothing runs until `run()` or `step()`; the state file (if any) is read now, and a
 * corrupt or foreign one throws a typed error here rather than being replaced.
 *
 * @example
 * ```ts
 * import { createEpoch, textCausalLMNextQuery, textCausalLMNextScorer } from 'subnetkit/epoch';
 * const epoch = createEpoch({
 *   subtensor: st, dendrite, hotkey, netuid: 1,
 *   query: textCausalLMNextQuery({ sample: (n) => corpus.sample(n), batchSize: 4, sequenceLength: 32, topk: 16 }),
 *   score: textCausalLMNextScorer(),
 *   statePath: './state/epoch.json',
 * });
 * epoch.events.on('weights', (w) => console.log(w.kind, 'at block', w.block));
 * await epoch.run({ signal: AbortSignal.timeout(3_600_000) });
 * ```
 */
export function createEpoch<S extends Synapse, C = unknown>(options: EpochOptions<S, C>): Epoch {
  // A factory over 80 lines by design: its closure holds the loop's live state (metagraph, schedule, retry block)
  // that the step, the weights and the run loop share. Each of those is a short function below; the work of each
  // step is in sync.ts, select.ts, query.ts, score.ts, weights.ts and run.ts.
  checkOptions(options);
  const { subtensor: st, dendrite, hotkey, netuid } = options;
  const log = withLevels(options.logger);
  const scorer: Scorer<S, C> = typeof options.score === 'function' ? { score: options.score } : options.score;
  const alpha = options.alpha ?? 0.1;
  const sampleSize = options.sampleSize ?? 16;
  const concurrency = options.concurrency ?? 64;
  const timeout = options.timeout ?? 12;
  const resyncInterval = options.resyncInterval ?? 100;
  const events = new EventEmitter<EpochEvents>();
  const tracker = createMetagraphTracker(st, { netuid });
  const me = { netuid, hotkey: hotkey.ss58Address };
  const state: EpochState =
    (options.statePath ? loadState(options.statePath, me) : null) ?? emptyState(netuid, hotkey.ss58Address);
  let mg: Metagraph | null = null;
  let myUid: number | null = null;
  let schedule: WeightSchedule | null = null;
  let lastResyncBlock = -Infinity;
  let weightsRetryAfter = 0;

  function fail(e: EpochError): void {
    log.error({ code: e.code, err: e }, e.message);
    events.emit('error', e);
  }

  function persist(): void {
    if (!options.statePath) return;
    try {
      saveState(options.statePath, state);
    } catch (e) {
      fail(asEpochError(e, 'EPOCH_STATE_CORRUPT', `saving the epoch state to ${options.statePath} failed`));
    }
  }

  async function resync(): Promise<Metagraph> {
    const fresh = await tracker.sync();
    schedule = await readSchedule(st, netuid);
    const { reset, grew } = fitStateToMetagraph(state, fresh);
    mg = fresh;
    myUid = fresh.uidOf(hotkey.ss58Address) ?? null;
    lastResyncBlock = fresh.block;
    const ev: ResyncEvent = { block: fresh.block, n: fresh.n, reset, grew };
    log.debug({ block: fresh.block, n: fresh.n, reset }, 'metagraph resynced');
    events.emit('resync', ev);
    return fresh;
  }

  async function maybeWeights(block: number): Promise<number> {
    const t = performance.now();
    if (!schedule || !mg) return 0;
    if (state.pendingReveals.length) {
      for (const ev of await revealDue({
        st,
        hotkey,
        netuid,
        state,
        revealPeriod: schedule.revealPeriod,
        onExpired: fail,
      })) {
        log.info(
          { block: ev.block, kind: ev.kind, uids: ev.receipt.uids, weights: ev.receipt.weights },
          'weights revealed',
        );
        events.emit('weights', ev);
      }
    }
    // A validator that has never set weights from this state sets them as soon as the chain allows; after that,
    // once per interval.
    const interval =
      state.lastWeightsBlock === 0
        ? Math.max(schedule.rateLimit, 1)
        : weightsInterval(schedule, options.weightsInterval);
    if (
      options.setWeights !== false &&
      block - lastWeightsBlock(state, mg, myUid) >= interval &&
      block >= weightsRetryAfter
    )
      await setWeightsNow(true);
    return performance.now() - t;
  }

  async function setWeightsNow(fresh: boolean): Promise<WeightsEvent | null> {
    if (fresh) await resync(); // v3 and the template resync before weights: new hotkeys must not inherit averages
    if (!mg) await resync();
    if (myUid === null)
      throw new EpochError(
        'EPOCH_NOT_REGISTERED',
        `hotkey ${hotkey.ss58Address} is not registered on subnet ${netuid}`,
      );
    try {
      const ev = await sendWeights({
        st,
        hotkey,
        netuid,
        state,
        n: mg!.n,
        commitReveal: options.commitReveal,
        excludeQuantile: options.excludeQuantile,
        versionKey: options.versionKey,
      });
      if (ev) {
        log.info(
          { block: ev.block, kind: ev.kind, uids: ev.receipt.uids, weights: ev.receipt.weights },
          `weights ${ev.kind}`,
        );
        events.emit('weights', ev);
        persist();
      }
      return ev;
    } catch (e) {
      weightsRetryAfter = (await st.blockNumber().catch(() => 0)) + 1; // retried from the next block on
      throw e;
    }
  }

  /** Steps 3 and 4: the plan, the fan-out, the scorer, and the rewards folded into the averages. */
  async function queryAndScore(block: number, uids: number[], metagraph: Metagraph, report: StepReport) {
    let plan: QueryPlan<S, C>;
    try {
      plan = await options.query({ step: state.step, block, uids, metagraph });
    } catch (e) {
      throw asEpochError(e, 'EPOCH_QUERY_FAILED', 'the query hook threw');
    }
    const { request, context, uids: targets } = readPlan(plan, uids);
    report.uids = targets;
    const tq = performance.now();
    const responses = await fanOut(dendrite, request, targets, metagraph, { timeout, concurrency });
    report.timing.queryMs = performance.now() - tq;
    report.responded = responses.filter((r) => r.isSuccess).length;
    const ts = performance.now();
    let result: ScoreResult;
    try {
      result = await scorer.score({ request, uids: targets, responses, context, step: state.step, block, metagraph });
    } catch (e) {
      throw asEpochError(e, 'EPOCH_SCORER_FAILED', 'the scorer threw');
    }
    const { rewards, detail } = checkRewards(result, targets, responses, scorer);
    report.timing.scoreMs = performance.now() - ts;
    foldRewards(state.scores, targets, rewards, alpha);
    report.rewards = rewards;
    report.detail = detail;
  }

  async function step(): Promise<StepReport> {
    const t0 = performance.now();
    let chainMs = 0;
    const tc = performance.now();
    const block = await st.blockNumber();
    if (!mg || block - lastResyncBlock >= resyncInterval) await resync();
    chainMs += performance.now() - tc;
    const metagraph = mg!;
    const uids = selectUids(state, metagraph, { block, myUid, sampleSize, select: options.select });
    const report: StepReport = {
      step: state.step,
      block,
      uids,
      rewards: new Float64Array(0),
      detail: [],
      responded: 0,
      timing: { queryMs: 0, scoreMs: 0, chainMs: 0, bookkeepingMs: 0, totalMs: 0 },
    };
    if (uids.length) await queryAndScore(block, uids, metagraph, report);
    state.step++;
    persist();
    events.emit('scores', state.scores, report.step);
    try {
      chainMs += await maybeWeights(block);
    } catch (e) {
      fail(asEpochError(e, 'EPOCH_WEIGHTS_FAILED', 'setting weights failed')); // the step's scores stand
    }
    report.timing.chainMs = chainMs;
    report.timing.totalMs = performance.now() - t0;
    report.timing.bookkeepingMs = Math.max(
      0,
      report.timing.totalMs - report.timing.queryMs - report.timing.scoreMs - chainMs,
    );
    log.trace(
      {
        step: report.step,
        block,
        uids: report.uids.length,
        responded: report.responded,
        ms: Math.round(report.timing.totalMs),
      },
      'step',
    );
    events.emit('step', report);
    return report;
  }

  const runner = createRunLoop({
    async start() {
      await resync();
      if (myUid === null)
        throw new EpochError(
          'EPOCH_NOT_REGISTERED',
          `hotkey ${hotkey.ss58Address} is not registered on subnet ${netuid}: register it first (subnetkit subnet register --netuid ${netuid})`,
        );
    },
    step,
    blockNumber: () => st.blockNumber(),
    stepIntervalMs: options.stepInterval ?? 1000,
    onStepError: (e) => fail(asEpochError(e, 'EPOCH_SCORER_FAILED', 'the step failed')),
    onEnd: persist,
  });

  return {
    events,
    get scores() {
      return state.scores;
    },
    get stepCount() {
      return state.step;
    },
    get metagraph() {
      return mg;
    },
    get lastWeightsBlock() {
      return state.lastWeightsBlock;
    },
    get pendingReveals() {
      return state.pendingReveals.length;
    },
    record(uid: number, reward: number) {
      if (!Number.isInteger(uid) || uid < 0 || uid >= state.scores.length)
        throw new EpochError(
          'EPOCH_INVALID_CONFIG',
          `uid ${String(uid)} is not in the synced metagraph (n = ${state.scores.length})`,
        );
      if (typeof reward !== 'number' || !Number.isFinite(reward) || reward < 0 || reward > 1)
        throw new EpochError(
          'EPOCH_INVALID_REWARD',
          `reward ${String(reward)} for uid ${uid} is not a finite number in [0, 1]`,
        );
      foldRewards(state.scores, [uid], [reward], alpha);
    },
    step,
    setWeights: () => setWeightsNow(false),
    resync,
    run: runner.run,
    stop: runner.stop,
  };
}
