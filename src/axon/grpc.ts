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
import { Reject, type CoreRequest, type CoreResult, type Route } from './pipeline.js';
import { SESSION_HEADERS, responseMac } from './session.js';
import type { TokenBuckets } from './rate-limit.js';
import type { RequestContext, TlsOptions } from './types.js';

export interface GrpcListener {
  readonly port: number;
  close(): Promise<void>;
}

export interface GrpcListenerOptions {
  port: number;
  host: string;
  maxBody: number;
  routes: Map<string, Route>;
  core: (req: CoreRequest) => Promise<CoreResult>;
  perIp: TokenBuckets | null;
  tls?: TlsOptions | undefined;
  onInFlight(delta: number): void;
  onDone(route: string, status: number, started: number, ctx: RequestContext): void;
  onReject(r: Reject, route: string, ip: string): void;
  onError(e: unknown): void;
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
    if (!(e instanceof Reject)) o.onError(e);
    o.onReject(r, route, ip);
    const md = toMetadata({
      ...r.headers,
      bt_header_axon_status_code: r.status,
      bt_header_axon_status_message: r.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024),
    });
    return { code: grpcCodeFor(r.status), details: r.message, metadata: md };
  }

  function prepare(raw: Buffer, md: Metadata, peer: string): { req: CoreRequest; route: string; ip: string } {
    const { ip, port } = peerOf(peer);
    const started = performance.now();
    if (o.perIp && !o.perIp.take(ip))
      throw Object.assign(new Reject(429, 'Too many requests from this address', 'rate_limited_ip'), { ip });
    let parsed: Record<string, unknown>;
    let route: string;
    try {
      const msg = decodeSynapseMessage(raw);
      route = msg.name;
      const r0 = o.routes.get(route);
      if (!r0)
        throw new Reject(
          404,
          `Synapse name '${route}' not found. Available synapses ${JSON.stringify([...o.routes.keys()])}`,
          'not_found',
        );
      parsed = joinSynapse(msg);
    } catch (e) {
      if (e instanceof Reject) throw e;
      throw new Reject(400, `Invalid synapse message: ${(e as Error).message}`, 'bad_body');
    }
    const r = o.routes.get(route)!;
    return {
      req: { route: r, routeName: route, headers: metadataHeaders(md), body: raw, parsed, ip, port, started },
      route,
      ip,
    };
  }

  server.addService(AXON_SERVICE as never, {
    forward: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      o.onInFlight(1);
      let route = '';
      let ip = peerOf(call.getPeer()).ip;
      (async () => {
        const p = prepare(call.request, call.metadata, call.getPeer());
        route = p.route;
        ip = p.ip;
        const out = await o.core(p.req);
        if (out.kind !== 'reply') {
          out.release();
          throw new Reject(400, 'this synapse streams: call ForwardStream', 'bad_body');
        }
        const bytes = encodeSynapseMessage(splitSynapse(out.synapse, route));
        // A session reply's MAC covers the bytes this transport sends, not the JSON the HTTP path would have sent.
        const headers = out.session
          ? { ...out.headers, [SESSION_HEADERS.mac]: responseMac(out.session.key, out.session.seq, out.status, bytes) }
          : out.headers;
        call.sendMetadata(toMetadata(headers));
        callback(null, bytes);
        o.onDone(route, out.status, p.req.started, out.ctx);
      })()
        .catch((e) => callback(refuse(e, route, ip)))
        .finally(() => o.onInFlight(-1));
    },
    forwardStream: (call: ServerWritableStream<Buffer, Buffer>) => {
      o.onInFlight(1);
      let route = '';
      let ip = peerOf(call.getPeer()).ip;
      (async () => {
        const p = prepare(call.request, call.metadata, call.getPeer());
        route = p.route;
        ip = p.ip;
        const out = await o.core(p.req);
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
          o.onDone(route, 200, p.req.started, out.ctx);
        } finally {
          out.release();
        }
      })()
        .catch((e) => {
          const r = refuse(e, route, ip);
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
