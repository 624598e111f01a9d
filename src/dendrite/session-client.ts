/** The dendrite side of the session handshake (the protocol: src/wire/session.ts). */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'undici';
import { acceptMessage, handshakeMessage, sessionKey, x25519Pair, x25519Shared, SESSION_ROUTE } from '../wire/index.js';
import { sign, verify, type Keypair } from '../keys/index.js';
import { DendriteError } from './errors.js';

/** An open session with one axon. */
export interface ClientSession {
  id: string;
  /** The id as its 16 bytes (the stream transport's frames carry it so). */
  idBytes: Buffer;
  key: Buffer;
  seq: bigint;
}

export async function openSession(
  pool: Pool,
  keypair: Keypair,
  axonHotkey: string,
  timeoutMs: number,
): Promise<ClientSession> {
  const mine = x25519Pair();
  const pub = mine.publicRaw.toString('hex');
  const nonce = randomBytes(16);
  const ts = Date.now();
  const body = JSON.stringify({
    v: 1,
    hotkey: keypair.ss58Address,
    pub,
    nonce: nonce.toString('hex'),
    ts,
    signature: sign(keypair, handshakeMessage(axonHotkey, keypair.ss58Address, pub, nonce.toString('hex'), ts)),
  });
  const res = await pool.request({
    path: `/${SESSION_ROUTE}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      /* not JSON */
    }
    throw new DendriteError(
      'DENDRITE_SESSION_FAILED',
      `session handshake answered ${res.statusCode}: ${message.slice(0, 200)}`,
    );
  }
  let reply: { v?: unknown; id?: unknown; pub?: unknown; signature?: unknown };
  try {
    reply = JSON.parse(text);
  } catch (cause) {
    throw new DendriteError('DENDRITE_SESSION_FAILED', 'session handshake reply is not JSON', { cause });
  }
  const { id, pub: serverPub, signature } = reply;
  if (
    reply.v !== 1 ||
    typeof id !== 'string' ||
    !/^[0-9a-f]{32}$/.test(id) ||
    typeof serverPub !== 'string' ||
    !/^[0-9a-f]{64}$/.test(serverPub) ||
    typeof signature !== 'string'
  ) {
    throw new DendriteError('DENDRITE_SESSION_FAILED', 'session handshake reply is malformed');
  }
  // The axon signs the exchange with its hotkey: a man in the middle cannot answer for it.
  if (!verify(acceptMessage(keypair.ss58Address, pub, serverPub, id), signature, axonHotkey)) {
    throw new DendriteError('DENDRITE_SESSION_FAILED', 'session handshake reply is not signed by the axon hotkey');
  }
  const key = sessionKey(
    x25519Shared(mine.privateKey, Buffer.from(serverPub, 'hex')),
    nonce,
    axonHotkey,
    keypair.ss58Address,
    id,
  );
  return { id, idBytes: Buffer.from(id, 'hex'), key, seq: 0n };
}
