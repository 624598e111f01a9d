/**
 * The validator loop at n = 256: a devnet subnet with 256 in-process miners on real axons answering instantly, one
 * validator running the Epoch. Each step's time is split into the dendrite fan-out (waiting for miners), scoring,
 * chain waits and the loop's own bookkeeping; plus the time to the first weights on chain and the heap after 1,000
 * steps. Separately, v3 TextCausalLMNext scoring of 256 replies at top-k 4096 next to a plain float64 reference of the
 * same math (dense vocabulary arrays, as v3 computes it), in the same run.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { phraseCrossEntropy, unravelTopkTokenPhrases } from '../src/codec/index.js';
import { createAxon, type Axon } from '../src/axon/index.js';
import { createDendrite } from '../src/dendrite/index.js';
import { startDevnet } from '../src/devnet/index.js';
import {
  createEpoch,
  textCausalLMNextScorer,
  type StepReport,
  type ScoreContext,
  type TextTargets,
  scalingLawParams,
  LOSS_FLOOR,
} from '../src/epoch/index.js';
import { cryptoReady, keypairFromUri } from '../src/keys/index.js';
import type { Metagraph } from '../src/metagraph/index.js';
import { createSubtensor } from '../src/subtensor/index.js';
import { Tensor, TextCausalLMNext } from '../src/synapse/index.js';
import type { BenchReport } from './run.js';

const MINERS = 256;
const TAO = 1_000_000_000n;
const VOCAB = 50257;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * A reply of `batch` rows × `k` phrases (mostly single tokens, one in eight two tokens long), random probabilities,
 * written straight into the compact float form (no phrase lists: 256 such replies hold 33 million phrases).
 */
function randomReply(req: TextCausalLMNext, batch: number, k: number, seed: number): TextCausalLMNext {
  const r = rng(seed);
  const long = Math.floor(k / 8);
  const compact = new Float32Array(batch * (2 * k + 1) + batch * long);
  const p = new Float64Array(k);
  const used = new Uint8Array(VOCAB);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += p[j] = r() ** 4;
    used.fill(0);
    for (let j = 0; j < k; j++) {
      compact[o++] = (0.95 * p[j]!) / sum;
      let t = Math.floor(r() * VOCAB);
      while (used[t]) t = (t + 1) % VOCAB;
      used[t] = 1;
      compact[o++] = t + 2;
      if (j % 8 === 7) compact[o++] = Math.floor(r() * VOCAB) + 2;
    }
    compact[o++] = 0.05 / (VOCAB - k);
  }
  const out = req.copy();
  out.topk_phrases = Tensor.fromArray(compact, { shape: [compact.length] });
  out.dendrite.status_code = 200;
  return out;
}

/**
 * The same scoring math written plainly in float64 as v3 computes it with torch: each reply unravelled into phrase
 * lists and scored with `phraseCrossEntropy`; dense 50,258-wide first-token rows; dense Hellinger distances; the
 * pairwise synergy. Replies are unravelled one at a time (their first-token entries kept as typed arrays) so that it
 * fits in memory at all.
 */
function referenceScore(ctx: ScoreContext<TextCausalLMNext, TextTargets>): Float64Array {
  const k = ctx.request.topk;
  const V = VOCAB + 1;
  const n = ctx.responses.length;
  const batch = ctx.context.targets.length;
  const firstTok = new Int32Array(n * batch * k);
  const firstP = new Float64Array(n * batch * k);
  const losses = ctx.responses.map((r, u) => {
    const tp = unravelTopkTokenPhrases(r.topk_phrases!.toArray() as Float32Array, k);
    for (let b = 0; b < batch; b++) {
      let total = Math.max(0, VOCAB - k) * tp.floors[b]!;
      for (let j = 0; j < k; j++) total += tp.probs[b * k + j]!;
      for (let j = 0; j < k; j++) {
        firstTok[(u * batch + b) * k + j] = tp.phrases[b * k + j]![0]!;
        firstP[(u * batch + b) * k + j] = tp.probs[b * k + j]! / total;
      }
    }
    return phraseCrossEntropy(ctx.context.targets, tp);
  });
  const excess = new Float64Array(n);
  const d = new Float64Array(V);
  const mean = new Float64Array(V);
  for (let b = 0; b < batch; b++) {
    mean.fill(0);
    for (let u = 0; u < n; u++)
      for (let j = 0; j < k; j++) mean[firstTok[(u * batch + b) * k + j]!]! += firstP[(u * batch + b) * k + j]! / n;
    const dist = new Float64Array(n);
    for (let u = 0; u < n; u++) {
      d.fill(0);
      for (let j = 0; j < k; j++) d[firstTok[(u * batch + b) * k + j]!]! += firstP[(u * batch + b) * k + j]!;
      let s = 0;
      for (let v = 0; v < V; v++) s += (Math.sqrt(d[v]!) - Math.sqrt(mean[v]!)) ** 2;
      dist[u] = Math.sqrt(0.5 * s);
    }
    let avg = 0;
    for (const x of dist) avg += x / n;
    let ss = 0;
    for (const x of dist) ss += (x - avg) ** 2;
    const std = Math.sqrt(ss / (n - 1));
    for (let u = 0; u < n; u++)
      excess[u]! += Math.min(Math.max((Math.max(dist[u]! - (avg + std), 0) / (std + 1e-9)) ** 3, 0), 10) / batch;
  }
  const synergy = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    for (let c = a + 1; c < n; c++) {
      const la = losses[a]!.lossPerRow;
      const lc = losses[c]!.lossPerRow;
      let measured = 0;
      for (let i = 0; i < la.length; i++)
        measured += -Math.log((Math.exp(-la[i]!) + Math.exp(-lc[i]!)) / 2 + 1e-40) / la.length;
      const expected = Math.min(losses[a]!.loss, losses[c]!.loss);
      const share = Math.max(scalingLawParams(measured, 0.5) - scalingLawParams(expected, 0.5), 0) / 2 / n;
      synergy[a]! += share;
      synergy[c]! += share;
    }
  }
  const best = scalingLawParams(LOSS_FLOOR, 0.5);
  return Float64Array.from(losses, (l, u) =>
    Math.min(1, (scalingLawParams(l.loss, 0.5) + synergy[u]!) / (1 + 0.02 * excess[u]!) / best),
  );
}

