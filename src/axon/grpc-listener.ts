/**
 * The axon's gRPC listener (@grpc/grpc-js): the same synapses and the same pipeline as HTTP, with tensors as raw bytes
 * (proto/subnetkit/axon/v1/axon.proto). Statuses travel as `bt_header_axon_status_code` metadata; refusals also map
 * to the nearest gRPC status code.
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import {
  AXON_SERVICE,
  decodeSynapseMessage,
  encodeChunk,
  encodeSynapseMessage,
  joinSynapse,
  splitSynapse,
} from '../internal/grpc-wire.js';
import { SESSION_HEADERS, responseMac } from '../wire/index.js';
import { Exchange, type Loaded, Reject, type Route, routeNotFound } from './exchange.js';
import type { AxonReport } from './metrics.js';
import type { Pipeline } from './pipeline.js';
import type { TlsOptions } from './types.js';

export interface GrpcListener {
  readonly port: number;
  close(): Promise<void>;
}

export interface GrpcListenerOptions {
  port: number;
  host: string;
  maxBody: number;
  pipeline: Pipeline;
  tls?: TlsOptions | undefined;
  report: AxonReport;
  onInFlight(delta: number): void;
}

/** Maps an HTTP-like status to the gRPC code a plain gRPC client would expect. */
export function grpcCodeFor(status: number): number {
  switch (status) {
    case 400:
    case 413:
    case 422:
    case 431:
      return GrpcStatus.INVALID_ARGUMENT;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 408:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 503:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.INTERNAL;
  }
}

function peerOf(peer: string): { ip: string; port: number } {
  const m = /^(?:ipv[46]:)?\[?([^\]]*?)\]?:(\d+)$/.exec(peer);
  return m ? { ip: m[1]!, port: Number(m[2]) } : { ip: peer, port: 0 };
}

function metadataHeaders(md: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.getMap()))
    out[k.toLowerCase()] = typeof v === 'string' ? v : v.toString('utf8');
  return out;
}

function toMetadata(headers: Record<string, string | number>): Metadata {
  const md = new Metadata();
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    if (key === 'content-type' || key === 'content-length' || key === 'connection') continue;
    md.set(key, String(v));
  }
  return md;
}

export async function startGrpc(o: GrpcListenerOptions): Promise<GrpcListener> {
  // over 80 lines by design: one gRPC server whose handlers (unary, streaming, session) share its options and
  // in-flight set; each handler is short.
  const server = new Server({
    'grpc.max_receive_message_length': o.maxBody,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_concurrent_streams': 1000,
    'grpc-node.max_session_memory': 64,
  });

  function refuse(e: unknown, route: string, ip: string): { code: number; details: string; metadata: Metadata } {
    const r = e instanceof Reject ? e : new Reject(500, `Internal Server Error #${randomUUID()}`, 'internal');
    if (!(e instanceof Reject)) o.report.error(e);
    o.report.rejected(r, route, ip);
    const md = toMetadata({
      ...r.headers,
      bt_header_axon_status_code: r.status,
      bt_header_axon_status_message: r.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024),
    });
    return { code: grpcCodeFor(r.status), details: r.message, metadata: md };
  }

  /** The route by the message's synapse name; the body already decoded (tensors as raw bytes). */
  function loadFrom(raw: Buffer) {
    return async (routes: ReadonlyMap<string, Route>): Promise<Loaded> => {
      let msg: ReturnType<typeof decodeSynapseMessage>;
      try {
        msg = decodeSynapseMessage(raw);
      } catch (e) {
        throw new Reject(400, `Invalid synapse message: ${(e as Error).message}`, 'bad_body');
      }
      const route = routes.get(msg.name);
      if (!route) throw routeNotFound(msg.name, routes);
      let parsed: Record<string, unknown>;
      try {
        parsed = joinSynapse(msg);
      } catch (e) {
        throw new Reject(400, `Invalid synapse message: ${(e as Error).message}`, 'bad_body');
      }
      return { routeName: msg.name, route, body: raw, parsed };
    };
  }

  function exchangeOf(raw: Buffer, md: Metadata, peer: string): Exchange {
    const { ip, port } = peerOf(peer);
    return new Exchange({
      routeName: '',
      method: 'POST',
      ip,
      port,
      started: performance.now(),
      headers: metadataHeaders(md),
      // grpc-js bounds metadata and message sizes itself (max_receive_message_length).
      headerCount: 0,
      readBody: async () => raw,
      load: loadFrom(raw),
    });
  }

  server.addService(AXON_SERVICE as never, {
    forward: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      o.onInFlight(1);
      const x = exchangeOf(call.request, call.metadata, call.getPeer());
      (async () => {
        const out = await o.pipeline(x);
        if (out.kind !== 'reply') {
          if (out.kind === 'stream') out.release();
          throw new Reject(400, 'this synapse streams: call ForwardStream', 'bad_body');
        }
        const route = x.routeName;
        const bytes = encodeSynapseMessage(splitSynapse(out.synapse, route));
        // A session reply's MAC covers the bytes this transport sends, not the JSON the HTTP path would have sent.
        const headers = out.session
          ? { ...out.headers, [SESSION_HEADERS.mac]: responseMac(out.session.key, out.session.seq, out.status, bytes) }
          : out.headers;
        call.sendMetadata(toMetadata(headers));
        callback(null, bytes);
        o.report.served(route, out.status, x.arrival.started, out.ctx);
      })()
        .catch((e) => callback(refuse(e, x.routeName, x.arrival.ip)))
        .finally(() => o.onInFlight(-1));
    },
    forwardStream: (call: ServerWritableStream<Buffer, Buffer>) => {
      o.onInFlight(1);
      const x = exchangeOf(call.request, call.metadata, call.getPeer());
      (async () => {
        const out = await o.pipeline(x);
        if (out.kind === 'raw') throw new Reject(400, 'not a synapse', 'bad_body');
        if (out.kind === 'reply') {
          call.sendMetadata(toMetadata(out.headers));
          call.write(encodeChunk(Buffer.from(out.body)));
          call.end();
          return;
        }
        try {
          call.sendMetadata(toMetadata({ ...out.response.headers, bt_header_axon_status_code: 200 }));
          for await (const chunk of out.response.body) {
            if (call.cancelled) break;
            if (!call.write(encodeChunk(chunk))) await new Promise((r) => call.once('drain', r));
          }
          call.end();
          o.report.served(x.routeName, 200, x.arrival.started, out.ctx);
        } finally {
          out.release();
        }
      })()
        .catch((e) => {
          const r = refuse(e, x.routeName, x.arrival.ip);
          call.emit('error', { code: r.code, details: r.details, metadata: r.metadata });
        })
        .finally(() => o.onInFlight(-1));
    },
  });

  const creds = o.tls
    ? ServerCredentials.createSsl(null, [{ private_key: Buffer.from(o.tls.key), cert_chain: Buffer.from(o.tls.cert) }])
    : ServerCredentials.createInsecure();
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${o.port}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
}
