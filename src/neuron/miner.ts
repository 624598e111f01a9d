/**
 * The base miner: what the Python template's `BaseMinerNeuron` does. It checks that its hotkey is registered, serves
 * an axon and announces it on chain, keeps the metagraph fresh, refuses callers that are not registered, hold no
 * validator permit or stake too little, admits the rest by stake, logs handler failures with the synapse and caller,
 * exports Prometheus metrics, and drains on shutdown.
 */
import {
  createAxon,
  type AnySynapseClass,
  type Axon,
  type AxonOptions,
  type AttachOptions,
  type BlacklistFn,
  type Handler,
} from '../axon/index.js';
import { withLevels, type Logger } from '../internal/logger.js';
import type { Keypair } from '../keys/index.js';
import { createMetagraphTracker, type Metagraph } from '../metagraph/index.js';
import type { Subtensor } from '../subtensor/index.js';
import type { Synapse } from '../synapse/index.js';
import { NeuronError } from './errors.js';
import { createNeuronMetrics, serveMetrics, type MetricsServer, type NeuronMetrics } from './metrics.js';

/** Who a miner answers. */
export interface MinerBlacklist {
  /** Answer hotkeys that are not registered on the subnet (default false). */
  allowNonRegistered?: boolean;
  /** Answer only hotkeys with a validator permit (default true). */
  forceValidatorPermit?: boolean;
  /** Least stake a caller needs, in TAO (default 0). */
  minStake?: number;
}

/** Options of {@link createMiner}. */
export interface MinerOptions {
  /** Chain client. */
  subtensor: Subtensor;
  /** The miner's hotkey (with its secret: the axon signs with it). */
  hotkey: Keypair;
  /** Subnet. */
  netuid: number;
  /** Axon settings: `port` (default 8091), `host` (default 0.0.0.0), `externalIp` / `externalPort` announced on chain, and any other axon option. */
  axon?: Omit<AxonOptions, 'keypair'>;
  /** The default blacklist's rules; `false` answers everyone who signs. */
  blacklist?: MinerBlacklist | false;
  /** Seconds between metagraph resyncs (default 60). */
  syncInterval?: number;
  /** Announce the axon on chain with `serve_axon` (default true). */
  serve?: boolean;
  /** Serve `/metrics` and `/health` (default off). */
  metrics?: MetricsOptions | false;
  /** Logger (pino-compatible). */
  logger?: Logger;
}

/** Where a neuron serves its metrics. */
export interface MetricsOptions {
  /** Port (0 picks a free one). */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
}

/** The handle {@link createMiner} returns. */
export interface Miner {
  /** The axon (attach handlers before `start`). */
  readonly axon: Axon;
  /** The metagraph as last synced. */
  readonly metagraph: Metagraph | null;
  /** The miner's uid (after `start`). */
  readonly uid: number | null;
  /** The metrics (counters and histograms). */
  readonly metrics: NeuronMetrics;
  /** The port of the metrics server, when it runs. */
  readonly metricsPort: number | null;
  /** Serves a synapse; `hooks.blacklist` replaces the default blacklist for it (`() => false` lets anyone call). */
  attach<S extends Synapse>(cls: AnySynapseClass<S>, handler: Handler<S>, hooks?: AttachOptions<S>): Miner;
  /** Checks registration, starts the axon, announces it, starts resyncing; resolves when serving. */
  start(): Promise<Miner>;
  /** Stops resyncing, drains the axon, closes the metrics server. */
  stop(): Promise<void>;
  /** Resyncs the metagraph now. */
  sync(): Promise<Metagraph>;
}

/** The command that registers a hotkey, for error messages. */
export function registerHint(netuid: number, wallet?: { name: string; hotkey: string }): string {
  const w = wallet ? ` --wallet.name ${wallet.name} --wallet.hotkey ${wallet.hotkey}` : '';
  return `npx subnetkit subnet register --netuid ${netuid}${w}`;
}

/**
 * The blacklist a miner applies before its handlers: unregistered callers, callers without a validator permit and
 * callers below a stake are refused (403) with the reason.
 *
 * @example
 * ```ts
 * const blacklist = minerBlacklist(() => tracker.current, { minStake: 1000 });
 * ```
 */
export function minerBlacklist(metagraph: () => Metagraph | null, rules: MinerBlacklist = {}): BlacklistFn {
  const allowNonRegistered = rules.allowNonRegistered ?? false;
  const permit = rules.forceValidatorPermit ?? true;
  const minStake = rules.minStake ?? 0;
  return (_synapse, ctx) => {
    const mg = metagraph();
    const uid = ctx.hotkey && mg ? mg.uidOf(ctx.hotkey) : undefined;
    if (uid === undefined) return allowNonRegistered ? false : [true, 'Unrecognized hotkey'];
    if (permit && !mg!.validatorPermit[uid]) return [true, 'Non-validator hotkey'];
    if (minStake > 0 && mg!.S[uid]! < minStake) return [true, `Stake ${mg!.S[uid]!.toFixed(3)} below ${minStake}`];
    return false;
  };
}

/**
 * Creates a miner. Nothing listens until `start()`.
 *
 * @example
 * ```ts
 * const miner = createMiner({ subtensor: st, hotkey, netuid: 1, axon: { port: 8091 }, logger });
 * miner.attach(Sum, (s) => { s.total = s.a + s.b; return s; });
 * await miner.start();
 * process.once('SIGTERM', () => miner.stop());
 * ```
 */
