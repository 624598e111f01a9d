/**
 * The signed messages of the bittensor protocol, as Python bittensor 10.x builds them: what a dendrite signs for a
 * request, what an axon signs as its terminal info, and what a subnetkit axon signs for a signed response.
 */
import { sha3Hex } from '../synapse/index.js';

/**
 * bittensor 10.2.0 as an int (major·10⁶ + minor·10³ + patch), sent as `dendrite.version` and in AxonInfo.
 *
 * @example
 * ```ts
 * axon.info().version === VERSION_AS_INT; // true
 * ```
 */
export const VERSION_AS_INT = 10_002_000;

/**
 * What a dendrite signs for a request: `{nonce}.{dendriteHotkey}.{axonHotkey}.{uuid}.{bodyHash}`; the axon verifies it
 * against the dendrite hotkey.
 *
 * @example
 * ```ts
 * d.signature = sign(hotkey, requestSigningMessage(d.nonce, d.hotkey, axon.hotkey, d.uuid, synapse.bodyHash));
 * ```
 */
export function requestSigningMessage(
  nonce: bigint | number | string,
  dendriteHotkey: string | null,
  axonHotkey: string,
  uuid: string | null,
  bodyHash: string,
): string {
  return `${nonce}.${dendriteHotkey}.${axonHotkey}.${uuid}.${bodyHash}`;
}

/**
 * What an axon signs as its own terminal info (Python's preprocess): `{nonce}.{dendriteHotkey}.{axonHotkey}.{uuid}`,
 * with the axon's nonce and uuid.
 *
 * @example
 * ```ts
 * synapse.axon.signature = sign(axonKey, axonSigningMessage(axonNonce, synapse.dendrite.hotkey, axonHotkey, axonUuid));
 * ```
 */
export function axonSigningMessage(
  nonce: bigint,
  dendriteHotkey: string | null,
  axonHotkey: string,
  uuid: string,
): string {
  return `${nonce}.${dendriteHotkey ?? ''}.${axonHotkey}.${uuid}`;
}

/**
 * The message an axon signs for a signed response:
 * `{axonNonce}.{dendriteNonce}.{dendriteUuid}.{dendriteHotkey}.{axonHotkey}.{sha3(body)}`. Binding the request's nonce
 * and uuid means an old response cannot be replayed for a new request; the body carries the axon's terminal info
 * (status, process time, hotkey), so a verifying dendrite takes those from the body, never from unsigned headers.
 *
 * @example
 * ```ts
 * verify(responseSigningMessage(axonNonce, myNonce, myUuid, myHotkey, axonHotkey, bodyText), signature, axonHotkey);
 * ```
 */
export function responseSigningMessage(
  axonNonce: bigint,
  dendriteNonce: bigint | null,
  dendriteUuid: string | null,
  dendriteHotkey: string | null,
  axonHotkey: string,
  body: string,
): string {
  return `${axonNonce}.${dendriteNonce ?? ''}.${dendriteUuid ?? ''}.${dendriteHotkey ?? ''}.${axonHotkey}.${sha3Hex(body)}`;
}
