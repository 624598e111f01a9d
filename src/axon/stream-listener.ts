/**
 * The axon side of the stream transport (framing: src/wire/stream-frame.ts): an HTTP/1.1 `Upgrade` on the axon's own
 * port turns the connection into a multiplexed stream of session-authenticated request frames. Each frame becomes an
 * {@link Exchange} for the same synapse stage chain as HTTP and gRPC (limits, triage, session MAC, blacklist, priority,
 * handler), and each outcome a reply frame; the replies of one turn of the event loop are written together.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { type SendFrame, createBatchWriter } from '../internal/batch-writer.js';
import {
  SESSION_HEADERS,
  STREAM_FLAG_SESSION_ERROR,
  STREAM_PROTOCOL,
  STREAM_ROUTE,
  type DecodedStreamRequest,
  createFrameReader,
  decodeStreamRequest,
  encodeStreamReply,
} from '../wire/index.js';
import { Exchange, Reject, type Route, routeNotFound } from './exchange.js';
import type { AxonReport } from './metrics.js';
import type { Pipeline } from './pipeline.js';

export interface StreamAcceptorOptions {
  pipeline: Pipeline;
  report: AxonReport;
  maxBody: number;
  /** Requests one connection may have in flight; more are refused with 503 (default 1024). */
  maxInFlightPerConnection?: number;
  /** A connection with nothing in flight for this long is closed (default 5 minutes). */
  idleMs?: number;
  /** Replies queued for a peer that does not read them, in bytes, above which its requests are not read (default 16 MiB). */
  maxUnreadBytes?: number;
  onRequest(route: string, ip: string): void;
  onInFlight(delta: number): void;
  /** The connection limits' per-socket accounting (a stream with requests in flight is not idle). */
  busy(sock: Socket): void;
  idle(sock: Socket): void;
}

/** One upgraded connection: its socket, peer, writer and requests in flight. */
interface Connection {
  sock: Socket;
  ip: string;
  port: number;
  send: SendFrame;
  inFlight: number;
}

const NO_MAC = Buffer.alloc(32);
const REFUSED_UPGRADE = 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';

/** Whether an `upgrade` request asks for the stream transport. */
export function isStreamUpgrade(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === STREAM_PROTOCOL && (req.url ?? '').split('?')[0] === `/${STREAM_ROUTE}`;
}

/** The request as the stages see it: the frame's session fields under the session path's header names. */
function exchangeOf(r: DecodedStreamRequest, c: Connection): Exchange {
  return new Exchange({
    routeName: r.route,
    method: 'POST',
    ip: c.ip,
    port: c.port,
    started: performance.now(),
    headers: {
      [SESSION_HEADERS.id]: Buffer.from(r.session).toString('hex'),
      [SESSION_HEADERS.seq]: r.seq.toString(),
      [SESSION_HEADERS.mac]: Buffer.from(r.mac).toString('hex'),
      timeout: String(r.timeoutMs / 1000),
    },
    headerCount: 0,
    readBody: async () => r.body,
    load: async (routes: ReadonlyMap<string, Route>, maxBody: number) => {
      const route = routes.get(r.route);
      if (!route) throw routeNotFound(r.route, routes);
      if (r.body.length > maxBody) throw new Reject(413, 'Request body too large', 'body_too_large');
      return { routeName: r.route, route, body: r.body };
    },
  });
}

function refuse(c: Connection, id: number, r: Reject): void {
  c.send(
    encodeStreamReply({
      id,
      flags: r.headers[SESSION_HEADERS.error] ? STREAM_FLAG_SESSION_ERROR : 0,
      status: r.status,
      mac: NO_MAC,
      body: JSON.stringify({ message: r.message }),
    }),
  );
}

/** Runs one request frame through the pipeline and queues its reply. */
function serveFrame(o: StreamAcceptorOptions, c: Connection, r: DecodedStreamRequest, maxInFlight: number): void {
  if (c.inFlight >= maxInFlight) {
    const busy = new Reject(503, 'Service unavailable: too many requests in flight on this connection', 'busy');
    o.report.rejected(busy, r.route, c.ip);
    refuse(c, r.id, busy);
    return;
  }
  c.inFlight++;
  o.onInFlight(1);
  o.busy(c.sock);
  const x = exchangeOf(r, c);
  o.onRequest(r.route, c.ip);
  o.pipeline(x)
    .then((out) => {
      if (out.kind === 'stream') {
        out.release();
        throw new Reject(400, 'this synapse streams: call it over HTTP', 'bad_body');
      }
      if (out.kind !== 'reply') throw new Reject(400, 'not a synapse', 'bad_body');
      const mac = out.headers[SESSION_HEADERS.mac];
      c.send(
        encodeStreamReply({
          id: r.id,
          flags: 0,
          status: out.status,
          mac: typeof mac === 'string' ? Buffer.from(mac, 'hex') : NO_MAC,
          body: out.body,
        }),
      );
      o.report.served(x.routeName, out.status, x.arrival.started, out.ctx);
    })
    .catch((e: unknown) => {
      let rej: Reject;
      if (e instanceof Reject) rej = e;
      else {
        o.report.error(e);
        rej = new Reject(500, `Internal Server Error #${randomUUID()}`, 'internal');
      }
      o.report.rejected(rej, x.routeName, c.ip);
      refuse(c, r.id, rej);
    })
    .finally(() => {
      c.inFlight--;
      o.onInFlight(-1);
      o.idle(c.sock);
    });
}

/** Answers `upgrade` requests for the stream transport and serves the frames that follow. */
export function createStreamAcceptor(
  o: StreamAcceptorOptions,
): (req: IncomingMessage, sock: Socket, head: Buffer) => void {
  const maxInFlight = o.maxInFlightPerConnection ?? 1024;
  const idleMs = o.idleMs ?? 300_000;
  const maxUnread = o.maxUnreadBytes ?? 16 * 1024 * 1024;
  // Frame header plus route plus the largest body the axon reads.
  const maxFrame = o.maxBody + 1024;

  return (req, sock, head) => {
    if (!isStreamUpgrade(req)) {
      sock.end(REFUSED_UPGRADE, () => sock.destroy());
      return;
    }
    sock.setNoDelay(true);
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${STREAM_PROTOCOL}\r\n\r\n`);
    // Backpressure: while the peer leaves this much of its replies unread, its next requests are not read either
    // (one that never reads stalls only itself, until the idle timeout closes it).
    const send = createBatchWriter(sock, () => {
      if (sock.writableLength > maxUnread && !sock.isPaused()) {
        sock.pause();
        sock.once('drain', () => sock.resume());
      }
    });
    const c: Connection = { sock, ip: sock.remoteAddress ?? '', port: sock.remotePort ?? 0, send, inFlight: 0 };
    const read = createFrameReader(maxFrame);
    const onData = (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = read(chunk);
      } catch {
        o.report.dropped('frame_too_large');
        return void sock.destroy();
      }
      for (const f of frames) {
        let r: DecodedStreamRequest;
        try {
          r = decodeStreamRequest(f);
        } catch {
          o.report.dropped('malformed_frame');
          return void sock.destroy();
        }
        serveFrame(o, c, r, maxInFlight);
      }
    };
    sock.on('data', onData);
    sock.on('error', () => sock.destroy());
    sock.setTimeout(idleMs, () => {
      if (c.inFlight === 0) sock.destroy();
    });
    if (head.length > 0) onData(head);
  };
}
