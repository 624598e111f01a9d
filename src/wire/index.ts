/**
 * The wire rules both ends of a connection follow, in one place so that neither the axon nor the dendrite imports the
 * other: the messages Python bittensor signs (request, axon terminal info, signed responses), the version constant,
 * and subnetkit's session protocol (X25519 handshake, HKDF key, HMAC per request and reply). Use it to write a
 * client or server of your own that speaks to subnetkit peers.
 *
 * @example
 * ```ts
 * import { requestSigningMessage, VERSION_AS_INT } from 'subnetkit/wire';
 * synapse.dendrite.version = VERSION_AS_INT;
 * const message = requestSigningMessage(nonce, myHotkey, axonHotkey, uuid, synapse.bodyHash);
 * ```
 *
 * @module wire
 */
export { VERSION_AS_INT, requestSigningMessage, axonSigningMessage, responseSigningMessage } from './signing.js';
export {
  SESSION_HEADERS,
  SESSION_ROUTE,
  SESSION_REPLAY_WINDOW,
  x25519Pair,
  x25519Shared,
  sessionKey,
  handshakeMessage,
  acceptMessage,
  requestMac,
  responseMac,
} from './session.js';
export type { SessionHandshake, SessionAccept, X25519Pair } from './session.js';
export {
  STREAM_PROTOCOL,
  STREAM_ROUTE,
  STREAM_FLAG_SESSION_ERROR,
  encodeStreamRequest,
  encodeStreamReply,
  decodeStreamRequest,
  decodeStreamReply,
  createFrameReader,
} from './stream-frame.js';
export type { StreamRequest, StreamReply, DecodedStreamRequest, DecodedStreamReply } from './stream-frame.js';
export { WireError } from './errors.js';
export type { WireErrorCode } from './errors.js';
