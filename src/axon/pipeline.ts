/**
 * The transport-neutral core of the axon: parse → verify → blacklist → priority → forward, shared by the HTTP and
 * gRPC listeners. A listener does its own cheap limits (per-IP bucket, sizes, route lookup) and hands over the route,
 * the lowercase headers and the raw body; it gets back a reply, a stream, or a {@link Reject}.
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'eventemitter3';
import { sign } from '../keys/index.js';
import {
  Synapse,
  SynapseError,
  pythonFloatRepr,
  sha3Hex,
  type JsonValue,
  type StreamingResponse,
} from '../synapse/index.js';
import type { PriorityGate } from './priority-queue.js';
import type { TokenBuckets } from './rate-limit.js';
import { SESSION_HEADERS, responseMac, type SessionStore } from './session.js';
import type {
  AnySynapseClass,
  AttachOptions,
  AxonEvents,
  AxonOptions,
  BlacklistVerdict,
  Handler,
  RequestContext,
} from './types.js';

/** Largest synapse timeout an axon accepts, in seconds. */
export const MAX_TIMEOUT_S = 3600;

export interface Route {
  cls: AnySynapseClass;
  // biome-ignore lint/suspicious/noExplicitAny: one table holds handlers of every synapse type
  handler: Handler<any>;
  // biome-ignore lint/suspicious/noExplicitAny: one table holds handlers of every synapse type
  hooks: AttachOptions<any>;
}

