/**
 * Session authentication for the fast TS↔TS path. One signed handshake per dendrite–axon pair replaces a signature
 * per request:
 *
 * 1. The dendrite sends an ephemeral X25519 public key, a random nonce and a timestamp, signed with its sr25519
 *    hotkey for this axon's hotkey.
 * 2. The axon checks the signature and freshness, answers with its own ephemeral X25519 key, signed with the axon
 *    hotkey (so the dendrite knows it reached the right axon), and both derive the session key with HKDF-SHA256
 *    over the X25519 secret: someone reading the traffic learns nothing they can forge requests with.
 * 3. Each request then carries the session id, a sequence number and HMAC-SHA256(key, seq | route | body). A sliding
 *    window of sequence numbers rejects replays, also when concurrent requests arrive out of order; the response
 *    carries HMAC-SHA256(key, "res" | seq | status | body), so the dendrite knows who answered.
 */
import {
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import type { Keypair } from '../keys/index.js';
import { sign } from '../keys/index.js';

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
const WINDOW = 1024n;
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

export function x25519Pair(): { privateKey: KeyObject; publicRaw: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicRaw: Buffer.from(der.subarray(der.length - 32)) };
}

export function x25519Shared(privateKey: KeyObject, peerRaw: Buffer): Buffer {
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, peerRaw]), format: 'der', type: 'spki' });
  return diffieHellman({ privateKey, publicKey });
}

export function sessionKey(
  shared: Buffer,
  clientNonce: Buffer,
  axonHotkey: string,
  hotkey: string,
  id: string,
): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, clientNonce, `subnetkit-session-v1|${axonHotkey}|${hotkey}|${id}`, 32));
}

export function handshakeMessage(axonHotkey: string, hotkey: string, pub: string, nonce: string, ts: number): string {
  return `subnetkit-session-v1|${axonHotkey}|${hotkey}|${pub}|${nonce}|${ts}`;
}

export function acceptMessage(hotkey: string, clientPub: string, serverPub: string, id: string): string {
  return `subnetkit-session-v1-accept|${hotkey}|${clientPub}|${serverPub}|${id}`;
}

export function requestMac(key: Buffer, seq: string, route: string, body: Uint8Array | string): string {
  return createHmac('sha256', key).update(`${seq}|${route}|`).update(body).digest('hex');
}

export function responseMac(key: Buffer, seq: string, status: number, body: Uint8Array | string): string {
  return createHmac('sha256', key).update(`res|${seq}|${status}|`).update(body).digest('hex');
}

interface ServerSession {
  hotkey: string;
  key: Buffer;
  expires: number;
  idleUntil: number;
  max: bigint;
  seen: bigint; // bit i: seq (max - i) was seen
}

/** Options of the axon's session store (`createAxon({ sessions })`). */
export interface SessionOptions {
  /** Most live sessions (default 10,000; the oldest goes first). */
  maxSessions?: number;
  /** Session lifetime (default 1 hour). */
  ttlMs?: number;
  /** Idle lifetime (default 10 minutes). */
  idleMs?: number;
  /** Clock skew accepted on the handshake timestamp (default 30 s). */
  skewMs?: number;
}

export type HandshakeResult = { ok: true; body: string } | { ok: false; status: number; message: string };
export type CheckResult = { ok: true; hotkey: string; key: Buffer; seq: string } | { ok: false; message: string };

