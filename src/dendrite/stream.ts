/**
 * Calling a streaming synapse: each chunk is yielded as it arrives (over HTTP, signed or on a session, or over gRPC),
 * then the synapse itself with the final status. A refusal or a non-streaming answer yields the synapse once.
 */
import { type StreamingSynapse, type SynapseClass, consumeStreamingResponse } from '../synapse/index.js';
import { encodeSynapseMessage, splitSynapse } from '../internal/grpc-wire.js';
import { applyResponse } from './apply.js';
import { DendriteError } from './errors.js';
import { GrpcCallError } from './grpc-error.js';
import { capped, origin, readCapped } from './http-util.js';
import { prepareSession } from './prepare.js';
import { type Sent, settleSent, sendHttp, sessionReplyOk } from './send-http.js';
import { type DendriteState, grpcClients, sessionFor } from './state.js';
import { fail, failFromError } from './status.js';
import { grpcAddress, transportFor } from './target.js';
import type { AxonTarget, CallOptions } from './types.js';

/** The opened stream: the status and headers, and the body still to read. */
interface Opened {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
  sent?: Sent;
}

async function openGrpcStream(
  state: DendriteState,
  target: AxonTarget,
  synapse: StreamingSynapse,
  timeout: number,
  address: string,
): Promise<Opened> {
  const name = (synapse.constructor as SynapseClass).synapseName;
  const s = await sessionFor(state, origin(target), target, timeout);
  const { body: message, headers } = prepareSession(state, target, synapse, timeout, s, name, (x) =>
    encodeSynapseMessage(splitSynapse(x, name)),
  );
  const call = (await grpcClients(state)).stream(address, message, headers, timeout * 1000);
  const h = await call.headers;
  const status = Number(h.bt_header_axon_status_code ?? 200);
  if (status === 200) h['content-type'] = 'text/event-stream';
  return { status, headers: h, body: call.chunks };
}

export async function* streamCall<S extends StreamingSynapse>(
  state: DendriteState,
  target: AxonTarget,
  synapse: S,
  opts: CallOptions = {},
): AsyncGenerator<unknown> {
  origin(target);
  const transport = transportFor(state, target, opts);
  const timeout = opts.timeout ?? 12;
  const started = performance.now();
  let opened: Opened;
  let sent: Sent | undefined;
  try {
    if (transport === 'grpc') {
      const address = grpcAddress(target);
      if (!address) {
        yield fail(synapse, 503, `axon ${target.ip}:${target.port} does not advertise gRPC`, started);
        return;
      }
      opened = await openGrpcStream(state, target, synapse, timeout, address);
    } else {
      // Streaming synapses travel over HTTP; the stream transport's sessions are the session path's.
      sent = await sendHttp(state, target, synapse, timeout, transport === 'stream' ? 'session' : transport);
      const res = await sent.response;
      opened = { status: res.statusCode, headers: res.headers, body: res.body, sent };
    }
  } catch (e) {
    settleSent(state, sent, true);
    if (e instanceof DendriteError && (e.code === 'DENDRITE_CLOSED' || e.code === 'DENDRITE_GRPC_MISSING')) throw e;
    if (e instanceof GrpcCallError) yield fail(synapse, e.status, e.message, started);
    else if (e instanceof DendriteError && e.code === 'DENDRITE_SESSION_FAILED')
      yield fail(synapse, 401, e.message, started);
    else yield failFromError(synapse, e, target, timeout, started);
    return;
  }
  const { status, headers: h, body } = opened;
  let laneBroken = true;
  if (status !== 200 || !(h['content-type'] ?? '').startsWith('text/event-stream')) {
    try {
      const text = await readCapped(body, state.maxBytes);
      laneBroken = false;
      settleSent(state, sent, false);
      if (sent && !sessionReplyOk(state, sent, status, h, text, target))
        yield fail(synapse, 401, 'Response MAC missing or invalid', started);
      else yield applyResponse(state, synapse, status, h, text, target, started);
    } catch (e) {
      settleSent(state, sent, laneBroken);
      yield failFromError(synapse, e, target, timeout, started);
    }
    return;
  }
  try {
    for await (const item of consumeStreamingResponse(synapse, { headers: h, body: capped(body, state.maxBytes) })) {
      if (item === synapse) {
        synapse.axon.status_code ??= 200;
        synapse.dendrite.status_code = synapse.axon.status_code;
        synapse.dendrite.status_message = synapse.axon.status_message;
        synapse.dendrite.process_time = (performance.now() - started) / 1000;
      }
      yield item;
    }
    laneBroken = false;
  } catch (e) {
    if (e instanceof GrpcCallError) yield fail(synapse, e.status, e.message, started);
    else yield failFromError(synapse, e, target, timeout, started);
  } finally {
    // Also when the caller stops iterating early: the lane is then dropped (its reply was not read to the end).
    settleSent(state, sent, laneBroken);
  }
}
