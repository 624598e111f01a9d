import { describe, expect, it } from 'vitest';
import { buildTopkTokenPhrases, compactTopkTokenPhrases, type TopkPhrases } from '../../src/codec/index.js';
import {
  EpochError,
  SN19_TASKS,
  capacityScores,
  checkFraction,
  correctnessLatencyReward,
  correctnessScorer,
  createCapacityLedger,
  createV3NeuronStats,
  cubedShares,
  declarableVolume,
  divergencePenalty,
  divergencesFromMean,
  hellinger,
  latencyFactor,
  logitsExcess,
  normalisedPeriodScore,
  periodScore,
  routingTarget,
  scalingLawParams,
  shapleySynergy,
  speedFactor,
  storeProbability,
  syntheticPlan,
  textCausalLMNextScorer,
  textCausalLMScorer,
  weightsFromScores,
  type ScoreContext,
} from '../../src/epoch/index.js';
import { encodeCausalLMTopk } from '../../src/codec/index.js';
import { Tensor, TextCausalLM, TextCausalLMNext } from '../../src/synapse/index.js';
import type { Metagraph } from '../../src/metagraph/index.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('v3 scaling law and synergy (spec §7 vectors)', () => {
  it('N(loss) and N(loss)^0.5 match the vectors within float32 precision', () => {
    const cases: [number, number, number | null][] = [
      [1.0, 8.830258e10, 2.971575e5],
      [1.69, 8.830258e10, 2.971575e5],
      [2.0, 9.628567e9, 9.812526e4],
      [2.5, 5.110106e8, 2.260554e4],
      [3.0, 4.640571e7, 6.812174e3],
      [3.5, 6.105098e6, null],
      [4.0, 1.053515e6, 1026.409],
      [5.0, 5.59125e4, null],
      [6.0, 5.077506e3, 71.25662],
      [20, 6.693711e-4, null],
    ];
    for (const [loss, n, sqrt] of cases) {
      expect(rel(scalingLawParams(loss), n)).toBeLessThan(3e-6);
      if (sqrt !== null) expect(rel(scalingLawParams(loss, 0.5), sqrt)).toBeLessThan(3e-6);
    }
    // NaN and infinite losses count as 20, as v3 replaces them.
    expect(scalingLawParams(NaN)).toBe(scalingLawParams(20));
    expect(scalingLawParams(Infinity)).toBe(scalingLawParams(20));
  });

  it('routing targets', () => {
    expect(routingTarget(2.0)).toBeCloseTo(0.733447, 6);
    expect(routingTarget(3.0)).toBeCloseTo(0.26982, 6);
    expect(routingTarget(4.0)).toBeCloseTo(0.099261, 6);
    expect(routingTarget(1.0)).toBe(1);
  });

  it('pairwise synergy: measured loss, loss-diff share, synergy share at q = 0.5 and 0.6', () => {
    const a = Float64Array.of(1.8, 5.0);
    const b = Float64Array.of(5.0, 1.8);
    const measured =
      (-Math.log((Math.exp(-1.8) + Math.exp(-5)) / 2) - Math.log((Math.exp(-5) + Math.exp(-1.8)) / 2)) / 2;
    expect(measured).toBeCloseTo(2.4531938, 6);
    const half = shapleySynergy([a, b], 0.5);
    expect(half.lossDiff[0]).toBeCloseTo(0.2367015, 6);
    expect(rel(half.synergy[0]!, 5652.148)).toBeLessThan(3e-6);
    expect(half.synergy[1]).toBe(half.synergy[0]);
    expect(rel(scalingLawParams(3.4, 0.5), 2989.988)).toBeLessThan(3e-6);
    expect(rel(shapleySynergy([a, b], 0.6).synergy[0]!, 45025.68)).toBeLessThan(3e-6);
    // Identical predictions add nothing; a lone responder has no pair.
    expect(shapleySynergy([a, Float64Array.from(a)], 0.5).synergy[0]).toBe(0);
    expect(shapleySynergy([a], 0.5).synergy[0]).toBe(0);
  });

  it('logits excess, Hellinger distance and the divergence penalty', () => {
    const ex = logitsExcess([0.1, 0.12, 0.11, 0.5]);
    expect(Array.from(ex.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(ex[3]).toBeCloseTo(0.1240177, 6);
    expect(logitsExcess([0.1, 0.12, 0.11, 0.13, 0.1, 0.12, 0.11, 0.9])[7]).toBeCloseTo(3.197182, 5);
    expect(hellinger([0.7, 0.2, 0.1], [0.4, 0.4, 0.2])).toBeCloseTo(0.2158371, 7);
    expect(divergencePenalty(0.02, 2.0)).toBeCloseTo(0.9615385, 7);
    // One responder: v3 gets NaN; we give 0.
    expect(Array.from(logitsExcess([0.3]))).toEqual([0]);
    // The sparse form equals the dense Hellinger distance from the mean.
    const p = new Map([
      [1, 0.7],
      [2, 0.2],
      [3, 0.1],
    ]);
    const q = new Map([
      [1, 0.1],
      [2, 0.4],
      [4, 0.5],
    ]);
    const dense = (m: Map<number, number>) => [1, 2, 3, 4].map((t) => m.get(t) ?? 0);
    const mean = dense(p).map((v, i) => (v + dense(q)[i]!) / 2);
    const d = divergencesFromMean([p, q]);
    expect(d[0]).toBeCloseTo(hellinger(dense(p), mean), 12);
    expect(d[1]).toBeCloseTo(hellinger(dense(q), mean), 12);
  });

  it('createV3NeuronStats: EMA of the statistics, the Shapley value from the EMA loss, decay without answers', () => {
    const stats = createV3NeuronStats({ scalingLawPower: 0.5, logitsDivergence: 0.02 });
    const s1 = stats.update(3, { loss: 2.0, lossVal: 1.9, synergy: 0, logitsExcess: 0 });
    expect(s1.loss).toBe(2.0);
    expect(s1.shapley).toBeCloseTo(0.1 * scalingLawParams(2.0, 0.5), 6);
    const first = s1.shapley; // the record is updated in place
    const s2 = stats.update(3, { loss: 3.0, lossVal: 2.9, synergy: 100, logitsExcess: 2 });
    expect(s2.loss).toBeCloseTo(0.9 * 2.0 + 0.1 * 3.0, 12);
    expect(s2.synergy).toBeCloseTo(10, 12); // 0.9 · 0 + 0.1 · 100
    expect(s2.logitsExcess).toBeCloseTo(0.2, 12);
    const value = (scalingLawParams(2.1, 0.5) + 10) / (1 + 0.02 * 0.2);
    expect(s2.shapley).toBeCloseTo(0.9 * first + 0.1 * value, 6);
    const before = s2.shapley;
    expect(stats.update(3, null).shapley).toBeCloseTo(0.9 * before, 9);
    expect(stats.get(3)!.updates).toBe(3);
    expect(stats.get(3)!.responses).toBe(2);
    const w = stats.weights(5);
    expect(w[3]).toBeCloseTo(0.9 * before, 9);
    expect(w[0]).toBe(0);
    stats.reset(3);
    expect(stats.get(3)).toBeUndefined();
  });
});