/** The axon side: handshakes and per-request checks. */
export function createSessionStore(
  axonKey: Keypair,
  verify: (message: string, signature: string, address: string) => boolean | Promise<boolean>,
  options: SessionOptions = {},
) {
  const sessions = new Map<string, ServerSession>();
  const max = options.maxSessions ?? 10_000;
  const ttl = options.ttlMs ?? 3_600_000;
  const idle = options.idleMs ?? 600_000;
  const skew = options.skewMs ?? 30_000;
  const axonHotkey = axonKey.ss58Address;

  async function handshake(text: string): Promise<HandshakeResult> {
    let req: { v?: unknown; hotkey?: unknown; pub?: unknown; nonce?: unknown; ts?: unknown; signature?: unknown };
    try {
      req = JSON.parse(text);
    } catch {
      return { ok: false, status: 400, message: 'handshake is not JSON' };
    }
    const { hotkey, pub, nonce, ts, signature } = req ?? {};
    if (
      req?.v !== 1 ||
      typeof hotkey !== 'string' ||
      typeof pub !== 'string' ||
      !/^[0-9a-f]{64}$/.test(pub) ||
      typeof nonce !== 'string' ||
      !/^[0-9a-f]{32}$/.test(nonce) ||
      typeof ts !== 'number' ||
      typeof signature !== 'string'
    ) {
      return {
        ok: false,
        status: 400,
        message: 'handshake needs v=1, hotkey, pub (32-byte hex), nonce (16-byte hex), ts (ms) and signature',
      };
    }
    if (Math.abs(Date.now() - ts) > skew) return { ok: false, status: 401, message: 'handshake timestamp is stale' };
    let valid = false;
    try {
      valid = await verify(handshakeMessage(axonHotkey, hotkey, pub, nonce, ts), signature, hotkey);
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, status: 401, message: 'handshake signature is invalid' };
    const mine = x25519Pair();
    let shared: Buffer;
    try {
      shared = x25519Shared(mine.privateKey, Buffer.from(pub, 'hex'));
    } catch {
      return { ok: false, status: 400, message: 'handshake public key is invalid' };
    }
    const id = randomBytes(16).toString('hex');
    const key = sessionKey(shared, Buffer.from(nonce, 'hex'), axonHotkey, hotkey, id);
    while (sessions.size >= max) sessions.delete(sessions.keys().next().value!);
    const now = Date.now();
    sessions.set(id, { hotkey, key, expires: now + ttl, idleUntil: now + idle, max: 0n, seen: 0n });
    const serverPub = mine.publicRaw.toString('hex');
    return {
      ok: true,
      body: JSON.stringify({
        v: 1,
        id,
        pub: serverPub,
        ttlMs: ttl,
        signature: sign(axonKey, acceptMessage(hotkey, pub, serverPub, id)),
      }),
    };
  }

  function check(
    id: string | undefined,
    seqText: string | undefined,
    mac: string | undefined,
    route: string,
    body: Uint8Array,
  ): CheckResult {
    const s = id ? sessions.get(id) : undefined;
    const now = Date.now();
    if (!s || s.expires < now || s.idleUntil < now) {
      if (s) sessions.delete(id!);
      return { ok: false, message: 'unknown or expired session' };
    }
    if (!seqText || !/^\d{1,19}$/.test(seqText) || !mac || !/^[0-9a-f]{64}$/.test(mac))
      return { ok: false, message: 'session request needs a sequence number and a MAC' };
    const expected = Buffer.from(requestMac(s.key, seqText, route, body), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(mac, 'hex'))) return { ok: false, message: 'session MAC is invalid' };
    // Replay window: the MAC holds, so the sequence number is the sender's; accept each one once.
    const seq = BigInt(seqText);
    if (seq > s.max) {
      const shift = seq - s.max;
      s.seen = shift >= WINDOW ? 1n : ((s.seen << shift) | 1n) & ((1n << WINDOW) - 1n);
      s.max = seq;
    } else {
      const back = s.max - seq;
      if (back >= WINDOW) return { ok: false, message: 'session sequence number is too old' };
      const bit = 1n << back;
      if (s.seen & bit) return { ok: false, message: 'session sequence number was already used' };
      s.seen |= bit;
    }
    s.idleUntil = now + idle;
    return { ok: true, hotkey: s.hotkey, key: s.key, seq: seqText };
  }

  return { handshake, check, size: () => sessions.size, clear: () => sessions.clear() };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
