/** The stream call path to a subnetkit axon: the session's MAC'd request as a frame on the axon's one connection. */
import type { SynapseClass } from '../synapse/index.js';
import { SESSION_HEADERS, STREAM_FLAG_SESSION_ERROR, encodeStreamRequest, responseMac } from '../wire/index.js';
import type { CallPath, Reply } from './call.js';
import { origin } from './http-util.js';
import { prepareSession } from './prepare.js';
import { Deadline } from './deadline.js';
import type { ClientSession } from './session-client.js';
import { assertOpen, dropSession, sessionFor, streamFor } from './state.js';
import type { DecodedStreamReply } from '../wire/index.js';

export const streamCall: CallPath = async (state, target, synapse, timeout): Promise<Reply> => {
  assertOpen(state);
  const o = origin(target);
  const name = (synapse.constructor as SynapseClass).synapseName;
  // The session and the connection may be being opened by another call, with its own timeout: this call still
  // ends at its own deadline, and its frame gets what is left of it.
  const deadline = new Deadline(timeout);
  let s: ClientSession;
  let seq: string;
  let reply: DecodedStreamReply;
  try {
    s = await deadline.race(sessionFor(state, o, target, timeout));
    const conn = await deadline.race(streamFor(state, o, target, timeout));
    const prepared = prepareSession(state, target, synapse, timeout, s, name, (x) => x.toJSON());
    seq = prepared.seq;
    const { body, headers } = prepared;
    const timeoutMs = deadline.remainingMs();
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
    deadline.clear();
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
