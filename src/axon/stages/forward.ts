/**
 * Stage 8, forward: the handler runs; its synapse becomes the reply (status, process time, signed when asked, with a
 * MAC on the session path), or its stream is handed to the listener.
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'eventemitter3';
import { type Keypair, sign } from '../../keys/index.js';
import { type StreamingResponse, Synapse } from '../../synapse/index.js';
import { SESSION_HEADERS, responseMac, responseSigningMessage } from '../../wire/index.js';
import type { Stage } from '../compose.js';
import { type Exchange, type Outcome, Reject } from '../exchange.js';
import type { AxonEvents } from '../types.js';

export interface ForwardStageDeps {
  keypair: Keypair;
  signResponses: boolean;
  events: EventEmitter<AxonEvents>;
}

function isStreaming(x: unknown): x is StreamingResponse {
  return (
    typeof x === 'object' &&
    x !== null &&
    'body' in x &&
    'headers' in x &&
    (x as { status?: unknown }).status === 200 &&
    !(x instanceof Synapse)
  );
}

const internalError = () => new Reject(500, `Internal Server Error #${randomUUID()}`, 'handler_error');

async function runHandler(x: Exchange, events: EventEmitter<AxonEvents>): Promise<Synapse | StreamingResponse> {
  try {
    return (await x.route.handler(x.synapse, x.ctx)) ?? x.synapse;
  } catch (e) {
    events.emit('error', e, { route: x.ctx.route, hotkey: x.ctx.hotkey, ip: x.ctx.ip });
    const code = (e as { synapse?: Synapse }).synapse?.axon.status_code;
    if (code && code !== 200) throw new Reject(code, (e as Error).message, 'handler_error');
    throw internalError();
  }
}

export function forward(deps: ForwardStageDeps): Stage {
  const hotkey = deps.keypair.ss58Address;
  return async (x): Promise<Outcome> => {
    const out = await runHandler(x, deps.events);
    x.restoreAxonInfo();
    if (isStreaming(out)) return { kind: 'stream', response: out, ctx: x.ctx, release: () => undefined };
    if (!(out instanceof Synapse)) throw internalError();
    out.axon.status_code ??= 200;
    if (out.axon.status_code === 200 && !out.axon.status_message) out.axon.status_message = 'Success';
    out.axon.process_time = (performance.now() - x.arrival.started) / 1000;
    out.axon.hotkey = hotkey;
    const body = out.toJSON();
    const status = out.axon.status_code;
    if (x.session) {
      // The session path answers with the body (which carries the axon terminal info) and a MAC; no header set.
      const headers = {
        'content-type': 'application/json',
        bt_header_axon_status_code: String(status),
        [SESSION_HEADERS.mac]: responseMac(x.session.key, x.session.seq, status, body),
      };
      return { kind: 'reply', status, headers, body, synapse: out, ctx: x.ctx, session: x.session };
    }
    const headers: Record<string, string | number> = out.toHeaders();
    headers['content-type'] = 'application/json';
    if (deps.signResponses) {
      const nonce = BigInt(Date.now()) * 1_000_000n;
      headers.bt_header_axon_nonce = String(nonce);
      headers.bt_header_axon_signature = sign(
        deps.keypair,
        responseSigningMessage(
          nonce,
          x.synapse.dendrite.nonce,
          x.synapse.dendrite.uuid,
          x.synapse.dendrite.hotkey,
          hotkey,
          body,
        ),
      );
    }
    return { kind: 'reply', status, headers, body, synapse: out, ctx: x.ctx };
  };
}
