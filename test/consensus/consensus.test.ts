import { describe, expect, it } from 'vitest';
import {
  ConsensusError,
  I32F32_ONE,
  activityCutoffBlocks,
  blockEmission,
  convertWeightsAndUidsForEmit,
  fxDiv,
  fxMul,
  fxRatio,
  normalizeMaxWeight,
  processWeightsForNetuid,
  simulateAttribution,
  simulateEpochs,
  vecMaxUpscaleToU16,
  weightedMedian,
  yumaEpoch,
  yumaEpochFloat,
  type SparseRows,
  type YumaInput,
} from '../../src/consensus/index.js';
import { thrownCodeSync } from '../helpers/helpers.js';

const ONE = I32F32_ONE;
const fx = (x: number) => Math.round(x * ONE); // fixed from float: round to nearest, as the chain's from_num

function csr(rows: Array<Array<[number, number]>>): SparseRows {
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const r of rows) {
    for (const [j, v] of r) {
      indices.push(j);
      values.push(v);
    }
    indptr.push(indices.length);
  }
  return { indptr, indices, values };
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('I32F32 arithmetic (subtensor-chain.md §1.2)', () => {
  it('multiplies with floor and divides with truncation, exactly, against BigInt (results below 2^53)', () => {
    const rand = rng(1);
    const LIMIT = BigInt(Number.MAX_SAFE_INTEGER);
    let checked = 0;
    for (let t = 0; t < 40_000; t++) {
      const big = t % 3 === 0;
      const a = Math.floor(rand() * (big ? 2 ** 50 : 2 ** 34)) * (t % 7 === 0 ? -1 : 1);
      const b = Math.floor(rand() * (big ? 2 ** 40 : 2 ** 33)) + 1;
      const prod = (BigInt(a) * BigInt(b)) >> 32n;
      const quot = (BigInt(a) << 32n) / BigInt(b);
      if (prod <= LIMIT && prod >= -LIMIT) {
        expect(fxMul(a, b)).toBe(Number(prod));
        checked++;
      }
      if (quot <= LIMIT && quot >= -LIMIT) expect(fxDiv(a, b)).toBe(Number(quot));
    }
    expect(checked).toBeGreaterThan(20_000);
    expect(fxDiv(ONE, 0)).toBe(0); // safe_div
  });

  it('floors products of every sign exactly across the float-corrected range (2^53 … 2^83) and past it', () => {
    const rand = rng(7);
    let checked = 0;
    for (let t = 0; t < 20_000; t++) {
      // Magnitudes of 2^20 … 2^52 each, so products land anywhere from below 2^53 to beyond 2^83.
      const a = Math.floor(rand() * 2 ** (20 + Math.floor(rand() * 33))) * (t % 2 === 0 ? -1 : 1);
      const b = Math.floor(rand() * 2 ** (20 + Math.floor(rand() * 33))) * (t % 3 === 0 ? -1 : 1);
      const prod = (BigInt(a) * BigInt(b)) >> 32n;
      if (prod > BigInt(Number.MAX_SAFE_INTEGER) || prod < -BigInt(Number.MAX_SAFE_INTEGER)) continue;
      expect(fxMul(a, b)).toBe(Number(prod));
      checked++;
    }
    // Exact multiples of 2^32 and one below: the floor's edge.
    for (const [a, b] of [
      [2 ** 41, 2 ** 41],
      [2 ** 41 - 1, 2 ** 41 + 1],
      [-(2 ** 41) - 1, 2 ** 41 - 1],
      [-(2 ** 45) + 3, -(2 ** 37) + 5],
    ] as const) {
      expect(fxMul(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('reproduces the documented rounding facts', () => {
    expect(fxRatio(1, 10)).toBe(429496729); // 0.1
    expect(Number((429496729n * 1_000_000_000n) >> 32n)).toBe(99_999_999); // the off-by-one in rao
    expect(fxRatio(32767, 65535)).toBeLessThan(ONE / 2); // kappa ≈ 0.49999
  });
});

describe('weighted median (Case E, subtensor-chain.md §2)', () => {
  // weighted_median_col_sparse, as the chain runs it: drop zero stake, renormalise, minority = sum − majority.
  function medianCols(stake: number[], rows: number[][], majority: number): number[] {
    const use = stake.map((s, i) => [fx(s), i] as const).filter(([s]) => s > 0);
    const sum0 = use.reduce((a, [s]) => a + s, 0);
    const w = use.map(([s]) => fxDiv(s, sum0));
    const sum = w.reduce((a, b) => a + b, 0);
    const minority = sum - fx(majority);
    const idx = w.map((_, k) => k);
    return rows[0]!.map(
      (_, c) =>
        weightedMedian(
          w,
          use.map(([, i]) => fx(rows[i]![c]!)),
          idx,
          minority,
          0,
          sum,
        ) / ONE,
    );
  }
  const rows = [
    [0, 0.1, 0],
    [0, 0.2, 0.4],
    [0, 0.3, 0.1],
    [0, 0.4, 0.5],
  ];
  it.each([
    [0.24, [0, 0.3, 0.4]],
    [0.26, [0, 0.2, 0.4]],
    [0.76, [0, 0.2, 0.1]],
  ])('stake [0, 0.75, 0.25, 0], majority %f → %j', (majority, want) => {
    medianCols([0, 0.75, 0.25, 0], rows, majority).forEach((m, c) => {
      expect(m).toBeCloseTo(want[c]!, 8);
    });
  });
  it('stake [0, 0.3, 0.2, 0.5], last row [0, 0, 0.5], majority 0.51 → [0, 0, 0.4]', () => {
    const r = rows.slice(0, 3).concat([[0, 0, 0.5]]);
    medianCols([0, 0.3, 0.2, 0.5], r, 0.51).forEach((m, c) => {
      expect(m).toBeCloseTo([0, 0, 0.4][c]!, 8);
    });
  });
});

function baseInput(n: number, over: Partial<YumaInput> = {}): YumaInput {
  return {
    n,
    currentBlock: 100,
    tempo: 10,
    activityCutoff: activityCutoffBlocks(10),
    lastUpdate: new Array(n).fill(99),
    blockAtRegistration: new Array(n).fill(0),
    stake: new Array(n).fill(1_000_000_000n),
    validatorPermit: new Array(n).fill(true),
    maxAllowedValidators: 64,
    weights: csr(Array.from({ length: n }, () => [])),
    bonds: csr(Array.from({ length: n }, () => [])),
    raoEmission: 1_000_000_000n,
    ...over,
  };
}

describe('yumaEpoch', () => {
  it('Case A (test_10_graph): self-weights only, no permits → E = 99 999 999 each, C = I = D = 0', () => {
    // tempo 65534, cutoff 13 blocks (factor 13 889 at tempo 1 in the mock), every uid stake 1 rao, registered at 0.
    const n = 10;
    const out = yumaEpoch({
      n,
      currentBlock: 1,
      tempo: 65534,
      activityCutoff: 13,
      lastUpdate: new Array(n).fill(0),
      blockAtRegistration: new Array(n).fill(0),
      stake: new Array(n).fill(1n),
      validatorPermit: new Array(n).fill(false),
      maxAllowedValidators: 64,
      weights: csr(Array.from({ length: n }, (_, i) => [[i, 65535]])),
      bonds: csr(Array.from({ length: n }, () => [])),
      raoEmission: 1_000_000_000n,
    });
    expect(Array.from(out.emission)).toEqual(new Array(n).fill(99_999_999n));
    expect(Array.from(out.consensus)).toEqual(new Array(n).fill(0));
    expect(Array.from(out.incentive)).toEqual(new Array(n).fill(0));
    expect(Array.from(out.dividends)).toEqual(new Array(n).fill(0));
    expect(Array.from(out.validatorPermit)).toEqual(new Array(n).fill(1)); // new permits: all non-zero stake, n < k
  });

  it('one validator weighting two miners: incentive follows weights, dividends go to the validator, 50/50 split', () => {
    const out = yumaEpoch(
      baseInput(3, {
        stake: [1_000_000_000n, 0n, 0n],
        validatorPermit: [true, false, false],
        weights: csr([
          [
            [1, 65535],
            [2, 21845],
          ],
          [],
          [],
        ]),
      }),
    );
    expect(out.incentive[1]! + out.incentive[2]!).toBeGreaterThanOrEqual(65533);
    expect(out.incentive[1]! / out.incentive[2]!).toBeCloseTo(3, 2);
    expect(out.dividends[0]).toBe(65535);
    const server = out.serverEmission.reduce((a, b) => a + b, 0n);
    const validator = out.validatorEmission.reduce((a, b) => a + b, 0n);
    expect(Number(server)).toBeCloseTo(5e8, -2);
    expect(Number(validator)).toBeCloseTo(5e8, -2);
    expect(out.bonds.indptr[1]).toBe(2); // the validator's bonds row, max-upscaled
    expect(Array.from(out.bonds.values as Uint16Array)).toEqual([65535, 65535]);
  });

  it('masks: self-weight dropped (owner kept), outdated weights dropped, inactive validator excluded', () => {
    const out = yumaEpoch(
      baseInput(3, {
        ownerUid: 1,
        activityCutoff: 13,
        lastUpdate: [99, 99, 10], // uid 2 inactive: 10 + 13 < 100
        blockAtRegistration: [0, 0, 0],
        weights: csr([[[0, 65535]], [[1, 65535]], [[0, 65535]]]),
      }),
    );
    expect(out.active[2]).toBe(0);
    expect(out.incentive[0]).toBe(0); // uid 0's self-weight is masked, uid 2 is inactive
    expect(out.incentive[1]).toBe(65535); // the owner's self-weight survives
    const outdated = yumaEpoch(baseInput(2, { blockAtRegistration: [0, 99], weights: csr([[[1, 65535]], []]) }));
    expect(outdated.incentive[1]).toBe(0); // last_update 99 ≤ registration 99
  });

  it('new permits are top-k by stake, ties losing from the lower uids, owner forced', () => {
    const out = yumaEpoch(baseInput(4, { stake: [5n, 5n, 5n, 1n], maxAllowedValidators: 2, ownerUid: 3 }));
    expect(Array.from(out.validatorPermit)).toEqual([0, 1, 1, 1]);
  });

  it('properties: u16 vectors sum to ~65535, emission never exceeds the budget', () => {
    const rand = rng(5);
    for (let t = 0; t < 20; t++) {
      const n = 4 + Math.floor(rand() * 20);
      const rows = Array.from({ length: n }, (_, i) =>
        i < n / 2
          ? Array.from({ length: n }, (_, j) => [j, Math.floor(rand() * 65536)] as [number, number]).filter(
              () => rand() < 0.7,
            )
          : [],
      );
      const out = yumaEpoch(
        baseInput(n, { stake: Array.from({ length: n }, () => BigInt(Math.floor(rand() * 1e12))), weights: csr(rows) }),
      );
      const total = out.emission.reduce((a, b) => a + b, 0n);
      expect(total).toBeLessThanOrEqual(1_000_000_000n);
      expect(total).toBeGreaterThan(1_000_000_000n - BigInt(n));
      const sumI = out.incentive.reduce((a, b) => a + b, 0);
      if (sumI > 0) expect(Math.abs(sumI - 65535)).toBeLessThanOrEqual(n);
      for (const c of out.consensus) expect(c).toBeLessThanOrEqual(65535);
    }
  });

  it('exact and float64 agree within 2 u16 units and 0.01 % of the emission on random subnets', () => {
    const rand = rng(9);
    for (let t = 0; t < 15; t++) {
      const n = 8 + Math.floor(rand() * 40);
      const rows = Array.from({ length: n }, (_, i) =>
        i < 6 ? Array.from({ length: n }, (_, j) => [j, Math.floor(rand() * 65536)] as [number, number]) : [],
      );
      const bonds = Array.from({ length: n }, (_, i) =>
        i < 6 ? Array.from({ length: n }, (_, j) => [j, Math.floor(rand() * 65536)] as [number, number]) : [],
      );
      const input = baseInput(n, {
        stake: Array.from({ length: n }, (_, i) =>
          i < 6 ? BigInt(Math.floor(rand() * 1e13)) : BigInt(Math.floor(rand() * 1e9)),
        ),
        weights: csr(rows),
        bonds: csr(bonds),
        yuma3: t % 2 === 1,
        bondsPenalty: t % 3 === 0 ? 32768 : 65535,
      });
      const a = yumaEpoch(input);
      const b = yumaEpochFloat(input);
      for (const key of ['consensus', 'incentive', 'dividends', 'validatorTrust', 'stakeWeight'] as const) {
        a[key].forEach((v, i) => {
          expect(Math.abs(v - b[key][i]!)).toBeLessThanOrEqual(2);
        });
      }
      a.emission.forEach((v, i) => {
        expect(Math.abs(Number(v - b.emission[i]!))).toBeLessThanOrEqual(1e5);
      });
    }
  });

  it('rejects inconsistent input with ConsensusError', () => {
    const code = (fn: () => unknown) => thrownCodeSync(ConsensusError, fn);
    expect(code(() => yumaEpoch(baseInput(3, { lastUpdate: [1, 2] })))).toBe('CONSENSUS_INVALID_INPUT');
    expect(code(() => yumaEpoch(baseInput(2, { validatorPermit: [true] })))).toBe('CONSENSUS_INVALID_INPUT');
    expect(code(() => yumaEpoch(baseInput(2, { weights: csr([[[1, 70000]], []]) })))).toBe('CONSENSUS_INVALID_INPUT');
    expect(code(() => yumaEpoch(baseInput(2, { stake: [-1n, 1n] })))).toBe('CONSENSUS_INVALID_INPUT');
  });

  it('refuses what would give a silent wrong answer: NaN blocks, bad uids, short indptr, kappa > u16, a u64 overflow', () => {
    const bad = (over: Partial<YumaInput>, message: RegExp) => {
      try {
        yumaEpoch(baseInput(3, over));
      } catch (e) {
        expect(e).toBeInstanceOf(ConsensusError);
        expect((e as Error).message).toMatch(message);
        return;
      }
      throw new Error(`accepted ${JSON.stringify(over, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
    };
    bad({ currentBlock: NaN }, /currentBlock must be a block number/);
    bad({ currentBlock: -1 }, /currentBlock/);
    bad({ lastUpdate: [1, NaN, 2] }, /lastUpdate\[1\]/);
    bad({ blockAtRegistration: [0, 1.5, 0] }, /blockAtRegistration\[1\]/);
    bad({ activityCutoff: Infinity }, /activityCutoff/);
    bad({ weights: csr([[[-1, 100]], [], []]) }, /uid -1 is outside \[0, 3\)/);
    bad({ weights: csr([[[3, 100]], [], []]) }, /uid 3 is outside \[0, 3\)/);
    bad({ weights: { indptr: [0, 0], indices: [], values: [] } }, /weights\.indptr has 2 offsets, expected n \+ 1 = 4/);
    bad({ bonds: { indptr: [0, 1, 1, 1], indices: [0, 1], values: [5, 6] } }, /bonds\.indptr must run from 0 to 2/);
    bad({ kappa: 65536 }, /kappa must be an integer in \[0, 65535\]/);
    bad({ alphaHigh: -1 }, /alphaHigh/);
    bad({ raoEmission: 2n ** 64n }, /raoEmission must be a bigint in \[0, 2\^64\)/);
    bad({ raoEmission: 5 as unknown as bigint }, /raoEmission/);
    bad({ alphaSigmoidSteepness: NaN }, /alphaSigmoidSteepness/);
    expect(thrownCodeSync(ConsensusError, () => activityCutoffBlocks(NaN))).toBe('CONSENSUS_INVALID_INPUT');
    expect(thrownCodeSync(ConsensusError, () => blockEmission(5 as unknown as bigint))).toBe('CONSENSUS_INVALID_INPUT');
  });

  it("exp(1) is substrate-fixed's I9F23 constant e, truncated (liquid alpha at steepness 200 meets it whenever w ≤ c)", async () => {
    const { fxExpSafe } = await import('../../src/consensus/exp.js');
    // e·2^23 = 22802600.7…: the fixed crate truncates to 22802600 (rounding would give 22802601); widened to I32F32 it is 22802600·2^9.
    expect(fxExpSafe(2 ** 32)).toBe(22_802_600 * 512);
    expect(fxExpSafe(2 ** 32)).not.toBe(Math.round(Math.E * 2 ** 23) * 512);
    // At steepness 200 the slope is −2 and a cell with w ≤ c has d = 0, so the exponent is exactly 1.0: every such
    // cell's α comes from that constant. The epoch must run, and the exact and float twins stay close.
    const n = 4;
    const input = baseInput(n, {
      liquidAlpha: true,
      alphaSigmoidSteepness: 200,
      yuma3: true,
      bondsMovingAverage: 975_000,
      weights: csr([
        [
          [1, 65535],
          [2, 30000],
        ],
        [
          [1, 65535],
          [2, 40000],
        ],
        [],
        [],
      ]),
      bonds: csr([[[1, 1000]], [[2, 2000]], [], []]),
      validatorPermit: [true, true, false, false],
      stake: [3n * 10n ** 9n, 10n ** 9n, 0n, 0n],
    });
    const exact = yumaEpoch(input);
    const approx = yumaEpochFloat(input);
    exact.incentive.forEach((v, i) => {
      expect(Math.abs(v - approx.incentive[i]!)).toBeLessThanOrEqual(2);
    });
    expect(exact.bonds.values.length).toBeGreaterThan(0);
  });
});

describe('weight utilities (v3-synapses §7, python-wire §7.5)', () => {
  it.each([
    [[1, 2, 3, 4, 10], 0.3, [0.07, 0.14, 0.21, 0.28, 0.3]],
    [[0.5, 0.1, 0.1, 0.1, 0.1, 0.1], 0.25, [0.25, 0.15, 0.15, 0.15, 0.15, 0.15]],
    [[1, 1, 1, 1], 0.2, [0.25, 0.25, 0.25, 0.25]],
    [[0, 0, 0], 0.5, [1 / 3, 1 / 3, 1 / 3]],
    [[3, 1], 1.0, [0.75, 0.25]],
    [
      [5, 4, 3, 2, 1, 0.5, 0.25, 0.125, 0.0625, 0.03125],
      0.2,
      [0.2, 0.2, 0.2, 0.2, 0.101588, 0.050794, 0.025397, 0.012698, 0.006349, 0.003175],
    ],
  ])('normalizeMaxWeight(%j, %f)', (x, limit, want) => {
    const got = normalizeMaxWeight(x, limit);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 5);
    });
    for (const v of got) expect(v).toBeLessThanOrEqual(Math.max(limit, 1 / x.length) + 1e-6);
  });

  it('converts to u16 with max-normalisation, half-to-even rounding and zeros dropped', () => {
    expect(convertWeightsAndUidsForEmit([0, 1, 2], [0.5, 0.25, 0])).toEqual({ uids: [0, 1], weights: [65535, 32768] });
    expect(convertWeightsAndUidsForEmit([0, 1], [0, 0])).toEqual({ uids: [], weights: [] });
    expect(convertWeightsAndUidsForEmit([4, 7], [1, 1e-6]).weights).toEqual([65535]);
    expect(() => convertWeightsAndUidsForEmit([0], [-1])).toThrow(ConsensusError);
    expect(() => convertWeightsAndUidsForEmit([0, 1], [1])).toThrow(ConsensusError);
  });

  it('vecMaxUpscaleToU16 scales the largest to 65535 with the chain rounding', () => {
    expect(vecMaxUpscaleToU16([100, 50])).toEqual([65535, 32768]);
    expect(vecMaxUpscaleToU16([65535, 1])).toEqual([65535, 1]);
    expect(vecMaxUpscaleToU16([40000, 20000, 0])).toEqual([65535, 32767, 0]); // the ratio 65535/max is floored first
    expect(vecMaxUpscaleToU16([0, 0])).toEqual([0, 0]);
    expect(() => vecMaxUpscaleToU16([70000])).toThrow(ConsensusError);
  });

  it('processWeightsForNetuid: uniform when nothing is set, 1e-5 floor for short lists, cap applied', () => {
    const uniform = processWeightsForNetuid([0, 1], [0, 0], { n: 4, minAllowedWeights: 1, maxWeightsLimit: 65535 });
    expect(Array.from(uniform.weights)).toEqual([0.25, 0.25, 0.25, 0.25]);
    const short = processWeightsForNetuid([2], [1], { n: 4, minAllowedWeights: 3, maxWeightsLimit: 65535 });
    expect(short.uids.length).toBe(4);
    expect(short.weights[2]).toBeGreaterThan(0.99);
    const capped = processWeightsForNetuid([0, 1, 2, 3], [10, 1, 1, 1], {
      n: 4,
      minAllowedWeights: 1,
      maxWeightsLimit: 32768,
    });
    expect(Math.max(...capped.weights)).toBeLessThanOrEqual(0.5 + 1e-4); // the cap carries normalize_max_weight's 1e-7 epsilon
  });
});

describe('emission', () => {
  it('halves the block emission as issuance crosses 10.5M, 15.75M TAO', () => {
    expect(blockEmission(0n)).toBe(1_000_000_000n);
    expect(blockEmission(10_499_999_999_999_999n)).toBe(1_000_000_000n);
    expect(blockEmission(10_500_000_000_000_000n)).toBe(500_000_000n);
    expect(blockEmission(15_750_000_000_000_000n)).toBe(250_000_000n);
    expect(blockEmission(21_000_000_000_000_000n)).toBe(0n);
    expect(activityCutoffBlocks(360)).toBe(5000);
  });

  it('simulates k epochs: a miner weighted by every validator earns the most', () => {
    const n = 5;
    const input = baseInput(n, {
      stake: [1e12, 1e12, 0, 0, 0].map((s) => BigInt(s)),
      validatorPermit: [true, true, false, false, false],
      weights: csr([
        [
          [2, 65535],
          [3, 1000],
        ],
        [
          [2, 65535],
          [4, 1000],
        ],
        [],
        [],
        [],
      ]),
    });
    const { earned, perEpoch } = simulateEpochs(input, { epochs: 5 });
    expect(perEpoch).toHaveLength(5);
    expect(earned[2]).toBeGreaterThan(earned[3]!);
    expect(earned[2]).toBeGreaterThan(earned[4]!);
    const exact = simulateEpochs(input, { epochs: 5, exact: true });
    expect(Math.abs(Number(exact.earned[2]! - earned[2]!)) / Number(earned[2]!)).toBeLessThan(1e-3);
  });
});

describe("simulateAttribution (the seed's emission)", () => {
  it('a node that keeps everything receives exactly what it mints', () => {
    const r = simulateAttribution({ stake: [10], edges: [[[0, 1]]], blocks: 5 });
    expect(r.received[0]).toBe(r.minted);
    expect(r.stake[0]).toBe(10 + r.minted);
    expect(r.maxDepthReached).toBe(0);
  });

  it('emission flows along outgoing edges: an attributed node out-earns an equal-stake one', () => {
    const r = simulateAttribution({
      stake: [100, 100, 100],
      edges: [
        [
          [0, 0.5],
          [1, 0.5],
        ],
        [[1, 1]],
        [[2, 1]],
      ],
      blocks: 50,
      tokensPerBlock: 1000,
    });
    expect(r.received[1]).toBeGreaterThan(r.received[2]!);
    expect(r.received[0]).toBeLessThan(r.received[2]!);
    expect(r.maxDepthReached).toBe(1);
    expect(r.received.reduce((a, b) => a + b, 0)).toBe(r.minted);
  });

  it('a cycle terminates (amounts round down) and the depth guard bounds long chains', () => {
    const cyc = simulateAttribution({
      stake: [50, 50],
      edges: [
        [
          [0, 0.1],
          [1, 0.9],
        ],
        [
          [1, 0.1],
          [0, 0.9],
        ],
      ],
      blocks: 3,
      tokensPerBlock: 1e6,
    });
    expect(cyc.maxDepthReached).toBeGreaterThan(10);
    const capped = simulateAttribution({
      stake: [50, 50],
      edges: [
        [
          [0, 0.1],
          [1, 0.9],
        ],
        [
          [1, 0.1],
          [0, 0.9],
        ],
      ],
      blocks: 3,
      tokensPerBlock: 1e6,
      maxDepth: 3,
    });
    expect(capped.maxDepthReached).toBe(3);
    expect(capped.received.reduce((a, b) => a + b, 0)).toBe(capped.minted);
  });

  it('rejects invalid edge sets', () => {
    const code = (fn: () => unknown) => thrownCodeSync(ConsensusError, fn);
    expect(code(() => simulateAttribution({ stake: [1, 1], edges: [[[1, 1]], [[1, 1]]], blocks: 1 }))).toBe(
      'CONSENSUS_INVALID_INPUT',
    );
    expect(code(() => simulateAttribution({ stake: [1], edges: [[[0, 0]]], blocks: 1 }))).toBe(
      'CONSENSUS_INVALID_INPUT',
    );
    expect(
      code(() =>
        simulateAttribution({
          stake: [1, 1],
          edges: [
            [
              [0, 0.5],
              [1, 0.2],
            ],
            [[1, 1]],
          ],
          blocks: 1,
        }),
      ),
    ).toBe('CONSENSUS_INVALID_INPUT');
    expect(
      code(() =>
        simulateAttribution({
          stake: [1],
          edges: [
            [
              [0, 1],
              [5, 0],
            ],
          ],
          blocks: 1,
        }),
      ),
    ).toBe('CONSENSUS_INVALID_INPUT');
  });
});

describe('Yuma3 with liquid alpha', () => {
  it('decays a listed zero-weight bond, drops an unlisted one, and stays near the float64 twin', () => {
    const n = 4;
    const input = baseInput(n, {
      yuma3: true,
      liquidAlpha: true,
      stake: [1e12, 1e12, 0, 0].map((s) => BigInt(s)),
      validatorPermit: [true, true, false, false],
      // validator 0 lists miner 3 with weight 0; validator 1 does not list miner 3 at all
      weights: csr([
        [
          [2, 65535],
          [3, 0],
        ],
        [[2, 65535]],
        [],
        [],
      ]),
      bonds: csr([
        [
          [2, 30000],
          [3, 30000],
        ],
        [
          [2, 30000],
          [3, 30000],
        ],
        [],
        [],
      ]),
    });
    const out = yumaEpoch(input);
    const row = (i: number) => {
      const a = out.bonds.indptr[i]!;
      const b = out.bonds.indptr[i + 1]!;
      return Array.from(out.bonds.indices as ArrayLike<number>).slice(a, b);
    };
    expect(row(0)).toEqual([2, 3]); // listed at weight 0: decayed, kept
    expect(row(1)).toEqual([2]); // not listed: gone
    const v03 = (out.bonds.values as Uint16Array)[1]!;
    expect(v03).toBeGreaterThan(0);
    expect(v03).toBeLessThan(30000); // decayed
    const f = yumaEpochFloat(input);
    out.dividends.forEach((d, i) => {
      expect(Math.abs(d - f.dividends[i]!)).toBeLessThanOrEqual(8);
    });
    Array.from(out.bonds.values).forEach((v, i) => {
      expect(Math.abs(v - f.bonds.values[i]!)).toBeLessThanOrEqual(8);
    });
  });
});
