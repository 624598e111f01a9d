/**
 * The sequence every call follows, whatever its path (signed HTTP, session HTTP, gRPC): the path prepares and sends
 * the synapse and reads the reply; then a reply the axon no longer has a session for is retried once with a new
 * handshake, a call the axon cannot have read (its connection closed while idle) is sent once more, and the reply
 * is applied — or the failure is put on the synapse, as Python's dendrite does. Only a
 * closed dendrite or a missing optional peer throws.
 */
import type { JsonValue, Synapse } from '../synapse/index.js';
import { applyResponse } from './apply.js';
import { DendriteError } from './errors.js';
import { GrpcCallError } from './grpc-error.js';
import type { DendriteState } from './state.js';
import { fail, failFromError } from './status.js';
import type { AxonTarget } from './types.js';

/** What a call path brings back. */
export type Reply = (
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string | JsonValue }
  | { kind: 'failure'; status: number; message: string }
) & {
  /** The axon no longer knows the session this call used (it was dropped): a new handshake may succeed. */
  sessionLost?: boolean;
};

/**
 * Marks a network error as one the axon cannot have acted on: the connection was closed with nothing answered
 * since it was last idle. An axon closes idle connections (keep-alive timeouts, a restart) without reading what
 * raced in, so such a call is sent once more on a fresh connection — the rule browsers apply to reused connections.
 * The stream client's errors carry the same `unanswered` flag from the start.
 */
export function markUnanswered(e: unknown): void {
  if (e && typeof e === 'object') (e as { unanswered?: boolean }).unanswered = true;
}

const unanswered = (e: unknown) => Boolean(e && typeof e === 'object' && (e as { unanswered?: boolean }).unanswered);

/** One way of reaching an axon. */
export type CallPath = (state: DendriteState, target: AxonTarget, synapse: Synapse, timeout: number) => Promise<Reply>;

/** Errors that end a call with a failed synapse rather than an exception. */
function failureOf<S extends Synapse>(e: unknown, synapse: S, target: AxonTarget, timeout: number, started: number): S {
  if (e instanceof DendriteError && (e.code === 'DENDRITE_CLOSED' || e.code === 'DENDRITE_GRPC_MISSING')) throw e;
  if (e instanceof DendriteError && e.code === 'DENDRITE_SESSION_FAILED') return fail(synapse, 401, e.message, started);
  if (e instanceof GrpcCallError) return fail(synapse, e.status, e.message, started);
  return failFromError(synapse, e, target, timeout, started);
}

export async function runCall<S extends Synapse>(
  state: DendriteState,
  path: CallPath,
  target: AxonTarget,
  synapse: S,
  timeout: number,
  /** What may still be retried once: a call the axon never read, a reply saying it lost the session. */
  retries: { unanswered: boolean; session: boolean } = { unanswered: true, session: true },
): Promise<S> {
  const started = performance.now();
  let reply: Reply;
  try {
    reply = await path(state, target, synapse, timeout);
  } catch (e) {
    if (retries.unanswered && unanswered(e) && !state.closed)
      return runCall(state, path, target, synapse, timeout, { ...retries, unanswered: false });
    return failureOf(e, synapse, target, timeout, started);
  }
  if (reply.sessionLost && retries.session)
    return runCall(state, path, target, synapse, timeout, { ...retries, session: false });
  if (reply.kind === 'failure') return fail(synapse, reply.status, reply.message, started);
  return applyResponse(state, synapse, reply.status, reply.headers, reply.body, target, started);
}
