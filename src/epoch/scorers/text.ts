/**
 * The v3 text scorers for the Epoch: a query builder that holds out the last tokens of each sampled row, and the
 * TextCausalLMNext and TextCausalLM scorers (phrase cross-entropy or token cross-entropy, the scaling law, pairwise
 * synergy and the logits-divergence penalty). Bad miner output gets reward 0 and a reason; it never throws.
 */
import { STD_VOCAB_SIZE } from '../../codec/index.js';
import { Tensor, TextCausalLM, TextCausalLMNext } from '../../synapse/index.js';
import { EpochError } from '../errors.js';
import type { QueryFn, Scorer } from '../types.js';
import { firstTokenScratch, forEachFirstToken, phraseLosses, scanReply, type ScannedReply } from './phrase-scan.js';
import { divergencePenalty, logitsExcess, scalingLawParams, shapleySynergy, LOSS_FLOOR } from './v3-math.js';

/** What the text query builders hand the scorers: the held-out continuation of each row. */
export interface TextTargets {
  /** Per batch row, the tokens that follow the request (v3's `validation_len` tokens). */
  targets: number[][];
}

/** Options of {@link textCausalLMNextQuery} and {@link textCausalLMQuery}. */
export interface TextQueryOptions {
  /** Draws `n` consecutive tokens of the validator's dataset (standard GPT-2 ids). */
  sample: (n: number) => ArrayLike<number> | Promise<ArrayLike<number>>;
  /** Rows per request (v3: 32; default 4). */
  batchSize?: number;
  /** Tokens sent per row (v3: 256; default 64). */
  sequenceLength?: number;
  /** Tokens held out per row for scoring (v3: 8). */
  validationLength?: number;
  /** `topk` of the request (default: the synapse's own default, 4096 for TextCausalLMNext and 512 for TextCausalLM). */
  topk?: number;
}

async function sampleBatch(o: TextQueryOptions): Promise<{ tokens: Tensor; targets: number[][] }> {
  const batch = o.batchSize ?? 4;
  const seq = o.sequenceLength ?? 64;
  const val = o.validationLength ?? 8;
  for (const [k, v] of Object.entries({ batchSize: batch, sequenceLength: seq, validationLength: val })) {
    if (!Number.isInteger(v) || v < 1 || v > 1 << 20)
      throw new EpochError('EPOCH_INVALID_CONFIG', `${k} must be a positive integer, got ${String(v)}`);
  }
  const ids = new BigInt64Array(batch * seq);
  const targets: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const row = await o.sample(seq + val);
    if (!row || row.length < seq + val)
      throw new EpochError('EPOCH_QUERY_FAILED', `sample(${seq + val}) returned ${row?.length ?? 'nothing'}`);
    for (let i = 0; i < seq; i++) ids[b * seq + i] = BigInt(row[i]!);
    targets.push(Array.from({ length: val }, (_, i) => Number(row[seq + i])));
  }
  return { tokens: Tensor.fromArray(ids, { shape: [batch, seq] }), targets };
}

/**
 * A query hook for TextCausalLMNext: each step draws `batchSize` rows of `sequenceLength + validationLength` tokens,
 * sends the first `sequenceLength` and keeps the rest as the scorer's targets.
 *
 * @example
 * ```ts
 * const query = textCausalLMNextQuery({ sample: (n) => source.sample(n, Math.random() * 1e9 | 0), topk: 32 });
 * ```
 */
export function textCausalLMNextQuery(options: TextQueryOptions): QueryFn<TextCausalLMNext, TextTargets> {
  if (typeof options?.sample !== 'function')
    throw new EpochError('EPOCH_INVALID_CONFIG', 'sample must be a function returning tokens');
  return async () => {
    const { tokens, targets } = await sampleBatch(options);
    return {
      synapse: new TextCausalLMNext({ text_inputs: tokens, ...(options.topk ? { topk: options.topk } : {}) }),
      context: { targets },
    };
  };
}

/**
 * A query hook for TextCausalLM (full-sequence scoring), holding out the continuation as
 * {@link textCausalLMNextQuery} does.
 *
 * @example
 * ```ts
 * const query = textCausalLMQuery({ sample: (n) => corpus.next(n), topk: 64 });
 * ```
 */
