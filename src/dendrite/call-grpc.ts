/** The gRPC call path to a subnetkit axon: the synapse as a protobuf message (tensors as raw bytes), on a session. */
import type { JsonValue, SynapseClass } from '../synapse/index.js';
import { decodeSynapseMessage, encodeSynapseMessage, joinSynapse, splitSynapse } from '../internal/grpc-wire.js';
import { SESSION_HEADERS, responseMac } from '../wire/index.js';
import type { CallPath, Reply } from './call.js';
import { GrpcCallError } from './grpc-error.js';
import { origin } from './http-util.js';
import { prepareSession } from './prepare.js';
import { WaitDeadline } from './deadline.js';
import type { ClientSession } from './session-client.js';
import { assertOpen, dropSession, grpcClients, sessionFor, sessionNow } from './state.js';
import { grpcAddress } from './target.js';

export const grpcCall: CallPath = async (state, target, synapse, timeout): Promise<Reply> => {
  assertOpen(state);
  const address = grpcAddress(target);
  if (!address)
    return { kind: 'failure', status: 503, message: `axon ${target.ip}:${target.port} does not advertise gRPC` };
  const name = (synapse.constructor as SynapseClass).synapseName;
  const o = origin(target);
  // Usually the session is open and nothing is waited for. When it is being opened (perhaps by another call, with
  // its own timeout), this call still ends at its own deadline, and the gRPC call gets what is left of it.
  const waits = new WaitDeadline(timeout);
  let s: ClientSession;
  let seq: string;
  let reply: { headers: Record<string, string>; message: Buffer };
  try {
    s = sessionNow(state, o, target) ?? (await waits.race(sessionFor(state, o, target, timeout)));
    const prepared = prepareSession(state, target, synapse, timeout, s, name, (x) =>
      encodeSynapseMessage(splitSynapse(x, name)),
    );
    seq = prepared.seq;
    const clients = await grpcClients(state);
    reply = await clients.unary(address, prepared.body, prepared.headers, waits.remainingMs());
  } catch (e) {
    if (!(e instanceof GrpcCallError)) throw e;
    const sessionLost = e.status === 401 && Boolean(e.headers[SESSION_HEADERS.error]);
    if (sessionLost) dropSession(state, o, target, s!);
    return { kind: 'failure', status: e.status, message: e.message, sessionLost };
  } finally {
    waits.clear();
  }
  const status = Number(reply.headers.bt_header_axon_status_code ?? 200);
  if (reply.headers[SESSION_HEADERS.mac] !== responseMac(s.key, seq, status, reply.message))
    return { kind: 'failure', status: 401, message: 'Response MAC missing or invalid' };
  let json: JsonValue;
  try {
    json = joinSynapse(decodeSynapseMessage(reply.message)) as JsonValue;
  } catch (e) {
    return { kind: 'failure', status: 422, message: `Failed to parse response: ${(e as Error).message}` };
  }
  return { kind: 'response', status, headers: reply.headers, body: json };
};
