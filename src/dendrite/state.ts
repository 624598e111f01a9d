/**
 * A dendrite's state, as a plain object the operations (prepare, call-*, stream) share: its identity, its keep-alive
 * pools and signed-request lanes per axon, its sessions, and the lazily loaded gRPC channels.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import type { Keypair } from '../keys/index.js';
import { DendriteError } from './errors.js';
import { createLanes, type LaneSet } from './lanes.js';
import { type ClientSession, openSession } from './session-client.js';
import { type RequestSigner, createRequestSigner, defaultSignWorkers } from './signer.js';
import { type StreamClient, openStream } from './stream-client.js';
import type { AxonTarget, DendriteOptions, Transport } from './types.js';

type GrpcClients = ReturnType<typeof import('./grpc-client.js').createGrpcClients>;

export interface DendriteState {
  readonly options: DendriteOptions;
  readonly keypair: Keypair;
  /** This dendrite's uuid (session requests carry it; signed requests carry their lane's). */
  readonly uuid: string;
  readonly maxBytes: number;
  readonly defaultTransport: Transport;
  closed: boolean;
  /** The last nonce used: nonces strictly increase, also within one millisecond. */
  lastNonce: bigint;
  readonly pools: Map<string, Pool>;
  readonly laneSets: Map<string, LaneSet>;
  /** Sessions by `origin|axon hotkey`, shared by every call that needs one while the handshake runs. */
  readonly sessions: Map<string, Promise<ClientSession>>;
  /** The settled session of each entry in `sessions`, so a lost one is forgotten synchronously (see dropSession). */
  readonly openSessions: Map<string, ClientSession>;
  grpcLoad: Promise<GrpcClients> | null;
  /** Stream-transport connections by origin (one per axon, carrying every call to it). */
  readonly streams: Map<string, Promise<StreamClient>>;
  /** The settled connection of each entry in `streams`, for calls that need not wait (see streamNow). */
  readonly openStreams: Map<string, StreamClient>;
  /** Signs the `http` path's requests, on a worker while calls overlap. */
  readonly signer: RequestSigner;
  /** Signed requests holding a lane now: more than one means calls overlap. */
  signedInFlight: number;
}

const TRANSPORTS: readonly Transport[] = ['http', 'session', 'stream', 'grpc', 'auto'];

export function createDendriteState(options: DendriteOptions): DendriteState {
  if (!options?.keypair?.secretKey)
    throw new DendriteError('DENDRITE_INVALID_CONFIG', 'options.keypair must be a hotkey with its secret');
  const defaultTransport = options.transport ?? 'http';
  if (!TRANSPORTS.includes(defaultTransport))
    throw new DendriteError(
      'DENDRITE_INVALID_CONFIG',
      `transport must be http, session, stream, grpc or auto, got ${String(defaultTransport)}`,
    );
  const signWorkers = options.signWorkers ?? defaultSignWorkers();
  if (!Number.isInteger(signWorkers) || signWorkers < 0 || signWorkers > 64)
    throw new DendriteError(
      'DENDRITE_INVALID_CONFIG',
      `signWorkers must be an integer 0–64, got ${String(signWorkers)}`,
    );
  return {
    options,
    keypair: options.keypair,
    uuid: randomUUID(),
    maxBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
    defaultTransport,
    closed: false,
    lastNonce: 0n,
    pools: new Map(),
    laneSets: new Map(),
    sessions: new Map(),
    openSessions: new Map(),
    grpcLoad: null,
    streams: new Map(),
    openStreams: new Map(),
    signer: createRequestSigner(options.keypair, signWorkers),
    signedInFlight: 0,
  };
}

export function assertOpen(state: DendriteState): void {
  if (state.closed) throw new DendriteError('DENDRITE_CLOSED', 'dendrite is closed');
}

/** The next nonce: now in nanoseconds, or one more than the last when the clock has not moved. */
export function nextNonce(state: DendriteState): bigint {
  const now = BigInt(Date.now()) * 1_000_000n;
  state.lastNonce = now > state.lastNonce ? now : state.lastNonce + 1n;
  return state.lastNonce;
}

/** The keep-alive pool to an origin (session requests and handshakes use it). */
export function poolFor(state: DendriteState, origin: string): Pool {
  let p = state.pools.get(origin);
  if (!p) {
    const connections = state.options.connectionsPerAxon ?? 32;
    p = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    state.pools.set(origin, p);
  }
  return p;
}

