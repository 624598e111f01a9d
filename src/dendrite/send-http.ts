/**
 * Sending a synapse over HTTP, signed (on its own lane, so nonces reach the axon in order per uuid) or on a session
 * (MAC'd, on the shared pool). Used by calls and by streams; the caller reads the response.
 */
import type { Dispatcher } from 'undici';
import type { Synapse, SynapseClass } from '../synapse/index.js';
import { SESSION_HEADERS, responseMac } from '../wire/index.js';
import { headerRecord, origin } from './http-util.js';
import type { Lane, LaneSet } from './lanes.js';
import { prepareSession, prepareSigned } from './prepare.js';
import type { ClientSession } from './session-client.js';
import { type DendriteState, assertOpen, dropSession, lanesFor, poolFor, sessionFor } from './state.js';
import type { AxonTarget } from './types.js';

/** A request on its way. */
export interface Sent {
  /** Resolves to the HTTP response, or rejects with a network error. */
  response: Promise<{
    statusCode: number;
    headers: Record<string, string>;
    body: AsyncIterable<Uint8Array> & { destroy?: () => void };
  }>;
  /** The session a session request used, and its sequence number. */
  session?: { s: ClientSession; seq: string; origin: string };
  /** The lane a signed request holds until its reply is read. */
  lane?: { set: LaneSet; lane: Lane };
  /** The timer that aborts the request at its deadline (connect, send and the whole reply). */
  deadline: NodeJS.Timeout;
}

/**
 * Ends a request once its reply is read or has failed: stops its deadline and releases a signed request's lane, once
 * (later calls do nothing); a broken lane (its reply not read to the end) starts afresh.
 */
export function settleSent(state: DendriteState, sent: Sent | undefined, broken: boolean): void {
  if (!sent) return;
  clearTimeout(sent.deadline);
  const held = sent.lane;
  if (!held) return;
  sent.lane = undefined;
  state.signedInFlight--;
  held.set.release(held.lane, broken);
}

export async function sendHttp(
  state: DendriteState,
  target: AxonTarget,
  synapse: Synapse,
  timeout: number,
  transport: 'http' | 'session',
): Promise<Sent> {
  assertOpen(state);
  const o = origin(target);
  // A controller and a timer, not AbortSignal.timeout: that costs 10+ µs a request, and its timer outlives the call.
  // Started here, so waiting for a session or a lane counts against the deadline too.
  const abort = new AbortController();
  const deadline = setTimeout(
    () => abort.abort(new DOMException('The operation timed out.', 'TimeoutError')),
    timeout * 1000,
  );
  deadline.unref();
  try {
    return { ...(await send(state, target, synapse, timeout, transport, o, abort.signal)), deadline };
  } catch (e) {
    clearTimeout(deadline);
    throw e;
  }
}

async function send(
  state: DendriteState,
  target: AxonTarget,
  synapse: Synapse,
  timeout: number,
  transport: 'http' | 'session',
  o: string,
  signal: AbortSignal,
): Promise<Omit<Sent, 'deadline'>> {
  const name = (synapse.constructor as SynapseClass).synapseName;
  const toResponse = (r: Dispatcher.ResponseData) => ({
    statusCode: r.statusCode,
    headers: headerRecord(r.headers),
    body: r.body,
  });
  if (transport === 'session') {
    const s = await sessionFor(state, o, target, timeout);
    const { body, headers, seq } = prepareSession(state, target, synapse, timeout, s, name, (x) => x.toJSON());
    const response = poolFor(state, o)
      .request({ path: `/${name}`, method: 'POST', headers, body, signal })
      .then(toResponse);
    return { response, session: { s, seq, origin: o } };
  }
  // Signed requests sign only once they hold their connection: the axon then sees each uuid's nonces in order.
  const set = lanesFor(state, o);
  const lane = await set.acquire();
  state.signedInFlight++;
  let prepared: { body: string; headers: Record<string, string> };
  try {
    prepared = await prepareSigned(state, target, synapse, timeout, lane.uuid);
  } catch (e) {
    state.signedInFlight--;
    set.release(lane);
    throw e;
  }
  const response = lane.client
    .request({ path: `/${name}`, method: 'POST', headers: prepared.headers, body: prepared.body, signal })
    .then(toResponse);
  return { response, lane: { set, lane } };
}

/**
 * Checks a session reply: a success must carry the right MAC (false: it cannot be trusted); a 401 saying the axon
 * forgot the session drops it here, so the next call handshakes again.
 */
export function sessionReplyOk(
  state: DendriteState,
  sent: Sent,
  status: number,
  headers: Record<string, string>,
  body: Uint8Array | string,
  target: AxonTarget,
): boolean {
  if (!sent.session) return true;
  if (status === 401 && headers[SESSION_HEADERS.error]) {
    dropSession(state, sent.session.origin, target, sent.session.s);
    return true;
  }
  if (status !== 200) return true;
  const mac = headers[SESSION_HEADERS.mac];
  return typeof mac === 'string' && mac === responseMac(sent.session.s.key, sent.session.seq, status, body);
}
