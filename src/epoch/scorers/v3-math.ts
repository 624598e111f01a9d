/**
 * The arithmetic of bittensor v3's validator (core_validator, v3.7.0): the scaling law that turns a loss into an
 * "effective parameter count", pairwise Shapley synergy, the logits-divergence excess (Hellinger distance from the
 * mean prediction) and the EMA'd neuron statistics. Pure functions over plain numbers and typed arrays.
 */

/** The Kaplan et al. constants v3 uses: N_c = 8.8e13, α_N = 0.076, and the 1.69-nat floor of natural text. */
const LN_NC = Math.log(8.8e13);
const ALPHA_N = 0.076;
/** Losses are floored here: the entropy of natural text, below which no model is credited. */
export const LOSS_FLOOR = 1.69;
/** A loss that is NaN or infinite counts as this (v3's replacement). */
export const NAN_LOSS = 20;

/**
 * v3's scaling law: the model size a loss corresponds to, `N(loss) = 8.8e13 · max(loss, 1.69)^(−1/0.076)`, raised to
 * `power` (the subnet's `scaling_law_power`, 0.5 by default, which compresses the range).
 *
 * @example
 * ```ts
 * scalingLawParams(2.0);      // 9.628567e9
 * scalingLawParams(2.0, 0.5); // 9.812526e4
 * ```
 */
export function scalingLawParams(loss: number, power = 1): number {
  const l = Number.isFinite(loss) ? loss : NAN_LOSS;
  const n = Math.exp(LN_NC - Math.log(Math.max(l, LOSS_FLOOR)) / ALPHA_N);
  return power === 1 ? n : n ** power;
}

/**
 * v3's routing target for a loss: `exp(−max(loss − 1.69, 0))`, what the validator's router is trained towards.
 *
 * @example
 * ```ts
 * routingTarget(2.0); // 0.733447
 * ```
 */
export function routingTarget(loss: number): number {
  return Math.exp(-Math.max((Number.isFinite(loss) ? loss : NAN_LOSS) - LOSS_FLOOR, 0));
}

/** Per-uid result of {@link shapleySynergy}. */
export interface SynergyShares {
  /** Synergy credited to each responder, in scaling-law units (added to its base parameters). */
  synergy: Float64Array;
  /** The loss improvement credited to each (a diagnostic). */
  lossDiff: Float64Array;
}

/**
 * v3's pairwise Shapley synergy over responders (coalitions of two). For each pair the expected loss is the better
 * of the two; the measured loss is that of their averaged predictions, per row `−ln((e^−a + e^−b)/2)`; each member
 * gets `max(N(measured)^q − N(expected)^q, 0) / 2 / R`, R being the number of responders.
 *
 * @param rowLosses - per responder, the loss of each batch row
 * @param power - `synergy_scaling_law_power` (q)
 *
 * @example
 * ```ts
 * const { synergy } = shapleySynergy([Float64Array.of(1.8, 5.0), Float64Array.of(5.0, 1.8)], 0.5);
 * synergy[0]; // 5652.148
 * ```
 */
export function shapleySynergy(rowLosses: readonly ArrayLike<number>[], power = 0.5): SynergyShares {
  const r = rowLosses.length;
  const synergy = new Float64Array(r);
  const lossDiff = new Float64Array(r);
  const means = rowLosses.map((rows) => mean(rows));
  // exp(−loss) per row, computed once per responder rather than once per pair.
  const likelihoods = rowLosses.map((rows) =>
    Float64Array.from(rows, (l) => Math.exp(-(Number.isFinite(l) ? l : NAN_LOSS))),
  );
  for (let a = 0; a < r; a++) {
    for (let b = a + 1; b < r; b++) {
      const la = likelihoods[a]!;
      const lb = likelihoods[b]!;
      const rows = Math.min(la.length, lb.length);
      if (rows === 0) continue;
      let measured = 0;
      for (let i = 0; i < rows; i++) measured += -Math.log((la[i]! + lb[i]!) / 2 + 1e-40);
      measured /= rows;
      const expected = Math.min(means[a]!, means[b]!);
      const diff = Math.max(expected - measured, 0) / 2 / r;
      const share = Math.max(scalingLawParams(measured, power) - scalingLawParams(expected, power), 0) / 2 / r;
      lossDiff[a] = lossDiff[a]! + diff;
      lossDiff[b] = lossDiff[b]! + diff;
      synergy[a] = synergy[a]! + share;
      synergy[b] = synergy[b]! + share;
    }
  }
  return { synergy, lossDiff };
}

