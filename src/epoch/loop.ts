/**
 * The validator loop: each step picks uids, queries them through the dendrite, scores the replies, folds the rewards
 * into per-uid moving averages and saves the state; at each weight-setting point it resyncs the metagraph and sets
 * (or commits, or reveals) weights from the averages. Failures cost the step they happen in, never the loop.
 */
import { EventEmitter } from 'eventemitter3';
import { withLevels } from '../internal/logger.js';
import { createMetagraphTracker, type Metagraph } from '../metagraph/index.js';
import type { AxonTarget } from '../dendrite/index.js';
import type { Synapse } from '../synapse/index.js';
import { EpochError } from './errors.js';
import { emptyState, loadState, saveState, type EpochState } from './state.js';
import type {
  Epoch,
  EpochEvents,
  EpochOptions,
  QueryPlan,
  RunOptions,
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

function checkOptions<S extends Synapse, C>(o: EpochOptions<S, C>): void {
  const bad = (msg: string): never => {
    throw new EpochError('EPOCH_INVALID_CONFIG', msg);
  };
  if (!o || typeof o !== 'object') bad('options are required');
  if (!o.subtensor || typeof o.subtensor.setWeights !== 'function')
    bad('options.subtensor must be a chain client (createSubtensor)');
  if (!o.dendrite || typeof o.dendrite.call !== 'function') bad('options.dendrite must be a dendrite (createDendrite)');
  if (!o.hotkey?.ss58Address || !o.hotkey.secretKey) bad('options.hotkey must be the validator hotkey with its secret');
  if (!Number.isInteger(o.netuid) || o.netuid < 0 || o.netuid > 65535)
    bad(`options.netuid must be an integer in [0, 65535], got ${String(o.netuid)}`);
  if (typeof o.query !== 'function') bad('options.query must be a function that builds the request');
  const score = o.score as unknown;
  if (typeof score !== 'function' && typeof (score as Scorer<S, C>)?.score !== 'function')
    bad('options.score must be a function or { score }');
  const num = (v: number | undefined, name: string, lo: number, hi: number, int = false) => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v)))
      bad(`options.${name} must be ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${String(v)}`);
  };
  num(o.alpha, 'alpha', Number.MIN_VALUE, 1);
  num(o.sampleSize, 'sampleSize', 1, 65535, true);
  num(o.concurrency, 'concurrency', 1, 65535, true);
  num(o.timeout, 'timeout', 0.001, 3600);
  num(o.weightsInterval, 'weightsInterval', 1, 1e9, true);
  num(o.resyncInterval, 'resyncInterval', 1, 1e9, true);
  num(o.stepInterval, 'stepInterval', 0, 86_400_000);
  num(o.excludeQuantile, 'excludeQuantile', 0, 65535, true);
  if (o.commitReveal !== undefined && o.commitReveal !== 'timelock' && o.commitReveal !== 'hash')
    bad(`options.commitReveal must be 'timelock' or 'hash', got ${String(o.commitReveal)}`);
  const pen = (score as Scorer<S, C>)?.penalty;
  if (pen !== undefined && !(typeof pen === 'number' && pen >= 0 && pen <= 1))
    bad(`score.penalty must be a number in [0, 1], got ${String(pen)}`);
}