export function createMiner(options: MinerOptions): Miner {
  // over 80 lines by design: the miner's live state (axon, metagraph, serving status, handlers) is shared by start,
  // resync and stop.
  if (!options?.subtensor || !options.hotkey?.secretKey)
    throw new NeuronError('NEURON_INVALID_CONFIG', 'createMiner needs a subtensor and a hotkey with its secret');
  if (!Number.isInteger(options.netuid) || options.netuid < 0 || options.netuid > 65535)
    throw new NeuronError(
      'NEURON_INVALID_CONFIG',
      `netuid must be an integer in [0, 65535], got ${String(options.netuid)}`,
    );
  const syncInterval = options.syncInterval ?? 60;
  if (!(syncInterval > 0))
    throw new NeuronError(
      'NEURON_INVALID_CONFIG',
      `syncInterval must be a positive number of seconds, got ${String(syncInterval)}`,
    );
  const { subtensor: st, hotkey, netuid } = options;
  const log = withLevels(options.logger);
  const tracker = createMetagraphTracker(st, { netuid });
  const metrics = createNeuronMetrics({ role: 'miner', netuid });
  const stakeOf = (h: string) => {
    const mg = tracker.current;
    const uid = mg?.uidOf(h);
    return uid === undefined ? 0 : mg!.S[uid]!;
  };
  const axon = createAxon({
    host: '0.0.0.0',
    port: 8091,
    stakeOf,
    ...options.axon,
    keypair: hotkey,
  });
  axon.on('response', (r) => {
    metrics.requests.inc({ synapse: r.route, status: String(r.status) });
    metrics.latency.observe({ synapse: r.route }, r.ms / 1000);
    log.debug({ synapse: r.route, status: r.status, ms: Math.round(r.ms), caller: r.hotkey }, 'answered');
  });
  axon.on('rejected', (r) => {
    metrics.rejections.inc({ synapse: r.route, reason: r.reason });
    log.debug({ synapse: r.route, status: r.status, reason: r.reason, ip: r.ip }, 'refused');
  });
  axon.on('error', (err, req) => {
    log.error(
      { err, synapse: req?.route, caller: req?.hotkey, ip: req?.ip },
      req ? `handler for ${req.route} failed` : 'axon error',
    );
  });
  const defaultBlacklist =
    options.blacklist === false ? undefined : minerBlacklist(() => tracker.current, options.blacklist);
  let uid: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let metricsServer: MetricsServer | null = null;
  let started = false;

  async function sync(): Promise<Metagraph> {
    const mg = await tracker.sync();
    metrics.block.set(mg.block);
    const now = mg.uidOf(hotkey.ss58Address) ?? null;
    if (uid !== null && now === null)
      log.warn(
        { netuid, hotkey: hotkey.ss58Address },
        'this hotkey is no longer registered (deregistered); validators will stop querying it',
      );
    uid = now;
    return mg;
  }

  const miner: Miner = {
    axon,
    get metagraph() {
      return tracker.current;
    },
    get uid() {
      return uid;
    },
    metrics,
    get metricsPort() {
      return metricsServer?.port ?? null;
    },
    attach(cls, handler, hooks) {
      // The default blacklist guards every synapse unless its hooks bring their own.
      axon.attach(cls, handler, { ...(defaultBlacklist ? { blacklist: defaultBlacklist } : {}), ...hooks });
      return miner;
    },
    async start() {
      if (started) return miner;
      await sync();
      if (uid === null)
        throw new NeuronError(
          'NEURON_NOT_REGISTERED',
          `hotkey ${hotkey.ss58Address} is not registered on subnet ${netuid}: register it with \`${registerHint(netuid)}\``,
        );
      try {
        await axon.start();
      } catch (e) {
        throw new NeuronError('NEURON_START_FAILED', `the axon cannot listen: ${(e as Error).message}`, { cause: e });
      }
      started = true;
      const info = axon.info();
      const ip = options.axon?.externalIp ?? (info.ip === '0.0.0.0' || info.ip === '::' ? '127.0.0.1' : info.ip);
      const port = options.axon?.externalPort ?? info.port;
      if (options.serve !== false) {
        const r = await st.serveAxon(hotkey, netuid, {
          ip,
          port,
          version: info.version,
          protocol: info.protocol,
          placeholder1: info.placeholder1,
          placeholder2: info.placeholder2,
        });
        log.info(
          { ip, port, uid, block: r?.blockNumber ?? null },
          r ? 'axon announced on chain (serve_axon)' : 'axon already announced on chain',
        );
      }
      if (options.metrics) {
        metricsServer = await serveMetrics(metrics.registry, {
          port: options.metrics.port,
          host: options.metrics.host ?? '127.0.0.1',
          health: () => ({ role: 'miner', netuid, uid, block: tracker.current?.block ?? null, load: axon.load() }),
        });
        log.info({ port: metricsServer.port }, 'metrics at /metrics, health at /health');
      }
      timer = setInterval(() => {
        sync().catch((e) => log.warn({ err: e }, 'metagraph resync failed; retrying at the next interval'));
      }, syncInterval * 1000);
      timer.unref();
      log.info({ netuid, uid, hotkey: hotkey.ss58Address, port: info.port }, 'miner serving');
      return miner;
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (started) {
        log.info({}, 'draining the axon');
        await axon.stop();
      }
      started = false;
      await metricsServer?.close();
      metricsServer = null;
    },
    sync,
  };
  return miner;
}