/**
 * Hellinger distance between two distributions: `sqrt(½ Σ (√p − √q)²)`.
 *
 * @example
 * ```ts
 * hellinger([0.7, 0.2, 0.1], [0.4, 0.4, 0.2]); // 0.2158371
 * ```
 */
export function hellinger(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const d = Math.sqrt(Math.max(p[i]!, 0)) - Math.sqrt(Math.max(q[i]!, 0));
    s += d * d;
  }
  return Math.sqrt(0.5 * s);
}

/**
 * v3's logits excess for one batch row: given each responder's Hellinger distance from the mean prediction, how far
 * each stands beyond one (sample) standard deviation above the average, in standard deviations, cubed, capped at
 * 10. With a single responder there is no spread: v3 computes NaN there; subnetkit returns 0 (docs/compatibility.md).
 *
 * @example
 * ```ts
 * logitsExcess([0.10, 0.12, 0.11, 0.50]); // [0, 0, 0, 0.1240177]
 * ```
 */
export function logitsExcess(divergences: ArrayLike<number>): Float64Array {
  const n = divergences.length;
  const out = new Float64Array(n);
  if (n < 2) return out;
  const avg = mean(divergences);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (divergences[i]! - avg) ** 2;
  const std = Math.sqrt(ss / (n - 1));
  for (let i = 0; i < n; i++) {
    const z = Math.max(divergences[i]! - (avg + std), 0) / (std + 1e-9);
    out[i] = Math.min(Math.max(z ** 3, 0), 10);
  }
  return out;
}

/**
 * The sparse first-token distributions of several responders for one batch row (token → probability), turned into
 * each one's Hellinger distance from their mean. Work is proportional to the entries, not to the vocabulary:
 * `H² = ½(Σp + ΣA) − Σ √(p·A)` over p's support.
 *
 * @example
 * ```ts
 * divergencesFromMean([new Map([[5, 0.7], [6, 0.3]]), new Map([[5, 0.2], [6, 0.8]])]);
 * ```
 */
export function divergencesFromMean(rows: readonly ReadonlyMap<number, number>[]): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const avg = new Map<number, number>();
  for (const row of rows) for (const [t, p] of row) avg.set(t, (avg.get(t) ?? 0) + p / n);
  let sumA = 0;
  for (const a of avg.values()) sumA += a;
  rows.forEach((row, i) => {
    let sumP = 0;
    let cross = 0;
    for (const [t, p] of row) {
      sumP += p;
      cross += Math.sqrt(Math.max(p, 0) * (avg.get(t) ?? 0));
    }
    out[i] = Math.sqrt(Math.max(0.5 * (sumP + sumA) - cross, 0));
  });
  return out;
}

/**
 * v3's penalty for an outlying prediction: the Shapley value is divided by `1 + logitsDivergence · excess`.
 *
 * @example
 * ```ts
 * divergencePenalty(0.02, 2.0); // 0.9615385
 * ```
 */
export function divergencePenalty(logitsDivergence: number, excess: number): number {
  return 1 / (1 + logitsDivergence * (Number.isFinite(excess) ? excess : 0));
}

/** One uid's statistics in {@link createV3NeuronStats}. */
export interface V3NeuronStat {
  /** EMA of the phrase loss. */
  loss: number;
  /** EMA of the next-token loss. */
  lossVal: number;
  /** EMA of the synergy share. */
  synergy: number;
  /** EMA of the logits excess. */
  logitsExcess: number;
  /** The weight v3 sets from: EMA of the Shapley value, decaying while the uid does not answer. */
  shapley: number;
  /** Times queried. */
  updates: number;
  /** Times it answered. */
  responses: number;
}

