/**
 * The dendrite: signs synapses as Python bittensor 10.x does and sends them to axons over HTTP/1.1 with undici
 * keep-alive pools; maps every failure onto the synapse's status like Python's dendrite.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Pool } from 'undici';
import { sign, verify, type Keypair } from '../keys/index.js';
import { StreamingSynapse, TerminalInfo, consumeStreamingResponse, parseJson, type JsonValue, type Synapse, type SynapseClass } from '../synapse/index.js';
import { responseSigningMessage, VERSION_AS_INT } from '../axon/index.js';
import { DendriteError } from './errors.js';

/** Where to send a synapse: an AxonInfo or anything with ip, port and hotkey. */
export interface AxonTarget {
  /** IPv4 or IPv6 address. */
  ip: string;
  /** TCP port. */
  port: number;
  /** The axon's hotkey (SS58): the request is signed for it. */
  hotkey: string;
}

/** Options of a call. */
export interface CallOptions {
  /** Seconds for connect + send + read (default 12). */
  timeout?: number;
}

/** Options of `createDendrite`. */
export interface DendriteOptions {
  /** The hotkey that signs requests. */
  keypair: Keypair;
  /** The IP this dendrite reports in `dendrite.ip` (default '127.0.0.1'; never looked up on the network). */
  externalIp?: string;
  /** Keep-alive connections per axon, opened on demand (default 32). */
  connectionsPerAxon?: number;
  /** Largest response body accepted, in bytes (default 64 MiB). */
  maxResponseBytes?: number;
  /** Require axons to sign their responses (see `signResponses` on the axon); unsigned ones fail with 401. */
  requireSignedResponses?: boolean;
  /** Version reported in `dendrite.version` (default 10002000). */
  version?: number;
}

class TooLarge extends Error {}

function origin(t: AxonTarget): string {
  if (!t || typeof t.ip !== 'string' || !isIP(t.ip) || !Number.isInteger(t.port) || t.port <= 0 || t.port > 65535 || typeof t.hotkey !== 'string' || !t.hotkey) {
    throw new DendriteError('DENDRITE_INVALID_TARGET', `axon target needs an IP address, a port and a hotkey, got ${JSON.stringify(t)}`);
  }
  return isIP(t.ip) === 6 ? `http://[${t.ip}]:${t.port}` : `http://${t.ip}:${t.port}`;
}

async function* capped(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > max) throw new TooLarge(`response exceeds ${max} bytes`);
    yield chunk;
  }
}

async function readCapped(body: AsyncIterable<Uint8Array>, max: number): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of capped(body, max)) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