/** The signed-request lanes to an origin (see lanes.ts: why one uuid per connection). */
export function lanesFor(state: DendriteState, origin: string): LaneSet {
  let l = state.laneSets.get(origin);
  if (!l) state.laneSets.set(origin, (l = createLanes(origin, state.options.connectionsPerAxon ?? 32)));
  return l;
}

/** The stream connection to an origin, opening one if there is none or the last one has closed. */
export async function streamFor(
  state: DendriteState,
  origin: string,
  target: AxonTarget,
  timeoutS: number,
): Promise<StreamClient> {
  for (;;) {
    let opening = state.streams.get(origin);
    if (!opening) {
      const fresh = openStream(target.ip, target.port, state.maxBytes, timeoutS * 1000);
      fresh.catch(() => {
        if (state.streams.get(origin) === fresh) state.streams.delete(origin);
      });
      state.streams.set(origin, fresh);
      opening = fresh;
    }
    const c = await opening;
    if (c.open) {
      if (state.streams.get(origin) === opening) state.openStreams.set(origin, c);
      return c;
    }
    // Closed since: the first caller to notice replaces it; the others find the replacement.
    if (state.streams.get(origin) === opening) {
      state.streams.delete(origin);
      state.openStreams.delete(origin);
    }
  }
}

/** The open stream connection to an origin when there is one now (a call then has nothing to wait for). */
export function streamNow(state: DendriteState, origin: string): StreamClient | undefined {
  const c = state.openStreams.get(origin);
  if (c?.open && state.streams.has(origin)) return c;
  return undefined;
}

/** The gRPC channels; @grpc/grpc-js is an optional peer, loaded on the first gRPC call. */
export function grpcClients(state: DendriteState): Promise<GrpcClients> {
  state.grpcLoad ??= import('./grpc-client.js').then(
    (m) => m.createGrpcClients(state.maxBytes),
    (cause) => {
      state.grpcLoad = null;
      throw new DendriteError(
        'DENDRITE_GRPC_MISSING',
        'the gRPC transport needs the @grpc/grpc-js package: npm install @grpc/grpc-js',
        { cause },
      );
    },
  );
  return state.grpcLoad;
}

/** The session with an axon, opening one (a signed handshake) if there is none. */
export function sessionFor(
  state: DendriteState,
  origin: string,
  target: AxonTarget,
  timeoutS: number,
): Promise<ClientSession> {
  const key = `${origin}|${target.hotkey}`;
  let s = state.sessions.get(key);
  if (!s) {
    const opening = openSession(poolFor(state, origin), state.keypair, target.hotkey, timeoutS * 1000);
    opening.then(
      (open) => {
        if (state.sessions.get(key) === opening) state.openSessions.set(key, open);
      },
      () => {
        if (state.sessions.get(key) === opening) state.sessions.delete(key);
      },
    );
    state.sessions.set(key, opening);
    s = opening;
  }
  return s;
}

/** The open session with an axon when there is one now (a call then has nothing to wait for). */
export function sessionNow(state: DendriteState, origin: string, target: AxonTarget): ClientSession | undefined {
  const key = `${origin}|${target.hotkey}`;
  return state.sessions.has(key) ? state.openSessions.get(key) : undefined;
}

/**
 * Forgets a session the axon no longer knows (unless a newer one has replaced it meanwhile). Synchronous, so the
 * retry that follows handshakes anew instead of reusing the lost session and failing a second time.
 */
export function dropSession(state: DendriteState, origin: string, target: AxonTarget, s: ClientSession): void {
  const key = `${origin}|${target.hotkey}`;
  if (state.openSessions.get(key) !== s) return;
  state.openSessions.delete(key);
  state.sessions.delete(key);
}

/** Closes every pooled connection, lane and gRPC channel. */
export async function closeState(state: DendriteState): Promise<void> {
  state.closed = true;
  if (state.grpcLoad) (await state.grpcLoad.catch(() => null))?.close();
  state.sessions.clear();
  state.openSessions.clear();
  for (const s of state.streams.values())
    s.then(
      (c) => c.close(),
      () => undefined,
    );
  state.streams.clear();
  state.openStreams.clear();
  await Promise.all([...state.pools.values()].map((p) => p.close()));
  state.pools.clear();
  await Promise.all([...state.laneSets.values()].map((l) => l.close()));
  state.laneSets.clear();
  await state.signer.close();
}
