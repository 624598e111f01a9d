/** Checking a validator loop's options before anything runs, and wrapping foreign failures as typed errors. */
import type { Synapse } from '../synapse/index.js';
import { EpochError } from './errors.js';
import type { EpochOptions, Scorer } from './types.js';

export function checkOptions<S extends Synapse, C>(o: EpochOptions<S, C>): void {
  const bad = (msg: string): never => {
    throw new EpochError('EPOCH_INVALID_CONFIG', msg);
  };
  if (!o || typeof o !== 'object') bad('options are required');
  if (!o.subtensor || typeof o.subtensor.setWeights !== 'function')
    bad('options.subtensor must be a chain client (createSubtensor)');
  if (!o.dendrite || typeof o.dendrite.call !== 'function') bad('options.dendrite must be a dendrite (createDendrite)');
  if (!o.hotkey?.ss58Address || !o.hotkey.secretKey) bad('options.hotkey must be the validator hotkey with its secret');
  if (!Number.isInteger(o.netuid) || o.netuid < 0 || o.netuid > 65535)
    bad(`options.netuid must be an integer in [0, 65535], got ${String(o.netuid)}`);
  if (typeof o.query !== 'function') bad('options.query must be a function that builds the request');
  const score = o.score as unknown;
  if (typeof score !== 'function' && typeof (score as Scorer<S, C>)?.score !== 'function')
    bad('options.score must be a function or { score }');
  const num = (v: number | undefined, name: string, lo: number, hi: number, int = false) => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v)))
      bad(`options.${name} must be ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${String(v)}`);
  };
  num(o.alpha, 'alpha', Number.MIN_VALUE, 1);
  num(o.sampleSize, 'sampleSize', 1, 65535, true);
  num(o.concurrency, 'concurrency', 1, 65535, true);
  num(o.timeout, 'timeout', 0.001, 3600);
  num(o.weightsInterval, 'weightsInterval', 1, 1e9, true);
  num(o.resyncInterval, 'resyncInterval', 1, 1e9, true);
  num(o.stepInterval, 'stepInterval', 0, 86_400_000);
  num(o.excludeQuantile, 'excludeQuantile', 0, 65535, true);
  if (o.commitReveal !== undefined && o.commitReveal !== 'timelock' && o.commitReveal !== 'hash')
    bad(`options.commitReveal must be 'timelock' or 'hash', got ${String(o.commitReveal)}`);
  const pen = (score as Scorer<S, C>)?.penalty;
  if (pen !== undefined && !(typeof pen === 'number' && pen >= 0 && pen <= 1))
    bad(`score.penalty must be a number in [0, 1], got ${String(pen)}`);
}

export function asEpochError(e: unknown, code: EpochError['code'], what: string): EpochError {
  return e instanceof EpochError
    ? e
    : new EpochError(code, `${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}
