/**
 * The axon's HTTP listener (Python dendrites speak this): each request becomes an {@link Exchange} for the stage
 * chains, and each outcome or refusal is written back as Python's axon writes it.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { pythonFloatRepr, pythonRepr, type StreamingResponse } from '../synapse/index.js';
import { SESSION_ROUTE } from '../wire/index.js';
import { Exchange, type Loaded, Reject, type Route, routeForMessage } from './exchange.js';
import type { AxonReport } from './metrics.js';
import type { Pipeline } from './pipeline.js';
import { createConnectionLimits } from './connection-limits.js';
import { readBody } from './read-body.js';
import { createStreamAcceptor } from './stream-listener.js';
import type { AxonOptions, RequestContext } from './types.js';

export interface HttpListenerOptions {
  options: AxonOptions;
  host: string;
  pipelines: { synapse: Pipeline; handshake: Pipeline };
  /** Largest request body read, in bytes (the stream transport's frames are bounded by it too). */
  maxBody: number;
  report: AxonReport;
  onRequest(route: string, ip: string): void;
  onInFlight(delta: number): void;
}

export interface HttpListener {
  readonly port: number;
  /** Stops accepting; resolves once every connection has closed. */
  stopAccepting(): Promise<void>;
  /** Closes every connection now. */
  destroySockets(): void;
}

/** The route by the URL path (POST or GET, as Python's axon allows), the body read under the cap. */
function loadFrom(req: IncomingMessage, routeName: string) {
  return async (routes: ReadonlyMap<string, Route>, maxBody: number): Promise<Loaded> => {
    if (req.method !== 'POST' && req.method !== 'GET') throw new Reject(405, 'Method not allowed', 'method');
    const route = routes.get(routeName);
    if (!route)
      throw new Reject(
        404,
        `Synapse name '${routeForMessage(routeName)}' not found. Available synapses ${pythonRepr([...routes.keys()])}`,
        'not_found',
      );
    return { routeName, route, body: await readBody(req, maxBody) };
  };
}

function writeReject(res: ServerResponse, r: Reject, started: number): void {
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

/** Where a request that failed before it was a request goes: the status line, and the reason it is counted under. */
function clientErrorOf(code: string | undefined): [status: string, reason: string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return ['408 Request Timeout', 'slow_client'];
  if (code === 'HPE_HEADER_OVERFLOW') return ['431 Request Header Fields Too Large', 'headers_too_large'];
  return ['400 Bad Request', 'malformed_http'];
}

export async function startHttpListener(o: HttpListenerOptions): Promise<HttpListener> {
  // over 80 lines by design: one HTTP server whose request, streaming and drain handlers share its sockets and
  // in-flight count.
  const { options, report } = o;

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
      report.served(route, 200, started, ctx);
    } catch (e) {
      report.error(e);
      res.destroy();
    } finally {
      release();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const started = performance.now();
    const ip = req.socket.remoteAddress ?? '';
    const routeName = (req.url ?? '/').split('?')[0]!.split('/')[1] ?? '';
    const x = new Exchange({
      routeName,
      method: req.method ?? '',
      ip,
      port: req.socket.remotePort ?? 0,
      started,
      headers: req.headers,
      headerCount: req.rawHeaders.length / 2,
      readBody: (cap) => readBody(req, cap),
      load: loadFrom(req, routeName),
    });
    o.onInFlight(1);
    try {
      o.onRequest(routeName, ip);
      const out = await (routeName === SESSION_ROUTE ? o.pipelines.handshake : o.pipelines.synapse)(x);
      if (out.kind === 'stream') return await stream(res, out.response, routeName, started, out.ctx, out.release);
      // The outcome's headers are this request's own object: the length goes in, with no copy of the rest.
      const headers: Record<string, string | number> = out.headers;
      headers['content-length'] = Buffer.byteLength(out.body);
      res.writeHead(out.status, headers);
      res.end(out.body);
      if (out.kind === 'reply') report.served(routeName, out.status, started, out.ctx);
    } catch (e) {
      let r: Reject;
      if (e instanceof Reject) r = e;
      else {
        report.error(e);
        r = new Reject(500, `Internal Server Error #${randomUUID()}`, 'internal');
      }
      report.rejected(r, routeName, ip);
      writeReject(res, r, started);
    } finally {
      o.onInFlight(-1);
    }
  }

  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const common = {
    maxHeaderSize: options.maxHeaderBytes ?? 64 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 60_000,
    headersTimeout,
    // Node checks these deadlines on an interval (30 s by default): check often enough to matter.
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(headersTimeout / 4))),
  };
  const limits = createConnectionLimits(options, (reason) => report.dropped(reason));
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const sock = req.socket;
    limits.busy(sock);
    res.once('close', () => limits.idle(sock));
    void handle(req, res);
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...common, key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createHttpServer(common, onRequest);
  server.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  server.on('connection', (sock: Socket) => {
    if (!options.tls && !limits.admit(sock)) return;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  // The stream transport: an Upgrade on this port hands the socket to the frame reader (stream-listener.ts).
  server.on(
    'upgrade',
    createStreamAcceptor({
      pipeline: o.pipelines.synapse,
      report,
      maxBody: o.maxBody,
      onRequest: o.onRequest,
      onInFlight: o.onInFlight,
      busy: (sock) => limits.busy(sock),
      idle: (sock) => limits.idle(sock),
    }),
  );
  // Over TLS the requests arrive on the TLS socket, so that is the one counted (once its handshake is done).
  if (options.tls) server.on('secureConnection', (sock: Socket) => limits.admit(sock));
  server.on('clientError', (err: NodeJS.ErrnoException, sock) => {
    // Malformed requests, oversized headers and slow senders: answer once, then drop the socket outright.
    const [status, reason] = clientErrorOf(err.code);
    report.dropped(reason);
    if (sock.writable)
      sock.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => sock.destroy());
    else sock.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8091, o.host, () => resolve());
  });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : (options.port ?? 8091);
  return {
    port,
    stopAccepting() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections?.();
      return closed;
    },
    destroySockets() {
      for (const sock of sockets) sock.destroy();
    },
  };
}
