/** Per-key token buckets: cheap O(1) admission, bounded memory. */
import { BoundedMap } from './bounded-map.js';
import { AxonError } from './errors.js';

/** A token bucket's shape: `burst` tokens, refilled at `perSecond`. */
export interface BucketOptions {
  /** Requests allowed in a burst. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
  /** Distinct keys remembered (least recent forgotten first; default 100 000). */
  maxKeys?: number;
}

/** Token buckets keyed by string. */
export interface TokenBuckets {
  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string, now?: number): boolean;
}

/**
 * Token buckets keyed by IP or hotkey.
 *
 * @example
 * ```ts
 * const perIp = createTokenBuckets({ burst: 50, perSecond: 20 });
 * if (!perIp.take(ip)) reply(429);
 * ```
 */
export function createTokenBuckets(options: BucketOptions): TokenBuckets {
  const { burst, perSecond } = options ?? ({} as BucketOptions);
  if (!(burst >= 1) || !Number.isFinite(burst) || !(perSecond >= 0) || !Number.isFinite(perSecond))
    throw new AxonError(
      'AXON_INVALID_CONFIG',
      `a token bucket needs burst >= 1 and perSecond >= 0, got burst ${burst}, perSecond ${perSecond}`,
    );
  const buckets = new BoundedMap<string, { tokens: number; at: number }>(options.maxKeys ?? 100_000);
  return {
    take(key, now = performance.now()) {
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
      const ok = b.tokens >= 1;
      if (ok) b.tokens -= 1;
      buckets.set(key, b);
      return ok;
    },
  };
}