async function scoringFigures() {
  const batch = 32;
  const k = 4096;
  const req = new TextCausalLMNext({
    text_inputs: Tensor.fromArray(new BigInt64Array(batch * 8).fill(262n), { shape: [batch, 8] }),
    topk: k,
  });
  const responses = Array.from({ length: MINERS }, (_, i) => randomReply(req, batch, k, i + 1));
  const r = rng(99);
  const targets = Array.from({ length: batch }, () => Array.from({ length: 8 }, () => Math.floor(r() * VOCAB)));
  const ctx: ScoreContext<TextCausalLMNext, TextTargets> = {
    request: req,
    uids: responses.map((_, i) => i),
    responses,
    context: { targets },
    step: 0,
    block: 0,
    metagraph: {} as Metagraph,
  };
  const scorer = textCausalLMNextScorer();
  const time = async (fn: () => unknown) => {
    const s = performance.now();
    await fn();
    return performance.now() - s;
  };
  // One warm-up each, then the median of three, interleaved.
  let ours: unknown;
  await time(() => (ours = scorer.score(ctx)));
  let ref: Float64Array | null = null;
  await time(() => (ref = referenceScore(ctx)));
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 3; i++) {
    a.push(await time(() => scorer.score(ctx)));
    b.push(await time(() => referenceScore(ctx)));
  }
  const med = (x: number[]) => x.sort((p, q) => p - q)[1]!;
  const oursRewards = (ours as { rewards: Float64Array }).rewards;
  let maxDiff = 0;
  for (let i = 0; i < MINERS; i++) maxDiff = Math.max(maxDiff, Math.abs(oursRewards[i]! - ref![i]!));
  return { batch, k, oursMs: med(a), refMs: med(b), maxDiff };
}