export function textCausalLMQuery(options: TextQueryOptions): QueryFn<TextCausalLM, TextTargets> {
  if (typeof options?.sample !== 'function')
    throw new EpochError('EPOCH_INVALID_CONFIG', 'sample must be a function returning tokens');
  return async () => {
    const { tokens, targets } = await sampleBatch(options);
    return {
      synapse: new TextCausalLM({ text_inputs: tokens, ...(options.topk ? { topk: options.topk } : {}) }),
      context: { targets },
    };
  };
}

/** Options of the v3 text scorers. */
export interface TextScorerOptions {
  /** `scaling_law_power` (default 0.5, finney's initial value). */
  scalingLawPower?: number;
  /** `synergy_scaling_law_power` (default 0.5). */
  synergyScalingLawPower?: number;
  /** `logits_divergence` penalty weight (default 0.02, finney's initial 1310/65535). */
  logitsDivergence?: number;
  /** The vocabulary the floor is spread over (default 50257, GPT-2). */
  vocabSize?: number;
  /** Largest token id + 1 a phrase may hold (default 50258, v3's `__vocab_size__`). */
  maxTokenId?: number;
  /** Longest phrase accepted, in tokens (default 16). */
  maxPhraseLength?: number;
}

/** Per-uid detail of the text scorers. */
export interface TextScoreDetail extends Record<string, unknown> {
  /** Mean phrase (or sequence) loss, nats. */
  loss?: number;
  /** Mean next-token loss, nats. */
  lossVal?: number;
  /** Synergy share, scaling-law units. */
  synergy?: number;
  /** Logits excess. */
  logitsExcess?: number;
  /** Why the reply earned 0. */
  reason?: string;
}

const bad = (reason: string): TextScoreDetail => ({ reason });

/** Checks one TextCausalLMNext reply's tensor and scans it; a string is the reason it is refused. */
function scanPhrases(
  r: TextCausalLMNext,
  batch: number,
  topk: number,
  o: Required<TextScorerOptions>,
): ScannedReply | string {
  const t = r.topk_phrases;
  if (!t) return 'no topk_phrases in the reply';
  if (!['float32', 'float64', 'float16'].includes(t.baseDtype))
    return `topk_phrases has dtype ${t.dtype}, expected a float type`;
  if (t.shape.length !== 1) return `topk_phrases must be 1-D, got shape [${t.shape.join(', ')}]`;
  const maxValues = batch * (topk + 1) * (1 + o.maxPhraseLength);
  if (t.shape[0]! < batch * (2 * topk + 1))
    return `topk_phrases holds ${t.shape[0]} values, needs at least ${batch * (2 * topk + 1)}`;
  if (t.shape[0]! > maxValues)
    return `topk_phrases holds ${t.shape[0]} values, more than ${maxValues} (phrases over ${o.maxPhraseLength} tokens)`;
  return scanReply(t.toArray() as Float32Array, batch, topk, o);
}

/**
 * Each reply's logits excess, averaged over rows: per row, the Hellinger distance of each reply's first-token
 * distribution from the mean of all of them, through {@link logitsExcess}. One dense row of the vocabulary at a time.
 */
function excessOf(replies: ScannedReply[], o: Required<TextScorerOptions>): Float64Array {
  const n = replies.length;
  const out = new Float64Array(n);
  if (n < 2) return out;
  const batch = replies[0]!.batch;
  const mean = new Float64Array(o.maxTokenId);
  const scratch = firstTokenScratch(o.maxTokenId, replies[0]!.topk);
  const touched: number[] = [];
  const dist = new Float64Array(n);
  for (let b = 0; b < batch; b++) {
    let sumA = 0;
    for (const r of replies) {
      forEachFirstToken(r, b, o.vocabSize, scratch, (t, p) => {
        if (mean[t] === 0) touched.push(t);
        mean[t] = mean[t]! + p / n;
        sumA += p / n;
      });
    }
    replies.forEach((r, u) => {
      let sumP = 0;
      let cross = 0;
      forEachFirstToken(r, b, o.vocabSize, scratch, (t, p) => {
        sumP += p;
        cross += Math.sqrt(p * mean[t]!);
      });
      dist[u] = Math.sqrt(Math.max(0.5 * (sumP + sumA) - cross, 0));
    });
    const ex = logitsExcess(dist);
    for (let u = 0; u < n; u++) out[u] = out[u]! + ex[u]! / batch;
    for (const t of touched) mean[t] = 0;
    touched.length = 0;
  }
  return out;
}

