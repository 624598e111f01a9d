/**
 * The axon: an HTTP server, wire-compatible with Python dendrites, that runs each request through
 * limits → parse → verify → blacklist → priority → forward.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import EventEmitter from 'eventemitter3';
import { sign, verify as verifySignature } from '../keys/index.js';
import { Synapse, SynapseError, sha3Hex, type StreamingResponse } from '../synapse/index.js';
import { AxonError } from './errors.js';
import { ipVersion } from './ip.js';
import { createTokenBuckets } from './rate-limit.js';
import { createPriorityGate } from './priority-queue.js';
import { createVerifier } from './verify.js';
import { createVerifyPool, type VerifyPool } from './verify-pool.js';
import { availableParallelism } from 'node:os';
import type { AnySynapseClass, AttachOptions, Axon, AxonEvents, AxonInfo, AxonMetrics, AxonOptions, BlacklistVerdict, Handler, RequestContext } from './types.js';

/**
 * bittensor 10.2.0 as an int (major·10⁶ + minor·10³ + patch), sent as `dendrite.version` and in AxonInfo.
 *
 * @example
 * ```ts
 * axon.info().version === VERSION_AS_INT; // true
 * ```
 */
export const VERSION_AS_INT = 10_002_000;
/** Largest synapse timeout an axon accepts, in seconds. */
const MAX_TIMEOUT_S = 3600;
const LATENCY_BOUNDS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, Infinity];

interface Route {
  cls: AnySynapseClass;
  handler: Handler<any>;
  hooks: AttachOptions<any>;
}

/** A rejection: the status, the `{message}` body, and the reason counted in metrics. */
class Reject {
  constructor(readonly status: number, readonly message: string, readonly reason: string, readonly close = false) {}
}

function verdictOf(v: BlacklistVerdict): [boolean, string] {
  if (typeof v === 'boolean') return [v, v ? 'blacklisted' : ''];
  if (Array.isArray(v)) return [Boolean(v[0]), String(v[1] ?? '')];
  const o = v as { blacklisted: boolean; reason?: string };
  return [o.blacklisted, o.reason ?? 'blacklisted'];
}

function isStreaming(x: unknown): x is StreamingResponse {
  return typeof x === 'object' && x !== null && 'body' in x && 'headers' in x && (x as { status?: unknown }).status === 200 && !(x instanceof Synapse);
}

/**
 * Creates an axon. Attach synapse handlers, then `start()`.
 *
 * @example
 * ```ts
 * import { createAxon } from 'subnetkit/axon';
 * const axon = createAxon({ keypair: hotkey, port: 8091 });
 * axon.attach(Dummy, (s) => { s.dummy_output = s.dummy_input * 2; return s; });
 * await axon.start();
 * ```
 */
