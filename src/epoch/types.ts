/** Public types of the validator loop: options, the query and score hooks, events and the handle. */
import type { EventEmitter } from 'eventemitter3';
import type { Dendrite } from '../dendrite/index.js';
import type { Keypair } from '../keys/index.js';
import type { Logger } from '../internal/logger.js';
import type { Metagraph } from '../metagraph/index.js';
import type { Subtensor, WeightsReceipt } from '../subtensor/index.js';
import type { Synapse } from '../synapse/index.js';
import type { EpochError } from './errors.js';

/** What the query hook is told about the step it builds. */
export interface QueryContext {
  /** Step number (0 for the first step ever, kept across restarts). */
  step: number;
  /** Best block when the step began. */
  block: number;
  /** The uids this step will query (the hook may narrow them by returning `uids`). */
  uids: number[];
  /** The metagraph as last synced. */
  metagraph: Metagraph;
}

/** What a query hook returns: a synapse, or a synapse with the uids to send it to and data for the scorer. */
export type QueryPlan<S extends Synapse, C = unknown> =
  | S
  | {
      /** The request. */
      synapse: S;
      /** Send it only to these of the picked uids (default: all of them). */
      uids?: number[];
      /** Handed to the scorer as `ctx.context`. */
      context?: C;
    };

/** Builds the request of one step. */
export type QueryFn<S extends Synapse, C = unknown> = (ctx: QueryContext) => QueryPlan<S, C> | Promise<QueryPlan<S, C>>;

/** What a scorer is given: the request, and one reply per queried uid (failed ones included, status set). */
export interface ScoreContext<S extends Synapse, C = unknown> {
  /** The request as built by the query hook. */
  request: S;
  /** The uids queried, in the order of `responses`. */
  uids: number[];
  /** One synapse per uid, with the reply applied (`isSuccess` false on timeouts, errors and rejections). */
  responses: S[];
  /** What the query hook returned as `context` (held-out targets, a task…). */
  context: C;
  /** Step number. */
  step: number;
  /** Block when the step began. */
  block: number;
  /** The metagraph as last synced. */
  metagraph: Metagraph;
}

/** A scorer's answer: a reward in [0, 1] per queried uid, with optional per-uid detail (reasons, losses). */
export type ScoreResult =
  | ArrayLike<number>
  | {
      /** One reward in [0, 1] per queried uid, in order. */
      rewards: ArrayLike<number>;
      /** Per-uid detail (losses, failure reasons), reported in the `step` event. */
      detail?: ReadonlyArray<Record<string, unknown> | undefined>;
    };

/** A plain scoring function. */
export type ScoreFn<S extends Synapse, C = unknown> = (ctx: ScoreContext<S, C>) => ScoreResult | Promise<ScoreResult>;

/** A scorer with options: the function, the reward of a uid that did not answer, and whether it scores failures itself. */
export interface Scorer<S extends Synapse, C = unknown> {
  /** The scoring function. */
  score: ScoreFn<S, C>;
  /** Reward of a uid whose reply failed (default 0), unless `scoresFailures`. */
  penalty?: number;
  /** The scorer rates failed replies itself (SN19 counts 429s and 500s): the Epoch then does not override them. */
  scoresFailures?: boolean;
}

/** Options of {@link createEpoch}. */
export interface EpochOptions<S extends Synapse, C = unknown> {
  /** Chain client (finney, test, a node or the devnet). */
  subtensor: Subtensor;
  /** Dendrite that queries the miners; signed with the validator's hotkey. */
  dendrite: Dendrite;
  /** The validator's hotkey: sets the weights and is never queried. */
  hotkey: Keypair;
  /** Subnet. */
  netuid: number;
  /** Builds each step's request. */
  query: QueryFn<S, C>;
  /** Rates the replies: a function or a {@link Scorer}. */
  score: ScoreFn<S, C> | Scorer<S, C>;
  /**
   * Picks the uids of a step (default: every serving uid but ourselves once per pass, in a random order that is kept
   * in the state file, `sampleSize` at a time).
   */
  select?: (ctx: { step: number; block: number; metagraph: Metagraph; candidates: number[] }) => number[];
  /** Weight of a new reward in the moving average (default 0.1, as the Python template). */
  alpha?: number;
  /** Uids per step (default 16). */
  sampleSize?: number;
  /** Requests in flight at once within a step (default 64). */
  concurrency?: number;
  /** Seconds a miner has to answer (default 12). */
  timeout?: number;
  /**
   * Blocks between weight settings (default: the subnet's tempo); never below the subnet's `weights_rate_limit`.
   * A validator with no weights in its state sets its first as soon as the rate limit allows.
   */
  weightsInterval?: number;
  /** Blocks between metagraph resyncs (default 100; a resync also precedes every weight setting). */
  resyncInterval?: number;
  /**
   * Least time between the starts of two steps, in ms (default 1,000, so that fast miners are not flooded; 0 runs
   * steps back to back, as v3 did with its 12 s timeouts). A step with nothing to query waits at least 1 s.
   */
  stepInterval?: number;
  /** Where the state is saved after every step and read at start (default: not saved). */
  statePath?: string;
  /** Commit-reveal flavour when the subnet has it on: `timelock` (CRv4, default) or `hash` (CRv2, revealed by the loop). */
  commitReveal?: 'timelock' | 'hash';
  /** Set weights on chain (default true; false scores without ever setting, like `--neuron.disable_set_weights`). */
  setWeights?: boolean;
  /** Lowest quantile of weights to drop before setting (u16, default 0). */
  excludeQuantile?: number;
  /** Version key (default: the subnet's `WeightsVersionKey`). */
  versionKey?: bigint;
  /** Logger (pino-compatible); the library logs nothing without one. */
  logger?: Logger;
}

