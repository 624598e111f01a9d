/** The session handshake route (`POST /_subnetkit_session`), run after the limits instead of the synapse stages. */
import type { Stage } from '../compose.js';
import { Reject } from '../exchange.js';
import type { SessionStore } from '../session-store.js';

/** The handshake's largest body: a few hundred bytes of JSON. */
const MAX_HANDSHAKE_BYTES = 4096;

export function handshake(deps: { sessions: SessionStore | null }): Stage {
  return async (x) => {
    if (!deps.sessions) throw new Reject(404, 'sessions are disabled on this axon', 'not_found');
    if (x.arrival.method !== 'POST') throw new Reject(405, 'Method not allowed', 'method');
    const out = await deps.sessions.handshake((await x.arrival.readBody(MAX_HANDSHAKE_BYTES)).toString('utf8'));
    if (!out.ok) throw new Reject(out.status, out.message, 'handshake');
    return { kind: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body: out.body };
  };
}
