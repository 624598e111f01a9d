/**
 * Running a neuron as a process: parse the Python-style flags, open the chain and the wallet's hotkey, make a
 * logger, start, and stop gracefully on SIGINT/SIGTERM (a second signal exits at once). Errors a user can fix are
 * printed as one line with exit code 2 (configuration) or 1 (start-up); nothing prints a stack trace.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isSubnetkitError } from '../errors/index.js';
import { cryptoReady, createWallet, type Keypair } from '../keys/index.js';
import { createSubtensor, type Subtensor } from '../subtensor/index.js';
import { logLevelOf, networkOf, parseNeuronConfig, type ExtraFlag, type NeuronConfig } from './config.js';
import { NeuronError } from './errors.js';
import { createLogger, type ProcessLogger } from './logger.js';

/** What a neuron process is handed once its configuration is read. */
export interface NeuronContext {
  /** The parsed configuration. */
  config: NeuronConfig;
  /** A connected chain client. */
  subtensor: Subtensor;
  /** The wallet's hotkey. */
  hotkey: Keypair;
  /** The process logger (pretty on a terminal, JSON when piped). */
  logger: ProcessLogger;
  /** The folder for this neuron's state (`--neuron.full_path`, or the template's default). */
  stateDir: string;
}

/** The folder Python's template keeps a neuron's state in: `~/.bittensor/miners/<wallet>/<hotkey>/netuid<N>/<role>`. */
export function defaultStateDir(config: NeuronConfig, role: string): string {
  const expand = (p: string) => (p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p);
  if (config.neuron.fullPath) return expand(config.neuron.fullPath);
  return join(
    homedir(),
    '.bittensor',
    'miners',
    config.wallet.name,
    config.wallet.hotkey,
    `netuid${config.netuid}`,
    role,
  );
}

/**
 * Opens what a configuration points at: the chain, the hotkey, a logger.
 *
 * @example
 * ```ts
 * const ctx = await openNeuron(config, 'miner');
 * const miner = createMiner({ subtensor: ctx.subtensor, hotkey: ctx.hotkey, netuid: config.netuid, logger: ctx.logger });
 * ```
 */
export async function openNeuron(
  config: NeuronConfig,
  role: 'miner' | 'validator',
  logger?: ProcessLogger,
): Promise<NeuronContext> {
  const log =
    logger ?? createLogger({ level: logLevelOf(config), format: config.logging.format, bindings: { name: role } });
  await cryptoReady();
  let hotkey: Keypair;
  try {
    hotkey = await createWallet({
      name: config.wallet.name,
      hotkey: config.wallet.hotkey,
      path: config.wallet.path,
    }).getHotkey();
  } catch (e) {
    throw new NeuronError(
      'NEURON_WALLET',
      `cannot load hotkey ${config.wallet.name}/${config.wallet.hotkey} from ${config.wallet.path}: ${(e as Error).message} (create one with \`npx subnetkit wallet new-hotkey --wallet.name ${config.wallet.name} --wallet.hotkey ${config.wallet.hotkey}\`)`,
      { cause: e },
    );
  }
  const network = networkOf(config);
  let subtensor: Subtensor;
  try {
    subtensor = await createSubtensor({ network });
  } catch (e) {
    throw new NeuronError('NEURON_START_FAILED', `cannot reach the chain at ${network}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  log.info({ network: subtensor.url, hotkey: hotkey.ss58Address, netuid: config.netuid }, `${role} connected`);
  return { config, subtensor, hotkey, logger: log, stateDir: defaultStateDir(config, role) };
}

/**
 * Calls `stop` on the first SIGINT or SIGTERM and exits 0 when it resolves (1 if it throws); a second signal exits
 * at once with 130.
 *
 * @example
 * ```ts
 * onShutdown(() => miner.stop(), logger);
 * ```
 */
export function onShutdown(
  stop: () => Promise<void>,
  logger?: ProcessLogger,
  exit: (code: number) => void = (c) => process.exit(c),
): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger?.warn({ signal }, 'second signal: exiting now');
      exit(130);
      return;
    }
    stopping = true;
    logger?.info({ signal }, 'shutting down');
    stop().then(
      () => exit(0),
      (e) => {
        logger?.error({ err: e }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Options of {@link runNeuronProcess}. */
export interface NeuronProcessOptions {
  /** Which standard flags apply. */
  role: 'miner' | 'validator';
  /** Program name, for `--help` and the logs. */
  name?: string;
  /** One line for `--help`. */
  description?: string;
  /** Flags of the program's own. */
  extraFlags?: readonly ExtraFlag[];
  /** Version for `--version`. */
  version?: string;
  /** Builds and starts the neuron; returns its stop function. */
  start(ctx: NeuronContext): Promise<() => Promise<void>>;
}

/**
 * The whole life of a miner or validator process in one call: flags, chain, wallet, logger, start, graceful stop.
 * Resolves with the exit code for errors found before the neuron runs (0 after `--help`).
 *
 * @example
 * ```ts
 * process.exitCode = await runNeuronProcess(process.argv.slice(2), {
 *   role: 'miner',
 *   async start({ subtensor, hotkey, config, logger }) {
 *     const miner = createMiner({ subtensor, hotkey, netuid: config.netuid, axon: { port: config.axon.port }, logger });
 *     miner.attach(Sum, (s) => ({ ...s, total: s.a + s.b }));
 *     await miner.start();
 *     return () => miner.stop();
 *   },
 * });
 * ```
 */
export async function runNeuronProcess(argv: readonly string[], options: NeuronProcessOptions): Promise<number> {
  let config: NeuronConfig;
  try {
    const parsed = parseNeuronConfig(argv, options);
    if ('print' in parsed) {
      process.stdout.write(`${parsed.print}\n`);
      return 0;
    }
    config = parsed.config;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  const logger = createLogger({
    level: logLevelOf(config),
    format: config.logging.format,
    bindings: { name: options.name ?? options.role },
  });
  let ctx: NeuronContext | null = null;
  try {
    ctx = await openNeuron(config, options.role, logger);
    const c = ctx;
    // Signals are handled from here on, so one that arrives while the neuron starts still stops it cleanly.
    let stop: (() => Promise<void>) | null = null;
    const starting = options.start(c).then((fn) => (stop = fn));
    const off = onShutdown(async () => {
      await starting.catch(() => {});
      await stop?.();
      await c.subtensor.close();
    }, logger);
    try {
      await starting;
    } catch (e) {
      off();
      throw e;
    }
    return 0;
  } catch (e) {
    logger.error({ code: isSubnetkitError(e) ? e.code : undefined }, (e as Error).message);
    await ctx?.subtensor.close().catch(() => {});
    return 1;
  }
}
