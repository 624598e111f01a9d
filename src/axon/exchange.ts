/**
 * One request on its way through the axon's stages (stages/): what the listener knows when it arrives, what each
 * stage adds, and what comes out — a reply, a stream, or a {@link Reject}.
 */
import type { StreamingResponse, Synapse } from '../synapse/index.js';
import type { AnySynapseClass, AttachOptions, Handler, RequestContext } from './types.js';

/** A served synapse: its class, its handler and its hooks. */
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

/** A route name as it may appear in a message: long ones cut, so a 404 never echoes a huge URL back. */
export function routeForMessage(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

/** The 404 for a synapse name no route serves, listing the served ones (as JSON: the gRPC and stream listeners). */
export function routeNotFound(name: string, routes: ReadonlyMap<string, Route>): Reject {
  return new Reject(
    404,
    `Synapse name '${routeForMessage(name)}' not found. Available synapses ${JSON.stringify([...routes.keys()])}`,
    'not_found',
  );
}

/** What a stage chain answers with. */
export type Outcome =
  | {
      kind: 'reply';
      status: number;
      headers: Record<string, string | number>;
      body: string;
      synapse: Synapse;
      ctx: RequestContext;
      session?: { key: Buffer; seq: string };
    }
  | { kind: 'stream'; response: StreamingResponse; ctx: RequestContext; release: () => void }
  /** A protocol answer that is not a synapse (the session handshake): not counted as served. */
  | { kind: 'raw'; status: number; headers: Record<string, string>; body: string };

/** The route found and the body read, by the transport's own rules (the URL path; the gRPC message's name). */
export interface Loaded {
  routeName: string;
  route: Route;
  /** The raw request bytes (what a session MAC covers). */
  body: Buffer;
  /** The body already decoded (gRPC: JSON plus Tensor instances); else `body` is parsed as JSON. */
  parsed?: Record<string, unknown>;
}

/** What the listener hands over when a request arrives. */
export interface Arrival {
  /** The route as the transport names it before loading (HTTP: the path; gRPC: empty until the message is read). */
  routeName: string;
  /** HTTP method (gRPC: POST). */
  method: string;
  ip: string;
  port: number;
  /** `performance.now()` at arrival. */
  started: number;
  /** Lowercase header (or gRPC metadata) names. */
  headers: Record<string, string | string[] | undefined>;
  /** Number of header fields (0 where the transport bounds them itself). */
  headerCount: number;
  /** Reads the raw body, refusing more than `cap` bytes (413). */
  readBody(cap: number): Promise<Buffer>;
  /** Finds the route and reads the body. */
  load(routes: ReadonlyMap<string, Route>, maxBody: number): Promise<Loaded>;
}

/**
 * The request as the stages see it. Fields are filled in stage order; each says which stage sets it, and later
 * stages read them as set.
 */
export class Exchange {
  /**
   * Set by `triage` (when the axon has `stakeOf`): the stake of the hotkey the request claims, or null when unknown.
   * Once `verify` has passed, the claimed hotkey is the verified one, so `admit` reuses it. Undefined: not looked up.
   */
  claimedPriority: number | null | undefined = undefined;
  /** Set by `parse`. */
  route!: Route;
  /** Set by `parse`: the raw request bytes. */
  body!: Buffer;
  /** Set by `parse`: the body as the transport decoded it, if it did. */
  parsed: Record<string, unknown> | undefined;
  /** Set by `parse`: the session id header, when the request uses the session path. */
  sessionId: string | undefined;
  /** Set by `parse`: the terminal info, timeout and body hash from the headers (the verified identity). */
  fromHeaders!: Synapse;
  /** Set by `session`: the session's key and this request's sequence number. */
  session: { key: Buffer; seq: string } | null = null;
  /** Set by `body`: the synapse the handler gets. */
  synapse!: Synapse;
  /** Set by `body`: the request context the hooks and the handler get. */
  ctx!: RequestContext;
  /** Set by `verify`: puts the axon terminal info back as it came, before the reply is built. */
  restoreAxonInfo: () => void = () => undefined;

  /** The route's name: the transport's until `parse` loads the request, then the loaded one. */
  routeName: string;

  constructor(readonly arrival: Arrival) {
    this.routeName = arrival.routeName;
  }

  header(name: string): string | undefined {
    const v = this.arrival.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }
}
