import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDendrite, type Dendrite } from '../../src/dendrite/index.js';
import {
  EpochError,
  createEpoch,
  textCausalLMNextQuery,
  textCausalLMNextScorer,
  type Epoch,
  type WeightsEvent,
} from '../../src/epoch/index.js';
import { keypairFromUri } from '../../src/keys/index.js';
import { syncMetagraph } from '../../src/metagraph/index.js';
import type { TextCausalLMNext } from '../../src/synapse/index.js';
import { WORDS, startLocalSubnet, type LocalSubnet, type MinerKind } from '../helpers/local-subnet.js';
import { thrownCode } from '../helpers/helpers.js';

const QUALITY: MinerKind[] = ['true', 'ngram', 'unigram', 'random', 'copycat', 'slow', 'offline'];

function epochFor(
  net: LocalSubnet,
  dendrite: Dendrite,
  extra: Partial<Parameters<typeof createEpoch<TextCausalLMNext, { targets: number[][] }>>[0]> = {},
): Epoch {
  return createEpoch({
    subtensor: net.st,
    dendrite,
    hotkey: net.validator,
    netuid: net.netuid,
    query: textCausalLMNextQuery({ sample: net.sample, batchSize: 16, sequenceLength: 8, topk: WORDS }),
    score: textCausalLMNextScorer(),
    sampleSize: 16,
    timeout: 0.5,
    alpha: 0.3,
    stepInterval: 0,
    ...extra,
  });
}