function headerRecord(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** The handle `createDendrite` returns. */
export interface Dendrite {
  /** This dendrite's uuid (part of every signed message). */
  readonly uuid: string;
  /** The hotkey address requests are signed with. */
  readonly hotkey: string;
  /** Signs and sends one synapse; resolves to the same synapse with the response applied (never rejects on network errors). */
  call<S extends Synapse>(target: AxonTarget, synapse: S, opts?: CallOptions): Promise<S>;
  /** Sends a copy of `synapse` to every target at once; one synapse per target, in order. */
  forward<S extends Synapse>(targets: readonly AxonTarget[], synapse: S, opts?: CallOptions): Promise<S[]>;
  /** Calls a streaming synapse: yields each chunk, then the synapse itself. */
  stream<S extends StreamingSynapse>(target: AxonTarget, synapse: S, opts?: CallOptions): AsyncGenerator<unknown>;
  /** Closes every pooled connection. */
  close(): Promise<void>;
}

/**
 * Creates a dendrite. Calls never throw for network or protocol failures; read `synapse.dendrite.status_code`.
 *
 * @example
 * ```ts
 * import { createDendrite } from 'subnetkit/dendrite';
 * const dendrite = createDendrite({ keypair: hotkey });
 * const reply = await dendrite.call(axon.info(), new Dummy({ dummy_input: 2 }), { timeout: 5 });
 * if (reply.isSuccess) console.log(reply.dummy_output);
 * await dendrite.close();
 * ```
 */
export function createDendrite(options: DendriteOptions): Dendrite {
  if (!options?.keypair?.secretKey) throw new DendriteError('DENDRITE_INVALID_CONFIG', 'options.keypair must be a hotkey with its secret');
  const keypair = options.keypair;
  const uuid = randomUUID();
  const pools = new Map<string, Pool>();
  const maxBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  let lastNonce = 0n;
  let closed = false;

  function pool(o: string): Pool {
    let p = pools.get(o);
    if (!p) {
      p = new Pool(o, { connections: options.connectionsPerAxon ?? 32, pipelining: 1, keepAliveTimeout: 30_000 });
      pools.set(o, p);
    }
    return p;
  }

  function nextNonce(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    lastNonce = now > lastNonce ? now : lastNonce + 1n;
    return lastNonce;
  }

  /** Fills terminal info and signs, as Python's `preprocess_synapse_for_request`. */
  function prepare<S extends Synapse>(target: AxonTarget, synapse: S, timeout: number): { body: string; headers: Record<string, string> } {
    synapse.timeout = timeout;
    synapse.dendrite = new TerminalInfo({ ip: options.externalIp ?? '127.0.0.1', version: options.version ?? VERSION_AS_INT, nonce: nextNonce(), uuid, hotkey: keypair.ss58Address });
    synapse.axon = new TerminalInfo({ ip: target.ip, port: target.port, hotkey: target.hotkey });
    const d = synapse.dendrite;
    const bodyHash = synapse.bodyHash;
    d.signature = sign(keypair, `${d.nonce}.${d.hotkey}.${target.hotkey}.${d.uuid}.${bodyHash}`);
    const body = synapse.toJSON();
    synapse.total_size = Buffer.byteLength(body);
    return { body, headers: { ...synapse.toHeaders({ bodyHash }), 'content-type': 'application/json' } };
  }

  function fail<S extends Synapse>(synapse: S, status: number, message: string, started: number): S {
    synapse.axon.status_code = status;
    synapse.axon.status_message = message;
    synapse.dendrite.status_code = status;
    synapse.dendrite.status_message = message;
    synapse.dendrite.process_time = (performance.now() - started) / 1000;
    return synapse;
  }

  function mapError<S extends Synapse>(synapse: S, e: unknown, target: AxonTarget, timeout: number, started: number): S {
    const err = e as { name?: string; code?: string; message?: string };
    const name = (synapse.constructor as SynapseClass).synapseName;
    if (err instanceof TooLarge) return fail(synapse, 422, `Failed to parse response: ${err.message}`, started);
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError' || err?.code === 'UND_ERR_HEADERS_TIMEOUT' || err?.code === 'UND_ERR_BODY_TIMEOUT') {
      return fail(synapse, 408, `Request timeout after ${timeout} seconds`, started);
    }
    if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND' || err?.code === 'EHOSTUNREACH' || err?.code === 'UND_ERR_CONNECT_TIMEOUT') {
      return fail(synapse, 503, `Service unavailable at ${target.ip}:${target.port}/${name}`, started);
    }
    if (err?.code === 'UND_ERR_SOCKET' || err?.code === 'ECONNRESET') return fail(synapse, 503, `Service disconnected: ${err.message}`, started);
    return fail(synapse, 422, `Failed to parse response: ${err?.message ?? String(e)}`, started);
  }

  /** Applies a response as Python's `process_server_response` does. */
  function apply<S extends Synapse>(synapse: S, status: number, headers: Record<string, string>, text: string, target: AxonTarget, started: number): S {
    const Cls = synapse.constructor as SynapseClass<S>;
    // One bigint-safe parse of the body serves both the status message and the synapse.
    let json: JsonValue | undefined;
    try {
      json = text ? parseJson(text) : {};
    } catch {
      json = undefined;
    }
    if (status === 200) {
      if (json === undefined) return fail(synapse, 422, 'Failed to parse response: body is not JSON', started);
      let server: S;
      try {
        server = Cls.fromJSON(json);
      } catch (e) {
        return fail(synapse, 422, `Failed to parse response: ${(e as Error).message}`, started);
      }
      for (const k of Object.keys(Cls.fields)) (synapse as Record<string, unknown>)[k] = (server as Record<string, unknown>)[k];
      synapse.axon = server.axon;
    } else {
      synapse.axon.status_code = status;
      const msg = json && typeof json === 'object' ? (json as { message?: unknown }).message : undefined;
      synapse.axon.status_message = typeof msg === 'string' ? msg : null;
    }
    try {
      const fromHeaders = Cls.fromHeaders(headers);
      for (const part of ['dendrite', 'axon'] as const) {
        for (const [k, v] of Object.entries(fromHeaders[part])) if (v !== null) (synapse[part] as unknown as Record<string, unknown>)[k] = v;
      }
    } catch {
      // A malformed header set from the axon leaves the body-derived state as it is.
    }
    if (status === 200 && options.requireSignedResponses) {
      const sig = headers.bt_header_axon_signature;
      const nonce = headers.bt_header_axon_nonce;
      const ok = Boolean(sig && nonce && /^\d+$/.test(nonce) && verify(responseSigningMessage(BigInt(nonce), synapse.dendrite.nonce, keypair.ss58Address, target.hotkey, text), sig, target.hotkey));
      if (!ok) return fail(synapse, 401, 'Response signature missing or invalid', started);
    }
    synapse.axon.status_code ??= status;
    synapse.dendrite.status_code = synapse.axon.status_code;
    synapse.dendrite.status_message = synapse.axon.status_message;
    synapse.dendrite.process_time = (performance.now() - started) / 1000;
    return synapse;
  }

  /** Signs and sends; the returned request resolves to the response or rejects with a network error. */
  function send<S extends Synapse>(target: AxonTarget, synapse: S, opts: CallOptions) {
    if (closed) throw new DendriteError('DENDRITE_CLOSED', 'dendrite is closed');
    const o = origin(target);
    const timeout = opts.timeout ?? 12;
    const started = performance.now();
    const { body, headers } = prepare(target, synapse, timeout);
    const name = (synapse.constructor as SynapseClass).synapseName;
    const response = pool(o).request({ path: `/${name}`, method: 'POST', headers, body, signal: AbortSignal.timeout(timeout * 1000) });
    return { timeout, started, response };
  }

  async function call<S extends Synapse>(target: AxonTarget, synapse: S, opts: CallOptions = {}): Promise<S> {
    const { timeout, started, response } = send(target, synapse, opts);
    try {
      const res = await response;
      const text = await readCapped(res.body, maxBytes);
      return apply(synapse, res.statusCode, headerRecord(res.headers), text, target, started);
    } catch (e) {
      return mapError(synapse, e, target, timeout, started);
    }
  }

  async function* stream<S extends StreamingSynapse>(target: AxonTarget, synapse: S, opts: CallOptions = {}): AsyncGenerator<unknown> {
    const { timeout, started, response } = send(target, synapse, opts);
    let res;
    try {
      res = await response;
    } catch (e) {
      yield mapError(synapse, e, target, timeout, started);
      return;
    }
    const h = headerRecord(res.headers);
    if (res.statusCode !== 200 || !(h['content-type'] ?? '').startsWith('text/event-stream')) {
      try {
        yield apply(synapse, res.statusCode, h, await readCapped(res.body, maxBytes), target, started);
      } catch (e) {
        yield mapError(synapse, e, target, timeout, started);
      }
      return;
    }
    try {
      for await (const item of consumeStreamingResponse(synapse, { headers: h, body: capped(res.body, maxBytes) })) {
        if (item === synapse) {
          synapse.axon.status_code ??= 200;
          synapse.dendrite.status_code = synapse.axon.status_code;
          synapse.dendrite.status_message = synapse.axon.status_message;
          synapse.dendrite.process_time = (performance.now() - started) / 1000;
        }
        yield item;
      }
    } catch (e) {
      yield mapError(synapse, e, target, timeout, started);
    }
  }

  return {
    /** This dendrite's uuid (part of every signed message). */
    uuid,
    /** The hotkey address requests are signed with. */
    hotkey: keypair.ss58Address,
    call,
    /**
     * Sends a copy of `synapse` to every target at once; resolves to one synapse per target, in order.
     */
    forward<S extends Synapse>(targets: readonly AxonTarget[], synapse: S, opts: CallOptions = {}): Promise<S[]> {
      return Promise.all(targets.map((t) => call(t, synapse.copy(), opts)));
    },
    stream,
    /** Closes every pooled connection. */
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}


