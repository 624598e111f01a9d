/** The limits an axon is given, checked when it is created: a bad one is a typed error, not a silent default. */
import { AxonError } from './errors.js';
import type { AxonOptions } from './types.js';

function positiveInteger(v: unknown, name: string): void {
  if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1))
    throw new AxonError('AXON_INVALID_CONFIG', `${name} must be a positive integer, got ${String(v)}`);
}

/** Throws `AXON_INVALID_CONFIG` for a shedding threshold, session cap or freshness limit that cannot work. */
export function checkAxonLimits(options: AxonOptions): void {
  positiveInteger(options.priority?.shedUnstakedAbove, 'priority.shedUnstakedAbove');
  if (options.sessions) positiveInteger(options.sessions.maxSessionsPerHotkey, 'sessions.maxSessionsPerHotkey');
  const window = options.verify?.maxTimeoutWindowS;
  if (window !== undefined && !(typeof window === 'number' && Number.isFinite(window) && window >= 0))
    throw new AxonError('AXON_INVALID_CONFIG', `verify.maxTimeoutWindowS must be a number >= 0, got ${String(window)}`);
  const future = options.verify?.futureToleranceNs;
  if (future !== undefined && !(typeof future === 'bigint' && future >= 0n))
    throw new AxonError(
      'AXON_INVALID_CONFIG',
      `verify.futureToleranceNs must be a bigint >= 0n, got ${String(future)}`,
    );
}