/** How a run ends: an abort signal, a number of blocks, a time limit or a number of steps (the first reached). */
export interface RunOptions {
  /** Stops when aborted. */
  signal?: AbortSignal;
  /** Stops once the chain has advanced this many blocks since the run began. */
  blocks?: number;
  /** Stops after this many milliseconds. */
  timeLimit?: number;
  /** Stops after this many steps. */
  steps?: number;
}

/** What one step did. */
export interface StepReport {
  /** Step number. */
  step: number;
  /** Block when it began. */
  block: number;
  /** Uids queried. */
  uids: number[];
  /** Reward per queried uid. */
  rewards: Float64Array;
  /** Detail per uid from the scorer (failure reasons, losses). */
  detail: ReadonlyArray<Record<string, unknown> | undefined>;
  /** How many replies succeeded. */
  responded: number;
  /**
   * Milliseconds: waiting for the miners (the dendrite fan-out), scoring, waiting for the chain (block reads,
   * resyncs, weight transactions), and the loop's own bookkeeping (choosing uids, averages, saving the state).
   */
  timing: {
    /** The dendrite fan-out. */
    queryMs: number;
    /** The scorer. */
    scoreMs: number;
    /** Block reads, resyncs and weight transactions. */
    chainMs: number;
    /** Everything else: picking uids, averages, the state file. */
    bookkeepingMs: number;
    /** The whole step. */
    totalMs: number;
  };
}

/** What happened to weights at one weight-setting point. */
export interface WeightsEvent {
  /** `set` (plain), `committed` (CRv4 timelock or CRv2 hash) or `revealed` (CRv2 reveal sent by the loop). */
  kind: 'set' | 'committed' | 'revealed';
  /** Block at which it was sent. */
  block: number;
  /** The u16 weights and uids as sent, with the chain's receipt. */
  receipt:
    | WeightsReceipt
    | (Omit<WeightsReceipt, 'mode'> & {
        /** A CRv2 reveal. */
        mode: 'reveal';
      });
}

/** A resync and what it changed. */
export interface ResyncEvent {
  /** Block synced at. */
  block: number;
  /** Number of uids. */
  n: number;
  /** Uids whose hotkey changed (their averages were reset). */
  reset: number[];
  /** Whether the subnet grew. */
  grew: boolean;
}

/** Events of an {@link Epoch}. */
export interface EpochEvents {
  /** A step finished. */
  step: [report: StepReport];
  /** The moving averages after a step (a view: copy it to keep it). */
  scores: [averages: Float64Array, step: number];
  /** Weights were set, committed or revealed. */
  weights: [event: WeightsEvent];
  /** The metagraph was resynced. */
  resync: [event: ResyncEvent];
  /** Something failed; the loop goes on (a step, a weight setting, a resync, a save). */
  error: [error: EpochError];
}

/** The handle {@link createEpoch} returns. */
export interface Epoch {
  /** Events: step, scores, weights, resync, error. */
  readonly events: EventEmitter<EpochEvents>;
  /** Moving average per uid (a live view). */
  readonly scores: Float64Array;
  /** Steps taken so far (across restarts). */
  readonly stepCount: number;
  /** The metagraph as last synced (null before the first step). */
  readonly metagraph: Metagraph | null;
  /** Block of the last weights set or committed by this loop (0 if none). */
  readonly lastWeightsBlock: number;
  /** Number of CRv2 commits waiting to be revealed. */
  readonly pendingReveals: number;
  /**
   * Folds one reward for `uid` into its moving average, as a step would (organic answers scored by a router).
   * Throws `EPOCH_INVALID_REWARD` for a reward outside [0, 1] and `EPOCH_INVALID_CONFIG` for an unknown uid.
   */
  record(uid: number, reward: number): void;
  /** Runs one step now (resync if due, query, score, average, weights if due). */
  step(): Promise<StepReport>;
  /** Sets (or commits) weights from the averages now, whatever the interval; resolves with the event, or null if there is nothing to set. */
  setWeights(): Promise<WeightsEvent | null>;
  /** Resyncs the metagraph now. */
  resync(): Promise<Metagraph>;
  /** Runs steps until `stop()` or what `options` says; resolves when the loop has ended and drained. */
  run(options?: RunOptions): Promise<void>;
  /** Ends a run: the step in flight finishes (its queries drain), the state is saved, then `run` resolves. */
  stop(): Promise<void>;
}

/** Re-exported for hooks that type their logger. */
export type { Logger };