export function createAxon(options: AxonOptions): Axon {
  if (!options?.keypair?.ss58Address) throw new AxonError('AXON_INVALID_CONFIG', 'options.keypair (the axon hotkey) is required');
  const hotkey = options.keypair.ss58Address;
  const host = options.host ?? '0.0.0.0';
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const maxHeaderCount = options.maxHeaderCount ?? 128;
  const events = new EventEmitter<AxonEvents>();
  const routes = new Map<string, Route>();
  const workerCount = options.verify?.workers ?? Math.min(4, Math.max(0, availableParallelism() - 1));
  let pool: VerifyPool | undefined;
  const verifier = createVerifier(hotkey, options.verify, (m, sig, addr) => (pool ? pool.verify(m, sig, addr) : verifySignature(m, sig, addr)));
  const perIp = options.rateLimit?.perIp === false ? null : createTokenBuckets(options.rateLimit?.perIp ?? { burst: 200, perSecond: 100 });
  const perHotkey = options.rateLimit?.perHotkey === false ? null : createTokenBuckets(options.rateLimit?.perHotkey ?? { burst: 400, perSecond: 200 });
  const gate = createPriorityGate(options.priority);
  const metrics: AxonMetrics = { served: 0, rejected: {}, latencyMs: Object.fromEntries(LATENCY_BOUNDS.map((b) => [String(b), 0])) };
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let server: Server | undefined;
  let boundPort = options.port ?? 8091;
  const axonUuid = randomUUID();

  function attach<S extends Synapse>(cls: AnySynapseClass<S>, handler: Handler<S>, hooks: AttachOptions<S> = {}): Axon {
    const name = cls.synapseName;
    if (routes.has(name) && name !== 'Synapse') throw new AxonError('AXON_ALREADY_ATTACHED', `a handler for ${name} is already attached`);
    routes.set(name, { cls, handler, hooks });
    return api;
  }

  function record(ms: number) {
    for (const b of LATENCY_BOUNDS) {
      if (ms <= b) {
        metrics.latencyMs[String(b)]! += 1;
        break;
      }
    }
  }

  function reject(res: ServerResponse, r: Reject, route: string, ip: string) {
    metrics.rejected[r.reason] = (metrics.rejected[r.reason] ?? 0) + 1;
    events.emit('rejected', { route, status: r.status, reason: r.reason, ip });
    if (res.headersSent) return void res.destroy();
    const body = JSON.stringify({ message: r.message });
    res.writeHead(r.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      bt_header_axon_status_code: String(r.status),
      bt_header_axon_status_message: r.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024),
      ...(r.close ? { connection: 'close' } : {}),
    });
    res.end(body);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) throw new Reject(413, `Request body exceeds ${maxBody} bytes`, 'body_too_large', true);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) throw new Reject(413, `Request body exceeds ${maxBody} bytes`, 'body_too_large', true);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const started = performance.now();
    const ip = req.socket.remoteAddress ?? '';
    const port = req.socket.remotePort ?? 0;
    const route = (req.url ?? '/').split('?')[0]!.split('/')[1] ?? '';
    inFlight++;
    try {
      events.emit('request', { route, ip });
      // 1. Limits: cheap, constant-size refusals before any parsing.
      if (perIp && !perIp.take(ip)) throw new Reject(429, 'Too many requests from this address', 'rate_limited_ip');
      if (req.rawHeaders.length / 2 > maxHeaderCount) throw new Reject(431, 'Too many header fields', 'header_flood', true);
      if (req.method !== 'POST' && req.method !== 'GET') throw new Reject(405, 'Method not allowed', 'method');
      const r = routes.get(route);
      if (!r) throw new Reject(404, `Synapse name '${route}' not found. Available synapses ${JSON.stringify([...routes.keys()])}`, 'not_found');
      const bodyText = await readBody(req);

      // 2. Parse: headers (terminal info, body hash) and body.
      let fromHeaders: Synapse;
      let synapse: Synapse;
      try {
        // Only terminal info, timeout and the body hash are read from headers, so the base class parses them: the
        // `bt_header_input_obj_*` dummies Python sends for required fields (`{}` for a Tensor) would not validate
        // as the route's own field types, and the body carries the real values anyway.
        fromHeaders = Synapse.fromHeaders(req.headers);
      } catch (e) {
        throw new Reject(400, `Invalid synapse headers: ${(e as Error).message}`, 'bad_headers');
      }
      try {
        synapse = r.cls.fromJSON(bodyText.length ? bodyText : '{}');
      } catch (e) {
        const code = e instanceof SynapseError ? e.code : '';
        throw new Reject(code === 'SYNAPSE_INVALID_JSON' ? 422 : 400, `Invalid synapse body: ${(e as Error).message}`, 'bad_body');
      }
      // An infinite or absurd timeout would open the nonce window and hold a queue slot forever.
      if (!Number.isFinite(fromHeaders.timeout) || fromHeaders.timeout < 0 || fromHeaders.timeout > MAX_TIMEOUT_S) {
        throw new Reject(400, `Invalid timeout: must be between 0 and ${MAX_TIMEOUT_S} seconds`, 'bad_headers');
      }
      const ctx: RequestContext = { ip, port, hotkey: fromHeaders.dendrite.hotkey, route, elapsedMs: () => performance.now() - started };

      // 3. Verify: body hash, then signature and nonce (the nonce is stored only once all of it holds).
      if (synapse.bodyHash !== fromHeaders.computed_body_hash) throw new Reject(400, 'Body hash mismatch: computed_body_hash does not match the body', 'body_hash');
      const why = await verifier(fromHeaders);
      if (why) throw new Reject(401, `Not Verified with error: ${why}`, 'unverified');
      // The verified terminal info comes from the headers; the peer address from the socket.
      synapse.dendrite = fromHeaders.dendrite.clone();
      synapse.dendrite.ip = ip;
      synapse.dendrite.port = port;
      synapse.axon.hotkey = hotkey;
      if (r.hooks.verify) {
        let extra: string | null | void;
        try {
          extra = await r.hooks.verify(synapse, ctx);
        } catch (e) {
          extra = (e as Error).message;
        }
        if (extra) throw new Reject(401, `Not Verified with error: ${extra}`, 'unverified');
      }
      if (perHotkey && ctx.hotkey && !perHotkey.take(ctx.hotkey)) throw new Reject(429, 'Too many requests from this hotkey', 'rate_limited_hotkey');

      // 4. Blacklist.
      for (const fn of [options.blacklist, r.hooks.blacklist]) {
        if (!fn) continue;
        const [black, reason] = verdictOf(await fn(synapse, ctx));
        if (black) throw new Reject(403, `Forbidden. Key is blacklisted: ${reason}.`, 'blacklisted');
      }

      // 5. Priority: stake-ordered admission, bounded by the synapse's own timeout.
      let priority = 0;
      if (r.hooks.priority) priority = await r.hooks.priority(synapse, ctx);
      else if (options.stakeOf && ctx.hotkey) priority = Number((await options.stakeOf(ctx.hotkey)) ?? 0);
      const timeoutS = fromHeaders.timeout > 0 ? fromHeaders.timeout : 12;
      let release: () => void;
      try {
        release = await gate.acquire(priority, timeoutS * 1000 - ctx.elapsedMs());
      } catch (why) {
        if (why === 'timeout') throw new Reject(408, `Response timeout after: ${timeoutS}s`, 'priority_timeout');
        throw new Reject(503, 'Service unavailable: request queue is full', 'queue_full');
      }

      // 6. Forward.
      try {
        let out: Synapse | StreamingResponse;
        try {
          out = (await r.handler(synapse, ctx)) ?? synapse;
        } catch (e) {
          events.emit('error', e);
          const code = (e as { synapse?: Synapse }).synapse?.axon.status_code;
          if (code && code !== 200) throw new Reject(code, (e as Error).message, 'handler_error');
          throw new Reject(500, `Internal Server Error #${randomUUID()}`, 'handler_error');
        }
        if (isStreaming(out)) return await stream(res, out, route, started, ctx);
        if (!(out instanceof Synapse)) throw new Reject(500, `Internal Server Error #${randomUUID()}`, 'handler_error');
        out.axon.status_code ??= 200;
        if (out.axon.status_code === 200 && !out.axon.status_message) out.axon.status_message = 'Success';
        out.axon.process_time = (performance.now() - started) / 1000;
        out.axon.hotkey = hotkey;
        const body = out.toJSON();
        const headers: Record<string, string | number> = { ...out.toHeaders(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
        if (options.signResponses) {
          const nonce = BigInt(Date.now()) * 1_000_000n;
          headers.bt_header_axon_nonce = String(nonce);
          headers.bt_header_axon_signature = sign(options.keypair, responseSigningMessage(nonce, synapse.dendrite.nonce, synapse.dendrite.hotkey, hotkey, body));
        }
        res.writeHead(out.axon.status_code, headers);
        res.end(body);
        const ms = performance.now() - started;
        metrics.served++;
        record(ms);
        events.emit('response', { route, status: out.axon.status_code, ms, hotkey: ctx.hotkey });
      } finally {
        release();
      }
    } catch (e) {
      if (e instanceof Reject) reject(res, e, route, ip);
      else {
        events.emit('error', e);
        reject(res, new Reject(500, `Internal Server Error #${randomUUID()}`, 'internal'), route, ip);
      }
    } finally {
      inFlight--;
    }
  }

  async function stream(res: ServerResponse, out: StreamingResponse, route: string, started: number, ctx: RequestContext) {
    res.writeHead(200, { ...out.headers, 'content-type': 'text/event-stream' });
    try {
      for await (const chunk of out.body) {
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      metrics.served++;
      record(performance.now() - started);
      events.emit('response', { route, status: 200, ms: performance.now() - started, hotkey: ctx.hotkey });
    } catch (e) {
      events.emit('error', e);
      res.destroy();
    }
  }

  const api: Axon = {
    attach,
    /** Starts listening; resolves once bound. */
    async start(): Promise<Axon> {
      if (server) throw new AxonError('AXON_ALREADY_RUNNING', 'axon is already running');
      if (workerCount > 0 && !pool) pool = await createVerifyPool(workerCount);
      const headersTimeout = options.headersTimeoutMs ?? 10_000;
      const common = {
        maxHeaderSize: options.maxHeaderBytes ?? 64 * 1024,
        requestTimeout: options.requestTimeoutMs ?? 60_000,
        headersTimeout,
        // Node checks these deadlines on an interval (30 s by default): check often enough to matter.
        connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(headersTimeout / 4))),
      };
      const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
      const s = options.tls ? createHttpsServer({ ...common, key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(common, onRequest);
      s.keepAliveTimeout = 5_000;
      s.on('connection', (sock: Socket) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      s.on('clientError', (err: NodeJS.ErrnoException, sock) => {
        // Malformed requests, oversized headers and slow senders: answer once, then drop the socket outright.
        const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
        const reason = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'slow_client' : err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'malformed_http';
        metrics.rejected[reason] = (metrics.rejected[reason] ?? 0) + 1;
        if (sock.writable) sock.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => sock.destroy());
        else sock.destroy();
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port ?? 8091, host, () => resolve());
      });
      const addr = s.address();
      if (addr && typeof addr === 'object') boundPort = addr.port;
      server = s;
      return api;
    },
    /** Stops accepting, lets in-flight requests finish (up to `drainMs`), then closes every socket. */
    async stop(): Promise<void> {
      const s = server;
      if (!s) return;
      server = undefined;
      const closed = new Promise<void>((r) => s.close(() => r()));
      s.closeIdleConnections?.();
      const deadline = Date.now() + (options.drainMs ?? 5000);
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const sock of sockets) sock.destroy();
      await closed;
      await pool?.close();
      pool = undefined;
    },
    /** The bound port (after `start()`). */
    get port(): number {
      return boundPort;
    },
    /** AxonInfo for `serve_axon` and for dendrites. */
    info(): AxonInfo {
      const ip = options.externalIp ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
      return { version: VERSION_AS_INT, ip, ipType: ipVersion(ip), port: options.externalPort ?? boundPort, hotkey, coldkey: options.coldkey ?? '', protocol: 4, placeholder1: 0, placeholder2: 0 };
    },
    /** Served and rejected counters and the latency histogram. */
    metrics: (): AxonMetrics => structuredClone(metrics),
    /** In-flight and queued requests now. */
    load: () => ({ inFlight, ...gate.stats() }),
    /** Subscribe to 'request', 'response', 'rejected' and 'error'. */
    on(event, fn) {
      events.on(event, fn as never);
      return api;
    },
    /** This axon's uuid. */
    uuid: axonUuid,
  };
  attach(Synapse as AnySynapseClass, (s: Synapse) => s); // the built-in ping route, as in Python
  return api;
}

/**
 * The message an axon signs for a signed response: `{axonNonce}.{dendriteNonce}.{dendriteHotkey}.{axonHotkey}.{sha3(body)}`.
 * Binding the request's nonce means an old response cannot be replayed for a new request.
 *
 * @example
 * ```ts
 * verify(responseSigningMessage(axonNonce, myNonce, myHotkey, axonHotkey, bodyText), signature, axonHotkey);
 * ```
 */
export function responseSigningMessage(axonNonce: bigint, dendriteNonce: bigint | null, dendriteHotkey: string | null, axonHotkey: string, body: string): string {
  return `${axonNonce}.${dendriteNonce ?? ''}.${dendriteHotkey ?? ''}.${axonHotkey}.${sha3Hex(body)}`;
}
