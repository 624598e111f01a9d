/**
 * The WebSocket JSON-RPC transport of the chain client, written for validators that run for weeks:
 * - every request has its own timeout (a typed `RPC_TIMEOUT`, never a hang: bittensor#2444, ridges#221);
 * - an unexpected close reconnects with exponential backoff and jitter (bittensor#2270), and every live
 *   subscription is re-made on the new socket under the id its owner already holds;
 * - requests in flight when the socket drops fail at once with `CONNECTION_LOST` (the caller decides to retry);
 * - `disconnect()` closes the socket and clears every timer, so nothing keeps the process alive (bittensor#2585).
 * It implements @polkadot/api's `ProviderInterface`, so `ApiPromise` runs over it unchanged.
 */
import { EventEmitter } from 'eventemitter3';
import WebSocket from 'ws';
import type {
  ProviderInterface,
  ProviderInterfaceCallback,
  ProviderInterfaceEmitCb,
  ProviderInterfaceEmitted,
} from '@polkadot/rpc-provider/types';
import { SubtensorError } from './errors.js';

/** Reconnection and timeout settings of the transport. */
export interface TransportOptions {
  /** Per-request timeout in ms (default 30,000). */
  requestTimeoutMs?: number;
  /** First reconnect delay in ms (default 250); doubles per failed attempt. */
  reconnectBaseMs?: number;
  /** Largest reconnect delay in ms (default 10,000). */
  reconnectMaxMs?: number;
  /** Timeout of the WebSocket opening handshake in ms (default 10,000). */
  connectTimeoutMs?: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
  method: string;
}

interface Sub {
  type: string;
  method: string;
  params: unknown[];
  cb: ProviderInterfaceCallback;
  serverId: string | number | null;
}

const ALIASES: Record<string, string> = { chain_finalisedHead: 'chain_finalizedHead' };

/** Subscription ids with notifications held before their subscribe reply, at most; and notifications per id. */
const EARLY_KEYS = 256;
const EARLY_PER_KEY = 64;

/** Events of the transport beyond @polkadot/api's three. */
export type TransportEvent = ProviderInterfaceEmitted | 'reconnecting';

/**
 * A `ProviderInterface` over `ws` with per-request timeouts, backoff reconnects and re-subscription.
 * Internal: `createSubtensor` owns one per endpoint.
 */
export class ResilientProvider implements ProviderInterface {
  readonly endpoint: string;
  readonly hasSubscriptions = true;
  readonly isClonable = false;
  readonly #opts: Required<TransportOptions>;
  readonly #events = new EventEmitter();
  #ws: WebSocket | null = null;
  #connected = false;
  #closed = false;
  #nextId = 1;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #pending = new Map<number, Pending>();
  /** logical id (what the caller holds) → subscription */
  readonly #subs = new Map<string, Sub>();
  /** `${type}::${serverId}` → logical id */
  readonly #routes = new Map<string, string>();
  /** Notifications that arrived before their subscribe reply. */
  readonly #early = new Map<string, unknown[]>();
  /** Count of reconnects since creation. */
  reconnects = 0;

