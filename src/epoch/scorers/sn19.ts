/**
 * SN19-style capacity scoring (namoray/vision, production 4.1): miners declare a volume per task; the validator
 * checks a fraction of it with synthetic queries spread over a scoring period; each period is scored for what was
 * served versus declared (429s and errors forgiven in proportion to the volume used), quality × speed is averaged,
 * shares are cubed, and tasks are summed by their weights. Pure functions, plus a small per-period ledger.
 */
import { defineSynapse, t } from '../../synapse/index.js';
import { EpochError } from '../errors.js';

/** Speed settings of a task: fixed overhead (s), mean seconds per unit of work, and the slowness decay rate. */
export interface SpeedConfig {
  /** Seconds not counted (connection, queueing). */
  overhead: number;
  /** The expected seconds per unit of work. */
  mean: number;
  /** How fast the factor falls past the mean. */
  variance: number;
}

/** One task of a subnet run this way. */
export interface CapacityTask {
  /** Largest volume per hour a miner may declare (declarations are capped here). */
  maxCapacity: number;
  /** Share of the miner's final score this task carries (the weights of all tasks sum to 1). */
  weight: number;
  /** Work units per synthetic request (volume → number of requests). */
  conversion: number;
  /** Speed settings. */
  speed: SpeedConfig;
}

/**
 * SN19's tasks at production 68d4871, for reference and tests: capacities per hour, weights, conversions and speed
 * settings. A subnet of your own declares its own table.
 *
 * @example
 * ```ts
 * SN19_TASKS['proteus-text-to-image'].weight; // 0.2
 * ```
 */
export const SN19_TASKS: Readonly<Record<string, CapacityTask>> = Object.freeze({
  'chat-mixtral': {
    maxCapacity: 576_000,
    weight: 0.1,
    conversion: 300,
    speed: { overhead: 1, mean: 0.006, variance: 80 },
  },
  'chat-llama-3': {
    maxCapacity: 576_000,
    weight: 0.1,
    conversion: 300,
    speed: { overhead: 1, mean: 0.008, variance: 80 },
  },
  'proteus-text-to-image': {
    maxCapacity: 3_600,
    weight: 0.2,
    conversion: 10,
    speed: { overhead: 0.5, mean: 0.18, variance: 3 },
  },
  'playground-text-to-image': {
    maxCapacity: 10_000,
    weight: 0.1,
    conversion: 50,
    speed: { overhead: 0.5, mean: 0.1, variance: 10 },
  },
  'dreamshaper-text-to-image': {
    maxCapacity: 3_000,
    weight: 0.05,
    conversion: 10,
    speed: { overhead: 0.5, mean: 0.2, variance: 3 },
  },
  'proteus-image-to-image': {
    maxCapacity: 3_600,
    weight: 0.1,
    conversion: 10,
    speed: { overhead: 0.5, mean: 0.2, variance: 3 },
  },
  'playground-image-to-image': {
    maxCapacity: 10_000,
    weight: 0.05,
    conversion: 50,
    speed: { overhead: 0.5, mean: 0.1, variance: 10 },
  },
  'dreamshaper-image-to-image': {
    maxCapacity: 3_000,
    weight: 0.05,
    conversion: 10,
    speed: { overhead: 0.5, mean: 0.27, variance: 3 },
  },
  inpaint: { maxCapacity: 4_000, weight: 0.05, conversion: 20, speed: { overhead: 1.2, mean: 0.15, variance: 2 } },
  'clip-image-embeddings': { maxCapacity: 0, weight: 0, conversion: 1, speed: { overhead: 1, mean: 0.5, variance: 2 } },
  avatar: { maxCapacity: 1_120, weight: 0.2, conversion: 10, speed: { overhead: 5, mean: 0.4, variance: 3 } },
});

/**
 * The capacity synapse: no inputs; the miner answers `capacities`, a volume per task name.
 *
 * @example
 * ```ts
 * axon.attach(Capacity, (s) => { s.capacities = { 'chat-llama-3': { volume: 20_000 } }; return s; });
 * ```
 */
export class Capacity extends defineSynapse({
  name: 'Capacity',
  fields: {
    /** Declared volume per task (`{ task: { volume } }`). */
    capacities: t.dict(t.dict(t.float())).optional(),
  },
}) {}

