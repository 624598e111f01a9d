/** The stream call path to a subnetkit axon: the session's MAC'd request as a frame on the axon's one connection. */
import type { SynapseClass } from '../synapse/index.js';
import { SESSION_HEADERS, STREAM_FLAG_SESSION_ERROR, encodeStreamRequest, responseMac } from '../wire/index.js';
import type { CallPath, Reply } from './call.js';
import { origin } from './http-util.js';
import { prepareSession } from './prepare.js';
import { WaitDeadline } from './deadline.js';
import type { ClientSession } from './session-client.js';
import { assertOpen, dropSession, sessionFor, sessionNow, streamFor, streamNow } from './state.js';
import type { DecodedStreamReply } from '../wire/index.js';

export const streamCall: CallPath = async (state, target, synapse, timeout): Promise<Reply> => {
  assertOpen(state);
  const o = origin(target);
  const name = (synapse.constructor as SynapseClass).synapseName;
  // Usually the session and the connection are open and nothing is waited for. When one is being opened (perhaps by
  // another call, with its own timeout), this call still ends at its own deadline, and its frame gets what is left.
  const waits = new WaitDeadline(timeout);
  let s: ClientSession;
  let seq: string;
  let reply: DecodedStreamReply;
  try {
    s = sessionNow(state, o, target) ?? (await waits.race(sessionFor(state, o, target, timeout)));
    const conn = streamNow(state, o) ?? (await waits.race(streamFor(state, o, target, timeout)));
    const prepared = prepareSession(state, target, synapse, timeout, s, name, (x) => x.toJSON());
    seq = prepared.seq;
    const { body, headers } = prepared;
    const timeoutMs = waits.remainingMs();
    reply = await conn.call(
      (id) =>
        encodeStreamRequest({
          id,
          seq: BigInt(seq),
          timeoutMs,
          session: s.idBytes,
          mac: Buffer.from(headers[SESSION_HEADERS.mac]!, 'hex'),
          route: name,
          body,
        }),
      timeoutMs,
    );
  } finally {
    waits.clear();
  }
  const text = reply.body.toString('utf8');
  if (reply.status === 401 && reply.flags & STREAM_FLAG_SESSION_ERROR) {
    // The axon forgot our session (restart, expiry): forget it too, so the retry handshakes anew.
    dropSession(state, o, target, s);
    return { kind: 'response', status: 401, headers: {}, body: text, sessionLost: true };
  }
  if (reply.status !== 200) return { kind: 'response', status: reply.status, headers: {}, body: text };
  const mac = Buffer.from(reply.mac).toString('hex');
  if (mac !== responseMac(s.key, seq, 200, reply.body))
    return { kind: 'failure', status: 401, message: 'Response MAC missing or invalid' };
  return {
    kind: 'response',
    status: 200,
    headers: { bt_header_axon_status_code: '200', [SESSION_HEADERS.mac]: mac },
    body: text,
  };
};
