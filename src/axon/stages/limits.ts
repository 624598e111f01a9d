/** Stage 1, limits: cheap, constant-size refusals before anything is read or parsed. */
import type { Stage } from '../compose.js';
import { Reject } from '../exchange.js';
import type { TokenBuckets } from '../rate-limit.js';

export function limits(deps: { perIp: TokenBuckets | null; maxHeaderCount: number }): Stage {
  return (x, next) => {
    if (deps.perIp && !deps.perIp.take(x.arrival.ip))
      throw new Reject(429, 'Too many requests from this address', 'rate_limited_ip');
    if (x.arrival.headerCount > deps.maxHeaderCount)
      throw new Reject(431, 'Too many header fields', 'header_flood', true);
    return next();
  };
}