export async function run(): Promise<BenchReport> {
  await cryptoReady();
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const scoring = await scoringFigures();

  const devnet = await startDevnet({ port: 0, tempo: 100 });
  const st = await createSubtensor({ network: devnet.url });
  const alice = keypairFromUri('//Alice');
  const validator = keypairFromUri('//Alice//bench-validator');
  const { netuid } = await st.registerNetwork(alice, validator.ss58Address);
  await st.startCall(alice, netuid);
  await st.send(await st.calls.adminUtils.sudoSetMaxAllowedUids({ netuid, maxAllowedUids: MINERS + 1 }), alice);
  await st.sudo(alice, await st.calls.adminUtils.sudoSetWeightsSetRateLimit({ netuid, weightsSetRateLimit: 0 }));
  await st.addStake(alice, validator.ss58Address, netuid, 100n * TAO);
  const hot = Array.from({ length: MINERS }, (_, i) => keypairFromUri(`//Bob//bench-miner-${i}`));
  const none = { wait: 'none' as const };
  await Promise.all(hot.map((h) => st.burnedRegister(alice, netuid, h.ss58Address, none)));
  await st.transfer(alice, keypairFromUri('//Bob').ss58Address, TAO); // waits: the registrations are in
  // Instant miners: a fixed small reply per request (top-k 16, 4 rows).
  const batch = 4;
  const k = 16;
  const req = new TextCausalLMNext({
    text_inputs: Tensor.fromArray(new BigInt64Array(batch * 8).fill(262n), { shape: [batch, 8] }),
    topk: k,
  });
  const axons: Axon[] = [];
  for (const [i, h] of hot.entries()) {
    const answer = randomReply(req, batch, k, i + 7).topk_phrases!;
    const axon = createAxon({ keypair: h, port: 0, host: '127.0.0.1' });
    axon.attach(TextCausalLMNext, (s) => {
      s.topk_phrases = answer;
      return s;
    });
    await axon.start();
    axons.push(axon);
  }
  await Promise.all(axons.map((a, i) => st.serveAxon(hot[i]!, netuid, { ip: '127.0.0.1', port: a.info().port }, none)));
  await st.transfer(alice, keypairFromUri('//Bob').ss58Address, TAO);
  const dendrite = createDendrite({ keypair: validator });
  const r = rng(5);
  const makeEpoch = (sampleSize: number) =>
    createEpoch({
      subtensor: st,
      dendrite,
      hotkey: validator,
      netuid,
      query: () => ({
        synapse: req,
        context: { targets: Array.from({ length: batch }, () => [Math.floor(r() * VOCAB)]) },
      }),
      score: textCausalLMNextScorer(),
      sampleSize,
      concurrency: MINERS,
      timeout: 12,
      stepInterval: 0,
    });

  // Time to first weights: a fresh validator's first step sets them (no weights yet).
  const epoch = makeEpoch(MINERS);
  const t0 = performance.now();
  let firstWeights = 0;
  epoch.events.once('weights', () => (firstWeights = (performance.now() - t0) / 1000));
  const reports: StepReport[] = [];
  epoch.events.on('step', (rep) => reports.push(rep));
  await epoch.run({ steps: 25 });
  const steady = reports.slice(5); // steady state: after warm-up and the first weights
  const sum = (f: (x: StepReport) => number) => steady.reduce((s, x) => s + f(x), 0) / steady.length;
  const step = {
    query: sum((x) => x.timing.queryMs),
    score: sum((x) => x.timing.scoreMs),
    chain: sum((x) => x.timing.chainMs),
    book: sum((x) => x.timing.bookkeepingMs),
    total: sum((x) => x.timing.totalMs),
  };
  const responded = sum((x) => x.responded);

  // Memory over 1,000 steps (16 miners a step), heap measured after a GC at step 100 and at step 1,000.
  const long = makeEpoch(16);
  await long.run({ steps: 100 });
  gc();
  const heap100 = process.memoryUsage().heapUsed;
  await long.run({ steps: 900 });
  gc();
  const heap1000 = process.memoryUsage().heapUsed;

  await dendrite.close();
  await Promise.all(axons.map((a) => a.stop()));
  await st.close();
  await devnet.close();

  const f = (x: number, d = 2) => +x.toFixed(d);
  const figures = {
    step_ms_n256: f(step.total),
    fanout_ms_n256: f(step.query),
    scoring_ms_n256: f(step.score),
    chain_ms_n256: f(step.chain),
    bookkeeping_ms_n256: f(step.book),
    overhead_share_n256: f((step.score + step.book) / step.total, 4),
    responded_n256: f(responded, 1),
    time_to_first_weights_s: f(firstWeights, 3),
    heap_growth_mb_1000_steps: f((heap1000 - heap100) / 2 ** 20, 2),
    v3_scoring_ms_n256: f(scoring.oursMs, 1),
    v3_reference_ms_n256: f(scoring.refMs, 1),
    v3_scoring_ratio_to_reference: f(scoring.oursMs / scoring.refMs, 3),
    v3_max_reward_diff_vs_reference: scoring.maxDiff,
  };
  return {
    table: [
      { part: `step, ${MINERS} miners (mean of ${steady.length})`, ms: figures.step_ms_n256, share: 1 },
      { part: '  fan-out (waiting for miners)', ms: figures.fanout_ms_n256, share: f(step.query / step.total, 4) },
      { part: '  scoring', ms: figures.scoring_ms_n256, share: f(step.score / step.total, 4) },
      {
        part: '  chain (block read, resync, weights)',
        ms: figures.chain_ms_n256,
        share: f(step.chain / step.total, 4),
      },
      {
        part: '  bookkeeping (uids, averages, state)',
        ms: figures.bookkeeping_ms_n256,
        share: f(step.book / step.total, 4),
      },
      { part: 'time to first weights (s)', ms: figures.time_to_first_weights_s * 1000, share: '-' },
      { part: 'heap growth, steps 100 → 1000 (MB)', ms: figures.heap_growth_mb_1000_steps, share: '-' },
      {
        part: `v3 scoring, ${MINERS} replies × ${scoring.batch} rows × top-k ${scoring.k}`,
        ms: figures.v3_scoring_ms_n256,
        share: '-',
      },
      {
        part: '  float64 dense reference, same math',
        ms: figures.v3_reference_ms_n256,
        share: figures.v3_scoring_ratio_to_reference,
      },
    ],
    figures,
    notes: [
      "miners, validator and devnet share one process and its 2 cores: the fan-out includes the miners' own signature checks",
      "overhead_share = (scoring + bookkeeping) / step: the Epoch's own work; fan-out and chain waits are excluded",
      'v3 reference: dense 50,258-wide rows per reply (topk_tokens_to_vocab_size), dense Hellinger distances, the same phrase cross-entropy; the ratio is ours / reference, measured interleaved, median of 3',
    ],
  };
}
