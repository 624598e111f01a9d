/**
 * Stage 2, parse: the transport finds the route and reads the body (capped while reading), then the headers are read
 * for the terminal info, timeout and body hash.
 */
import { Synapse } from '../../synapse/index.js';
import { SESSION_HEADERS } from '../../wire/index.js';
import type { Stage } from '../compose.js';
import { Reject, type Route } from '../exchange.js';

export function parse(deps: { routes: ReadonlyMap<string, Route>; maxBody: number }): Stage {
  return async (x, next) => {
    const loaded = await x.arrival.load(deps.routes, deps.maxBody);
    x.routeName = loaded.routeName;
    x.route = loaded.route;
    x.body = loaded.body;
    x.parsed = loaded.parsed;
    x.sessionId = x.header(SESSION_HEADERS.id);
    try {
      // Only terminal info, timeout and the body hash are read from headers, so the base class parses them: the
      // `bt_header_input_obj_*` dummies Python sends for required fields (`{}` for a Tensor) would not validate
      // as the route's own field types, and the body carries the real values anyway. A session request carries
      // only its timeout there.
      const timeout = x.header('timeout');
      x.fromHeaders =
        x.sessionId !== undefined
          ? new Synapse(timeout === undefined ? {} : { timeout: Number(timeout) })
          : Synapse.fromHeaders(x.arrival.headers);
    } catch (e) {
      throw new Reject(400, `Invalid synapse headers: ${(e as Error).message}`, 'bad_headers');
    }
    return next();
  };
}