function defaults(o: TextScorerOptions = {}): Required<TextScorerOptions> {
  const r = {
    scalingLawPower: o.scalingLawPower ?? 0.5,
    synergyScalingLawPower: o.synergyScalingLawPower ?? 0.5,
    logitsDivergence: o.logitsDivergence ?? 0.02,
    vocabSize: o.vocabSize ?? STD_VOCAB_SIZE,
    maxTokenId: o.maxTokenId ?? STD_VOCAB_SIZE + 1,
    maxPhraseLength: o.maxPhraseLength ?? 16,
  };
  for (const [k, v] of Object.entries(r))
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new EpochError('EPOCH_INVALID_CONFIG', `${k} must be a non-negative number, got ${String(v)}`);
  return r;
}

/**
 * Turns per-uid losses (and, optionally, first-token distributions) into rewards in [0, 1] as v3 values them: the
 * scaling law on the loss plus the pairwise synergy, divided by the divergence penalty, over the value of a perfect
 * model (`N(1.69)^power`) so that a reward does not depend on who else was in the step.
 */
function v3Rewards(
  ok: boolean[],
  losses: number[],
  rowLosses: Float64Array[],
  excessByIndex: Float64Array | null,
  o: Required<TextScorerOptions>,
  detail: TextScoreDetail[],
): Float64Array {
  const idx = ok.flatMap((v, i) => (v ? [i] : []));
  const rewards = new Float64Array(ok.length);
  if (idx.length === 0) return rewards;
  const { synergy } = shapleySynergy(
    idx.map((i) => rowLosses[i]!),
    o.synergyScalingLawPower,
  );
  const excess = excessByIndex ?? new Float64Array(idx.length);
  const best = scalingLawParams(LOSS_FLOOR, o.scalingLawPower);
  idx.forEach((i, j) => {
    const value =
      (scalingLawParams(losses[i]!, o.scalingLawPower) + synergy[j]!) *
      divergencePenalty(o.logitsDivergence, excess[j]!);
    rewards[i] = Math.min(1, value / best);
    Object.assign(detail[i]!, { synergy: synergy[j]!, logitsExcess: excess[j]! });
  });
  return rewards;
}

/**
 * The v3 TextCausalLMNext scorer: phrase cross-entropy of each reply on the held-out tokens, then the scaling law,
 * synergy and divergence penalty (see {@link TextScorerOptions}). Use with {@link textCausalLMNextQuery}.
 *
 * @example
 * ```ts
 * const epoch = createEpoch({ ..., query: textCausalLMNextQuery({ sample }), score: textCausalLMNextScorer() });
 * ```
 */
export function textCausalLMNextScorer(options: TextScorerOptions = {}): Scorer<TextCausalLMNext, TextTargets> {
  const o = defaults(options);
  return {
    score({ request, responses, context }) {
      if (!context?.targets)
        throw new EpochError(
          'EPOCH_SCORER_FAILED',
          'textCausalLMNextScorer needs { targets } as the query context (use textCausalLMNextQuery)',
        );
      const [batch] = request.text_inputs.shape as [number, number];
      if (context.targets.length !== batch || context.targets.some((t) => !t?.length))
        throw new EpochError(
          'EPOCH_SCORER_FAILED',
          `the query context holds ${context.targets.length} targets for a batch of ${batch} (each must be non-empty)`,
        );
      const ok: boolean[] = [];
      const losses: number[] = [];
      const rowLosses: Float64Array[] = [];
      const scanned: ScannedReply[] = [];
      const detail: TextScoreDetail[] = responses.map((r) => {
        const scan = r.isSuccess ? scanPhrases(r, batch, request.topk, o) : `no reply (${r.dendrite.status_code})`;
        if (typeof scan === 'string') {
          ok.push(false);
          losses.push(NaN);
          rowLosses.push(new Float64Array(0));
          return bad(scan);
        }
        const l = phraseLosses(scan, context.targets, o.vocabSize);
        const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
        ok.push(true);
        losses.push(mean(l.loss));
        rowLosses.push(l.loss);
        scanned.push(scan);
        return { loss: mean(l.loss), lossVal: mean(l.lossVal) };
      });
      return { rewards: v3Rewards(ok, losses, rowLosses, excessOf(scanned, o), o, detail), detail };
    },
  };
}

