/**
 * One shared connection per endpoint per process (bittensor#3235, #2585: a socket per call leaks): the transport,
 * the head tracker, the stale-block watchdog, the nonce manager and, built on first use, the `ApiPromise` that holds
 * the metadata. `createSubtensor` hands out counted references; the last `close()` closes the socket.
 */
import { ApiPromise } from '@polkadot/api';
import { EventEmitter } from 'eventemitter3';
import { SubtensorError } from './errors.js';
import { ResilientProvider, type TransportOptions } from './provider.js';
import { createNonceManager, type NonceManager } from './nonce.js';

/** A block header as JSON-RPC carries it. */
export interface RawHeader {
  /** Parent block hash. */
  parentHash: string;
  /** Block number, hex. */
  number: string;
  /** State root. */
  stateRoot: string;
  /** Extrinsics root. */
  extrinsicsRoot: string;
  /** Digest logs. */
  digest: unknown;
}

/** A reconnect about to be tried. */
export interface ReconnectInfo {
  /** Attempt number since the last open socket (1 = first). */
  attempt: number;
  /** Delay before it, in ms (backoff with jitter). */
  delayMs: number;
}

/** A chain that makes no blocks, or a node that does not answer. */
export interface StaleInfo {
  /** Time since the last block (or since the socket opened), in ms. */
  sinceMs: number;
  /** The last best block number seen (-1 when none). */
  bestNumber: number;
}

/** A block header as the node sends it, with its number parsed. */
export interface Head {
  /** Block number. */
  number: number;
  /** The header JSON from the node. */
  raw: RawHeader;
  /** When it arrived (ms since epoch). */
  at: number;
}

/** Watchdog settings: a best block older than `staleMs` makes the client ping the node; a failed ping reconnects. */
export interface WatchdogOptions {
  /** A best block older than this (ms) is stale (default 60,000: five finney blocks). */
  staleMs?: number;
  /** Timeout of the liveness ping (default 10,000 ms). */
  pingTimeoutMs?: number;
}

/** Events of the chain client. */
export interface SubtensorEvents {
  /** The socket is open (first time and after each reconnect). */
  connected: [];
  /** The socket dropped; the client reconnects by itself. */
  disconnected: [];
  /** A reconnect is scheduled. */
  reconnecting: [info: ReconnectInfo];
  /** A new best block. */
  block: [head: Head];
  /** A new finalized block. */
  finalized: [head: Head];
  /** No new block for `sinceMs`, but the node answers: the chain (or the devnet's sealing) is halted. */
  stale: [info: StaleInfo];
  /** The node did not answer the watchdog's ping; the socket is being replaced. */
  unresponsive: [info: StaleInfo];
}

const SIGNED_EXTENSIONS_EMPTY = { extrinsic: {}, payload: {} };
/** subtensor's own transaction extensions carry no data (so they encode as nothing). */
export const SUBTENSOR_SIGNED_EXTENSIONS = {
  SudoTransactionExtension: SIGNED_EXTENSIONS_EMPTY,
  CheckShieldedTxValidity: SIGNED_EXTENSIONS_EMPTY,
  SubtensorTransactionExtension: SIGNED_EXTENSIONS_EMPTY,
  DrandPriority: SIGNED_EXTENSIONS_EMPTY,
};

/** Metadata already fetched in this process, by `${genesisHash}-${specVersion}`, so a reconnecting client skips it. */
const metadataCache: Record<string, `0x${string}`> = {};