/** One step's observation of a uid for {@link createV3NeuronStats}: null when it did not answer. */
export interface V3Observation {
  /** Mean phrase loss this step. */
  loss: number;
  /** Mean next-token loss this step. */
  lossVal: number;
  /** Synergy share this step. */
  synergy: number;
  /** Logits excess this step. */
  logitsExcess: number;
}

/**
 * v3.6+'s `neuron_stats_update`, exactly: every statistic is an EMA (0.9 old, 0.1 new; the first observation sets
 * it); the Shapley value is the scaling law applied to the EMA loss, plus the EMA synergy, divided by the
 * divergence penalty; the weight key is itself EMA'd and decays by 0.9 each time the uid is queried and does not
 * answer. Use it for a validator that wants v3's weights to the letter; `textCausalLMNextScorer` gives the per-step
 * rewards the Epoch averages.
 *
 * @example
 * ```ts
 * const stats = createV3NeuronStats({ scalingLawPower: 0.5, logitsDivergence: 0.02 });
 * stats.update(3, { loss: 2.1, lossVal: 1.9, synergy: 0, logitsExcess: 0 });
 * stats.update(4, null); // queried, no answer
 * const weights = stats.weights(n);
 * ```
 */
export function createV3NeuronStats(
  options: { scalingLawPower?: number; logitsDivergence?: number; alpha?: number } = {},
) {
  const power = options.scalingLawPower ?? 0.5;
  const divergence = options.logitsDivergence ?? 0;
  const alpha = options.alpha ?? 0.1;
  const stats = new Map<number, V3NeuronStat>();
  const ema = (old: number | undefined, x: number) =>
    old === undefined || Number.isNaN(old) ? x : (1 - alpha) * old + alpha * x;
  return {
    /** The statistics of a uid, if it has been queried. */
    get: (uid: number): V3NeuronStat | undefined => stats.get(uid),
    /** Records one query of `uid`: its observation, or null when it did not answer. */
    update(uid: number, obs: V3Observation | null): V3NeuronStat {
      const prev = stats.get(uid);
      const s: V3NeuronStat = prev ?? {
        loss: NaN,
        lossVal: NaN,
        synergy: NaN,
        logitsExcess: NaN,
        shapley: 0,
        updates: 0,
        responses: 0,
      };
      s.updates++;
      if (obs) {
        s.responses++;
        const clean = (x: number) => (Number.isFinite(x) ? x : NAN_LOSS);
        s.loss = ema(prev ? s.loss : undefined, clean(obs.loss));
        s.lossVal = ema(prev ? s.lossVal : undefined, clean(obs.lossVal));
        if (!Number.isNaN(obs.synergy)) s.synergy = ema(Number.isNaN(s.synergy) ? undefined : s.synergy, obs.synergy);
        if (!Number.isNaN(obs.logitsExcess))
          s.logitsExcess = ema(Number.isNaN(s.logitsExcess) ? undefined : s.logitsExcess, obs.logitsExcess);
        const value =
          (scalingLawParams(s.loss, power) + (Number.isNaN(s.synergy) ? 0 : s.synergy)) *
          divergencePenalty(divergence, Number.isNaN(s.logitsExcess) ? 0 : s.logitsExcess);
        s.shapley = (1 - alpha) * s.shapley + alpha * value;
      } else {
        s.shapley = (1 - alpha) * s.shapley;
      }
      stats.set(uid, s);
      return s;
    },
    /** Forgets a uid (its hotkey changed). */
    reset(uid: number): void {
      stats.delete(uid);
    },
    /** The weight vector v3 would set: the Shapley EMA per uid, 0 where never queried. */
    weights(n: number): Float64Array {
      const w = new Float64Array(n);
      for (const [uid, s] of stats) if (uid < n) w[uid] = s.shapley;
      return w;
    },
  };
}

/** The type {@link createV3NeuronStats} returns. */
export type V3NeuronStats = ReturnType<typeof createV3NeuronStats>;

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Number.isFinite(a[i]!) ? a[i]! : NAN_LOSS;
  return a.length ? s / a.length : NaN;
}
