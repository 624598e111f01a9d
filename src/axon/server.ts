/**
 * The axon: an HTTP server, wire-compatible with Python dendrites, that runs each request through
 * limits → parse → verify → blacklist → priority → forward.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { verify as verifySignature } from '../keys/index.js';
import { Synapse, pythonFloatRepr, pythonRepr, type StreamingResponse } from '../synapse/index.js';
import { AxonError } from './errors.js';
import { ipVersion } from './ip.js';
import { createTokenBuckets } from './rate-limit.js';
import { createPriorityGate } from './priority-queue.js';
import { createVerifier } from './verify.js';
import { createVerifyPool, type VerifyPool } from './verify-pool.js';
import { availableParallelism } from 'node:os';
import { createCore, Reject, type Route } from './pipeline.js';
import { SESSION_ROUTE, createSessionStore } from './session.js';
import type { GrpcListener } from './grpc.js';
import type {
  AnySynapseClass,
  AttachOptions,
  Axon,
  AxonEvents,
  AxonInfo,
  AxonMetrics,
  AxonOptions,
  Handler,
  RequestContext,
} from './types.js';

/**
 * bittensor 10.2.0 as an int (major·10⁶ + minor·10³ + patch), sent as `dendrite.version` and in AxonInfo.
 *
 * @example
 * ```ts
 * axon.info().version === VERSION_AS_INT; // true
 * ```
 */