describe('SN19 capacity scoring (spec §7 vectors)', () => {
  const t = SN19_TASKS;
  it('speed factors', () => {
    const proteus = t['proteus-text-to-image']!.speed;
    expect(speedFactor(0.5, 8, proteus)).toBeCloseTo(1.6, 9);
    expect(speedFactor(1.94, 8, proteus)).toBeCloseTo(1.0, 9);
    expect(speedFactor(2.5, 8, proteus)).toBeCloseTo(0.810584, 6);
    expect(speedFactor(5.0, 8, proteus)).toBeCloseTo(0.317429, 6);
    const playground = t['playground-text-to-image']!.speed;
    expect(speedFactor(3.0, 25, playground)).toBeCloseTo(1.0, 9);
    expect(speedFactor(5.0, 25, playground)).toBeCloseTo(0.449329, 6);
    expect(speedFactor(11, 15, t.avatar!.speed)).toBeCloseTo(1.0, 9);
    expect(speedFactor(3, 10, t.inpaint!.speed)).toBeCloseTo(0.941765, 6);
    const llama = t['chat-llama-3']!.speed;
    expect(speedFactor(5, 1000, llama)).toBeCloseTo(1.504538, 6);
    expect(speedFactor(9, 1000, llama)).toBeCloseTo(1.0, 9);
    expect(speedFactor(15, 1000, llama)).toBeCloseTo(0.618783, 6);
    expect(speedFactor(7, 1000, t['chat-mixtral']!.speed)).toBeCloseTo(1.0, 9);
    expect(speedFactor(null, 8, proteus)).toBe(0);
  });

  it('period scores', () => {
    expect(periodScore({ declared: 3600, consumed: 180, total: 18, n429: 0, n500: 0 })).toBeCloseTo(1.0, 9);
    expect(periodScore({ declared: 3600, consumed: 150, total: 18, n429: 2, n500: 1 })).toBeCloseTo(0.7049558, 7);
    expect(periodScore({ declared: 3600, consumed: 3600, total: 400, n429: 40, n500: 0 })).toBeCloseTo(0.9, 9);
    expect(periodScore({ declared: 3600, consumed: 0, total: 18, n429: 18, n500: 0 })).toBe(0);
    expect(periodScore({ declared: 3600, consumed: 90, total: 18, n429: 0, n500: 9 })).toBeCloseTo(0.25625, 9);
    expect(periodScore({ declared: 3600, consumed: 0, total: 0, n429: 0, n500: 0 })).toBeNull();
    expect(periodScore({ declared: 0, consumed: 0, total: 3, n429: 0, n500: 0 })).toBeNull();
  });

  it('normalised period scores', () => {
    expect(normalisedPeriodScore([{ score: 1, consumed: 100 }])).toBeCloseTo(0.78125, 9);
    expect(
      normalisedPeriodScore([
        { score: 1, consumed: 100 },
        { score: 0.5, consumed: 100 },
      ]),
    ).toBeCloseTo(0.677083, 6);
    expect(
      normalisedPeriodScore([
        { score: 0.8, consumed: 100 },
        { score: 1, consumed: 200 },
        { score: 1, consumed: 100 },
        { score: 0.2, consumed: 50 },
      ]),
    ).toBeCloseTo(0.780405, 6);
    expect(normalisedPeriodScore(Array.from({ length: 8 }, () => ({ score: 1, consumed: 100 })))).toBeCloseTo(1.0, 9);
    expect(normalisedPeriodScore(Array.from({ length: 10 }, () => ({ score: 0.9, consumed: 100 })))).toBeCloseTo(
      0.9,
      9,
    );
    expect(normalisedPeriodScore([{ score: 1, consumed: 0 }])).toBe(0);
  });

  it('final weights: cubed shares summed by task weight', () => {
    const shares = cubedShares([1846.8, 1440, 1620]);
    expect(Array.from(shares).map((v) => +v.toFixed(6))).toEqual([0.465327, 0.22059, 0.314083]);
    const total = capacityScores(3, [
      { weight: 0.2, quality: [1, 1, 1], periodScore: [1, 1, 1], capacity: [1846.8, 1440, 1620] },
      { weight: 0.1, quality: [1, 1, 0], periodScore: [1, 1, 0], capacity: [500, 0, 0] },
    ]);
    expect(total[0]).toBeCloseTo(0.193065, 6);
    expect(total[1]).toBeCloseTo(0.044118, 6);
    expect(total[2]).toBeCloseTo(0.062817, 6);
    expect(Array.from(cubedShares([0, 0]))).toEqual([0, 0]);
  });

  it('synthetic plans, declarable volumes and the store-for-checking probability', () => {
    expect(syntheticPlan(3600, 0.05, 10)).toMatchObject({ requests: 18, delaySeconds: 196 });
    expect(syntheticPlan(576000, 0.05, 300)).toMatchObject({ requests: 96, delaySeconds: 36 });
    expect(syntheticPlan(1120, 0.05, 10)).toMatchObject({ requests: 5, delaySeconds: 705 });
    expect(syntheticPlan(10000, 0.6, 50)).toMatchObject({ requests: 120, delaySeconds: 29 });
    expect(declarableVolume(t['chat-llama-3']!.speed, { concurrency: 20, text: true })).toBeCloseTo(2_250_000, 3);
    expect(declarableVolume(t['proteus-text-to-image']!.speed)).toBeCloseTo(20_000, 6);
    expect(declarableVolume(t['playground-text-to-image']!.speed)).toBeCloseTo(36_000, 6);
    expect(storeProbability(0.2, 250)).toBeCloseTo(0.1296, 9);
    expect(storeProbability(0.1, 150)).toBeCloseTo(0.1031123, 7);
    expect(storeProbability(0.05, 60)).toBeCloseTo(0.3765186, 7);
    expect(storeProbability(0.2, 100)).toBe(1);
    const draws = Array.from({ length: 2000 }, () => checkFraction());
    expect(draws.every((f) => (f >= 0.05 && f <= 0.1) || (f >= 0.4 && f <= 0.8))).toBe(true);
    expect(() => syntheticPlan(100, 0.05, 0)).toThrow(EpochError);
  });

  it('the ledger counts successes, 429s and failures into period scores', () => {
    const ledger = createCapacityLedger();
    ledger.declare('proteus', 1, 3600);
    for (let i = 0; i < 15; i++) ledger.record('proteus', 1, { status: 200, work: 10 });
    ledger.record('proteus', 1, { status: 429, work: 0 });
    ledger.record('proteus', 1, { status: 429, work: 0 });
    ledger.record('proteus', 1, { status: 500, work: 0 });
    expect(ledger.get('proteus', 1)).toEqual({ declared: 3600, consumed: 150, total: 18, n429: 2, n500: 1 });
    expect(ledger.scores('proteus').get(1)).toBeCloseTo(0.7049558, 7);
    expect(ledger.done('proteus', 1, 150)).toBe(true);
    ledger.clear();
    expect(ledger.scores('proteus').size).toBe(0);
  });
});