/**
 * The speed factor of one answer: 1 at the task's mean time per unit, up to `maxBonus` (1.6) at zero, and
 * `exp((mean − t) · variance)` past the mean. `t = max(responseTime − overhead, 0) / units`.
 *
 * @example
 * ```ts
 * speedFactor(2.5, 8, SN19_TASKS['proteus-text-to-image'].speed); // 0.810584
 * ```
 */
export function speedFactor(
  responseTime: number | null,
  units: number,
  speed: SpeedConfig,
  options: { maxBonus?: number; belowMeanExponent?: number } = {},
): number {
  if (responseTime === null || !Number.isFinite(responseTime) || !(units > 0)) return 0;
  const maxBonus = options.maxBonus ?? 1.6;
  const c = options.belowMeanExponent ?? 0.25;
  const tpu = Math.max(responseTime - speed.overhead, 0) / units;
  if (tpu <= speed.mean) return 1 + ((maxBonus - 1) * (speed.mean - tpu) ** c) / speed.mean ** c;
  return Math.exp((speed.mean - tpu) * speed.variance);
}

/** One miner's traffic for one task in one period. */
export interface PeriodRecord {
  /** Volume it declared (after the cap). */
  declared: number;
  /** Work it served successfully (synthetic and organic). */
  consumed: number;
  /** Requests sent. */
  total: number;
  /** Requests answered 429 (rate limited). */
  n429: number;
  /** Requests that failed otherwise (timeouts, 5xx, empty or invalid). */
  n500: number;
}

/**
 * A period's score: the share of good answers, with 429s and errors penalised again in proportion to the volume
 * left unused. Null when nothing was sent or nothing was declared (not a score).
 *
 * @example
 * ```ts
 * periodScore({ declared: 3600, consumed: 150, total: 18, n429: 2, n500: 1 }); // 0.7049558
 * ```
 */
export function periodScore(r: PeriodRecord): number | null {
  if (r.total === 0 || r.declared === 0) return null;
  const declared = Math.max(r.declared, 1);
  const unused = Math.max(declared - r.consumed, 0) / declared;
  const good = (r.total - r.n429 - r.n500) / r.total;
  return Math.max(good * (1 - (r.n429 / r.total) * unused) * (1 - (r.n500 / r.total) * unused), 0);
}

/**
 * Period scores of one miner and task, newest first, combined: weighted by volume consumed and halved for each
 * period of age; a miner with fewer than 8 periods is discounted (`1 − max(0, 1 − n/8)/4`).
 *
 * @example
 * ```ts
 * normalisedPeriodScore([{ score: 1, consumed: 100 }]); // 0.78125
 * ```
 */
export function normalisedPeriodScore(history: readonly { score: number; consumed: number }[], decay = 0.5): number {
  let volume = 0;
  for (const h of history) volume += h.consumed;
  if (volume === 0) return 0;
  let num = 0;
  let den = 0;
  history.forEach((h, i) => {
    const w = (h.consumed / volume) * decay ** i;
    num += w * h.score;
    den += w;
  });
  const score = den > 0 ? num / den : 0;
  const penalty = Math.max(0, 1 - history.length / 8) / 4;
  return score * (1 - penalty);
}

/**
 * Linear shares of effective volume, cubed and renormalised (what makes capacity competitive); all zeros when
 * nothing was served.
 *
 * @example
 * ```ts
 * cubedShares([1846.8, 1440, 1620]); // [0.465327, 0.220590, 0.314083]
 * ```
 */
export function cubedShares(volumes: ArrayLike<number>): Float64Array {
  const out = new Float64Array(volumes.length);
  let sum = 0;
  for (let i = 0; i < volumes.length; i++) sum += Math.max(volumes[i]!, 0);
  if (sum === 0) return out;
  let cubes = 0;
  for (let i = 0; i < volumes.length; i++) cubes += out[i] = (Math.max(volumes[i]!, 0) / sum) ** 3;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / cubes;
  return out;
}

/** One task's inputs to {@link capacityScores}: per miner, quality × speed, the normalised period score and the capacity. */
export interface TaskScores {
  /** The task's weight. */
  weight: number;
  /** Mean of quality × speed factor per miner. */
  quality: ArrayLike<number>;
  /** Normalised period score per miner. */
  periodScore: ArrayLike<number>;
  /** Declared capacity per miner (after the cap). */
  capacity: ArrayLike<number>;
}

