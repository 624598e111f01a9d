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
import { startWatchdog } from './watchdog.js';
import type { Head, ReconnectInfo, SubtensorEvents, WatchdogOptions } from './events.js';

export type { Head, RawHeader, ReconnectInfo, StaleInfo, SubtensorEvents, WatchdogOptions } from './events.js';

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

/** The notification, subscribe and unsubscribe methods of each head subscription. */
const HEAD_SUBSCRIPTIONS = {
  best: ['chain_newHead', 'chain_subscribeNewHeads', 'chain_unsubscribeNewHeads'],
  finalized: ['chain_finalizedHead', 'chain_subscribeFinalizedHeads', 'chain_unsubscribeFinalizedHeads'],
} as const;

function parseHead(raw: Head['raw']): Head {
  return { number: headerNumber(raw), raw, at: Date.now() };
}

async function openConnection(
  url: string,
  transport: TransportOptions,
  watchdog: WatchdogOptions | false,
  onClose: () => void,
): Promise<Connection> {
  // over 80 lines by design: the provider, the api, the head watchdog and reconnection share one lifetime and one
  // close.
  const provider = new ResilientProvider(url, transport);
  await provider.connect();
  const events = new EventEmitter<SubtensorEvents>();
  let apiPromise: Promise<ApiPromise> | null = null;
  let closed = false;
  let dog: { stop(): void } | null = null;
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
      dog?.stop();
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
  /** Follows best or finalized heads for as long as the connection lives (re-subscribed after each reconnect). */
  async function followHeads(kind: keyof typeof HEAD_SUBSCRIPTIONS, onHead: (h: Head) => void): Promise<void> {
    const [notification, subscribe, unsubscribe] = HEAD_SUBSCRIPTIONS[kind];
    const id = await provider.subscribe(notification, subscribe, [], (err, raw) => {
      if (!err && raw) onHead(parseHead(raw as Head['raw']));
    });
    subs.push([notification, unsubscribe, id]);
  }
  await followHeads('best', (h) => {
    conn.best = h;
    events.emit('block', h);
  });
  await followHeads('finalized', (h) => {
    conn.finalized = h;
    events.emit('finalized', h);
  });
  if (watchdog !== false)
    dog = startWatchdog({
      provider,
      events,
      options: watchdog,
      bestNumber: () => conn.best?.number ?? -1,
      closed: () => closed,
    });
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
