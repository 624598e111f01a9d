/** Stage 4, body: the body becomes the route's synapse, and the timeout the client asked for is bounded. */
import { SynapseError, type JsonValue } from '../../synapse/index.js';
import type { Stage } from '../compose.js';
import { Reject } from '../exchange.js';

/** Largest synapse timeout an axon accepts, in seconds. */
export const MAX_TIMEOUT_S = 3600;

export function body(): Stage {
  return (x, next) => {
    try {
      x.synapse = x.route.cls.fromJSON(
        (x.parsed as JsonValue | undefined) ?? (x.body.length ? x.body.toString('utf8') : '{}'),
      );
    } catch (e) {
      const code = e instanceof SynapseError ? e.code : '';
      throw new Reject(
        code === 'SYNAPSE_INVALID_JSON' ? 422 : 400,
        `Invalid synapse body: ${(e as Error).message}`,
        'bad_body',
      );
    }
    // An infinite or absurd timeout would open the nonce window and hold a queue slot forever.
    const timeout = x.fromHeaders.timeout;
    if (!Number.isFinite(timeout) || timeout < 0 || timeout > MAX_TIMEOUT_S)
      throw new Reject(400, `Invalid timeout: must be between 0 and ${MAX_TIMEOUT_S} seconds`, 'bad_headers');
    const { ip, port, started } = x.arrival;
    x.ctx = {
      ip,
      port,
      hotkey: x.fromHeaders.dendrite.hotkey,
      route: x.routeName,
      elapsedMs: () => performance.now() - started,
    };
    return next();
  };
}
