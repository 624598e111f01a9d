/** Stage 6, blacklist: the axon-wide blacklist, then the route's own; either refuses with 403. */
import type { Stage } from '../compose.js';
import { Reject } from '../exchange.js';
import type { BlacklistFn, BlacklistVerdict } from '../types.js';

/** A verdict in any of its three forms, as `[blacklisted, reason]`. */
export function verdictOf(v: BlacklistVerdict): [boolean, string] {
  if (typeof v === 'boolean') return [v, v ? 'blacklisted' : ''];
  if (Array.isArray(v)) return [Boolean(v[0]), String(v[1] ?? '')];
  const o = v as { blacklisted: boolean; reason?: string };
  return [o.blacklisted, o.reason ?? 'blacklisted'];
}

export function blacklist(deps: { blacklist: BlacklistFn | undefined }): Stage {
  return async (x, next) => {
    for (const fn of [deps.blacklist, x.route.hooks.blacklist]) {
      if (!fn) continue;
      const [black, reason] = verdictOf(await fn(x.synapse, x.ctx));
      if (black) throw new Reject(403, `Forbidden. Key is blacklisted: ${reason}.`, 'blacklisted');
    }
    return next();
  };
}
