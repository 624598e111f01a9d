/** Token buckets: a burst, then refusals, refilled at the sustained rate; one bucket per key; bad shapes refused. */
import { describe, expect, it } from 'vitest';
import { AxonError, createTokenBuckets } from '../../src/axon/index.js';
import { thrownCodeSync } from '../helpers/helpers.js';

describe('createTokenBuckets', () => {
  it('allows a burst, then refuses until time refills the bucket at perSecond', () => {
    const b = createTokenBuckets({ burst: 3, perSecond: 2 });
    const at = 1000;
    expect([b.take('ip', at), b.take('ip', at), b.take('ip', at), b.take('ip', at)]).toEqual([true, true, true, false]);
    expect(b.take('ip', at + 400)).toBe(false); // 0.8 of a token
    expect(b.take('ip', at + 500)).toBe(true); // 1 token after 500 ms at 2/s
    expect(b.take('ip', at + 500)).toBe(false);
    // Never more than the burst, however long the wait.
    const later = at + 60_000;
    expect([b.take('ip', later), b.take('ip', later), b.take('ip', later), b.take('ip', later)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('keeps a bucket per key, and forgets the least recent keys past maxKeys', () => {
    const b = createTokenBuckets({ burst: 1, perSecond: 0, maxKeys: 2 });
    expect([b.take('a', 0), b.take('b', 0), b.take('a', 0), b.take('b', 0)]).toEqual([true, true, false, false]);
    b.take('c', 0); // evicts the least recent key
    expect(b.take('a', 0)).toBe(true); // a fresh bucket: 'a' was forgotten
  });

  it('refuses shapes that would never admit or never refuse', () => {
    expect(thrownCodeSync(AxonError, () => createTokenBuckets({ burst: 0, perSecond: 1 }))).toBe('AXON_INVALID_CONFIG');
    expect(thrownCodeSync(AxonError, () => createTokenBuckets({ burst: 5, perSecond: -1 }))).toBe(
      'AXON_INVALID_CONFIG',
    );
    expect(thrownCodeSync(AxonError, () => createTokenBuckets({ burst: Number.NaN, perSecond: 1 }))).toBe(
      'AXON_INVALID_CONFIG',
    );
  });
});