/** The shared state behind every client of one endpoint. */
export interface Connection {
  readonly url: string;
  readonly provider: ResilientProvider;
  readonly events: EventEmitter<SubtensorEvents>;
  readonly nonces: NonceManager;
  refs: number;
  closed: boolean;
  best: Head | null;
  finalized: Head | null;
  api(): Promise<ApiPromise>;
  rpc<T>(method: string, params?: unknown[], timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const shared = new Map<string, Promise<Connection>>();

/** A header's block number: Substrate sends hex (`"0x19"`); some nodes send a JSON number. */
export function headerNumber(raw: { number: string | number }): number {
  return typeof raw.number === 'number' ? raw.number : Number.parseInt(raw.number, 16);
}

function parseHead(raw: Head['raw']): Head {
  return { number: headerNumber(raw), raw, at: Date.now() };
}

async function openConnection(
  url: string,
  transport: TransportOptions,
  watchdog: WatchdogOptions | false,
  onClose: () => void,
): Promise<Connection> {
  const provider = new ResilientProvider(url, transport);
  await provider.connect();
  const events = new EventEmitter<SubtensorEvents>();
  let apiPromise: Promise<ApiPromise> | null = null;
  let closed = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let staleReported = false;
  const subs: [string, string, string][] = [];
  const conn: Connection = {
    url,
    provider,
    events,
    refs: 0,
    closed: false,
    best: null,
    finalized: null,
    nonces: null as unknown as NonceManager,
    rpc: <T>(method: string, params: unknown[] = [], timeoutMs?: number) => {
      if (closed) return Promise.reject(new SubtensorError('CLIENT_CLOSED', `${method}: the client was closed`));
      return provider.send<T>(method, params, false, timeoutMs);
    },
    api() {
      apiPromise ??= (async () => {
        const api = new ApiPromise({
          provider,
          noInitWarn: true,
          signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
          metadata: metadataCache,
        });
        await api.isReadyOrError;
        metadataCache[`${api.genesisHash.toHex()}-${api.runtimeVersion.specVersion.toString()}`] =
          api.runtimeMetadata.toHex();
        return api;
      })().catch((e: unknown) => {
        apiPromise = null;
        throw e instanceof SubtensorError
          ? e
          : new SubtensorError('RPC_ERROR', `cannot load the runtime metadata from ${url}: ${(e as Error).message}`, {
              cause: e,
            });
      });
      return apiPromise;
    },
    async close() {
      if (closed) return;
      closed = true;
      conn.closed = true;
      onClose();
      if (timer) clearInterval(timer);
      const api = apiPromise ? await apiPromise.catch(() => null) : null;
      for (const [type, method, id] of subs) await provider.unsubscribe(type, method, id).catch(() => false);
      await provider.disconnect();
      if (api) await api.disconnect().catch(() => undefined);
      events.removeAllListeners();
    },
  };
  (conn as { nonces: NonceManager }).nonces = createNonceManager((address) =>
    conn.rpc<number>('system_accountNextIndex', [address]),
  );

  provider.on('connected', () => events.emit('connected'));
  provider.on('disconnected', () => events.emit('disconnected'));
  provider.on('reconnecting', ((info: ReconnectInfo) => events.emit('reconnecting', info)) as never);
  subs.push([
    'chain_newHead',
    'chain_unsubscribeNewHeads',
    await provider.subscribe('chain_newHead', 'chain_subscribeNewHeads', [], (err, raw) => {
      if (err || !raw) return;
      const h = parseHead(raw as Head['raw']);
      conn.best = h;
      staleReported = false;
      events.emit('block', h);
    }),
  ]);
  subs.push([
    'chain_finalizedHead',
    'chain_unsubscribeFinalizedHeads',
    await provider.subscribe('chain_finalizedHead', 'chain_subscribeFinalizedHeads', [], (err, raw) => {
      if (err || !raw) return;
      const h = parseHead(raw as Head['raw']);
      conn.finalized = h;
      events.emit('finalized', h);
    }),
  ]);

  // The watchdog: a half-dead socket (no close frame, no answers) is only found by asking.
  let pinging = false;
  if (watchdog !== false) {
    const staleMs = watchdog.staleMs ?? 60_000;
    const pingTimeoutMs = watchdog.pingTimeoutMs ?? 10_000;
    if (!(staleMs >= 100) || !(pingTimeoutMs >= 10))
      throw new SubtensorError('INVALID_ARGUMENT', 'watchdog.staleMs must be ≥ 100 and pingTimeoutMs ≥ 10');
    let lastSeen = Date.now();
    events.on('block', () => (lastSeen = Date.now()));
    events.on('connected', () => (lastSeen = Date.now()));
    timer = setInterval(
      () => {
        const since = Date.now() - lastSeen;
        if (since < staleMs || pinging || !provider.isConnected) return;
        pinging = true;
        provider.send('system_health', [], false, pingTimeoutMs).then(
          () => {
            pinging = false;
            if (!staleReported) events.emit('stale', { sinceMs: since, bestNumber: conn.best?.number ?? -1 });
            staleReported = true;
          },
          (e: SubtensorError) => {
            pinging = false;
            if (closed || e.code === 'CLIENT_CLOSED') return;
            events.emit('unresponsive', { sinceMs: since, bestNumber: conn.best?.number ?? -1 });
            lastSeen = Date.now();
            provider.forceReconnect();
          },
        );
      },
      Math.max(50, Math.min(staleMs / 4, 5_000)),
    );
    timer.unref?.();
  }
  return conn;
}

/** Takes a reference to the shared connection of `url` (opening it on first use). */
export async function acquireConnection(
  url: string,
  transport: TransportOptions,
  watchdog: WatchdogOptions | false,
  share: boolean,
): Promise<Connection> {
  if (!share) {
    const c = await openConnection(url, transport, watchdog, () => undefined);
    c.refs = 1;
    return c;
  }
  let p = shared.get(url);
  if (!p) {
    p = openConnection(url, transport, watchdog, () => {
      if (shared.get(url) === p) shared.delete(url);
    });
    shared.set(url, p);
    p.catch(() => {
      if (shared.get(url) === p) shared.delete(url);
    });
  }
  const c = await p;
  if (c.closed) return acquireConnection(url, transport, watchdog, share); // its last user closed it meanwhile
  c.refs++;
  return c;
}

/** Drops a reference; the last one closes the socket. */
export async function releaseConnection(c: Connection): Promise<void> {
  c.refs--;
  if (c.refs <= 0) await c.close();
}

/**
 * Number of shared connections open in this process (for leak tests and diagnostics).
 *
 * @example
 * ```ts
 * await st.close();
 * console.assert(openConnectionCount() === 0);
 * ```
 */
export function openConnectionCount(): number {
  return shared.size;
}