describe('generic correctness × latency', () => {
  it('rewards fast correct answers most and wrong answers nothing', () => {
    expect(latencyFactor(0, 12)).toBe(1);
    expect(latencyFactor(3, 12)).toBeCloseTo(0.875, 12);
    expect(latencyFactor(24, 12)).toBe(0.5);
    expect(correctnessLatencyReward(1, 0.12, 12)).toBeCloseTo(0.995, 12);
    expect(correctnessLatencyReward(0, 0.1, 12)).toBe(0);
    expect(correctnessLatencyReward(NaN, 0.1, 12)).toBe(0);
    expect(correctnessLatencyReward(7, 0, 12)).toBe(1);
  });
});

// ---- the text scorers on hand-built replies ----

const VOCAB = 50257;
const TOPK = 4;

function request(batch = 2, seq = 3): TextCausalLMNext {
  return new TextCausalLMNext({
    text_inputs: Tensor.fromArray(new BigInt64Array(batch * seq).fill(5n), { shape: [batch, seq] }),
    topk: TOPK,
  });
}

function reply(req: TextCausalLMNext, compact: ArrayLike<number> | null, status = 200): TextCausalLMNext {
  const r = req.copy();
  if (compact) r.topk_phrases = Tensor.fromArray(Float32Array.from(compact), { shape: [compact.length] });
  r.dendrite.status_code = status;
  r.axon.status_code = status;
  return r;
}