/**
 * Each miner's final score: per task, effective volume = quality × period score × capacity, cubed shares, times the
 * task weight; summed over tasks. Feed it to `processWeightsForNetuid` (or return it from a scorer).
 *
 * @example
 * ```ts
 * capacityScores(3, [{ weight: 0.2, quality: [1, 1, 1], periodScore: [1, 1, 1], capacity: [1846.8, 1440, 1620] }]);
 * ```
 */
export function capacityScores(miners: number, tasks: readonly TaskScores[]): Float64Array {
  const out = new Float64Array(miners);
  for (const task of tasks) {
    if (!(task.weight > 0)) continue;
    const eff = new Float64Array(miners);
    for (let i = 0; i < miners; i++)
      eff[i] = (task.quality[i] ?? 0) * (task.periodScore[i] ?? 0) * (task.capacity[i] ?? 0);
    const shares = cubedShares(eff);
    for (let i = 0; i < miners; i++) out[i] = out[i]! + shares[i]! * task.weight;
  }
  return out;
}

/** What {@link syntheticPlan} returns. */
export interface SyntheticPlan {
  /** Synthetic requests to send this period. */
  requests: number;
  /** Seconds between them. */
  delaySeconds: number;
  /** The volume to check: once a miner has served this much (organic traffic counts), checking stops. */
  volumeToScore: number;
}

/**
 * The synthetic checking plan of one (task, miner) for a period: `max(⌊capacity·fraction / conversion⌋, 1)` requests,
 * `⌊0.98 · period / requests⌋` seconds apart.
 *
 * @example
 * ```ts
 * syntheticPlan(3600, 0.05, 10); // { requests: 18, delaySeconds: 196, volumeToScore: 180 }
 * ```
 */
export function syntheticPlan(
  capacity: number,
  fraction: number,
  conversion: number,
  periodSeconds = 3600,
): SyntheticPlan {
  if (!(conversion > 0) || !(fraction >= 0) || !(capacity >= 0))
    throw new EpochError(
      'EPOCH_INVALID_CONFIG',
      'capacity, fraction and conversion must be non-negative (conversion positive)',
    );
  const volumeToScore = capacity * fraction;
  const requests = Math.max(Math.floor(volumeToScore / conversion), 1);
  return { requests, delaySeconds: Math.floor((0.98 * periodSeconds) / requests), volumeToScore };
}

/**
 * The fraction of a declared volume to check this period, drawn as SN19 does: 0.05 with probability 0.7, else
 * U(0.05, 0.10) with probability 0.9, else U(0.4, 0.8).
 *
 * @example
 * ```ts
 * const f = checkFraction(Math.random);
 * ```
 */
export function checkFraction(random: () => number = Math.random): number {
  if (random() < 0.7) return 0.05;
  if (random() < 0.9) return 0.05 + 0.05 * random();
  return 0.4 + 0.4 * random();
}

/**
 * The volume a miner can declare for a task: `gpus · concurrency · 3600 / mean` seconds per unit (text: ÷ 4, from
 * characters to tokens).
 *
 * @example
 * ```ts
 * declarableVolume(SN19_TASKS['chat-llama-3'].speed, { concurrency: 20, text: true }); // 2,250,000
 * ```
 */
export function declarableVolume(
  speed: SpeedConfig,
  options: { gpus?: number; concurrency?: number; text?: boolean } = {},
): number {
  const v = ((options.gpus ?? 1) * (options.concurrency ?? 1) * 3600) / speed.mean;
  return options.text ? v / 4 : v;
}

/**
 * The probability that a result is kept for quality checking: always while the task has no more than its share of
 * the 1,000 stored results, then `(w / actual − w)^4`.
 *
 * @example
 * ```ts
 * storeProbability(0.2, 250); // 0.1296
 * ```
 */
export function storeProbability(taskWeight: number, stored: number, capacity = 1000): number {
  if (stored <= Math.floor(capacity * taskWeight)) return 1;
  const actual = stored / capacity;
  return Math.min(1, Math.max(0, taskWeight / actual - taskWeight) ** 4);
}