  constructor(endpoint: string, options: TransportOptions = {}) {
    this.endpoint = endpoint;
    this.#opts = {
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      reconnectBaseMs: options.reconnectBaseMs ?? 250,
      reconnectMaxMs: options.reconnectMaxMs ?? 10_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    };
  }

  get isConnected(): boolean {
    return this.#connected;
  }

  clone(): ProviderInterface {
    throw new SubtensorError('INVALID_ARGUMENT', 'the subnetkit transport is shared, not cloned');
  }

  /** Opens the socket; resolves when it is open, rejects with `CONNECT_FAILED` on the first failure. */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new SubtensorError('CLIENT_CLOSED', 'the transport was closed'));
    return new Promise<void>((resolve, reject) => this.#open(resolve, reject));
  }

  #open(onOpen?: () => void, onFail?: (e: Error) => void): void {
    const ws = new WebSocket(this.endpoint, { handshakeTimeout: this.#opts.connectTimeoutMs, maxPayload: 256 << 20 });
    this.#ws = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      this.#connected = true;
      this.#attempt = 0;
      this.#resubscribe();
      this.#events.emit('connected');
      onOpen?.();
    });
    ws.on('message', (data) => this.#onMessage(data.toString()));
    ws.on('error', (e) => {
      if (!opened && onFail)
        onFail(new SubtensorError('CONNECT_FAILED', `cannot connect to ${this.endpoint}: ${e.message}`, { cause: e }));
      this.#events.emit('error', e);
    });
    ws.on('close', () => {
      if (this.#ws === ws) this.#ws = null;
      const was = this.#connected;
      this.#connected = false;
      this.#failPending(`the connection to ${this.endpoint} was lost`);
      if (was) this.#events.emit('disconnected');
      if (!this.#closed && (opened || !onFail)) this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    if (this.#reconnectTimer || this.#closed) return;
    const base = Math.min(this.#opts.reconnectMaxMs, this.#opts.reconnectBaseMs * 2 ** this.#attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.#attempt++;
    this.#events.emit('reconnecting', { attempt: this.#attempt, delayMs: delay });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (!this.#closed) {
        this.reconnects++;
        this.#open();
      }
    }, delay);
  }

  /** Drops the socket now (a half-dead connection the watchdog found) and reconnects with backoff. */
  forceReconnect(): void {
    if (this.#closed) return;
    if (this.#ws) this.#ws.terminate();
    else this.#scheduleReconnect();
  }

  #failPending(why: string): void {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(new SubtensorError('CONNECTION_LOST', `${p.method}: ${why}`));
    }
  }

  #resubscribe(): void {
    this.#routes.clear();
    for (const [logical, sub] of this.#subs) {
      sub.serverId = null;
      this.send<string | number>(sub.method, sub.params).then(
        (serverId) => {
          if (!this.#subs.has(logical)) return; // unsubscribed meanwhile
          sub.serverId = serverId;
          this.#route(sub.type, serverId, logical);
        },
        (e: SubtensorError) => {
          // A socket that drops again is retried on the next open; only the node's refusal reaches the owner.
          if (e.code === 'RPC_ERROR') sub.cb(e, undefined);
        },
      );
    }
  }

  #route(type: string, serverId: string | number, logical: string): void {
    const key = `${type}::${serverId}`;
    this.#routes.set(key, logical);
    const early = this.#early.get(key);
    if (early) {
      this.#early.delete(key);
      const sub = this.#subs.get(logical)!;
      for (const r of early) sub.cb(null, r);
    }
  }

  #onMessage(text: string): void {
    let msg: {
      id?: number;
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
      method?: string;
      params?: { subscription: string | number; result: unknown; error?: unknown };
    };
    try {
      msg = JSON.parse(text);
    } catch {
      return; // a garbled frame: the request it answered times out
    }
    if (msg.method && msg.params) {
      const type = ALIASES[msg.method] ?? msg.method;
      const key = `${type}::${msg.params.subscription}`;
      const logical = this.#routes.get(key);
      if (logical === undefined) {
        // Kept only for the short gap between a subscribe request and its reply, and bounded: a node that sends
        // notifications for ids nobody asked for cannot grow this without limit (the oldest ids go first).
        let list = this.#early.get(key);
        if (!list) {
          if (this.#early.size >= EARLY_KEYS) this.#early.delete(this.#early.keys().next().value!);
          list = [];
          this.#early.set(key, list);
        }
        if (list.length < EARLY_PER_KEY) list.push(msg.params.result);
        return;
      }
      this.#subs.get(logical)?.cb(null, msg.params.result);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error) {
      const e = msg.error;
      p.reject(
        new SubtensorError(
          'RPC_ERROR',
          `${p.method}: ${e.code}: ${e.message}${e.data !== undefined ? `: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}` : ''}`,
          { cause: e },
        ),
      );
    } else p.resolve(msg.result);
  }

  /** Sends one JSON-RPC request; rejects with `RPC_TIMEOUT`, `RPC_ERROR`, `NOT_CONNECTED` or `CONNECTION_LOST`. */
  send<T = unknown>(method: string, params: unknown[], _isCacheable?: boolean, timeoutMs?: number): Promise<T> {
    const ws = this.#ws;
    if (!ws || !this.#connected)
      return Promise.reject(new SubtensorError('NOT_CONNECTED', `${method}: not connected to ${this.endpoint}`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const ms = timeoutMs ?? this.#opts.requestTimeoutMs;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SubtensorError('RPC_TIMEOUT', `${method}: no answer from ${this.endpoint} within ${ms} ms`));
      }, ms);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      ws.send(JSON.stringify({ id, jsonrpc: '2.0', method, params }), (err) => {
        if (!err) return;
        const p = this.#pending.get(id);
        if (!p) return;
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(new SubtensorError('CONNECTION_LOST', `${method}: ${err.message}`, { cause: err }));
      });
    });
  }

  async subscribe(type: string, method: string, params: unknown[], cb: ProviderInterfaceCallback): Promise<string> {
    const logical = `${type}:${this.#nextId++}`;
    let serverId: string | number;
    try {
      serverId = await this.send<string | number>(method, params);
    } catch (e) {
      // Lost with the socket: keep it, and make it on the next open like every other live subscription.
      const code = (e as SubtensorError).code;
      if (this.#closed || (code !== 'CONNECTION_LOST' && code !== 'NOT_CONNECTED')) throw e;
      this.#subs.set(logical, { type, method, params, cb, serverId: null });
      return logical;
    }
    this.#subs.set(logical, { type, method, params, cb, serverId });
    this.#route(type, serverId, logical);
    return logical;
  }

  async unsubscribe(type: string, method: string, id: number | string): Promise<boolean> {
    const sub = this.#subs.get(String(id));
    if (!sub) return false;
    this.#subs.delete(String(id));
    if (sub.serverId === null) return true;
    this.#routes.delete(`${type}::${sub.serverId}`);
    if (!this.#connected) return true;
    try {
      return Boolean(await this.send(method, [sub.serverId], false, 5_000));
    } catch {
      return false; // the server forgets it with the socket anyway
    }
  }

  on(type: ProviderInterfaceEmitted | 'reconnecting', sub: ProviderInterfaceEmitCb): () => void {
    this.#events.on(type, sub);
    return () => this.#events.off(type, sub);
  }

  /** Closes for good: the socket, every timer, every pending request (`CLIENT_CLOSED`). */
  async disconnect(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#subs.clear();
    this.#routes.clear();
    this.#early.clear();
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(new SubtensorError('CLIENT_CLOSED', `${p.method}: the client was closed`));
    }
    const ws = this.#ws;
    this.#ws = null;
    this.#connected = false;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000);
      ws.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
    this.#events.removeAllListeners();
  }
}