export const VERSION_AS_INT = 10_002_000;
const LATENCY_BOUNDS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, Infinity];

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
  if (!options?.keypair?.ss58Address)
    throw new AxonError('AXON_INVALID_CONFIG', 'options.keypair (the axon hotkey) is required');
  const hotkey = options.keypair.ss58Address;
  const host = options.host ?? '0.0.0.0';
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const maxHeaderCount = options.maxHeaderCount ?? 128;
  const events = new EventEmitter<AxonEvents>();
  const routes = new Map<string, Route>();
  const workerCount = options.verify?.workers ?? Math.min(4, Math.max(0, availableParallelism() - 1));
  let pool: VerifyPool | undefined;
  const verifier = createVerifier(hotkey, options.verify, (m, sig, addr) =>
    pool ? pool.verify(m, sig, addr) : verifySignature(m, sig, addr),
  );
  const perIp =
    options.rateLimit?.perIp === false
      ? null
      : createTokenBuckets(options.rateLimit?.perIp ?? { burst: 200, perSecond: 100 });
  const perHotkey =
    options.rateLimit?.perHotkey === false
      ? null
      : createTokenBuckets(options.rateLimit?.perHotkey ?? { burst: 400, perSecond: 200 });
  const gate = createPriorityGate(options.priority);
  const metrics: AxonMetrics = {
    served: 0,
    rejected: {},
    latencyMs: Object.fromEntries(LATENCY_BOUNDS.map((b) => [String(b), 0])),
  };
  const sessions =
    options.sessions === false
      ? null
      : createSessionStore(
          options.keypair,
          (m, sig, addr) => (pool ? pool.verify(m, sig, addr) : verifySignature(m, sig, addr)),
          options.sessions ?? {},
        );
  const axonUuid = randomUUID();
  const core = createCore({
    options,
    hotkey,
    verifier,
    sessions,
    perHotkey,
    gate,
    events,
    uuid: axonUuid,
    version: VERSION_AS_INT,
  });
  let grpc: GrpcListener | undefined;
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let server: Server | undefined;
  let boundPort = options.port ?? 8091;

  function attach<S extends Synapse>(cls: AnySynapseClass<S>, handler: Handler<S>, hooks: AttachOptions<S> = {}): Axon {
    const name = cls.synapseName;
    if (routes.has(name) && name !== 'Synapse')
      throw new AxonError('AXON_ALREADY_ATTACHED', `a handler for ${name} is already attached`);
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

  function reject(res: ServerResponse, r: Reject, route: string, ip: string, started: number) {
    rejected(r, route, ip);
    if (res.headersSent) return void res.destroy();
    const body = JSON.stringify({ message: r.message });
    res.writeHead(r.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      bt_header_axon_status_code: String(r.status),
      bt_header_axon_status_message: r.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024),
      // As Python's error responses: the time the axon spent, in seconds.
      bt_header_axon_process_time: pythonFloatRepr((performance.now() - started) / 1000),
      ...r.headers,
      ...(r.close ? { connection: 'close' } : {}),
    });
    res.end(body);
  }

  function readBody(req: IncomingMessage, cap = maxBody): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > cap)
      return Promise.reject(new Reject(413, `Request body exceeds ${cap} bytes`, 'body_too_large', true));
    // Events rather than an async iterator: one promise per body instead of one per chunk.
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > cap) {
          cleanup();
          req.resume();
          reject(new Reject(413, `Request body exceeds ${cap} bytes`, 'body_too_large', true));
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      };
      const onError = (e: Error) => {
        cleanup();
        reject(e);
      };
      const onClose = () => {
        if (!req.complete) onError(new Error('request aborted'));
      };
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  }

  async function handshake(req: IncomingMessage, res: ServerResponse) {
    if (!sessions) throw new Reject(404, 'sessions are disabled on this axon', 'not_found');
    if (req.method !== 'POST') throw new Reject(405, 'Method not allowed', 'method');
    const out = await sessions.handshake((await readBody(req, 4096)).toString('utf8'));
    if (!out.ok) throw new Reject(out.status, out.message, 'handshake');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out.body) });
    res.end(out.body);
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
      if (req.rawHeaders.length / 2 > maxHeaderCount)
        throw new Reject(431, 'Too many header fields', 'header_flood', true);
      if (route === SESSION_ROUTE) return await handshake(req, res);
      if (req.method !== 'POST' && req.method !== 'GET') throw new Reject(405, 'Method not allowed', 'method');
      const r = routes.get(route);
      if (!r)
        throw new Reject(
          404,
          `Synapse name '${route}' not found. Available synapses ${pythonRepr([...routes.keys()])}`,
          'not_found',
        );
      const body = await readBody(req);
      const out = await core({ route: r, routeName: route, headers: req.headers, body, ip, port, started });
      if (out.kind === 'stream') return await stream(res, out.response, route, started, out.ctx, out.release);
      res.writeHead(out.status, { ...out.headers, 'content-length': Buffer.byteLength(out.body) });
      res.end(out.body);
      done(route, out.status, started, out.ctx);
    } catch (e) {
      if (e instanceof Reject) reject(res, e, route, ip, started);
      else {
        events.emit('error', e);
        reject(res, new Reject(500, `Internal Server Error #${randomUUID()}`, 'internal'), route, ip, started);
      }
    } finally {
      inFlight--;
    }
  }

  function done(route: string, status: number, started: number, ctx: RequestContext) {
    const ms = performance.now() - started;
    metrics.served++;
    record(ms);
    events.emit('response', { route, status, ms, hotkey: ctx.hotkey });
  }

  function rejected(r: Reject, route: string, ip: string) {
    metrics.rejected[r.reason] = (metrics.rejected[r.reason] ?? 0) + 1;
    events.emit('rejected', { route, status: r.status, reason: r.reason, ip });
  }

  async function stream(
    res: ServerResponse,
    out: StreamingResponse,
    route: string,
    started: number,
    ctx: RequestContext,
    release: () => void,
  ) {
    try {
      // As Python's streaming axon: the status and the time to the first byte travel in the headers.
      res.writeHead(200, {
        ...out.headers,
        'content-type': 'text/event-stream',
        bt_header_axon_status_code: '200',
        bt_header_axon_status_message: 'Success',
        bt_header_axon_process_time: pythonFloatRepr((performance.now() - started) / 1000),
      });
      for await (const chunk of out.body) {
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      done(route, 200, started, ctx);
    } catch (e) {
      events.emit('error', e);
      res.destroy();
    } finally {
      release();
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
      const s = options.tls
        ? createHttpsServer({ ...common, key: options.tls.key, cert: options.tls.cert }, onRequest)
        : createHttpServer(common, onRequest);
      s.keepAliveTimeout = 5_000;
      s.on('connection', (sock: Socket) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      s.on('clientError', (err: NodeJS.ErrnoException, sock) => {
        // Malformed requests, oversized headers and slow senders: answer once, then drop the socket outright.
        const status =
          err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : err.code === 'HPE_HEADER_OVERFLOW'
              ? '431 Request Header Fields Too Large'
              : '400 Bad Request';
        const reason =
          err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 'slow_client'
            : err.code === 'HPE_HEADER_OVERFLOW'
              ? 'headers_too_large'
              : 'malformed_http';
        metrics.rejected[reason] = (metrics.rejected[reason] ?? 0) + 1;
        if (sock.writable)
          sock.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => sock.destroy());
        else sock.destroy();
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port ?? 8091, host, () => resolve());
      });
      const addr = s.address();
      if (addr && typeof addr === 'object') boundPort = addr.port;
      server = s;
      if (options.grpc) {
        // @grpc/grpc-js is an optional peer: loaded only by an axon that serves gRPC.
        let startGrpc: typeof import('./grpc.js').startGrpc;
        try {
          ({ startGrpc } = await import('./grpc.js'));
        } catch (cause) {
          await api.stop();
          throw new AxonError(
            'AXON_GRPC_MISSING',
            'serving gRPC needs the @grpc/grpc-js package: npm install @grpc/grpc-js',
            { cause },
          );
        }
        try {
          grpc = await startGrpc({
            port: options.grpc.port ?? boundPort + 1,
            host: options.grpc.host ?? host,
            maxBody,
            routes,
            core,
            perIp,
            tls: options.tls,
            onInFlight: (d) => (inFlight += d),
            onDone: done,
            onReject: rejected,
            onError: (e) => events.emit('error', e),
          });
        } catch (e) {
          await api.stop();
          throw new AxonError('AXON_LISTEN_FAILED', `gRPC listener failed to start: ${(e as Error).message}`, {
            cause: e,
          });
        }
      }
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
      await grpc?.close();
      grpc = undefined;
      sessions?.clear();
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
      const httpPort = options.externalPort ?? boundPort;
      const capabilities = (sessions ? 1 : 0) | (grpc ? 2 : 0);
      const offset = grpc ? grpc.port - boundPort : 0;
      return {
        version: VERSION_AS_INT,
        ip,
        ipType: ipVersion(ip),
        port: httpPort,
        hotkey,
        coldkey: options.coldkey ?? '',
        protocol: 4,
        placeholder1: capabilities,
        placeholder2: offset >= 1 && offset <= 255 ? offset : 0,
        ...(grpc ? { grpcPort: grpc.port } : {}),
      };
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

export { responseSigningMessage } from './pipeline.js';