/** How one request went, for {@link createCapacityLedger}. */
export interface RequestOutcome {
  /** HTTP-style status: 200 success, 429 rate limited, anything else a failure. */
  status: number;
  /** Units of work served (steps, tokens); counted only on success. */
  work: number;
}

/**
 * A period's ledger of (task, uid) records: declarations, every request's outcome, and at the end the period scores.
 *
 * @example
 * ```ts
 * const ledger = createCapacityLedger();
 * ledger.declare('chat-llama-3', 5, 20_000);
 * ledger.record('chat-llama-3', 5, { status: 200, work: 250 });
 * ledger.scores('chat-llama-3'); // Map { 5 => 1 }
 * ```
 */
export function createCapacityLedger() {
  const records = new Map<string, Map<number, PeriodRecord>>();
  const get = (task: string, uid: number): PeriodRecord => {
    let m = records.get(task);
    if (!m) records.set(task, (m = new Map()));
    let r = m.get(uid);
    if (!r) m.set(uid, (r = { declared: 0, consumed: 0, total: 0, n429: 0, n500: 0 }));
    return r;
  };
  return {
    /** Sets a miner's declared volume for a task this period. */
    declare(task: string, uid: number, volume: number): void {
      get(task, uid).declared = Number.isFinite(volume) && volume > 0 ? volume : 0;
    },
    /** Counts one request (synthetic or organic). */
    record(task: string, uid: number, outcome: RequestOutcome): void {
      const r = get(task, uid);
      r.total++;
      if (outcome.status === 200) r.consumed += Math.max(outcome.work, 0);
      else if (outcome.status === 429) r.n429++;
      else r.n500++;
    },
    /** The record of a (task, uid). */
    get: (task: string, uid: number): PeriodRecord | undefined => records.get(task)?.get(uid),
    /** Whether a miner has consumed its volume to check (organic traffic counts). */
    done: (task: string, uid: number, volumeToScore: number): boolean =>
      (records.get(task)?.get(uid)?.consumed ?? 0) >= volumeToScore,
    /** Period scores of a task's miners (those with a score). */
    scores(task: string): Map<number, number> {
      const out = new Map<number, number>();
      for (const [uid, r] of records.get(task) ?? []) {
        const s = periodScore(r);
        if (s !== null) out.set(uid, s);
      }
      return out;
    },
    /** Starts a new period. */
    clear(): void {
      records.clear();
    },
  };
}

/** The ledger {@link createCapacityLedger} returns. */
export type CapacityLedger = ReturnType<typeof createCapacityLedger>;

/**
 * Asks every target for its capacities (the {@link Capacity} synapse) and returns, per uid, the declared volume of
 * each known task capped at the task's maximum; unknown tasks and non-numbers are ignored, a miner that does not
 * answer declares nothing.
 *
 * @example
 * ```ts
 * const caps = await fetchCapacities(dendrite, servingUids.map((uid) => ({ uid, axon: mg.axons[uid] })), SN19_TASKS);
 * ```
 */
export async function fetchCapacities(
  dendrite: {
    call<S extends Capacity>(
      target: { ip: string; port: number; hotkey: string },
      synapse: S,
      opts?: { timeout?: number },
    ): Promise<S>;
  },
  targets: readonly { uid: number; axon: { ip: string; port: number; hotkey: string } }[],
  tasks: Readonly<Record<string, CapacityTask>>,
  options: { timeout?: number } = {},
): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  const replies = await Promise.all(
    targets.map((t) => dendrite.call(t.axon, new Capacity({}), { timeout: options.timeout ?? 10 }).catch(() => null)),
  );
  targets.forEach((t, i) => {
    const declared: Record<string, number> = {};
    const r = replies[i];
    const caps = r?.isSuccess ? r.capacities : null;
    if (caps && typeof caps === 'object') {
      for (const [task, v] of Object.entries(caps)) {
        const spec = tasks[task];
        const volume = (v as Record<string, number> | null)?.volume;
        if (!spec || typeof volume !== 'number' || !Number.isFinite(volume) || volume < 0) continue;
        declared[task] = Math.min(volume, spec.maxCapacity);
      }
    }
    out.set(t.uid, declared);
  });
  return out;
}