/** Top-k phrases that put `pTarget` on token `target` and spread the rest over tokens 100.. */
function phrases(batch: number, target: number, pTarget: number): TopkPhrases {
  const logits = new Float32Array(batch * 16).fill(-20);
  for (let b = 0; b < batch; b++) {
    logits[b * 16 + (target % 16)] = Math.log(pTarget);
    for (let j = 1; j < TOPK; j++) logits[b * 16 + ((target + j) % 16)] = Math.log((1 - pTarget) / (TOPK - 1));
  }
  const tp = buildTopkTokenPhrases({
    logits,
    batch,
    topk: TOPK,
    phraseOf: (id) => [id === target % 16 ? target : 100 + id],
  });
  return tp;
}

function ctx<S extends TextCausalLMNext | TextCausalLM>(
  req: S,
  responses: S[],
  targets: number[][],
): ScoreContext<S, { targets: number[][] }> {
  return {
    request: req,
    uids: responses.map((_, i) => i),
    responses,
    context: { targets },
    step: 0,
    block: 0,
    metagraph: {} as Metagraph,
  };
}

describe('textCausalLMNextScorer', () => {
  const scorer = textCausalLMNextScorer({ vocabSize: VOCAB });
  const targets = [
    [7, 1],
    [7, 1],
  ];

  async function run(responses: TextCausalLMNext[], req = request()) {
    const out = await scorer.score(ctx(req, responses, targets));
    return out as { rewards: number[]; detail: { reason?: string; loss?: number }[] };
  }

  it('rates better predictions higher, every reward in [0, 1]', async () => {
    const req = request();
    // Losses above the 1.69-nat floor, where the scaling law tells them apart.
    const good = reply(req, compactTopkTokenPhrases(phrases(2, 7, 0.15)));
    const fair = reply(req, compactTopkTokenPhrases(phrases(2, 7, 0.07)));
    const poor = reply(req, compactTopkTokenPhrases(phrases(2, 7, 0.02)));
    const { rewards, detail } = await run([good, fair, poor], req);
    expect(rewards[0]).toBeGreaterThan(rewards[1]!);
    expect(rewards[1]).toBeGreaterThan(rewards[2]!);
    for (const r of rewards) expect(r >= 0 && r <= 1).toBe(true);
    expect(detail[0]!.loss).toBeCloseTo(-Math.log(0.15), 3);
  });

  it('permuting the replies permutes the rewards', async () => {
    const req = request();
    const rs = [0.15, 0.07, 0.02, 0.1].map((p) => reply(req, compactTopkTokenPhrases(phrases(2, 7, p))));
    const a = (await run(rs, req)).rewards;
    const perm = [2, 0, 3, 1];
    const b = (
      await run(
        perm.map((i) => rs[i]!),
        req,
      )
    ).rewards;
    perm.forEach((from, to) => {
      expect(b[to]).toBeCloseTo(a[from]!, 12);
    });
  });

  it('gives bad output 0 with a reason and never throws', async () => {
    const req = request();
    const ok = compactTopkTokenPhrases(phrases(2, 7, 0.9));
    const withNaN = Float32Array.from(ok);
    withNaN[0] = NaN;
    const negative = Float32Array.from(ok);
    negative[0] = -0.5;
    const outside = compactTopkTokenPhrases({
      ...phrases(2, 7, 0.9),
      phrases: phrases(2, 7, 0.9).phrases.map((p, i) => (i === 1 ? [60000] : [...p])),
    });
    const tooLong = compactTopkTokenPhrases({
      ...phrases(2, 7, 0.9),
      phrases: phrases(2, 7, 0.9).phrases.map((p, i) => (i === 1 ? Array(17).fill(3) : [...p])),
    });
    const overMass = compactTopkTokenPhrases({
      ...phrases(2, 7, 0.9),
      probs: Float64Array.from(phrases(2, 7, 0.9).probs, () => 0.9),
    });
    const cases: [string, TextCausalLMNext][] = [
      ['missing', reply(req, null)],
      ['failed', reply(req, ok, 408)],
      ['short', reply(req, ok.subarray(0, 5))],
      ['nan', reply(req, withNaN)],
      ['negative', reply(req, negative)],
      ['outside vocab', reply(req, outside)],
      ['phrase too long', reply(req, tooLong)],
      ['mass over 1', reply(req, overMass)],
      [
        'oversized',
        reply(
          req,
          Float32Array.from({ length: 200_000 }, (_, i) => (i % 2 ? 50 : 0.0001)),
        ),
      ],
      ['one row for two', reply(req, compactTopkTokenPhrases(phrases(1, 7, 0.9)))],
    ];
    const wrongShape = reply(req, ok);
    wrongShape.topk_phrases = Tensor.fromArray(Float32Array.from(ok), { shape: [1, ok.length] });
    cases.push(['2-D', wrongShape]);
    const ints = reply(req, ok);
    ints.topk_phrases = Tensor.fromArray(new BigInt64Array(ok.length), { shape: [ok.length] });
    cases.push(['int dtype', ints]);
    const { rewards, detail } = await run([reply(req, ok), ...cases.map((c) => c[1])], req);
    expect(rewards[0]).toBeGreaterThan(0);
    cases.forEach(([name], i) => {
      expect(rewards[i + 1], name).toBe(0);
      expect(typeof detail[i + 1]!.reason, name).toBe('string');
    });
  });

  it('refuses to run without targets (a wiring error, not a miner fault)', async () => {
    const req = request();
    await expect(
      Promise.resolve().then(() => scorer.score({ ...ctx(req, [], targets), context: undefined as never })),
    ).rejects.toThrow(EpochError);
  });
});

