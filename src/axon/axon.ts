/**
 * createAxon: the parts of an axon assembled — verifier, rate limits, priority gate, session store, the stage chains
 * (pipeline.ts) — and the HTTP and gRPC listeners that feed them.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { EventEmitter } from 'eventemitter3';
import { verify as verifySignature } from '../keys/index.js';
import { Synapse } from '../synapse/index.js';
import { VERSION_AS_INT } from '../wire/index.js';
import { AxonError } from './errors.js';
import type { Route } from './exchange.js';
import type { GrpcListener } from './grpc-listener.js';
import { type HttpListener, startHttpListener } from './http-listener.js';
import { ipVersion } from './ip.js';
import { createAxonReport } from './metrics.js';
import { createPipelines } from './pipeline.js';
import { createPriorityGate } from './priority-queue.js';
import { createTokenBuckets } from './rate-limit.js';
import { checkAxonLimits } from './check-options.js';
import { createSessionStore } from './session-store.js';
import type {
  AnySynapseClass,
  AttachOptions,
  Axon,
  AxonEvents,
  AxonInfo,
  AxonOptions,
  GrpcServeOptions,
  Handler,
} from './types.js';
import { createVerifier } from './verify.js';
import { createVerifyPool, type VerifyPool } from './verify-pool.js';

const VERIFY_CHECKS_PER_WORKER = 8;

/**
 * Creates an axon. Attach synapse handlers, then `start()`.
 *
 * @example
 * ```ts
 * import { createAxon } from 'subnetkit/axon';
 * const axon = createAxon({ keypair: hotkey, port: 8091 });
 * axon.attach(Dummy, (s) => { s.dummy_output = s.dummy_input * 2; return s; });
 * await axon.start();
 * ```
 */
