/**
 * JSON-RPC messages in, answers out, within limits: request size, batch length, the bytes of an answer (or of a
 * batch's answers together) and the requests in flight per connection. Over a limit, the answer is the error a
 * Substrate node (jsonrpsee) gives, so clients handle it as they handle a real node's.
 */
import type { RpcConnection } from './context.js';
import { RpcError } from './errors.js';

/** Limits of the JSON-RPC server. */
export interface RpcLimits {
  /** Largest request message in bytes. */
  maxRequestBytes: number;
  /** Most calls in one batch. */
  maxBatchLength: number;
  /** Largest answer in bytes: one call's, or a batch's answers together. */
  maxResponseBytes: number;
  /** Most calls a connection may have in flight (a batch counts each of its calls). */
  maxInFlight: number;
}

/** jsonrpsee's codes for the limits (a single error object, id null for a batch). */
export const LIMIT_ERRORS = {
  requestTooBig: () => new RpcError(-32007, 'Request is too big'),
  responseTooBig: (limit: number) => new RpcError(-32008, 'Response is too big', `Exceeded max limit of ${limit}`),
  busy: () => new RpcError(-32009, 'Server is busy, try again later'),
  batchTooLong: (limit: number) =>
    new RpcError(-32010, 'The batch request was too large', `Exceeded max limit of ${limit}`),
  batchResponseTooBig: (limit: number) =>
    new RpcError(-32011, 'The batch response was too large', `Exceeded max limit of ${limit}`),
} as const;

export function reply(id: unknown, result: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

export function replyError(id: unknown, e: unknown): string {
  const err = e instanceof RpcError ? e : new RpcError(-32603, `Internal error: ${(e as Error)?.message ?? String(e)}`);
  return JSON.stringify({
    jsonrpc: '2.0',
    id: id ?? null,
    error: { code: err.code, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}) },
  });
}

type Handle = (method: unknown, params: unknown, conn: RpcConnection | null) => Promise<unknown>;

/** Answers raw messages of one connection (HTTP requests share the `null` connection's budget each on their own). */
export function createAnswerer(handle: Handle, limits: RpcLimits) {
  const inFlight = new WeakMap<object, number>();
  const httpKey = {};

  async function one(m: unknown, conn: RpcConnection | null): Promise<string> {
    const r = m as { id?: unknown; method?: unknown; params?: unknown; jsonrpc?: unknown };
    if (!r || typeof r !== 'object' || r.jsonrpc !== '2.0')
      return replyError(r?.id, new RpcError(-32600, 'Invalid request'));
    try {
      const out = reply(r.id, await handle(r.method, r.params, conn));
      return out.length > limits.maxResponseBytes
        ? replyError(r.id, LIMIT_ERRORS.responseTooBig(limits.maxResponseBytes))
        : out;
    } catch (e) {
      return replyError(r.id, e);
    }
  }

  /** The answer to one message (a call or a batch); null when there is nothing to send. */
  async function answer(raw: string, conn: RpcConnection | null, key: object = conn ?? httpKey): Promise<string> {
    if (Buffer.byteLength(raw) > limits.maxRequestBytes) return replyError(null, LIMIT_ERRORS.requestTooBig());
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return replyError(null, new RpcError(-32700, 'Parse error'));
    }
    const calls = Array.isArray(msg) ? msg.length : 1;
    if (Array.isArray(msg) && calls > limits.maxBatchLength)
      return replyError(null, LIMIT_ERRORS.batchTooLong(limits.maxBatchLength));
    const busy = inFlight.get(key) ?? 0;
    if (busy + calls > limits.maxInFlight) {
      const id = Array.isArray(msg) ? null : (msg as { id?: unknown } | null)?.id;
      return replyError(id, LIMIT_ERRORS.busy());
    }
    inFlight.set(key, busy + calls);
    try {
      if (!Array.isArray(msg)) return await one(msg, conn);
      if (msg.length === 0) return replyError(null, new RpcError(-32600, 'Invalid request'));
      // One call after the other, counting bytes: a batch whose answers outgrow the limit stops there.
      const parts: string[] = [];
      let bytes = 2;
      for (const m of msg) {
        const part = await one(m, conn);
        bytes += part.length + 1;
        if (bytes > limits.maxResponseBytes)
          return replyError(null, LIMIT_ERRORS.batchResponseTooBig(limits.maxResponseBytes));
        parts.push(part);
      }
      return `[${parts.join(',')}]`;
    } finally {
      const left = (inFlight.get(key) ?? calls) - calls;
      if (left > 0) inFlight.set(key, left);
      else inFlight.delete(key);
    }
  }

  return { answer };
}