describe('textCausalLMScorer', () => {
  it('rates the sequence and the held-out token, and refuses malformed logits', async () => {
    const B = 1;
    const S = 3;
    const k = 2;
    const tokens = [10, 11, 12];
    const req = new TextCausalLM({
      text_inputs: Tensor.fromArray(BigInt64Array.from(tokens.map(BigInt)), { shape: [B, S] }),
      topk: k,
    });
    // Logits that predict the next token with probability p at every position (and 13 after the last).
    const logitsFor = (p: number) => {
      const l = new Float32Array(S * 20).fill(-30);
      for (let s = 0; s < S; s++) {
        l[s * 20 + tokens[s]! + 1 - 10] = Math.log(p);
        l[s * 20 + 19] = Math.log(1 - p);
      }
      // ids in the encoding are 0..19; shift to the real ids 10..
      const enc = encodeCausalLMTopk(l, { positions: S, topk: k });
      for (let s = 0; s < S; s++) for (let j = 0; j < k; j++) enc[s * 2 * k + k + j] = enc[s * 2 * k + k + j]! + 10;
      return enc;
    };
    const mk = (values: Float32Array | null, shape = [B, S, 2 * k]) => {
      const r = req.copy();
      if (values) r.logits = Tensor.fromArray(values, { shape });
      r.dendrite.status_code = 200;
      return r;
    };
    const badId = logitsFor(0.9);
    badId[k] = 99999;
    const scorer = textCausalLMScorer();
    const out = (await scorer.score(
      ctx(
        req,
        [
          mk(logitsFor(0.12)),
          mk(logitsFor(0.05)),
          mk(null),
          mk(logitsFor(0.9).subarray(0, B * S * k), [B, S, k]),
          mk(badId),
        ],
        [[13]],
      ),
    )) as {
      rewards: number[];
      detail: { loss?: number; lossVal?: number; reason?: string }[];
    };
    expect(out.detail[0]!.loss).toBeCloseTo(-Math.log(0.12), 4);
    expect(out.detail[0]!.lossVal).toBeCloseTo(-Math.log(0.12), 4);
    expect(out.detail[1]!.loss).toBeCloseTo(-Math.log(0.05), 4);
    expect(out.rewards[0]).toBeGreaterThan(out.rewards[1]!);
    expect(Array.from(out.rewards.slice(2))).toEqual([0, 0, 0]);
    expect(out.detail[3]!.reason).toMatch(/shape/);
    expect(out.detail[4]!.reason).toMatch(/outside/);
  });
});

