/** The adapter's HTTP side: JSON POSTs to the server with one timeout over the whole exchange and a size cap. */
import { request } from 'undici';
import { abortError } from '../batch.js';
import { InferenceError } from '../errors.js';

/** Where and how to reach the server. */
export interface UpstreamOptions {
  /** Server root without `/v1`. */
  base: string;
  model: string;
  apiKey?: string | undefined;
  timeoutMs: number;
  /** Largest response body read by {@link Upstream.json}. */
  maxBytes: number;
}

/** POSTs to the server; every failure is an {@link InferenceError}. */
export interface Upstream {
  /** The response, its body unread (for streams); a 4xx/5xx answer is an `INFERENCE_UPSTREAM` error. */
  post(path: string, body: Record<string, unknown>, signal?: AbortSignal): ReturnType<typeof request>;
  /** The parsed JSON answer. */
  // biome-ignore lint/suspicious/noExplicitAny: the response is checked field by field by the caller
  json(path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<any>;
  /** Refuses every later call with `INFERENCE_CLOSED`. */
  close(): void;
}

/** The POST helper of an adapter; `model` is added to every body. */
export function createUpstream(o: UpstreamOptions): Upstream {
  let closed = false;

  function mapError(e: unknown, signal: AbortSignal | undefined, timeout: AbortSignal, path: string): Error {
    if (e instanceof InferenceError) return e;
    if (signal?.aborted) return abortError();
    if (timeout.aborted)
      return new InferenceError('INFERENCE_TIMEOUT', `${path} took longer than ${o.timeoutMs} ms`, { cause: e });
    return new InferenceError('INFERENCE_UPSTREAM', `${path} failed: ${(e as Error).message}`, { cause: e });
  }

  async function post(path: string, body: Record<string, unknown>, signal?: AbortSignal) {
    if (closed) throw new InferenceError('INFERENCE_CLOSED', 'the adapter is closed');
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await request(`${o.base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: o.model, ...body }),
        signal: combined,
      });
      if (res.statusCode >= 400) {
        const text = (await res.body.text().catch(() => '')).slice(0, 500);
        let message = text;
        try {
          message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
        } catch {
          /* not JSON */
        }
        throw new InferenceError('INFERENCE_UPSTREAM', `${path} answered ${res.statusCode}: ${message}`);
      }
      return res;
    } catch (e) {
      throw mapError(e, signal, timeout, path);
    }
  }

  async function json(path: string, body: Record<string, unknown>, signal?: AbortSignal) {
    const res = await post(path, body, signal);
    const chunks: Uint8Array[] = [];
    let n = 0;
    try {
      for await (const c of res.body) {
        n += c.length;
        if (n > o.maxBytes)
          throw new InferenceError('INFERENCE_UPSTREAM', `${path} response exceeds ${o.maxBytes} bytes`);
        chunks.push(c);
      }
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      res.body.destroy();
      if (e instanceof SyntaxError)
        throw new InferenceError('INFERENCE_UPSTREAM', `${path} returned invalid JSON`, { cause: e });
      throw e instanceof InferenceError ? e : mapError(e, signal, AbortSignal.timeout(0), path);
    }
  }

  return {
    post,
    json,
    close() {
      closed = true;
    },
  };
}
