/**
 * Stage 3, session: a request on the session path is authenticated by its MAC, which covers the raw bytes, so it is
 * checked before the body is parsed. Requests without a session id pass through to signature verification.
 */
import { SESSION_HEADERS } from '../../wire/index.js';
import type { Stage } from '../compose.js';
import { Reject } from '../exchange.js';
import type { SessionStore } from '../session-store.js';

export function session(deps: { sessions: SessionStore | null }): Stage {
  return (x, next) => {
    if (x.sessionId === undefined) return next();
    if (!deps.sessions)
      throw new Reject(401, 'Not Verified with error: sessions are disabled on this axon', 'unverified', false, {
        [SESSION_HEADERS.error]: 'disabled',
      });
    const c = deps.sessions.check(
      x.sessionId,
      x.header(SESSION_HEADERS.seq),
      x.header(SESSION_HEADERS.mac),
      x.routeName,
      x.body,
    );
    if (!c.ok)
      throw new Reject(401, `Not Verified with error: ${c.message}`, 'unverified', false, {
        [SESSION_HEADERS.error]: c.message,
      });
    x.fromHeaders.dendrite.hotkey = c.hotkey;
    x.session = { key: c.key, seq: c.seq };
    return next();
  };
}
