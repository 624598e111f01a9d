/**
 * The dendrite: signs synapses as Python bittensor 10.x does and sends them to axons over HTTP/1.1 with undici
 * keep-alive pools; maps every failure onto the synapse's status like Python's dendrite.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Pool } from 'undici';
import { sign, verify } from '../keys/index.js';
import {
  Synapse as BaseSynapse,
  type StreamingSynapse,
  TerminalInfo,
  consumeStreamingResponse,
  parseJson,
  pythonFloatRepr,
  type JsonValue,
  type Synapse,
  type SynapseClass,
} from '../synapse/index.js';
import { responseSigningMessage, VERSION_AS_INT } from '../axon/index.js';
import { SESSION_HEADERS, requestMac, responseMac } from '../axon/session.js';
import { encodeSynapseMessage, decodeSynapseMessage, joinSynapse, splitSynapse } from '../internal/grpc-wire.js';
import { DendriteError } from './errors.js';
import { GrpcCallError } from './grpc-error.js';
import { openSession, type ClientSession } from './session-client.js';
import { TooLarge, capped, headerRecord, origin, readCapped } from './http-util.js';
import { createLanes, type Lane, type LaneSet } from './lanes.js';
import type { AxonTarget, CallOptions, Dendrite, DendriteOptions } from './types.js';

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
  if (!options?.keypair?.secretKey)
    throw new DendriteError('DENDRITE_INVALID_CONFIG', 'options.keypair must be a hotkey with its secret');
  const keypair = options.keypair;
  const uuid = randomUUID();
  const pools = new Map<string, Pool>();
  const laneSets = new Map<string, LaneSet>();
  const maxBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  let lastNonce = 0n;
  let closed = false;
  const sessions = new Map<string, Promise<ClientSession>>();
  // @grpc/grpc-js is an optional peer, loaded on the first gRPC call.
  let grpcLoad: Promise<ReturnType<typeof import('./grpc-client.js').createGrpcClients>> | null = null;
  const grpcClients = () =>
    (grpcLoad ??= import('./grpc-client.js').then(
      (m) => m.createGrpcClients(maxBytes),
      (cause) => {
        grpcLoad = null;
        throw new DendriteError(
          'DENDRITE_GRPC_MISSING',
          'the gRPC transport needs the @grpc/grpc-js package: npm install @grpc/grpc-js',
          { cause },
        );
      },
    ));
  const defaultTransport = options.transport ?? 'http';
  if (!['http', 'session', 'grpc', 'auto'].includes(defaultTransport))
    throw new DendriteError(
      'DENDRITE_INVALID_CONFIG',
      `transport must be http, session, grpc or auto, got ${String(defaultTransport)}`,
    );

  function transportFor(target: AxonTarget, opts: CallOptions): 'http' | 'session' | 'grpc' {
    const t = opts.transport ?? defaultTransport;
    if (t !== 'auto') return t;
    const caps = target.placeholder1 ?? 0;
    if (caps & 2 && grpcAddress(target)) return 'grpc';
    if (caps & 1) return 'session';
    return 'http';
  }

  function grpcAddress(target: AxonTarget): string | null {
    const port = target.grpcPort ?? (target.placeholder2 ? target.port + target.placeholder2 : 0);
    if (!port) return null;
    return isIP(target.ip) === 6 ? `[${target.ip}]:${port}` : `${target.ip}:${port}`;
  }

  function sessionFor(o: string, target: AxonTarget, timeout: number): Promise<ClientSession> {
    const key = `${o}|${target.hotkey}`;
    let s = sessions.get(key);
    if (!s) {
      s = openSession(pool(o), keypair, target.hotkey, timeout * 1000);
      s.catch(() => sessions.delete(key));
      sessions.set(key, s);
    }
    return s;
  }

  function dropSession(o: string, target: AxonTarget, s: ClientSession) {
    const key = `${o}|${target.hotkey}`;
    void sessions.get(key)?.then((cur) => {
      if (cur === s) sessions.delete(key);
    });
  }

  /** Terminal info and body for the session paths: no signature, the MAC authenticates. */
  function prepareSession<S extends Synapse, B extends string | Uint8Array>(
    target: AxonTarget,
    synapse: S,
    timeout: number,
    s: ClientSession,
    route: string,
    encode: (s: S) => B,
  ) {
    synapse.timeout = timeout;
    // No nonce: the session's sequence number replaces it, and a body without 19-digit integers parses on
    // JSON.parse's native path at both ends.
    synapse.dendrite = new TerminalInfo({
      ip: options.externalIp ?? '127.0.0.1',
      version: options.version ?? VERSION_AS_INT,
      uuid,
      hotkey: keypair.ss58Address,
    });
    synapse.axon = new TerminalInfo({ ip: target.ip, port: target.port, hotkey: target.hotkey });
    const body = encode(synapse);
    const seq = String(++s.seq);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      timeout: String(timeout),
      [SESSION_HEADERS.id]: s.id,
      [SESSION_HEADERS.seq]: seq,
      [SESSION_HEADERS.mac]: requestMac(s.key, seq, route, body),
    };
    return { body, headers, seq };
  }

  /** The signed-request lanes to an origin (see lanes.ts: why one uuid per connection). */
  function lanes(o: string): LaneSet {
    let l = laneSets.get(o);
    if (!l) laneSets.set(o, (l = createLanes(o, options.connectionsPerAxon ?? 32)));
    return l;
  }

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
  function prepare<S extends Synapse>(
    target: AxonTarget,
    synapse: S,
    timeout: number,
    laneUuid: string,
  ): { body: string; headers: Record<string, string> } {
    synapse.timeout = timeout;
    synapse.dendrite = new TerminalInfo({
      ip: options.externalIp ?? '127.0.0.1',
      version: options.version ?? VERSION_AS_INT,
      nonce: nextNonce(),
      uuid: laneUuid,
      hotkey: keypair.ss58Address,
    });
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

  function mapError<S extends Synapse>(
    synapse: S,
    e: unknown,
    target: AxonTarget,
    timeout: number,
    started: number,
  ): S {
    const err = e as { name?: string; code?: string; message?: string };
    const name = (synapse.constructor as SynapseClass).synapseName;
    if (err instanceof TooLarge) return fail(synapse, 422, `Failed to parse response: ${err.message}`, started);
    if (
      err?.name === 'TimeoutError' ||
      err?.name === 'AbortError' ||
      err?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
      err?.code === 'UND_ERR_BODY_TIMEOUT'
    ) {
      return fail(synapse, 408, `Request timeout after ${pythonFloatRepr(timeout)} seconds`, started);
    }
    if (
      err?.code === 'ECONNREFUSED' ||
      err?.code === 'ENOTFOUND' ||
      err?.code === 'EHOSTUNREACH' ||
      err?.code === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      return fail(synapse, 503, `Service unavailable at ${target.ip}:${target.port}/${name}`, started);
    }
    if (err?.code === 'UND_ERR_SOCKET' || err?.code === 'ECONNRESET')
      return fail(synapse, 503, `Service disconnected: ${err.message}`, started);
    return fail(synapse, 422, `Failed to parse response: ${err?.message ?? String(e)}`, started);
  }

  /** Applies a response as Python's `process_server_response` does. */
  function apply<S extends Synapse>(
    synapse: S,
    status: number,
    headers: Record<string, string>,
    input: string | JsonValue,
    target: AxonTarget,
    started: number,
  ): S {
    const Cls = synapse.constructor as SynapseClass<S>;
    // One bigint-safe parse of the body serves both the status message and the synapse.
    let json: JsonValue | undefined;
    const text = typeof input === 'string' ? input : '';
    try {
      json = typeof input !== 'string' ? input : text ? parseJson(text) : {};
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
      for (const k of Object.keys(Cls.fields))
        (synapse as Record<string, unknown>)[k] = (server as Record<string, unknown>)[k];
      synapse.axon = server.axon;
    } else {
      synapse.axon.status_code = status;
      const msg = json && typeof json === 'object' ? (json as { message?: unknown }).message : undefined;
      synapse.axon.status_message = typeof msg === 'string' ? msg : null;
    }
    // A session reply (it carries a MAC) has its terminal info in the body only: no header parse then.
    if (headers[SESSION_HEADERS.mac] === undefined) {
      try {
        // Only terminal info is taken from headers, so the base class parses them: the subclass's required fields
        // need not be present as input-object dummies.
        const fromHeaders = BaseSynapse.fromHeaders(headers);
        for (const part of ['dendrite', 'axon'] as const) {
          for (const [k, v] of Object.entries(fromHeaders[part]))
            if (v !== null) (synapse[part] as unknown as Record<string, unknown>)[k] = v;
        }
      } catch {
        // A malformed header set from the axon leaves the body-derived state as it is.
      }
    }
    if (status === 200 && options.requireSignedResponses) {
      const sig = headers.bt_header_axon_signature;
      const nonce = headers.bt_header_axon_nonce;
      const ok = Boolean(
        sig &&
          nonce &&
          /^\d+$/.test(nonce) &&
          verify(
            responseSigningMessage(BigInt(nonce), synapse.dendrite.nonce, keypair.ss58Address, target.hotkey, text),
            sig,
            target.hotkey,
          ),
      );
      if (!ok) return fail(synapse, 401, 'Response signature missing or invalid', started);
    }
    synapse.axon.status_code ??= status;
    synapse.dendrite.status_code = synapse.axon.status_code;
    synapse.dendrite.status_message = synapse.axon.status_message;
    synapse.dendrite.process_time = (performance.now() - started) / 1000;
    return synapse;
  }

  interface Sent {
    timeout: number;
    started: number;
    /** Resolves to the HTTP response, or rejects with a network error. */
    response: Promise<{
      statusCode: number;
      headers: Record<string, string>;
      body: AsyncIterable<Uint8Array> & { destroy?: () => void };
    }>;
    session?: { s: ClientSession; seq: string; origin: string };
    /** The lane a signed request holds until its reply is read. */
    lane?: { set: LaneSet; lane: Lane };
  }

  /** Signs (or MACs) and sends over HTTP. */
  async function send<S extends Synapse>(
    target: AxonTarget,
    synapse: S,
    opts: CallOptions,
    transport: 'http' | 'session',
  ): Promise<Sent> {
    if (closed) throw new DendriteError('DENDRITE_CLOSED', 'dendrite is closed');
    const o = origin(target);
    const timeout = opts.timeout ?? 12;
    const started = performance.now();
    const name = (synapse.constructor as SynapseClass).synapseName;
    const signal = AbortSignal.timeout(timeout * 1000);
    if (transport === 'session') {
      const s = await sessionFor(o, target, timeout);
      const { body, headers, seq } = prepareSession(target, synapse, timeout, s, name, (x) => x.toJSON());
      const response = pool(o)
        .request({ path: `/${name}`, method: 'POST', headers, body, signal })
        .then((r) => ({ statusCode: r.statusCode, headers: headerRecord(r.headers), body: r.body }));
      return { timeout, started, response, session: { s, seq, origin: o } };
    }
    // Signed requests sign only once they hold their connection: the axon then sees each uuid's nonces in order.
    const set = lanes(o);
    const lane = await set.acquire();
    let prepared: { body: string; headers: Record<string, string> };
    try {
      prepared = prepare(target, synapse, timeout, lane.uuid);
    } catch (e) {
      set.release(lane);
      throw e;
    }
    const { body, headers } = prepared;
    const response = lane.client
      .request({ path: `/${name}`, method: 'POST', headers, body, signal })
      .then((r) => ({ statusCode: r.statusCode, headers: headerRecord(r.headers), body: r.body }));
    return { timeout, started, response, lane: { set, lane } };
  }

  /** Checks the session MAC of a response; false means the reply cannot be trusted. */
  function sessionReplyOk(
    sent: Sent,
    status: number,
    headers: Record<string, string>,
    body: Uint8Array | string,
    target: AxonTarget,
  ): boolean {
    if (!sent.session) return true;
    if (status === 401 && headers[SESSION_HEADERS.error]) {
      dropSession(sent.session.origin, target, sent.session.s);
      return true;
    }
    if (status !== 200) return true;
    const mac = headers[SESSION_HEADERS.mac];
    return typeof mac === 'string' && mac === responseMac(sent.session.s.key, sent.session.seq, status, body);
  }

  async function callHttp<S extends Synapse>(
    target: AxonTarget,
    synapse: S,
    opts: CallOptions,
    transport: 'http' | 'session',
    retry = true,
  ): Promise<S> {
    const timeout = opts.timeout ?? 12;
    const started = performance.now();
    let sent: Sent | undefined;
    let broken = true;
    try {
      sent = await send(target, synapse, opts, transport);
      const res = await sent.response;
      const text = await readCapped(res.body, maxBytes);
      broken = false;
      sent.lane?.set.release(sent.lane.lane);
      if (!sessionReplyOk(sent, res.statusCode, res.headers, text, target))
        return fail(synapse, 401, 'Response MAC missing or invalid', started);
      // An axon that forgot our session (restart, expiry): handshake again once.
      if (sent.session && res.statusCode === 401 && res.headers[SESSION_HEADERS.error] && retry)
        return callHttp(target, synapse, opts, transport, false);
      return apply(synapse, res.statusCode, res.headers, text, target, started);
    } catch (e) {
      // A request that failed mid-flight may leave its connection in any state: that lane starts afresh.
      if (broken) sent?.lane?.set.release(sent.lane.lane, true);
      if (e instanceof DendriteError && e.code === 'DENDRITE_CLOSED') throw e;
      if (e instanceof DendriteError && e.code === 'DENDRITE_SESSION_FAILED')
        return fail(synapse, 401, e.message, started);
      return mapError(synapse, e, target, timeout, started);
    }
  }

  async function callGrpc<S extends Synapse>(
    target: AxonTarget,
    synapse: S,
    opts: CallOptions,
    retry = true,
  ): Promise<S> {
    if (closed) throw new DendriteError('DENDRITE_CLOSED', 'dendrite is closed');
    const timeout = opts.timeout ?? 12;
    const started = performance.now();
    const address = grpcAddress(target);
    if (!address) return fail(synapse, 503, `axon ${target.ip}:${target.port} does not advertise gRPC`, started);
    const name = (synapse.constructor as SynapseClass).synapseName;
    try {
      const o = origin(target);
      const s = await sessionFor(o, target, timeout);
      const {
        body: message,
        headers,
        seq,
      } = prepareSession(target, synapse, timeout, s, name, (x) => encodeSynapseMessage(splitSynapse(x, name)));
      let reply;
      try {
        reply = await (await grpcClients()).unary(address, message, headers, timeout * 1000);
      } catch (e) {
        if (e instanceof GrpcCallError) {
          if (e.status === 401 && e.headers[SESSION_HEADERS.error]) {
            dropSession(o, target, s);
            if (retry) return callGrpc(target, synapse, opts, false);
          }
          return fail(synapse, e.status, e.message, started);
        }
        throw e;
      }
      const status = Number(reply.headers.bt_header_axon_status_code ?? 200);
      if (reply.headers[SESSION_HEADERS.mac] !== responseMac(s.key, seq, status, reply.message))
        return fail(synapse, 401, 'Response MAC missing or invalid', started);
      let json: JsonValue;
      try {
        json = joinSynapse(decodeSynapseMessage(reply.message)) as JsonValue;
      } catch (e) {
        return fail(synapse, 422, `Failed to parse response: ${(e as Error).message}`, started);
      }
      return apply(synapse, status, reply.headers, json, target, started);
    } catch (e) {
      if (e instanceof DendriteError && e.code === 'DENDRITE_GRPC_MISSING') throw e;
      if (e instanceof DendriteError && e.code === 'DENDRITE_SESSION_FAILED')
        return fail(synapse, 401, e.message, started);
      return mapError(synapse, e, target, timeout, started);
    }
  }

  /** An axon that never served (0.0.0.0, port 0): Python's dendrite fails to connect; so do we, without trying. */
  function unserved(target: AxonTarget): boolean {
    return (
      Boolean(target) &&
      typeof target === 'object' &&
      (target.ip === '0.0.0.0' || target.ip === '::' || target.port === 0) &&
      typeof target.hotkey === 'string'
    );
  }

  async function call<S extends Synapse>(target: AxonTarget, synapse: S, opts: CallOptions = {}): Promise<S> {
    if (closed) throw new DendriteError('DENDRITE_CLOSED', 'dendrite is closed');
    if (unserved(target))
      return fail(
        synapse,
        503,
        `Service unavailable at ${target.ip}:${target.port}/${(synapse.constructor as SynapseClass).synapseName}: the axon is not serving`,
        performance.now(),
      );
    origin(target);
    const transport = transportFor(target, opts);
    return transport === 'grpc' ? callGrpc(target, synapse, opts) : callHttp(target, synapse, opts, transport);
  }

  async function* stream<S extends StreamingSynapse>(
    target: AxonTarget,
    synapse: S,
    opts: CallOptions = {},
  ): AsyncGenerator<unknown> {
    origin(target);
    const transport = transportFor(target, opts);
    const timeout = opts.timeout ?? 12;
    const started = performance.now();
    let status: number;
    let h: Record<string, string>;
    let body: AsyncIterable<Uint8Array>;
    let sent: Sent | undefined;
    try {
      if (transport === 'grpc') {
        const address = grpcAddress(target);
        if (!address) {
          yield fail(synapse, 503, `axon ${target.ip}:${target.port} does not advertise gRPC`, started);
          return;
        }
        const name = (synapse.constructor as SynapseClass).synapseName;
        const s = await sessionFor(origin(target), target, timeout);
        const { body: message, headers } = prepareSession(target, synapse, timeout, s, name, (x) =>
          encodeSynapseMessage(splitSynapse(x, name)),
        );
        const call = (await grpcClients()).stream(address, message, headers, timeout * 1000);
        h = await call.headers;
        status = Number(h.bt_header_axon_status_code ?? 200);
        body = call.chunks;
        if (status === 200) h['content-type'] = 'text/event-stream';
      } else {
        sent = await send(target, synapse, opts, transport);
        const res = await sent.response;
        status = res.statusCode;
        h = res.headers;
        body = res.body;
      }
    } catch (e) {
      sent?.lane?.set.release(sent.lane.lane, true);
      if (e instanceof DendriteError && (e.code === 'DENDRITE_CLOSED' || e.code === 'DENDRITE_GRPC_MISSING')) throw e;
      if (e instanceof GrpcCallError) yield fail(synapse, e.status, e.message, started);
      else if (e instanceof DendriteError && e.code === 'DENDRITE_SESSION_FAILED')
        yield fail(synapse, 401, e.message, started);
      else yield mapError(synapse, e, target, timeout, started);
      return;
    }
    let laneBroken = true;
    const releaseLane = () => sent?.lane?.set.release(sent.lane.lane, laneBroken);
    if (status !== 200 || !(h['content-type'] ?? '').startsWith('text/event-stream')) {
      try {
        const text = await readCapped(body, maxBytes);
        laneBroken = false;
        releaseLane();
        if (sent && !sessionReplyOk(sent, status, h, text, target))
          yield fail(synapse, 401, 'Response MAC missing or invalid', started);
        else yield apply(synapse, status, h, text, target, started);
      } catch (e) {
        releaseLane();
        yield mapError(synapse, e, target, timeout, started);
      }
      return;
    }
    try {
      for await (const item of consumeStreamingResponse(synapse, { headers: h, body: capped(body, maxBytes) })) {
        if (item === synapse) {
          synapse.axon.status_code ??= 200;
          synapse.dendrite.status_code = synapse.axon.status_code;
          synapse.dendrite.status_message = synapse.axon.status_message;
          synapse.dendrite.process_time = (performance.now() - started) / 1000;
        }
        yield item;
      }
      laneBroken = false;
    } catch (e) {
      if (e instanceof GrpcCallError) yield fail(synapse, e.status, e.message, started);
      else yield mapError(synapse, e, target, timeout, started);
    } finally {
      // Also when the caller stops iterating early: the lane is then dropped (its reply was not read to the end).
      releaseLane();
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
      // As Python's: one reply per target, a failed one for a target that cannot be called; only a closed dendrite throws.
      return Promise.all(
        targets.map((t) => {
          const copy = synapse.copy();
          return call(t, copy, opts).catch((e) => {
            if (e instanceof DendriteError && (e.code === 'DENDRITE_CLOSED' || e.code === 'DENDRITE_GRPC_MISSING'))
              throw e;
            return fail(copy, 503, `Service unavailable: ${(e as Error).message}`, performance.now());
          });
        }),
      );
    },
    stream,
    /** Closes every pooled connection. */
    async close(): Promise<void> {
      closed = true;
      if (grpcLoad) (await grpcLoad.catch(() => null))?.close();
      sessions.clear();
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
      await Promise.all([...laneSets.values()].map((l) => l.close()));
      laneSets.clear();
    },
  };
}
