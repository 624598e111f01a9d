/** Public types of the axon: options, handlers, hooks, request context, info and metrics. */
import type { Keypair } from '../keys/index.js';
import type {
  FromHeadersOptions,
  HeaderInput,
  JsonValue,
  StreamingResponse,
  Synapse,
  SynapseClass,
} from '../synapse/index.js';
import type { BucketOptions } from './rate-limit.js';
import type { PriorityGateOptions } from './priority-queue.js';
import type { VerifyOptions } from './verify.js';
import type { SessionOptions } from './session-store.js';

/** What the axon knows about a request beyond its synapse. */
export interface RequestContext {
  /** Remote address of the TCP peer. */
  ip: string;
  /** Remote port of the TCP peer. */
  port: number;
  /** The verified caller hotkey (null only when unsigned requests are allowed and none was sent). */
  hotkey: string | null;
  /** The synapse route. */
  route: string;
  /** Milliseconds since the request arrived. */
  elapsedMs(): number;
}

/** A blacklist verdict: true/false, `[blacklisted, reason]`, or an object. */
export type BlacklistVerdict = boolean | readonly [boolean, string] | BlacklistDecision;
/** A blacklist verdict as an object. */
export interface BlacklistDecision {
  /** True to refuse the request. */
  blacklisted: boolean;
  /** Shown in the 403 message. */
  reason?: string;
}
/** Decides whether to refuse a verified request (403). */
export type BlacklistFn<S extends Synapse = Synapse> = (
  synapse: S,
  ctx: RequestContext,
) => BlacklistVerdict | Promise<BlacklistVerdict>;
/** The priority of a request: higher runs first (default: the caller's stake from `stakeOf`, else 0). */
export type PriorityFn<S extends Synapse = Synapse> = (synapse: S, ctx: RequestContext) => number | Promise<number>;
/** A handler fills the response fields and returns the synapse (or nothing: the same synapse is returned). */
export type Handler<S extends Synapse> = (
  synapse: S,
  ctx: RequestContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that fills the synapse in place returns nothing
) => S | void | StreamingResponse | Promise<S | void | StreamingResponse>;