/** A rejection: the status, the `{message}` body, the reason counted in metrics, and extra headers. */
export class Reject {
  constructor(
    readonly status: number,
    readonly message: string,
    readonly reason: string,
    readonly close = false,
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface CoreRequest {
  route: Route;
  routeName: string;
  /** Lowercase header (or gRPC metadata) names. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw request bytes (what a session MAC covers). */
  body: Buffer;
  /** The body already decoded (gRPC: JSON plus Tensor instances); else `body` is parsed as JSON. */
  parsed?: Record<string, unknown>;
  ip: string;
  port: number;
  started: number;
}

export type CoreResult =
  | {
      kind: 'reply';
      status: number;
      headers: Record<string, string | number>;
      body: string;
      synapse: Synapse;
      ctx: RequestContext;
      session?: { key: Buffer; seq: string };
    }
  | { kind: 'stream'; response: StreamingResponse; ctx: RequestContext; release: () => void };

function verdictOf(v: BlacklistVerdict): [boolean, string] {
  if (typeof v === 'boolean') return [v, v ? 'blacklisted' : ''];
  if (Array.isArray(v)) return [Boolean(v[0]), String(v[1] ?? '')];
  const o = v as { blacklisted: boolean; reason?: string };
  return [o.blacklisted, o.reason ?? 'blacklisted'];
}

function isStreaming(x: unknown): x is StreamingResponse {
  return (
    typeof x === 'object' &&
    x !== null &&
    'body' in x &&
    'headers' in x &&
    (x as { status?: unknown }).status === 200 &&
    !(x instanceof Synapse)
  );
}

function header(h: CoreRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface CoreDeps {
  options: AxonOptions;
  hotkey: string;
  verifier: (s: Synapse) => Promise<string | null>;
  sessions: SessionStore | null;
  perHotkey: TokenBuckets | null;
  gate: PriorityGate;
  events: EventEmitter<AxonEvents>;
  /** This axon's uuid and version, for the terminal info the hooks and the handler see. */
  uuid: string;
  version: number;
}

const PREPROCESS_FIELDS = ['version', 'uuid', 'nonce', 'signature'] as const;

/**
 * Fills the axon terminal info as Python's preprocess does (version, uuid, a nanosecond nonce, status 100 and the
 * axon's signature over `{nonce}.{dendrite hotkey}.{axon hotkey}.{uuid}`), for the blacklist, priority and handler to
 * see. The signature is made only if something reads it. Returns the function that puts the fields back as they came,
 * since Python's reply (built from the body) does not carry them.
 */
function preprocessAxonInfo(synapse: Synapse, deps: CoreDeps, hotkey: string): () => void {
  const a = synapse.axon;
  const before = PREPROCESS_FIELDS.map((k) => a[k]);
  const nonce = BigInt(Date.now()) * 1_000_000n;
  a.version = deps.version;
  a.uuid = deps.uuid;
  a.nonce = nonce;
  a.status_code = 100;
  let signature: string | null | undefined;
  Object.defineProperty(a, 'signature', {
    configurable: true,
    enumerable: true,
    get: () =>
      (signature ??= sign(deps.options.keypair, `${nonce}.${synapse.dendrite.hotkey ?? ''}.${hotkey}.${deps.uuid}`)),
    set: (v: string | null) => (signature = v),
  });
  return () => {
    Object.defineProperty(a, 'signature', { value: null, writable: true, enumerable: true, configurable: true });
    PREPROCESS_FIELDS.forEach((k, i) => {
      (a as unknown as Record<string, unknown>)[k] = before[i];
    });
    if (a.status_code === 100) a.status_code = null;
  };
}

/**
 * The message an axon signs for a signed response: `{axonNonce}.{dendriteNonce}.{dendriteHotkey}.{axonHotkey}.{sha3(body)}`.
 * Binding the request's nonce means an old response cannot be replayed for a new request.
 *
 * @example
 * ```ts
 * verify(responseSigningMessage(axonNonce, myNonce, myHotkey, axonHotkey, bodyText), signature, axonHotkey);
 * ```
 */
export function responseSigningMessage(
  axonNonce: bigint,
  dendriteNonce: bigint | null,
  dendriteHotkey: string | null,
  axonHotkey: string,
  body: string,
): string {
  return `${axonNonce}.${dendriteNonce ?? ''}.${dendriteHotkey ?? ''}.${axonHotkey}.${sha3Hex(body)}`;
}

export function createCore(deps: CoreDeps) {
  const { options, hotkey, verifier, sessions, perHotkey, gate, events } = deps;

  return async function process(req: CoreRequest): Promise<CoreResult> {
    const r = req.route;
    const { ip, port, started } = req;
    const session = header(req.headers, SESSION_HEADERS.id);

    // 2. Parse: headers (terminal info, body hash) and body.
    let fromHeaders: Synapse;
    let synapse: Synapse;
    try {
      // Only terminal info, timeout and the body hash are read from headers, so the base class parses them: the
      // `bt_header_input_obj_*` dummies Python sends for required fields (`{}` for a Tensor) would not validate
      // as the route's own field types, and the body carries the real values anyway. A session request carries
      // only its timeout there.
      const timeout = header(req.headers, 'timeout');
      fromHeaders =
        session !== undefined
          ? new Synapse(timeout === undefined ? {} : { timeout: Number(timeout) })
          : Synapse.fromHeaders(req.headers);
    } catch (e) {
      throw new Reject(400, `Invalid synapse headers: ${(e as Error).message}`, 'bad_headers');
    }
    // 3a. Session path: the MAC covers the raw bytes, so it is checked before the body is even parsed.
    let sessionKey: Buffer | null = null;
    let sessionSeq = '';
    if (session !== undefined) {
      if (!sessions)
        throw new Reject(401, 'Not Verified with error: sessions are disabled on this axon', 'unverified', false, {
          [SESSION_HEADERS.error]: 'disabled',
        });
      const c = sessions.check(
        session,
        header(req.headers, SESSION_HEADERS.seq),
        header(req.headers, SESSION_HEADERS.mac),
        req.routeName,
        req.body,
      );
      if (!c.ok)
        throw new Reject(401, `Not Verified with error: ${c.message}`, 'unverified', false, {
          [SESSION_HEADERS.error]: c.message,
        });
      fromHeaders.dendrite.hotkey = c.hotkey;
      sessionKey = c.key;
      sessionSeq = c.seq;
    }
    try {
      synapse = r.cls.fromJSON(
        (req.parsed as JsonValue | undefined) ?? (req.body.length ? req.body.toString('utf8') : '{}'),
      );
    } catch (e) {
      const code = e instanceof SynapseError ? e.code : '';
      throw new Reject(
        code === 'SYNAPSE_INVALID_JSON' ? 422 : 400,
        `Invalid synapse body: ${(e as Error).message}`,
        'bad_body',
      );
    }
    // An infinite or absurd timeout would open the nonce window and hold a queue slot forever.
    if (!Number.isFinite(fromHeaders.timeout) || fromHeaders.timeout < 0 || fromHeaders.timeout > MAX_TIMEOUT_S) {
      throw new Reject(400, `Invalid timeout: must be between 0 and ${MAX_TIMEOUT_S} seconds`, 'bad_headers');
    }
    const ctx: RequestContext = {
      ip,
      port,
      hotkey: fromHeaders.dendrite.hotkey,
      route: req.routeName,
      elapsedMs: () => performance.now() - started,
    };

    // 3b. Signature path: body hash, then signature and nonce (the nonce is stored only once all of it holds).
    if (!sessionKey) {
      if (synapse.bodyHash !== fromHeaders.computed_body_hash)
        throw new Reject(400, 'Body hash mismatch: computed_body_hash does not match the body', 'body_hash');
      const why = await verifier(fromHeaders);
      if (why) throw new Reject(401, `Not Verified with error: ${why}`, 'unverified');
    }
    // The verified terminal info comes from the headers; the peer address from the socket.
    synapse.dendrite = fromHeaders.dendrite.clone();
    synapse.dendrite.ip = ip;
    synapse.dendrite.port = port;
    synapse.axon.hotkey = hotkey;
    const restoreAxonInfo = preprocessAxonInfo(synapse, deps, hotkey);
    if (r.hooks.verify) {
      // biome-ignore lint/suspicious/noConfusingVoidType: a verify hook may return nothing
      let extra: string | null | void;
      try {
        extra = await r.hooks.verify(synapse, ctx);
      } catch (e) {
        extra = (e as Error).message;
      }
      if (extra) throw new Reject(401, `Not Verified with error: ${extra}`, 'unverified');
    }
    if (perHotkey && ctx.hotkey && !perHotkey.take(ctx.hotkey))
      throw new Reject(429, 'Too many requests from this hotkey', 'rate_limited_hotkey');

    // 4. Blacklist.
    for (const fn of [options.blacklist, r.hooks.blacklist]) {
      if (!fn) continue;
      const [black, reason] = verdictOf(await fn(synapse, ctx));
      if (black) throw new Reject(403, `Forbidden. Key is blacklisted: ${reason}.`, 'blacklisted');
    }

    // 5. Priority: stake-ordered admission, bounded by the synapse's own timeout.
    let priority = 0;
    if (r.hooks.priority) priority = await r.hooks.priority(synapse, ctx);
    else if (options.stakeOf && ctx.hotkey) priority = Number((await options.stakeOf(ctx.hotkey)) ?? 0);
    const timeoutS = fromHeaders.timeout > 0 ? fromHeaders.timeout : 12;
    let release: () => void;
    try {
      release = await gate.acquire(priority, timeoutS * 1000 - ctx.elapsedMs());
    } catch (why) {
      if (why === 'timeout')
        throw new Reject(408, `Response timeout after: ${pythonFloatRepr(timeoutS)}s`, 'priority_timeout');
      throw new Reject(503, 'Service unavailable: request queue is full', 'queue_full');
    }

    // 6. Forward.
    let streaming = false;
    try {
      let out: Synapse | StreamingResponse;
      try {
        out = (await r.handler(synapse, ctx)) ?? synapse;
      } catch (e) {
        events.emit('error', e, { route: ctx.route, hotkey: ctx.hotkey, ip: ctx.ip });
        const code = (e as { synapse?: Synapse }).synapse?.axon.status_code;
        if (code && code !== 200) throw new Reject(code, (e as Error).message, 'handler_error');
        throw new Reject(500, `Internal Server Error #${randomUUID()}`, 'handler_error');
      }
      restoreAxonInfo();
      if (isStreaming(out)) {
        streaming = true;
        return { kind: 'stream', response: out, ctx, release };
      }
      if (!(out instanceof Synapse)) throw new Reject(500, `Internal Server Error #${randomUUID()}`, 'handler_error');
      out.axon.status_code ??= 200;
      if (out.axon.status_code === 200 && !out.axon.status_message) out.axon.status_message = 'Success';
      out.axon.process_time = (performance.now() - started) / 1000;
      out.axon.hotkey = hotkey;
      const body = out.toJSON();
      const status = out.axon.status_code;
      if (sessionKey) {
        // The session path answers with the body (which carries the axon terminal info) and a MAC; no header set.
        return {
          kind: 'reply',
          status,
          headers: {
            'content-type': 'application/json',
            bt_header_axon_status_code: String(status),
            [SESSION_HEADERS.mac]: responseMac(sessionKey, sessionSeq, status, body),
          },
          body,
          synapse: out,
          ctx,
          session: { key: sessionKey, seq: sessionSeq },
        };
      }
      const headers: Record<string, string | number> = { ...out.toHeaders(), 'content-type': 'application/json' };
      if (options.signResponses) {
        const nonce = BigInt(Date.now()) * 1_000_000n;
        headers.bt_header_axon_nonce = String(nonce);
        headers.bt_header_axon_signature = sign(
          options.keypair,
          responseSigningMessage(nonce, synapse.dendrite.nonce, synapse.dendrite.hotkey, hotkey, body),
        );
      }
      return { kind: 'reply', status, headers, body, synapse: out, ctx };
    } finally {
      if (!streaming) release();
    }
  };
}
