/**
 * The session protocol of the fast TS↔TS path. One signed handshake per dendrite–axon pair replaces a signature per
 * request:
 *
 * 1. The dendrite sends an ephemeral X25519 public key, a random nonce and a timestamp, signed with its sr25519
 *    hotkey for this axon's hotkey ({@link handshakeMessage}).
 * 2. The axon checks the signature and freshness, answers with its own ephemeral X25519 key, signed with the axon
 *    hotkey ({@link acceptMessage}, so the dendrite knows it reached the right axon), and both derive the session key
 *    with HKDF-SHA256 over the X25519 secret ({@link sessionKey}): someone reading the traffic learns nothing they can
 *    forge requests with.
 * 3. Each request then carries the session id, a sequence number and HMAC-SHA256(key, seq | route | body)
 *    ({@link requestMac}). The axon accepts each sequence number once within a sliding window, also when concurrent
 *    requests arrive out of order; the response carries HMAC-SHA256(key, "res" | seq | status | body)
 *    ({@link responseMac}), so the dendrite knows who answered.
 */
import { createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * Header names of the session path.
 *
 * @example
 * ```ts
 * if (res.headers[SESSION_HEADERS.error]) reconnect(); // the axon no longer knows the session
 * ```
 */
export const SESSION_HEADERS = {
  /** The session id (32 hex digits). */
  id: 'x-subnetkit-session',
  /** The request's sequence number (decimal). */
  seq: 'x-subnetkit-seq',
  /** HMAC-SHA256 in hex: of `seq|route|body` on requests, of `res|seq|status|body` on replies. */
  mac: 'x-subnetkit-mac',
  /** Set on a 401 that a new handshake can cure. */
  error: 'x-subnetkit-session-error',
} as const;

/**
 * Route of the handshake (`POST /_subnetkit_session`).
 *
 * @example
 * ```ts
 * await fetch(`http://${ip}:${port}/${SESSION_ROUTE}`, { method: 'POST', body: signedHandshake });
 * ```
 */
export const SESSION_ROUTE = '_subnetkit_session';

/**
 * How many sequence numbers below the highest seen an axon still accepts (each once).
 *
 * @example
 * ```ts
 * const tooOld = highestSeen - seq >= SESSION_REPLAY_WINDOW;
 * ```
 */
export const SESSION_REPLAY_WINDOW = 1024n;

/** The handshake a dendrite sends (JSON body of `POST /_subnetkit_session`). */
export interface SessionHandshake {
  /** The session protocol version. */
  v: 1;
  /** The dendrite's hotkey (SS58). */
  hotkey: string;
  /** Its ephemeral X25519 public key, 32 bytes in hex. */
  pub: string;
  /** 16 random bytes in hex (the HKDF salt). */
  nonce: string;
  /** Milliseconds since the epoch. */
  ts: number;
  /** sr25519 signature of {@link handshakeMessage} by `hotkey`. */
  signature: string;
}

/** The axon's answer to a handshake. */
export interface SessionAccept {
  /** The session protocol version. */
  v: 1;
  /** The session id, 16 bytes in hex. */
  id: string;
  /** The axon's ephemeral X25519 public key, 32 bytes in hex. */
  pub: string;
  /** How long the session lives. */
  ttlMs: number;
  /** sr25519 signature of {@link acceptMessage} by the axon hotkey. */
  signature: string;
}

/** An X25519 key pair as {@link x25519Pair} returns it. */
export interface X25519Pair {
  /** The private key, for {@link x25519Shared}. */
  privateKey: KeyObject;
  /** The public key as its 32 raw bytes, to send to the peer. */
  publicRaw: Buffer;
}

const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * A fresh X25519 key pair, with the public key as its 32 raw bytes.
 *
 * @example
 * ```ts
 * const mine = x25519Pair();
 * const pub = mine.publicRaw.toString('hex');
 * ```
 */
export function x25519Pair(): X25519Pair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicRaw: Buffer.from(der.subarray(der.length - 32)) };
}

/**
 * The X25519 shared secret with a peer's raw 32-byte public key (throws on an invalid key).
 *
 * @example
 * ```ts
 * const shared = x25519Shared(mine.privateKey, Buffer.from(accept.pub, 'hex'));
 * ```
 */
export function x25519Shared(privateKey: KeyObject, peerRaw: Buffer): Buffer {
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, peerRaw]), format: 'der', type: 'spki' });
  return diffieHellman({ privateKey, publicKey });
}

/**
 * The 32-byte session key: HKDF-SHA256 over the shared secret, salted with the dendrite's nonce, bound to both hotkeys
 * and the session id.
 *
 * @example
 * ```ts
 * const key = sessionKey(shared, Buffer.from(nonceHex, 'hex'), axonHotkey, myHotkey, accept.id);
 * ```
 */
export function sessionKey(
  shared: Buffer,
  clientNonce: Buffer,
  axonHotkey: string,
  hotkey: string,
  id: string,
): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, clientNonce, `subnetkit-session-v1|${axonHotkey}|${hotkey}|${id}`, 32));
}

/**
 * What the dendrite signs in its handshake.
 *
 * @example
 * ```ts
 * const signature = sign(hotkey, handshakeMessage(axonHotkey, hotkey.ss58Address, pub, nonceHex, Date.now()));
 * ```
 */
export function handshakeMessage(axonHotkey: string, hotkey: string, pub: string, nonce: string, ts: number): string {
  return `subnetkit-session-v1|${axonHotkey}|${hotkey}|${pub}|${nonce}|${ts}`;
}

/**
 * What the axon signs in its accept.
 *
 * @example
 * ```ts
 * verify(acceptMessage(myHotkey, myPub, accept.pub, accept.id), accept.signature, axonHotkey);
 * ```
 */
export function acceptMessage(hotkey: string, clientPub: string, serverPub: string, id: string): string {
  return `subnetkit-session-v1-accept|${hotkey}|${clientPub}|${serverPub}|${id}`;
}

/**
 * The MAC of a session request, in hex.
 *
 * @example
 * ```ts
 * headers[SESSION_HEADERS.mac] = requestMac(key, String(seq), 'Dummy', body);
 * ```
 */
export function requestMac(key: Buffer, seq: string, route: string, body: Uint8Array | string): string {
  return createHmac('sha256', key).update(`${seq}|${route}|`).update(body).digest('hex');
}

/**
 * The MAC of a session reply, in hex.
 *
 * @example
 * ```ts
 * const authentic = res.headers[SESSION_HEADERS.mac] === responseMac(key, String(seq), res.statusCode, text);
 * ```
 */
export function responseMac(key: Buffer, seq: string, status: number, body: Uint8Array | string): string {
  return createHmac('sha256', key).update(`res|${seq}|${status}|`).update(body).digest('hex');
}