export function createAxon(options: AxonOptions): Axon {
  // over 80 lines by design: the factory's closure holds what every listener and route shares (routes, pipelines,
  // verify pool, report, listeners); the work is in pipeline.ts, stages/, http-listener.ts and grpc-listener.ts.
  if (!options?.keypair?.ss58Address)
    throw new AxonError('AXON_INVALID_CONFIG', 'options.keypair (the axon hotkey) is required');
  checkAxonLimits(options);
  const hotkey = options.keypair.ss58Address;
  const host = options.host ?? '0.0.0.0';
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const events = new EventEmitter<AxonEvents>();
  const report = createAxonReport(events);
  const routes = new Map<string, Route>();
  const workerCount = options.verify?.workers ?? Math.min(4, Math.max(0, availableParallelism() - 1));
  let pool: VerifyPool | undefined;
  const checkSignature = (m: string, sig: string, addr: string) =>
    pool ? pool.verify(m, sig, addr) : verifySignature(m, sig, addr);
  const bucketsOf = (
    o: false | undefined | Parameters<typeof createTokenBuckets>[0],
    fallback: { burst: number; perSecond: number },
  ) => (o === false ? null : createTokenBuckets(o ?? fallback));
  const perIp = bucketsOf(options.rateLimit?.perIp, { burst: 200, perSecond: 100 });
  const gate = createPriorityGate(options.priority);
  const sessions =
    options.sessions === false ? null : createSessionStore(options.keypair, checkSignature, options.sessions ?? {});
  const axonUuid = randomUUID();
  const pipelines = createPipelines({
    options,
    keypair: options.keypair,
    routes,
    maxBody,
    maxHeaderCount: options.maxHeaderCount ?? 128,
    verifier: createVerifier(hotkey, options.verify, checkSignature),
    sessions,
    perIp,
    perHotkey: bucketsOf(options.rateLimit?.perHotkey, { burst: 400, perSecond: 200 }),
    gate,
    // Eight signature checks in flight per worker: enough that one hop to a worker carries a batch, few enough that
    // the checks still leave the queue in stake order and a batch (~2 ms) does not hold up the process's other
    // sr25519 work. Measured at c = 32: 2 per worker gave 0.77 of the signed ceiling, 8 gave 1.04–1.13, 16 gave 0.70.
    verifyGate: createPriorityGate({
      maxConcurrent: VERIFY_CHECKS_PER_WORKER * Math.max(1, workerCount),
      maxQueue: 4096,
    }),
    shedUnstakedAbove: options.priority?.shedUnstakedAbove ?? 16,
    events,
    uuid: axonUuid,
    version: VERSION_AS_INT,
  });
  let http: HttpListener | undefined;
  let grpc: GrpcListener | undefined;
  let inFlight = 0;
  let boundPort = options.port ?? 8091;
  const onInFlight = (delta: number) => {
    inFlight += delta;
  };

  function attach<S extends Synapse>(cls: AnySynapseClass<S>, handler: Handler<S>, hooks: AttachOptions<S> = {}): Axon {
    const name = cls.synapseName;
    if (routes.has(name) && name !== 'Synapse')
      throw new AxonError('AXON_ALREADY_ATTACHED', `a handler for ${name} is already attached`);
    routes.set(name, { cls, handler, hooks });
    return api;
  }

  async function startGrpcListener(grpcOptions: GrpcServeOptions): Promise<GrpcListener> {
    // @grpc/grpc-js is an optional peer: loaded only by an axon that serves gRPC.
    let startGrpc: typeof import('./grpc-listener.js').startGrpc;
    try {
      ({ startGrpc } = await import('./grpc-listener.js'));
    } catch (cause) {
      throw new AxonError(
        'AXON_GRPC_MISSING',
        'serving gRPC needs the @grpc/grpc-js package: npm install @grpc/grpc-js',
        {
          cause,
        },
      );
    }
    try {
      return await startGrpc({
        port: grpcOptions.port ?? boundPort + 1,
        host: grpcOptions.host ?? host,
        maxBody,
        pipeline: pipelines.synapse,
        tls: options.tls,
        report,
        onInFlight,
      });
    } catch (e) {
      throw new AxonError('AXON_LISTEN_FAILED', `gRPC listener failed to start: ${(e as Error).message}`, { cause: e });
    }
  }

  const api: Axon = {
    attach,
    async start(): Promise<Axon> {
      if (http) throw new AxonError('AXON_ALREADY_RUNNING', 'axon is already running');
      if (workerCount > 0 && !pool) pool = await createVerifyPool(workerCount);
      http = await startHttpListener({
        options,
        host,
        pipelines,
        maxBody,
        report,
        onRequest: (route, ip) => events.emit('request', { route, ip }),
        onInFlight,
      });
      boundPort = http.port;
      if (options.grpc) {
        try {
          grpc = await startGrpcListener(options.grpc);
        } catch (e) {
          await api.stop();
          throw e;
        }
      }
      return api;
    },
    async stop(): Promise<void> {
      const listener = http;
      if (!listener) return;
      http = undefined;
      const closed = listener.stopAccepting();
      const deadline = Date.now() + (options.drainMs ?? 5000);
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      listener.destroySockets();
      await closed;
      await grpc?.close();
      grpc = undefined;
      sessions?.clear();
      await pool?.close();
      pool = undefined;
    },
    get port(): number {
      return boundPort;
    },
    info(): AxonInfo {
      const ip = options.externalIp ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
      const capabilities = (sessions ? 1 | 4 : 0) | (grpc ? 2 : 0);
      const offset = grpc ? grpc.port - boundPort : 0;
      return {
        version: VERSION_AS_INT,
        ip,
        ipType: ipVersion(ip),
        port: options.externalPort ?? boundPort,
        hotkey,
        coldkey: options.coldkey ?? '',
        protocol: 4,
        placeholder1: capabilities,
        placeholder2: offset >= 1 && offset <= 255 ? offset : 0,
        ...(grpc ? { grpcPort: grpc.port } : {}),
      };
    },
    metrics: report.snapshot,
    load: () => ({ inFlight, ...gate.stats() }),
    on(event, fn) {
      events.on(event, fn as never);
      return api;
    },
    uuid: axonUuid,
  };
  attach(Synapse as AnySynapseClass, (s: Synapse) => s); // the built-in ping route, as in Python
  return api;
}
