/**
 * The axon side of the session protocol (see src/wire/session.ts): handshakes answered and remembered, and each
 * session request checked (MAC, then the replay window) before its body is parsed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type Keypair, sign } from '../keys/index.js';
import {
  SESSION_REPLAY_WINDOW as WINDOW,
  acceptMessage,
  handshakeMessage,
  requestMac,
  sessionKey,
  x25519Pair,
  x25519Shared,
} from '../wire/index.js';

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
  /** Live sessions of one hotkey at most (default 16; its oldest goes first), so one key cannot flush the others'. */
  maxSessionsPerHotkey?: number;
}

export type HandshakeResult = { ok: true; body: string } | { ok: false; status: number; message: string };
export type CheckResult = { ok: true; hotkey: string; key: Buffer; seq: string } | { ok: false; message: string };

/** The axon side: handshakes and per-request checks. */
export function createSessionStore(
  axonKey: Keypair,
  verify: (message: string, signature: string, address: string) => boolean | Promise<boolean>,
  options: SessionOptions = {},
) {
  // over 80 lines by design: the session map and its limits are one piece of live state that the handshake and the
  // per-request check both touch.
  const sessions = new Map<string, ServerSession>();
  const max = options.maxSessions ?? 10_000;
  const ttl = options.ttlMs ?? 3_600_000;
  const idle = options.idleMs ?? 600_000;
  const skew = options.skewMs ?? 30_000;
  const perHotkey = options.maxSessionsPerHotkey ?? 16;
  const axonHotkey = axonKey.ss58Address;
  // Handshakes accepted within the skew window (their signed message, until it goes stale): a replayed handshake
  // would otherwise open session after session and flush everyone else's from the table.
  const recentHandshakes = new Map<string, number>();
  const ownSessions = new Map<string, string[]>();

  function replayed(message: string, ts: number): boolean {
    const now = Date.now();
    if (recentHandshakes.size >= max) {
      for (const [m, until] of recentHandshakes) if (until < now) recentHandshakes.delete(m);
      while (recentHandshakes.size >= max) recentHandshakes.delete(recentHandshakes.keys().next().value!);
    }
    if (recentHandshakes.has(message)) return true;
    recentHandshakes.set(message, ts + skew);
    return false;
  }

  function remember(id: string, session: ServerSession): void {
    const ids = (ownSessions.get(session.hotkey) ?? []).filter((old) => sessions.has(old));
    while (ids.length >= perHotkey) sessions.delete(ids.shift()!);
    ids.push(id);
    ownSessions.set(session.hotkey, ids);
    while (sessions.size >= max) sessions.delete(sessions.keys().next().value!);
    sessions.set(id, session);
    if (ownSessions.size > max)
      for (const [hk, list] of ownSessions) if (!list.some((x) => sessions.has(x))) ownSessions.delete(hk);
  }

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
    const message = handshakeMessage(axonHotkey, hotkey, pub, nonce, ts);
    let valid = false;
    try {
      valid = await verify(message, signature, hotkey);
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, status: 401, message: 'handshake signature is invalid' };
    if (replayed(message, ts)) return { ok: false, status: 401, message: 'handshake was already used' };
    const mine = x25519Pair();
    let shared: Buffer;
    try {
      shared = x25519Shared(mine.privateKey, Buffer.from(pub, 'hex'));
    } catch {
      return { ok: false, status: 400, message: 'handshake public key is invalid' };
    }
    const id = randomBytes(16).toString('hex');
    const key = sessionKey(shared, Buffer.from(nonce, 'hex'), axonHotkey, hotkey, id);
    const now = Date.now();
    remember(id, { hotkey, key, expires: now + ttl, idleUntil: now + idle, max: 0n, seen: 0n });
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

  return {
    handshake,
    check,
    /** The hotkey a live session was opened by (for triage, before its MAC is checked). */
    hotkeyOf: (id: string | undefined): string | undefined => (id ? sessions.get(id)?.hotkey : undefined),
    size: () => sessions.size,
    clear: () => {
      sessions.clear();
      ownSessions.clear();
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
