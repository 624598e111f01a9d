/**
 * Checks of an epoch's input before any arithmetic: every block number a non-negative safe integer, every u16
 * parameter in range, weight and bond rows well formed (n + 1 offsets, uids in [0, n)), and the emission a u64.
 * A bad value is a `CONSENSUS_INVALID_INPUT` naming it, never a silent result (a NaN block, a wrapped emission).
 */
import { invalidInput as fail } from './errors.js';
import type { SparseRows, YumaInput } from './types.js';

const U64 = 1n << 64n;

function block(v: unknown, what: string): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(`${what} must be a block number (a non-negative integer), got ${String(v)}`);
}

function intIn(v: unknown, what: string, lo: number, hi: number): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    fail(`${what} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
}

function rows(m: SparseRows | undefined, n: number, what: string): void {
  if (!m || typeof m !== 'object' || m.indptr === undefined || m.indices === undefined || m.values === undefined)
    fail(`${what} must be { indptr, indices, values }`);
  if (m.indptr.length !== n + 1) fail(`${what}.indptr has ${m.indptr.length} offsets, expected n + 1 = ${n + 1}`);
  if (m.indices.length !== m.values.length) fail(`${what}: ${m.indices.length} indices but ${m.values.length} values`);
  if (m.indptr[0] !== 0 || m.indptr[n] !== m.indices.length)
    fail(`${what}.indptr must run from 0 to ${m.indices.length}`);
  for (let i = 0; i < n; i++) {
    const a = m.indptr[i]!;
    const b = m.indptr[i + 1]!;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a > b) fail(`${what}: bad row offsets at row ${i}`);
    for (let c = a; c < b; c++) {
      const j = m.indices[c]!;
      if (!Number.isInteger(j) || j < 0 || j >= n) fail(`${what}[${i}]: uid ${String(j)} is outside [0, ${n})`);
    }
  }
}

/** Throws `CONSENSUS_INVALID_INPUT` for the first thing wrong with `input`. */
export function checkYumaInput(input: YumaInput): void {
  if (!input || typeof input !== 'object') fail('the epoch input must be an object');
  const n = input.n;
  intIn(n, 'n', 0, 65535);
  block(input.currentBlock, 'currentBlock');
  intIn(input.tempo, 'tempo', 0, 65535);
  block(input.activityCutoff, 'activityCutoff');
  if (input.lastMechanismStepBlock !== undefined) block(input.lastMechanismStepBlock, 'lastMechanismStepBlock');
  for (const [name, arr] of [
    ['lastUpdate', input.lastUpdate],
    ['blockAtRegistration', input.blockAtRegistration],
  ] as const) {
    if (!arr || arr.length !== n) fail(`${name} has ${arr?.length} entries, expected n = ${n}`);
    for (let i = 0; i < n; i++) block(arr[i], `${name}[${i}]`);
  }
  if (input.commitBlocks)
    for (let i = 0; i < input.commitBlocks.length; i++)
      if (input.commitBlocks[i] !== null) block(input.commitBlocks[i], `commitBlocks[${i}]`);
  intIn(input.maxAllowedValidators, 'maxAllowedValidators', 0, 65535);
  intIn(input.kappa, 'kappa', 0, 65535);
  intIn(input.bondsPenalty, 'bondsPenalty', 0, 65535);
  intIn(input.alphaLow, 'alphaLow', 0, 65535);
  intIn(input.alphaHigh, 'alphaHigh', 0, 65535);
  intIn(input.bondsMovingAverage, 'bondsMovingAverage', 0, 1_000_000);
  if (
    input.alphaSigmoidSteepness !== undefined &&
    (typeof input.alphaSigmoidSteepness !== 'number' || !Number.isFinite(input.alphaSigmoidSteepness))
  ) {
    fail(`alphaSigmoidSteepness must be a finite number, got ${String(input.alphaSigmoidSteepness)}`);
  }
  if (input.ownerUid !== undefined && input.ownerUid !== null) intIn(input.ownerUid, 'ownerUid', 0, 65535);
  rows(input.weights, n, 'weights');
  rows(input.bonds, n, 'bonds');
  if (typeof input.raoEmission !== 'bigint' || input.raoEmission < 0n || input.raoEmission >= U64)
    fail(`raoEmission must be a bigint in [0, 2^64), got ${String(input.raoEmission)}`);
  if (
    input.stakeThreshold !== undefined &&
    (typeof input.stakeThreshold !== 'bigint' || input.stakeThreshold < 0n || input.stakeThreshold >= U64)
  )
    fail('stakeThreshold must be a bigint in [0, 2^64)');
}