function nextEvent<T>(
  epoch: Epoch,
  name: 'weights',
  pred: (e: WeightsEvent) => boolean,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event in ${timeoutMs} ms`)), timeoutMs);
    const on = (e: WeightsEvent) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      epoch.events.off(name, on);
      resolve(e as T);
    };
    epoch.events.on(name, on);
  });
}

/** Runs a validator over the subnet for `blocks` blocks and returns the chain's incentive per miner kind. */
async function rank(net: LocalSubnet, blocks: number) {
  const dendrite = createDendrite({ keypair: net.validator });
  const epoch = epochFor(net, dendrite);
  const weights: WeightsEvent[] = [];
  const errors: EpochError[] = [];
  epoch.events.on('weights', (w) => weights.push(w));
  epoch.events.on('error', (e) => errors.push(e));
  await epoch.run({ blocks });
  // Let one more epoch pay out the last weights.
  const end = net.devnet.bestNumber();
  while (net.devnet.bestNumber() < end + 12) await new Promise((r) => setTimeout(r, 100));
  await dendrite.close();
  const mg = await syncMetagraph(net.st, { netuid: net.netuid });
  const incentive = Object.fromEntries(net.miners.map((m) => [m.kind, mg.I[m.uid]!])) as Record<MinerKind, number>;
  const average = Object.fromEntries(net.miners.map((m) => [m.kind, epoch.scores[m.uid]!])) as Record<
    MinerKind,
    number
  >;
  return { incentive, average, weights, errors, epoch };
}

function expectQualityOrder(r: Awaited<ReturnType<typeof rank>>) {
  const { incentive: i, average: a } = r;
  expect(a.true).toBeGreaterThan(a.ngram);
  expect(a.ngram).toBeGreaterThan(a.unigram);
  expect(a.unigram).toBeGreaterThan(a.random);
  expect(i.true).toBeGreaterThan(i.ngram);
  expect(i.ngram).toBeGreaterThan(i.unigram);
  expect(i.unigram).toBeGreaterThan(i.random);
  expect(i.random).toBeGreaterThan(0);
  expect(i.copycat).toBeLessThanOrEqual(i.ngram);
  expect(i.slow).toBe(0);
  expect(i.offline).toBe(0);
}

describe('a subnet of miners of known quality, one validator running the Epoch', () => {
  let plain: LocalSubnet;
  beforeAll(async () => {
    plain = await startLocalSubnet({ kinds: QUALITY, slowMs: 900, tag: 'plain' });
  }, 30_000);
  afterAll(async () => plain?.close());

  it("with commit-reveal off: the chain's incentive ends in the order of quality", async () => {
    const r = await rank(plain, 60);
    expect(r.weights.length).toBeGreaterThanOrEqual(3);
    expect(r.weights.every((w) => w.kind === 'set' && w.receipt.mode === 'set')).toBe(true);
    expectQualityOrder(r);
    expect(r.errors.filter((e) => e.code !== 'EPOCH_WEIGHTS_FAILED')).toEqual([]);
  }, 60_000);
});

describe('the same subnet with CRv4 (timelock) on', () => {
  let crv4: LocalSubnet;
  beforeAll(async () => {
    crv4 = await startLocalSubnet({ kinds: QUALITY, slowMs: 900, commitReveal: true, tag: 'crv4' });
  }, 30_000);
  afterAll(async () => crv4?.close());

  it('commits timelocked weights that the chain reveals, and ends in the same order', async () => {
    const r = await rank(crv4, 70);
    expect(r.weights.length).toBeGreaterThanOrEqual(3);
    expect(r.weights.every((w) => w.kind === 'committed' && w.receipt.mode === 'timelock-commit')).toBe(true);
    expectQualityOrder(r);
  }, 60_000);
});

describe('state, restarts, faults and resyncs', () => {
  let net: LocalSubnet;
  let dir: string;
  beforeAll(async () => {
    net = await startLocalSubnet({
      kinds: ['true', 'unigram', 'garbage', 'throws', 'offline'],
      commitReveal: true,
      tag: 'state',
    });
    dir = mkdtempSync(join(tmpdir(), 'subnetkit-epoch-'));
  }, 30_000);
  afterAll(async () => net?.close());

  it('a miner that returns garbage or throws costs only its own score', async () => {
    const dendrite = createDendrite({ keypair: net.validator });
    const epoch = epochFor(net, dendrite, { weightsInterval: 1000 });
    const reports = [];
    for (let i = 0; i < 3; i++) reports.push(await epoch.step());
    await dendrite.close();
    const by = (k: MinerKind) => net.miners.find((m) => m.kind === k)!.uid;
    const last = reports.at(-1)!;
    const detailOf = (k: MinerKind) => last.detail[last.uids.indexOf(by(k))] as { reason?: string; failed?: number };
    expect(epoch.scores[by('true')]).toBeGreaterThan(0);
    expect(epoch.scores[by('unigram')]).toBeGreaterThan(0);
    for (const k of ['garbage', 'throws', 'offline'] as const) expect(epoch.scores[by(k)]).toBe(0);
    expect(detailOf('garbage').reason).toMatch(/phrase|value|malformed/);
    expect(detailOf('throws').failed).toBe(500);
    expect(detailOf('offline').failed).toBe(503);
  });

  it('CRv2: commits, survives a restart with its averages and pending reveal, and reveals in the reveal epoch', async () => {
    const statePath = join(dir, 'crv2.json');
    const d1 = createDendrite({ keypair: net.validator });
    const first = epochFor(net, d1, { statePath, commitReveal: 'hash' });
    const committed = nextEvent<WeightsEvent>(first, 'weights', (w) => w.kind === 'committed', 20_000);
    const running = first.run();
    const commit = await committed;
    expect(commit.receipt.mode).toBe('hash-commit');
    await first.stop();
    await running;
    await d1.close();
    const saved = JSON.parse(readFileSync(statePath, 'utf8').split('\n')[0]!);
    expect(saved.pendingReveals.length).toBeGreaterThanOrEqual(1);
    const scoresBefore = Array.from(first.scores);
    expect(scoresBefore.some((s) => s > 0)).toBe(true);

    // A new process: same state file.
    const d2 = createDendrite({ keypair: net.validator });
    const second = epochFor(net, d2, { statePath, commitReveal: 'hash', weightsInterval: 1000 });
    expect(Array.from(second.scores)).toEqual(scoresBefore);
    expect(second.stepCount).toBe(first.stepCount);
    expect(second.pendingReveals).toBe(saved.pendingReveals.length);
    const revealed = nextEvent<WeightsEvent>(second, 'weights', (w) => w.kind === 'revealed', 25_000);
    const run2 = second.run();
    const rev = await revealed;
    await second.stop();
    await run2;
    await d2.close();
    expect(rev.receipt.uids).toEqual(commit.receipt.uids);
    const me = (await net.st.uidOf(net.netuid, net.validator.ss58Address))!;
    expect((await net.st.weights(net.netuid)).get(me)?.length).toBeGreaterThan(0);
  }, 60_000);

  it('survives a dropped chain connection: weights are still set in the next tempo', async () => {
    const dendrite = createDendrite({ keypair: net.validator });
    const epoch = epochFor(net, dendrite);
    const first = nextEvent<WeightsEvent>(epoch, 'weights', () => true, 20_000);
    const running = epoch.run();
    const w1 = await first;
    const second = nextEvent<WeightsEvent>(epoch, 'weights', (w) => w.block > w1.block, 20_000);
    net.devnet.dropConnections();
    const w2 = await second;
    await epoch.stop();
    await running;
    await dendrite.close();
    // Tempo 10: the next weights come within about two tempos, reconnect included.
    expect(w2.block - w1.block).toBeLessThanOrEqual(25);
  }, 45_000);

  it('refuses a corrupt or foreign state file with a typed error, and never overwrites it', async () => {
    const dendrite = createDendrite({ keypair: net.validator });
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format":"subnetkit-epoch-state"');
    expect(await thrownCode(EpochError, () => epochFor(net, dendrite, { statePath: corrupt }))).toBe(
      'EPOCH_STATE_CORRUPT',
    );
    expect(readFileSync(corrupt, 'utf8')).toBe('{"format":"subnetkit-epoch-state"');
    // A valid file of another validator.
    const mine = join(dir, 'mine.json');
    const e = epochFor(net, dendrite, { statePath: mine, weightsInterval: 1000 });
    await e.step();
    expect(
      await thrownCode(EpochError, () =>
        createEpoch({
          subtensor: net.st,
          dendrite,
          hotkey: keypairFromUri('//Eve'),
          netuid: net.netuid,
          query: () => null as never,
          score: () => [],
          statePath: mine,
        }),
      ),
    ).toBe('EPOCH_STATE_FOREIGN');
    // A flipped byte is caught by the checksum.
    const bytes = readFileSync(mine, 'utf8');
    writeFileSync(mine, bytes.replace('"step":1', '"step":7'));
    expect(await thrownCode(EpochError, () => epochFor(net, dendrite, { statePath: mine }))).toBe(
      'EPOCH_STATE_CORRUPT',
    );
    await dendrite.close();
  });

  it('a scorer that throws fails that step, not the loop; a NaN reward is a typed error naming the uid', async () => {
    const dendrite = createDendrite({ keypair: net.validator });
    let calls = 0;
    const inner = textCausalLMNextScorer();
    const epoch = epochFor(net, dendrite, {
      weightsInterval: 1000,
      score: async (ctx) => {
        calls++;
        if (calls === 1) throw new Error('scorer bug');
        if (calls === 2) return ctx.uids.map(() => NaN);
        return inner.score(ctx);
      },
    });
    const errors: EpochError[] = [];
    epoch.events.on('error', (e) => errors.push(e));
    await epoch.run({ steps: 3 });
    await dendrite.close();
    expect(errors.map((e) => e.code)).toEqual(['EPOCH_SCORER_FAILED', 'EPOCH_INVALID_REWARD']);
    expect(errors[1]!.message).toMatch(/uid \d+/);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(Array.from(epoch.scores).some((s) => s > 0)).toBe(true);
  }, 30_000);

  it('a hotkey replaced at a uid has its average reset at the next resync', async () => {
    const dendrite = createDendrite({ keypair: net.validator });
    const epoch = epochFor(net, dendrite, { weightsInterval: 1000 });
    await epoch.resync();
    const offline = net.miners.find((m) => m.kind === 'offline')!;
    epoch.record(offline.uid, 1);
    expect(epoch.scores[offline.uid]).toBeCloseTo(0.3, 12);
    // Fill the subnet and register a newcomer: the lowest-emission, oldest non-owner uid is replaced.
    const alice = keypairFromUri('//Alice');
    const n = epoch.metagraph!.n;
    await net.st.send(
      await net.st.calls.adminUtils.sudoSetMaxAllowedUids({ netuid: net.netuid, maxAllowedUids: n }),
      alice,
    );
    await net.st.send(
      await net.st.calls.adminUtils.sudoSetImmunityPeriod({ netuid: net.netuid, immunityPeriod: 0 }),
      alice,
    );
    for (const m of net.miners) if (m !== offline) epoch.record(m.uid, 0.5);
    const { uid } = await net.st.burnedRegister(
      keypairFromUri('//Bob'),
      net.netuid,
      keypairFromUri('//Bob//newcomer').ss58Address,
    );
    const resync = new Promise<{ reset: number[] }>((r) => epoch.events.once('resync', r));
    await epoch.resync();
    const ev = await resync;
    expect(ev.reset).toEqual([uid]);
    expect(epoch.scores[uid]).toBe(0);
    await dendrite.close();
  });

  it('validates its options with typed errors', async () => {
    const dendrite = createDendrite({ keypair: net.validator });
    const base = {
      subtensor: net.st,
      dendrite,
      hotkey: net.validator,
      netuid: net.netuid,
      query: () => null as never,
      score: () => [],
    };
    for (const bad of [
      { netuid: -1 },
      { alpha: 0 },
      { alpha: 2 },
      { sampleSize: 0 },
      { timeout: -1 },
      { commitReveal: 'v3' },
      { score: 'x' },
      { dendrite: {} },
      { weightsInterval: 1.5 },
    ]) {
      expect(await thrownCode(EpochError, () => createEpoch({ ...base, ...(bad as object) } as never))).toBe(
        'EPOCH_INVALID_CONFIG',
      );
    }
    const e = createEpoch(base);
    expect(await thrownCode(EpochError, () => e.record(99, 0.5))).toBe('EPOCH_INVALID_CONFIG');
    await e.resync();
    expect(await thrownCode(EpochError, () => e.record(0, 1.5))).toBe('EPOCH_INVALID_REWARD');
    expect(await thrownCode(EpochError, e.run({ steps: -1 }))).toBe('EPOCH_INVALID_CONFIG');
    const stranger = createEpoch({ ...base, hotkey: keypairFromUri('//Dave//nobody') });
    expect(await thrownCode(EpochError, stranger.run({ steps: 1 }))).toBe('EPOCH_NOT_REGISTERED');
    await dendrite.close();
  });
});

describe('organic routing', () => {
  let net: LocalSubnet;
  beforeAll(async () => {
    net = await startLocalSubnet({ kinds: ['true', 'unigram', 'offline'], tag: 'router' });
  }, 30_000);
  afterAll(async () => net?.close());

  it('ranks by average and latency, falls back past a failure, cools down a 429, and feeds the scorer', async () => {
    const { createRouter } = await import('../../src/epoch/index.js');
    const { createAxon } = await import('../../src/axon/index.js');
    const { TextCausalLMNext, Tensor } = await import('../../src/synapse/index.js');
    // A fourth miner that rate-limits after one request.
    const limited = keypairFromUri('//Bob//router-limited');
    const { uid: limitedUid } = await net.st.burnedRegister(keypairFromUri('//Bob'), net.netuid, limited.ss58Address);
    const axon = createAxon({
      keypair: limited,
      port: 0,
      host: '127.0.0.1',
      rateLimit: { perIp: { burst: 1, perSecond: 0.001 } },
    });
    axon.attach(TextCausalLMNext, (s) => {
      s.topk_phrases = Tensor.fromArray(Float32Array.of(1, 2, 0), { shape: [3] });
      return s;
    });
    await axon.start();
    await net.st.serveAxon(limited, net.netuid, { ip: '127.0.0.1', port: axon.info().port });
    const mg = await syncMetagraph(net.st, { netuid: net.netuid });
    const uid = (k: MinerKind) => net.miners.find((m) => m.kind === k)!.uid;
    const scores = new Float64Array(mg.n);
    scores[uid('offline')] = 0.9; // best on paper, but down
    scores[limitedUid] = 0.8;
    scores[uid('true')] = 0.5;
    scores[uid('unigram')] = 0.2;
    const recorded: [number, number][] = [];
    const dendrite = createDendrite({ keypair: net.validator });
    const me = mg.uidOf(net.validator.ss58Address)!;
    const router = createRouter<TextCausalLMNext>({
      dendrite,
      scores: () => scores,
      metagraph: () => mg,
      exclude: [me],
      attempts: 3,
      timeout: 2,
      score: (reply) => (reply.topk_phrases ? 1 : 0),
    });
    const withRecord = createRouter<TextCausalLMNext>({
      dendrite,
      epoch: { scores, metagraph: mg, record: (u, r) => recorded.push([u, r]) },
      exclude: [me],
      score: () => 1,
      timeout: 2,
    });
    const req = () =>
      new TextCausalLMNext({
        text_inputs: Tensor.fromArray(new BigInt64Array(2).fill(262n), { shape: [1, 2] }),
        topk: 4,
      });
    expect(router.rank(req())).toEqual([uid('offline'), limitedUid, uid('true'), uid('unigram')]);
    const first = await router.route(req());
    expect(first.tried.map((t) => t.uid)).toEqual([uid('offline'), limitedUid]);
    expect(first.tried[0]!.status).toBe(503);
    expect(first.uid).toBe(limitedUid);
    expect(first.reply.isSuccess).toBe(true);
    const second = await router.route(req());
    // The limited miner answers 429 now; the router moves on to the next best and cools it down.
    expect(second.tried.map((t) => [t.uid, t.status])).toEqual([
      [uid('offline'), 503],
      [limitedUid, 429],
      [uid('true'), 200],
    ]);
    expect(router.rank(req())).not.toContain(limitedUid);
    const third = await withRecord.route(req());
    expect(third.reply.isSuccess).toBe(true);
    expect(recorded.length).toBe(third.tried.length);
    expect(recorded.at(-1)).toEqual([third.uid, 1]);
    await axon.stop();
    await dendrite.close();
  }, 30_000);
});