describe('correctnessScorer and weightsFromScores', () => {
  it('scores each reply and survives a throwing check', async () => {
    const req = request();
    const replies = [reply(req, [0.5]), reply(req, [0.5]), reply(req, null, 503)];
    replies[0]!.dendrite.process_time = 1.2;
    replies[1]!.dendrite.process_time = 0.1;
    const scorer = correctnessScorer<TextCausalLMNext>((r) => {
      if (r.dendrite.process_time === 0.1) throw new Error('boom');
      return 1;
    });
    const out = (await scorer.score(ctx(req, replies, []))) as { rewards: number[]; detail: { reason?: string }[] };
    expect(out.rewards[0]).toBeCloseTo(0.95, 9);
    expect(out.rewards[1]).toBe(0);
    expect(out.detail[1]!.reason).toMatch(/boom/);
    expect(out.rewards[2]).toBe(0);
  });

  it('weights from averages are L1-normalised, or null when all are zero', () => {
    expect(weightsFromScores(Float64Array.of(0, 0), 2)).toBeNull();
    expect(weightsFromScores(Float64Array.of(1, 3), 2)).toEqual({ uids: [0, 1], weights: [0.25, 0.75] });
  });
});

describe('the in-place phrase scan', () => {
  it('gives the same losses as phraseCrossEntropy, multi-token and over-long phrases included', async () => {
    const { scanReply, phraseLosses } = await import('../../src/epoch/scorers/phrase-scan.js');
    const { phraseCrossEntropy, unravelTopkTokenPhrases } = await import('../../src/codec/index.js');
    let seed = 3;
    const r = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 20; trial++) {
      const batch = 3;
      const k = 6;
      const probs = new Float64Array(batch * k);
      const floors = new Float64Array(batch);
      const phrasesList: number[][] = [];
      const targets: number[][] = [];
      for (let b = 0; b < batch; b++) {
        const target = Array.from({ length: 1 + Math.floor(r() * 4) }, () => Math.floor(r() * 5));
        targets.push(target);
        let sum = 0;
        for (let j = 0; j < k; j++) sum += probs[b * k + j] = r();
        for (let j = 0; j < k; j++) probs[b * k + j] = (0.9 * probs[b * k + j]!) / sum;
        floors[b] = 0.1 / (50257 - k);
        for (let j = 0; j < k; j++) {
          const len = 1 + Math.floor(r() * 6);
          // half the phrases are prefixes of the target (or extend it), so every branch is exercised
          phrasesList.push(
            Array.from({ length: len }, (_, i) => (r() < 0.5 && i < target.length ? target[i]! : Math.floor(r() * 5))),
          );
        }
      }
      const compact = compactTopkTokenPhrases({ batch, topk: k, probs, floors, phrases: phrasesList });
      const scan = scanReply(compact, batch, k, { maxTokenId: 50258, maxPhraseLength: 16 });
      if (typeof scan === 'string') throw new Error(scan);
      const ours = phraseLosses(scan, targets, 50257);
      const ref = phraseCrossEntropy(targets, unravelTopkTokenPhrases(compact, k));
      for (let b = 0; b < batch; b++) {
        expect(ours.loss[b]).toBeCloseTo(ref.lossPerRow[b]!, 10);
        expect(ours.lossVal[b]).toBeCloseTo(ref.lossValPerRow[b]!, 10);
      }
    }
  });
});
