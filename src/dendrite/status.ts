/** Failures as Python's dendrite reports them: a status and message on the synapse, never an exception. */
import { pythonFloatRepr, type Synapse, type SynapseClass } from '../synapse/index.js';
import { TooLarge } from './http-util.js';
import type { AxonTarget } from './types.js';

/** Marks `synapse` as failed with `status` and `message` on both terminals, and the time it took. */
export function fail<S extends Synapse>(synapse: S, status: number, message: string, started: number): S {
  synapse.axon.status_code = status;
  synapse.axon.status_message = message;
  synapse.dendrite.status_code = status;
  synapse.dendrite.status_message = message;
  synapse.dendrite.process_time = (performance.now() - started) / 1000;
  return synapse;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'STREAM_REFUSED']);
const DISCONNECTED = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

/** A network or parse error as Python's status: 408 timeout, 503 unreachable or disconnected, 422 unreadable. */
export function failFromError<S extends Synapse>(
  synapse: S,
  e: unknown,
  target: AxonTarget,
  timeout: number,
  started: number,
): S {
  const err = e as { name?: string; code?: string; message?: string };
  const name = (synapse.constructor as SynapseClass).synapseName;
  const code = err?.code ?? '';
  if (err instanceof TooLarge) return fail(synapse, 422, `Failed to parse response: ${err.message}`, started);
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError' || TIMEOUTS.has(code))
    return fail(synapse, 408, `Request timeout after ${pythonFloatRepr(timeout)} seconds`, started);
  if (UNREACHABLE.has(code))
    return fail(synapse, 503, `Service unavailable at ${target.ip}:${target.port}/${name}`, started);
  if (DISCONNECTED.has(code)) return fail(synapse, 503, `Service disconnected: ${err.message}`, started);
  return fail(synapse, 422, `Failed to parse response: ${err?.message ?? String(e)}`, started);
}
