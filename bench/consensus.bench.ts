/**
 * Yuma epoch timing, exact (I32F32) and float64, for n ∈ {64, 256, 1024, 4096} with 64 validators weighting every
 * miner and carrying full bond rows, plus a dense 256 × 256 (every uid a validator weighting every uid).
 */
import {
  activityCutoffBlocks,
  yumaEpoch,
  yumaEpochFloat,
  type SparseRows,
  type YumaInput,
} from '../src/consensus/index.js';
import type { BenchReport } from './run.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function denseRows(n: number, validators: number, rand: () => number): SparseRows {
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i < validators)
      for (let j = 0; j < n; j++) {
        indices.push(j);
        values.push(1 + Math.floor(rand() * 65535));
      }
    indptr.push(indices.length);
  }
  return { indptr: Uint32Array.from(indptr), indices: Uint16Array.from(indices), values: Uint16Array.from(values) };
}

function input(n: number, validators: number): YumaInput {
  const rand = rng(n * 31 + validators);
  return {
    n,
    currentBlock: 10_000,
    tempo: 360,
    activityCutoff: activityCutoffBlocks(360),
    lastUpdate: new Array(n).fill(9_990),
    blockAtRegistration: new Array(n).fill(0),
    stake: Array.from({ length: n }, (_, i) => BigInt(Math.floor((i < validators ? 1e13 : 1e9) * (0.5 + rand())))),
    validatorPermit: Array.from({ length: n }, (_, i) => i < validators),
    maxAllowedValidators: validators,
    weights: denseRows(n, validators, rand),
    bonds: denseRows(n, validators, rand),
    raoEmission: 1_000_000_000n * 360n,
  };
}

function time(fn: () => unknown, minMs: number): number {
  fn();
  const samples: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || samples.length < 3) {
    const s = performance.now();
    fn();
    samples.push(performance.now() - s);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!; // median
}

export async function run(): Promise<BenchReport> {
  const table: BenchReport['table'] = [];
  const figures: BenchReport['figures'] = {};
  const cases: Array<[string, number, number, Partial<YumaInput>?]> = [
    ['n64', 64, 64],
    ['n256', 256, 64],
    ['n1024', 1024, 64],
    ['n4096', 4096, 64],
    ['dense256', 256, 256],
    // Yuma3 with liquid alpha: a sigmoid (the chain's fixed-point exp) per bond cell.
    ['yuma3_liquid_n256', 256, 64, { yuma3: true, liquidAlpha: true }],
    ['yuma3_liquid_n4096', 4096, 64, { yuma3: true, liquidAlpha: true }],
  ];
  for (const [name, n, v, extra] of cases) {
    const inp = { ...input(n, v), ...extra };
    const budget = n >= 4096 ? 3000 : 1000;
    const exact = time(() => yumaEpoch(inp), budget);
    const float = time(() => yumaEpochFloat(inp), budget);
    table.push({
      case: name,
      n,
      validators: v,
      cells: n * v,
      'exact ms': Math.round(exact * 100) / 100,
      'float ms': Math.round(float * 100) / 100,
      'exact/float': Math.round((exact / float) * 100) / 100,
    });
    figures[`exact_ms_${name}`] = Math.round(exact * 100) / 100;
    figures[`float_ms_${name}`] = Math.round(float * 100) / 100;
    const ratio = Math.round((exact / float) * 100) / 100;
    if (name === 'n256') figures.exact_vs_float_n256 = ratio;
    if (name === 'yuma3_liquid_n4096') figures.yuma3_liquid_exact_vs_float_n4096 = ratio;
  }
  return {
    table,
    figures,
    notes: [
      'median of repeated runs on one core; weights and bonds are full rows for every validator (the worst case for a given n)',
      'goal: exact n=256 < 5 ms, n=4096 < 500 ms; exact/float: classic n=256 ≤ 1.2, Yuma3 with liquid alpha n=4096 ≤ 2',
    ],
  };
}