/** Cross-entropy of `target` under a TextCausalLM top-k position (v3's decode with the floor fill), without the dense vocab. */
function topkCrossEntropy(v: ArrayLike<number>, at: number, k: number, target: number, vocab: number): number {
  const top = new Map<number, number>();
  let mass = 0;
  for (let j = 0; j < k; j++) {
    const p = v[at + j]!;
    mass += p;
    top.set(v[at + k + j]!, p + 1e-40);
  }
  const rest = Math.min(Math.max(1 - mass, 1e-40), 1);
  const floor = rest / (vocab - k);
  let z = (vocab - top.size) * floor;
  for (const p of top.values()) z += p;
  const pt = top.get(target) ?? floor;
  return -Math.log(pt) + Math.log(z);
}

/**
 * The v3 TextCausalLM scorer: token cross-entropy of the decoded top-k logits over the sequence (position i predicts
 * token i+1) and on the first held-out token; the reward uses the worse of the two (v3's `shapley_values_min`).
 *
 * @example
 * ```ts
 * const epoch = createEpoch({ ..., query: textCausalLMQuery({ sample, topk: 64 }), score: textCausalLMScorer() });
 * ```
 */
export function textCausalLMScorer(options: TextScorerOptions = {}): Scorer<TextCausalLM, TextTargets> {
  const o = defaults(options);
  const vocab = o.maxTokenId;
  return {
    score({ request, responses, context }) {
      if (!context?.targets)
        throw new EpochError(
          'EPOCH_SCORER_FAILED',
          'textCausalLMScorer needs { targets } as the query context (use textCausalLMQuery)',
        );
      const [batch, seq] = request.text_inputs.shape as [number, number];
      const k = request.topk;
      const inputs = request.text_inputs.toArray() as BigInt64Array;
      const ok: boolean[] = [];
      const losses: number[] = [];
      const rowLosses: Float64Array[] = [];
      const detail: TextScoreDetail[] = responses.map((r) => {
        const reason = ((): string | null => {
          if (!r.isSuccess) return `no reply (${r.dendrite.status_code})`;
          const t = r.logits;
          if (!t) return 'no logits in the reply';
          if (!['float32', 'float64', 'float16'].includes(t.baseDtype))
            return `logits has dtype ${t.dtype}, expected a float type`;
          if (t.shape.length !== 3 || t.shape[0] !== batch || t.shape[1] !== seq || t.shape[2] !== 2 * k)
            return `logits shape [${t.shape.join(', ')}] != [${batch}, ${seq}, ${2 * k}]`;
          const v = t.toArray() as Float32Array;
          for (let p = 0; p < batch * seq; p++) {
            let mass = 0;
            for (let j = 0; j < k; j++) {
              const prob = v[p * 2 * k + j]!;
              const id = v[p * 2 * k + k + j]!;
              if (!(prob >= 0 && prob <= 1 + 1e-6)) return `probability ${prob} at position ${p} is outside [0, 1]`;
              if (!Number.isInteger(id) || id < 0 || id >= vocab)
                return `token id ${id} at position ${p} is outside [0, ${vocab})`;
              mass += prob;
            }
            if (mass > 1 + 1e-4) return `probabilities at position ${p} sum to ${mass.toFixed(6)} > 1`;
          }
          return null;
        })();
        if (reason) {
          ok.push(false);
          losses.push(NaN);
          rowLosses.push(new Float64Array(0));
          return bad(reason);
        }
        const v = r.logits!.toArray() as Float32Array;
        const rows = new Float64Array(batch);
        let seqLoss = 0;
        let valLoss = 0;
        for (let b = 0; b < batch; b++) {
          let rowSum = 0;
          for (let s = 0; s + 1 < seq; s++)
            rowSum += topkCrossEntropy(v, (b * seq + s) * 2 * k, k, Number(inputs[b * seq + s + 1]), vocab);
          const val = topkCrossEntropy(v, (b * seq + seq - 1) * 2 * k, k, context.targets[b]![0]!, vocab);
          rows[b] = seq > 1 ? rowSum / (seq - 1) : val;
          seqLoss += rows[b]!;
          valLoss += val;
        }
        seqLoss /= batch;
        valLoss /= batch;
        ok.push(true);
        // v3 credits the worse of the two: the higher loss.
        losses.push(Math.max(seqLoss, valLoss));
        rowLosses.push(rows);
        return { loss: seqLoss, lossVal: valLoss };
      });
      return { rewards: v3Rewards(ok, losses, rowLosses, null, o, detail), detail };
    },
  };
}
