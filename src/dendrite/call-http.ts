/** The HTTP call paths: signed (Python-compatible) and session (MAC'd); both read the reply whole, under the size cap. */
import { type CallPath, type Reply, markUnanswered } from './call.js';
import type { Reply as HttpReply } from './dispatch-buffered.js';
import { type Exchange, exchangeHttp, sessionReplyOk, settleSent } from './send-http.js';
import { SESSION_HEADERS } from '../wire/index.js';

const DISCONNECTED_BEFORE_REPLY = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

function httpPath(transport: 'http' | 'session'): CallPath {
  return async (state, target, synapse, timeout): Promise<Reply> => {
    let sent: Exchange | undefined;
    let res: HttpReply;
    try {
      sent = await exchangeHttp(state, target, synapse, timeout, transport);
      res = await sent.reply;
    } catch (e) {
      // Closed before any reply: on these keep-alive connections (one request at a time), the axon closed an idle
      // connection and never read the request.
      if (DISCONNECTED_BEFORE_REPLY.has((e as { code?: string })?.code ?? '')) markUnanswered(e);
      // A request that failed mid-flight may leave its connection in any state: that lane starts afresh.
      settleSent(state, sent, true);
      throw e;
    }
    settleSent(state, sent, false);
    if (!sessionReplyOk(state, sent, res.statusCode, res.headers, res.text, target))
      return { kind: 'failure', status: 401, message: 'Response MAC missing or invalid' };
    // An axon that forgot our session (restart, expiry) says so; sessionReplyOk has dropped it.
    const sessionLost = Boolean(sent.session && res.statusCode === 401 && res.headers[SESSION_HEADERS.error]);
    return { kind: 'response', status: res.statusCode, headers: res.headers, body: res.text, sessionLost };
  };
}

/** Python-compatible: every request signed with sr25519. */
export const signedHttp: CallPath = httpPath('http');

/** A subnetkit axon's session path over HTTP/1.1: one handshake, then an HMAC per request. */
export const sessionHttp: CallPath = httpPath('session');
