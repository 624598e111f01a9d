/** gRPC channels of a dendrite, one per axon address, speaking proto/subnetkit/axon/v1/axon.proto. */
import {
  Metadata,
  credentials,
  makeGenericClientConstructor,
  status as GrpcStatus,
  type CallOptions,
  type Client,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { AXON_SERVICE, decodeChunk } from '../internal/grpc-wire.js';
import { GrpcCallError } from './grpc-error.js';

const AxonClient = makeGenericClientConstructor(AXON_SERVICE as never, 'Axon');

export interface GrpcReply {
  headers: Record<string, string>;
  message: Buffer;
}

function record(md: Metadata | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!md) return out;
  for (const [k, v] of Object.entries(md.getMap())) out[k] = typeof v === 'string' ? v : v.toString('utf8');
  return out;
}

function toMetadata(headers: Record<string, string>): Metadata {
  const md = new Metadata();
  for (const [k, v] of Object.entries(headers)) if (k !== 'content-type') md.set(k.toLowerCase(), v);
  return md;
}

function statusOf(code: number, headers: Record<string, string>): number {
  const sent = Number(headers.bt_header_axon_status_code);
  if (Number.isInteger(sent) && sent > 0) return sent;
  if (code === GrpcStatus.DEADLINE_EXCEEDED || code === GrpcStatus.CANCELLED) return 408;
  if (code === GrpcStatus.UNAVAILABLE) return 503;
  if (code === GrpcStatus.RESOURCE_EXHAUSTED) return 422; // the response exceeded our cap
  return 500;
}

function callError(err: ServiceError): GrpcCallError {
  const headers = record(err.metadata);
  return new GrpcCallError(err.code, statusOf(err.code, headers), err.details || err.message, headers);
}

export function createGrpcClients(maxBytes: number) {
  const clients = new Map<string, Client>();
  /** The two methods makeGenericClientConstructor adds for proto/subnetkit/axon/v1/axon.proto. */
  type AxonStub = Client & {
    forward(
      message: Buffer,
      metadata: Metadata,
      options: CallOptions,
      callback: (err: ServiceError | null, res: Buffer) => void,
    ): ClientUnaryCall;
    forwardStream(message: Buffer, metadata: Metadata, options: CallOptions): ClientReadableStream<Buffer>;
  };
  function client(address: string): AxonStub {
    let c = clients.get(address);
    if (!c) {
      c = new AxonClient(address, credentials.createInsecure(), {
        'grpc.max_receive_message_length': maxBytes,
        'grpc.max_send_message_length': -1,
        'grpc-node.flow_control_window': 1 << 20,
        'grpc.keepalive_time_ms': 60_000,
        'grpc.keepalive_timeout_ms': 20_000,
        'grpc.keepalive_permit_without_calls': 1,
        'grpc.enable_retries': 0,
      });
      clients.set(address, c);
    }
    return c as AxonStub;
  }

  return {
    unary(address: string, message: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<GrpcReply> {
      return new Promise((resolve, reject) => {
        let replyHeaders: Record<string, string> = {};
        const call = client(address).forward(
          message,
          toMetadata(headers),
          { deadline: Date.now() + timeoutMs },
          (err: ServiceError | null, res: Buffer) => {
            if (err) reject(callError(err));
            else resolve({ headers: replyHeaders, message: res });
          },
        );
        call.on('metadata', (md: Metadata) => (replyHeaders = record(md)));
      });
    },
    stream(
      address: string,
      message: Buffer,
      headers: Record<string, string>,
      timeoutMs: number,
    ): { headers: Promise<Record<string, string>>; chunks: AsyncIterable<Uint8Array> } {
      const call = client(address).forwardStream(message, toMetadata(headers), { deadline: Date.now() + timeoutMs });
      const first = new Promise<Record<string, string>>((resolve, reject) => {
        call.once('metadata', (md: Metadata) => resolve(record(md)));
        call.once('error', (err: ServiceError) => reject(callError(err)));
      });
      async function* chunks(): AsyncGenerator<Uint8Array> {
        try {
          for await (const buf of call as AsyncIterable<Buffer>) yield decodeChunk(buf);
        } catch (err) {
          throw callError(err as ServiceError);
        }
      }
      return { headers: first, chunks: chunks() };
    },
    close(): void {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}
