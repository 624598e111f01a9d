/**
 * Sending a synapse over HTTP, signed (on its own lane, so nonces reach the axon in order per uuid) or on a session
 * (MAC'd, on the shared pool). A call exchanges a request for a whole reply (`exchangeHttp`); a stream reads its
 * reply as it comes (`sendHttp`).
 */
import type { Dispatcher } from 'undici';
import type { Synapse, SynapseClass } from '../synapse/index.js';
import { SESSION_HEADERS, responseMac } from '../wire/index.js';
import { Deadline } from './deadline.js';
import { type Reply as BufferedReply, dispatchBuffered } from './dispatch-buffered.js';
import { headerRecord, origin } from './http-util.js';
import type { Lane, LaneSet } from './lanes.js';
import { prepareSession, prepareSigned } from './prepare.js';
import type { ClientSession } from './session-client.js';
import { type DendriteState, assertOpen, dropSession, lanesFor, poolFor, sessionFor, sessionNow } from './state.js';
import type { AxonTarget } from './types.js';

/** What a request holds until its reply is read: its deadline, and a signed request's lane. */
export interface Held {
  /** The session a session request used, and its sequence number. */
  session?: { s: ClientSession; seq: string; origin: string };
  /** The lane a signed request holds until its reply is read. */
  lane?: { set: LaneSet; lane: Lane };
  /** The call's deadline (waiting for a lane or a session, connect, send and the whole reply). */
  deadline: Deadline;
}

/** A request on its way, its reply read as a stream. */
export interface Sent extends Held {
  /** Resolves to the HTTP response, or rejects with a network error. */
  response: Promise<{
    statusCode: number;
    headers: Record<string, string>;
    body: AsyncIterable<Uint8Array> & { destroy?: () => void };
  }>;
}

/** A request on its way, its reply read whole. */
export interface Exchange extends Held {
  /** Resolves to the whole reply (refused past the dendrite's size cap), or rejects with a network error. */
  reply: Promise<BufferedReply>;
}

/**
 * Ends a request once its reply is read or has failed: stops its deadline and releases a signed request's lane, once
 * (later calls do nothing); a broken lane (its reply not read to the end) starts afresh.
 */
export function settleSent(state: DendriteState, sent: Held | undefined, broken: boolean): void {
  if (!sent) return;
  sent.deadline.clear();
  const held = sent.lane;
  if (!held) return;
  sent.lane = undefined;
  state.signedInFlight--;
  held.set.release(held.lane, broken);
}

/** The request, prepared on what will carry it, and what it holds (its deadline included). */
interface Outgoing extends Held {
  dispatcher: Dispatcher;
  request: { path: string; method: 'POST'; headers: Record<string, string>; body: string };
}

/** Sends a synapse and reads its reply as a stream (the streaming calls). */
export async function sendHttp(
  state: DendriteState,
  target: AxonTarget,
  synapse: Synapse,
  timeout: number,
  transport: 'http' | 'session',
): Promise<Sent> {
  const out = await prepareOutgoing(state, target, synapse, timeout, transport);
  // A controller, not AbortSignal.timeout: that costs 10+ µs a request, and its timer outlives the call.
  const abort = new AbortController();
  out.deadline.whenExpired((reason) => abort.abort(reason));
  const response = out.dispatcher.request({ ...out.request, signal: abort.signal }).then((r) => ({
    statusCode: r.statusCode,
    headers: headerRecord(r.headers),
    body: r.body,
  }));
  return { response, session: out.session, lane: out.lane, deadline: out.deadline };
}

/**
 * Sends a synapse and reads its whole reply (the unary calls): a handler collects the reply's chunks as undici parses
 * them, with no stream object per request in between.
 */
export async function exchangeHttp(
  state: DendriteState,
  target: AxonTarget,
  synapse: Synapse,
  timeout: number,
  transport: 'http' | 'session',
): Promise<Exchange> {
  const out = await prepareOutgoing(state, target, synapse, timeout, transport);
  const pending = dispatchBuffered(out.dispatcher, out.request, state.maxBytes);
  out.deadline.whenExpired(pending.cancel);
  return { reply: pending.reply, session: out.session, lane: out.lane, deadline: out.deadline };
}

/**
 * Starts the call's deadline, then takes a session or a lane and prepares the request on it. The deadline starts
 * here, so waiting for a lane or a session counts against it; it is stopped again if preparing fails.
 */
async function prepareOutgoing(
  state: DendriteState,
  target: AxonTarget,
  synapse: Synapse,
  timeout: number,
  transport: 'http' | 'session',
): Promise<Outgoing> {
  assertOpen(state);
  const o = origin(target);
  const path = `/${(synapse.constructor as SynapseClass).synapseName}`;
  const deadline = new Deadline(timeout);
  try {
    if (transport === 'session') {
      // The handshake may be another call's, opened with that call's timeout: this call still ends at its own.
      const s = sessionNow(state, o, target) ?? (await deadline.race(sessionFor(state, o, target, timeout)));
      const { body, headers, seq } = prepareSession(state, target, synapse, timeout, s, path.slice(1), (x) =>
        x.toJSON(),
      );
      const request = { path, method: 'POST' as const, headers, body };
      return { dispatcher: poolFor(state, o), request, session: { s, seq, origin: o }, deadline };
    }
    // Signed requests sign only once they hold their connection: the axon then sees each uuid's nonces in order.
    const set = lanesFor(state, o);
    const lane = await set.acquire(deadline);
    state.signedInFlight++;
    try {
      const { body, headers } = await prepareSigned(state, target, synapse, timeout, lane.uuid);
      const request = { path, method: 'POST' as const, headers, body };
      return { dispatcher: lane.client, request, lane: { set, lane }, deadline };
    } catch (e) {
      state.signedInFlight--;
      set.release(lane);
      throw e;
    }
  } catch (e) {
    deadline.clear();
    throw e;
  }
}

/**
 * Checks a session reply: a success must carry the right MAC (false: it cannot be trusted); a 401 saying the axon
 * forgot the session drops it here, so the next call handshakes again.
 */
export function sessionReplyOk(
  state: DendriteState,
  sent: Held,
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
