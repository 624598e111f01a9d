/**
 * Applying an axon's response to the caller's synapse, as Python's `process_server_response`: the response fields
 * and the axon's terminal info from the body, terminal info from the headers, and the response signature checked
 * when the dendrite requires one.
 */
import { verify } from '../keys/index.js';
import { type JsonValue, type Synapse, type SynapseClass, mergeTerminalHeaders, parseJson } from '../synapse/index.js';
import { SESSION_HEADERS, responseSigningMessage } from '../wire/index.js';
import type { DendriteState } from './state.js';
import { fail } from './status.js';
import type { AxonTarget } from './types.js';

/** The body as JSON (one bigint-safe parse serves the status message and the synapse), or undefined. */
function parseBody(input: string | JsonValue): JsonValue | undefined {
  if (typeof input !== 'string') return input;
  try {
    return input ? parseJson(input) : {};
  } catch {
    return undefined;
  }
}

/** Terminal info the axon sent as headers (a session reply carries it in the body only). */
function applyHeaderTerminals(synapse: Synapse, headers: Record<string, string>): void {
  if (headers[SESSION_HEADERS.mac] !== undefined) return;
  // A malformed header set from the axon leaves the body-derived state as it is.
  mergeTerminalHeaders(synapse, headers);
}

/** What the request said, captured before the response is applied: the response must be bound to it. */
interface SentRequest {
  nonce: bigint | null;
  uuid: string | null;
}

/**
 * The axon's signature over this request's nonce and uuid and the exact body, checked before anything of the
 * response is applied (an old signed reply does not verify for a new request).
 */
function responseSignatureValid(
  state: DendriteState,
  sent: SentRequest,
  headers: Record<string, string>,
  text: string,
  target: AxonTarget,
): boolean {
  const sig = headers.bt_header_axon_signature;
  const nonce = headers.bt_header_axon_nonce;
  if (!sig || !nonce || !/^\d{1,30}$/.test(nonce)) return false;
  const message = responseSigningMessage(
    BigInt(nonce),
    sent.nonce,
    sent.uuid,
    state.keypair.ss58Address,
    target.hotkey,
    text,
  );
  return verify(message, sig, target.hotkey);
}

export function applyResponse<S extends Synapse>(
  state: DendriteState,
  synapse: S,
  status: number,
  headers: Record<string, string>,
  input: string | JsonValue,
  target: AxonTarget,
  started: number,
): S {
  const Cls = synapse.constructor as SynapseClass<S>;
  const json = parseBody(input);
  const text = typeof input === 'string' ? input : '';
  // Signed responses: verified first, against what this request sent; then only the signed body is applied (the
  // headers are not signed, so a verifying dendrite takes no terminal info from them).
  const signed = status === 200 && (state.options.requireSignedResponses ?? false);
  if (signed) {
    const sent = { nonce: synapse.dendrite.nonce, uuid: synapse.dendrite.uuid };
    if (!responseSignatureValid(state, sent, headers, text, target))
      return fail(synapse, 401, 'Response signature missing or invalid', started);
  }
  if (status === 200) {
    if (json === undefined) return fail(synapse, 422, 'Failed to parse response: body is not JSON', started);
    let server: S;
    try {
      server = Cls.fromJSON(json);
    } catch (e) {
      return fail(synapse, 422, `Failed to parse response: ${(e as Error).message}`, started);
    }
    for (const k of Object.keys(Cls.fields))
      (synapse as Record<string, unknown>)[k] = (server as Record<string, unknown>)[k];
    synapse.axon = server.axon;
  } else {
    synapse.axon.status_code = status;
    const msg = json && typeof json === 'object' ? (json as { message?: unknown }).message : undefined;
    synapse.axon.status_message = typeof msg === 'string' ? msg : null;
  }
  if (!signed) applyHeaderTerminals(synapse, headers);
  synapse.axon.status_code ??= status;
  synapse.dendrite.status_code = synapse.axon.status_code;
  synapse.dendrite.status_message = synapse.axon.status_message;
  synapse.dendrite.process_time = (performance.now() - started) / 1000;
  return synapse;
}
