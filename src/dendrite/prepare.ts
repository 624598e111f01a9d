/**
 * Preparing a synapse for an axon, as Python's `preprocess_synapse_for_request`: terminal info filled, then either a
 * signature (the Python-compatible path) or, on a session, a sequence number and a MAC.
 */
import { TerminalInfo, type Synapse } from '../synapse/index.js';
import { SESSION_HEADERS, VERSION_AS_INT, requestMac, requestSigningMessage } from '../wire/index.js';
import type { ClientSession } from './session-client.js';
import { type DendriteState, nextNonce } from './state.js';
import type { AxonTarget } from './types.js';

function fillTerminalInfo(
  state: DendriteState,
  target: AxonTarget,
  synapse: Synapse,
  timeout: number,
  dendrite: { uuid: string; nonce?: bigint },
): void {
  synapse.timeout = timeout;
  synapse.dendrite = new TerminalInfo({
    ip: state.options.externalIp ?? '127.0.0.1',
    version: state.options.version ?? VERSION_AS_INT,
    ...(dendrite.nonce !== undefined ? { nonce: dendrite.nonce } : {}),
    uuid: dendrite.uuid,
    hotkey: state.keypair.ss58Address,
  });
  synapse.axon = new TerminalInfo({ ip: target.ip, port: target.port, hotkey: target.hotkey });
}

/** Fills terminal info with a fresh nonce and the lane's uuid, and signs; the body and headers to send. */
export async function prepareSigned(
  state: DendriteState,
  target: AxonTarget,
  synapse: Synapse,
  timeout: number,
  laneUuid: string,
): Promise<{ body: string; headers: Record<string, string> }> {
  fillTerminalInfo(state, target, synapse, timeout, { uuid: laneUuid, nonce: nextNonce(state) });
  const d = synapse.dendrite;
  const bodyHash = synapse.bodyHash;
  const message = requestSigningMessage(d.nonce!, d.hotkey, target.hotkey, d.uuid, bodyHash);
  d.signature = await state.signer.sign(message, state.signedInFlight > 1);
  const body = synapse.toJSON();
  synapse.total_size = Buffer.byteLength(body);
  const headers = synapse.toHeaders({ bodyHash });
  headers['content-type'] = 'application/json';
  return { body, headers };
}

/** Terminal info and body for the session paths (HTTP or gRPC, by `encode`): no signature, the MAC authenticates. */
export function prepareSession<S extends Synapse, B extends string | Uint8Array>(
  state: DendriteState,
  target: AxonTarget,
  synapse: S,
  timeout: number,
  s: ClientSession,
  route: string,
  encode: (s: S) => B,
): { body: B; headers: Record<string, string>; seq: string } {
  // No nonce: the session's sequence number replaces it, and a body without 19-digit integers parses on
  // JSON.parse's native path at both ends.
  fillTerminalInfo(state, target, synapse, timeout, { uuid: state.uuid });
  const body = encode(synapse);
  const seq = String(++s.seq);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    timeout: String(timeout),
    [SESSION_HEADERS.id]: s.id,
    [SESSION_HEADERS.seq]: seq,
    [SESSION_HEADERS.mac]: requestMac(s.key, seq, route, body),
  };
  return { body, headers, seq };
}