/** Per-synapse hooks, like Python's `attach(forward, blacklist, priority, verify)`. */
export interface AttachOptions<S extends Synapse> {
  /** Refuses verified requests (403), after the axon-wide blacklist. */
  blacklist?: BlacklistFn<S>;
  /** Orders admission (higher first); replaces the stake-based default. */
  priority?: PriorityFn<S>;
  /** An extra check after signature and nonce verification; throw or return a reason string to refuse (401). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook written as a block with no return is accepted
  verify?: (synapse: S, ctx: RequestContext) => string | null | void | Promise<string | null | void>;
}

/** Token buckets of an axon; false disables one. */
export interface RateLimitOptions {
  /** Per remote IP, checked before anything else (default burst 200, 100/s). */
  perIp?: BucketOptions | false;
  /** Per verified hotkey (default burst 400, 200/s). */
  perHotkey?: BucketOptions | false;
}

/** PEM key and certificate for HTTPS. */
export interface TlsOptions {
  /** Private key (PEM). */
  key: string | Buffer;
  /** Certificate chain (PEM). */
  cert: string | Buffer;
}

/** Options of `createAxon`. Every limit has a safe default. */
export interface AxonOptions {
  /** The axon's hotkey: requests are verified against it, responses signed with it. */
  keypair: Keypair;
  /** The coldkey address reported by `info()`. */
  coldkey?: string;
  /** Port to listen on (default 8091; 0 picks a free one). */
  port?: number;
  /** Address to bind (default '0.0.0.0'; '::' for IPv6). */
  host?: string;
  /** IP announced in `info()` (default: the host, or 127.0.0.1 when bound to all interfaces). */
  externalIp?: string;
  /** Port announced in `info()` (default: the bound port). */
  externalPort?: number;
  /** Largest request body in bytes, enforced while reading (default 32 MiB → 413). */
  maxBodyBytes?: number;
  /** Largest total header size in bytes (default 64 KiB → 431). */
  maxHeaderBytes?: number;
  /** Most header fields (default 128 → 431). */
  maxHeaderCount?: number;
  /** Time allowed to receive the headers (default 10 s), then the socket is closed (slowloris). */
  headersTimeoutMs?: number;
  /** Time allowed to receive the whole request (default 60 s). */
  requestTimeoutMs?: number;
  /**
   * Open HTTP connections at most (default 2048). At the cap, the connection idle longest is closed to make room; when
   * none is idle the new one is refused, so idle sockets cannot lock legitimate callers out.
   */
  maxConnections?: number;
  /** Open HTTP connections from one IP address at most (default 256); more are refused. */
  maxConnectionsPerIp?: number;
  /** Signature and nonce verification (signatures are required unless `allowUnsigned`). */
  verify?: VerifyOptions;
  /** Token buckets per IP (checked first) and per verified hotkey; false disables one. */
  rateLimit?: RateLimitOptions;
  /** Concurrency and queue bounds of the stake-ordered gate. */
  priority?: PriorityGateOptions;
  /** Stake of a hotkey, used as the default priority (higher stake first). */
  stakeOf?: (hotkey: string) => number | bigint | undefined | Promise<number | bigint | undefined>;
  /** A blacklist applied to every synapse (before the per-synapse one). */
  blacklist?: BlacklistFn;
  /** Sign every success response (headers `bt_header_axon_nonce` / `bt_header_axon_signature`). */
  signResponses?: boolean;
  /** Serve HTTPS with this key and certificate. */
  tls?: TlsOptions;
  /** Milliseconds `stop()` waits for in-flight requests before closing sockets (default 5000). */
  drainMs?: number;
  /**
   * The fast TS↔TS path: one signed X25519 handshake per dendrite, then an HMAC per request (see docs/axon.md).
   * On by default (Python peers never use it); false turns it off.
   */
  sessions?: SessionOptions | false;
  /** Also serve the same synapses over gRPC (@grpc/grpc-js) on this port; advertised by `info()`. Off by default. */
  grpc?: GrpcServeOptions | false;
}

/** Options of the axon's gRPC listener. */
export interface GrpcServeOptions {
  /** Port (0 picks a free one; default: the HTTP port + 1). */
  port?: number;
  /** Address to bind (default: the HTTP host). */
  host?: string;
}

/** AxonInfo as Python's `Axon.info()` and the chain's `serve_axon` carry it. */
export interface AxonInfo {
  /** bittensor version as an int (10002000). */
  version: number;
  /** IP address as text. */
  ip: string;
  /** 4 or 6. */
  ipType: 4 | 6;
  /** Port. */
  port: number;
  /** The axon's hotkey (SS58). */
  hotkey: string;
  /** The owner's coldkey (SS58), when known. */
  coldkey: string;
  /** Transport protocol: 4 for HTTP. */
  protocol: number;
  /** subnetkit capability bits (0 for Python axons): 1 = session fast path, 2 = gRPC. */
  placeholder1: number;
  /** gRPC port minus the HTTP port, when it fits in 1..255 (the chain stores a u8); else 0. */
  placeholder2: number;
  /** The gRPC port, when this axon serves gRPC (not stored on chain). */
  grpcPort?: number;
}

/** Counters a user can export. */
export interface AxonMetrics {
  /** Requests answered by a handler. */
  served: number;
  /** Refusals by reason (unverified, blacklisted, rate_limited_ip, queue_full, body_too_large, …). */
  rejected: Record<string, number>;
  /** Latency histogram: upper bounds in ms → count. */
  latencyMs: Record<string, number>;
}

/** Events: 'request', 'response', 'rejected', 'error'. */
export interface AxonEvents {
  /** A request arrived (before any check). */
  request: (info: { route: string; ip: string }) => void;
  /** A handler's response was sent. */
  response: (info: { route: string; status: number; ms: number; hotkey: string | null }) => void;
  /** A request was refused, with the status and reason. */
  rejected: (info: { route: string; status: number; reason: string; ip: string }) => void;
  /**
   * A handler or the server failed unexpectedly (the client got a 500). A handler's failure carries the synapse
   * route, the caller's hotkey and address.
   */
  error: (err: unknown, request?: { route: string; hotkey: string | null; ip: string }) => void;
}

/**
 * A synapse class an axon can serve. The instance type comes from the constructor, so a class that extends
 * `defineSynapse(...)` with methods of its own (the v3 text synapses, say) is served as itself: its inherited static
 * `fromJSON` is typed with the base instance type but returns the subclass at run time.
 */
export type AnySynapseClass<S extends Synapse = Synapse> = Omit<
  // biome-ignore lint/suspicious/noExplicitAny: any synapse class, whatever its constructor takes
  SynapseClass<S, any>,
  'fromJSON' | 'fromHeaders' | 'prototype'
> & {
  /** The instance prototype. */
  readonly prototype: S;
  /** Parses a body into an instance of this class. */
  fromJSON(input: string | JsonValue): Synapse;
  /** Parses headers into an instance of this class. */
  fromHeaders(headers: HeaderInput, options?: FromHeadersOptions): Synapse;
};

/** Load of an axon at one moment. */
export interface AxonLoad {
  /** Requests being processed at any stage. */
  inFlight: number;
  /** Handlers running. */
  running: number;
  /** Requests waiting for a slot. */
  queued: number;
}

/** The handle `createAxon` returns. */
export interface Axon {
  /** Serves a synapse class with a handler and optional hooks. */
  attach<S extends Synapse>(cls: AnySynapseClass<S>, handler: Handler<S>, hooks?: AttachOptions<S>): Axon;
  /** Starts listening; resolves once bound. */
  start(): Promise<Axon>;
  /** Stops accepting, lets in-flight requests finish (up to `drainMs`), then closes every socket. */
  stop(): Promise<void>;
  /** The bound port (after `start()`). */
  readonly port: number;
  /** AxonInfo for `serve_axon` and for dendrites. */
  info(): AxonInfo;
  /** Served and rejected counters and the latency histogram. */
  metrics(): AxonMetrics;
  /** In-flight, running and queued requests now. */
  load(): AxonLoad;
  /** Subscribes to 'request', 'response', 'rejected' and 'error'. */
  on<E extends keyof AxonEvents>(event: E, fn: AxonEvents[E]): Axon;
  /** This axon's uuid. */
  readonly uuid: string;
}