function asEpochError(e: unknown, code: EpochError['code'], what: string): EpochError {
  return e instanceof EpochError
    ? e
    : new EpochError(code, `${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

/** Fisher–Yates with Math.random: the order only has to be unpredictable to miners, not reproducible. */
function shuffled(a: number[]): number[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

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
  let running: Promise<void> | null = null;
  let stopRequested = false;
  let wake: (() => void) | null = null;

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
    mg = fresh;
    myUid = fresh.uidOf(hotkey.ss58Address) ?? null;
    lastResyncBlock = fresh.block;
    const ev: ResyncEvent = { block: fresh.block, n, reset, grew };
    log.debug({ block: fresh.block, n, reset }, 'metagraph resynced');
    events.emit('resync', ev);
    return fresh;
  }

  /** The next uids of the pass: a random order of the serving uids (ourselves excluded), refilled when used up. */
  function pick(block: number, metagraph: Metagraph): number[] {
    const candidates: number[] = [];
    for (let uid = 0; uid < metagraph.n; uid++)
      if (uid !== myUid && metagraph.axons[uid]!.isServing) candidates.push(uid);
    if (options.select)
      return options
        .select({ step: state.step, block, metagraph, candidates })
        .filter((u) => Number.isInteger(u) && u >= 0 && u < metagraph.n);
    const serving = new Set(candidates);
    state.order = state.order.filter((u) => serving.has(u));
    const out: number[] = [];
    while (out.length < Math.min(sampleSize, candidates.length)) {
      if (state.order.length === 0) state.order = shuffled(candidates.filter((u) => !out.includes(u)));
      if (state.order.length === 0) break;
      out.push(state.order.shift()!);
    }
    return out;
  }

  /** Sends a copy of the request to each uid, `concurrency` at a time; a target that cannot be called fails alone. */
  async function fanOut(request: S, uids: number[], metagraph: Metagraph): Promise<S[]> {
    const out: S[] = new Array(uids.length);
    let next = 0;
    const worker = async () => {
      while (next < uids.length) {
        const i = next++;
        const axon = metagraph.axons[uids[i]!]!;
        const copy = request.copy();
        try {
          out[i] = await dendrite.call(axon as AxonTarget, copy, { timeout });
        } catch (e) {
          copy.dendrite.status_code = 503;
          copy.dendrite.status_message = `not called: ${(e as Error).message}`;
          out[i] = copy;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, uids.length) }, worker));
    return out;
  }

  function rewardsOf(
    result: ScoreResult,
    uids: number[],
    responses: S[],
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
      if (!scorer.scoresFailures && !responses[i]!.isSuccess) {
        rewards[i] = scorer.penalty ?? 0;
        detail[i] = {
          ...detail[i],
          failed: responses[i]!.dendrite.status_code,
          reason: responses[i]!.dendrite.status_message,
        };
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

  async function step(): Promise<StepReport> {
    const t0 = performance.now();
    let chainMs = 0;
    const tc = performance.now();
    const block = await st.blockNumber();
    if (!mg || block - lastResyncBlock >= resyncInterval) await resync();
    chainMs += performance.now() - tc;
    const metagraph = mg!;
    const uids = pick(block, metagraph);
    const report: StepReport = {
      step: state.step,
      block,
      uids,
      rewards: new Float64Array(0),
      detail: [],
      responded: 0,
      timing: { queryMs: 0, scoreMs: 0, chainMs: 0, bookkeepingMs: 0, totalMs: 0 },
    };
    if (uids.length) {
      let plan: QueryPlan<S, C>;
      try {
        plan = await options.query({ step: state.step, block, uids, metagraph });
      } catch (e) {
        throw asEpochError(e, 'EPOCH_QUERY_FAILED', 'the query hook threw');
      }
      const isSynapse = (x: unknown): x is S =>
        typeof (x as S)?.copy === 'function' && typeof (x as S)?.toJSON === 'function';
      const request = isSynapse(plan) ? plan : plan?.synapse;
      if (!isSynapse(request))
        throw new EpochError('EPOCH_QUERY_FAILED', 'the query hook must return a synapse or { synapse }');
      const context = (isSynapse(plan) ? undefined : plan.context) as C;
      const targets = !isSynapse(plan) && plan.uids ? plan.uids.filter((u) => uids.includes(u)) : uids;
      report.uids = targets;
      const tq = performance.now();
      const responses = await fanOut(request, targets, metagraph);
      report.timing.queryMs = performance.now() - tq;
      report.responded = responses.filter((r) => r.isSuccess).length;
      const ts = performance.now();
      let result: ScoreResult;
      try {
        result = await scorer.score({ request, uids: targets, responses, context, step: state.step, block, metagraph });
      } catch (e) {
        throw asEpochError(e, 'EPOCH_SCORER_FAILED', 'the scorer threw');
      }
      const { rewards, detail } = rewardsOf(result, targets, responses);
      report.timing.scoreMs = performance.now() - ts;
      for (let i = 0; i < targets.length; i++) {
        const uid = targets[i]!;
        state.scores[uid] = alpha * rewards[i]! + (1 - alpha) * state.scores[uid]!;
      }
      report.rewards = rewards;
      report.detail = detail;
    }
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

  function sleep(ms: number): Promise<void> {
    if (ms <= 0 || stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function loop(run: RunOptions): Promise<void> {
    const started = performance.now();
    const startBlock = await st.blockNumber();
    await resync();
    if (myUid === null)
      throw new EpochError(
        'EPOCH_NOT_REGISTERED',
        `hotkey ${hotkey.ss58Address} is not registered on subnet ${netuid}: register it first (subnetkit subnet register --netuid ${netuid})`,
      );
    let steps = 0;
    const onAbort = () => void stop();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (!stopRequested && !run.signal?.aborted) {
        if (run.steps !== undefined && steps >= run.steps) break;
        if (run.timeLimit !== undefined && performance.now() - started >= run.timeLimit) break;
        const t = performance.now();
        let wait = options.stepInterval ?? 1000;
        try {
          const r = await step();
          steps++;
          if (r.uids.length === 0) wait = Math.max(wait, 1000);
          if (run.blocks !== undefined && r.block - startBlock >= run.blocks) break;
        } catch (e) {
          fail(asEpochError(e, 'EPOCH_SCORER_FAILED', 'the step failed'));
          wait = Math.max(wait, 1000);
        }
        await sleep(wait - (performance.now() - t));
      }
    } finally {
      run.signal?.removeEventListener('abort', onAbort);
      persist();
    }
  }

  async function stop(): Promise<void> {
    stopRequested = true;
    wake?.();
    await running?.catch(() => {});
  }

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
      state.scores[uid] = alpha * reward + (1 - alpha) * state.scores[uid]!;
    },
    step,
    setWeights: () => setWeightsNow(false),
    resync,
    run(run: RunOptions = {}) {
      if (running) return Promise.reject(new EpochError('EPOCH_BUSY', 'this epoch is already running'));
      for (const k of ['blocks', 'timeLimit', 'steps'] as const) {
        const v = run[k];
        if (v !== undefined && !(Number.isFinite(v) && v >= 0))
          return Promise.reject(
            new EpochError('EPOCH_INVALID_CONFIG', `run.${k} must be a non-negative number, got ${String(v)}`),
          );
      }
      stopRequested = false;
      running = loop(run).finally(() => (running = null));
      return running;
    },
    stop,
  };
}
