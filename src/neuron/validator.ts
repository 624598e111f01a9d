/**
 * The base validator: the Epoch loop run as a service, what the Python template's `BaseValidatorNeuron` does. It
 * checks registration, runs steps in the background, logs and counts what happens, saves its state on shutdown and
 * resumes it on start, and optionally serves an axon (for organic requests) and Prometheus metrics.
 */
import { createAxon, type Axon, type AxonOptions } from '../axon/index.js';
import { createDendrite, type Dendrite } from '../dendrite/index.js';
import { createEpoch, type Epoch, type EpochOptions } from '../epoch/index.js';
import { withLevels, type Logger } from '../internal/logger.js';
import type { Synapse } from '../synapse/index.js';
import { NeuronError } from './errors.js';
import { createNeuronMetrics, serveMetrics, type MetricsServer, type NeuronMetrics } from './metrics.js';
import { registerHint, type MetricsOptions } from './miner.js';

/** Options of {@link createValidator}: the Epoch's, with the dendrite made for you, plus service settings. */
export interface ValidatorOptions<S extends Synapse, C = unknown>
  extends Omit<EpochOptions<S, C>, 'dendrite' | 'logger'> {
  /** A dendrite of your own (default: one signed with `hotkey`). */
  dendrite?: Dendrite;
  /** Serve an axon too, for organic requests (default: none). */
  axon?: Omit<AxonOptions, 'keypair'> | false;
  /** Serve `/metrics` and `/health` (default off). */
  metrics?: MetricsOptions | false;
  /** Logger (pino-compatible). */
  logger?: Logger;
}

/** The handle {@link createValidator} returns. */
export interface Validator {
  /** The Epoch loop (its events, scores, metagraph). */
  readonly epoch: Epoch;
  /** The dendrite it queries with. */
  readonly dendrite: Dendrite;
  /** The axon, when one was asked for. */
  readonly axon: Axon | null;
  /** The metrics. */
  readonly metrics: NeuronMetrics;
  /** The port of the metrics server, when it runs. */
  readonly metricsPort: number | null;
  /** Resolves when the loop ends (after `stop()`); rejects if it could not start. */
  readonly done: Promise<void>;
  /** Checks registration and starts the loop (and the axon and metrics server); resolves once running. */
  start(): Promise<Validator>;
  /** Stops the loop (the step in flight drains, the state is saved) and closes everything. */
  stop(): Promise<void>;
}

/**
 * Creates a validator service around {@link createEpoch}.
 *
 * @example
 * ```ts
 * const validator = createValidator({ subtensor: st, hotkey, netuid: 1, query, score, statePath: './state.json', logger });
 * await validator.start();
 * process.once('SIGTERM', () => validator.stop());
 * ```
 */
export function createValidator<S extends Synapse, C = unknown>(options: ValidatorOptions<S, C>): Validator {
  // over 80 lines by design: it joins the epoch, the dendrite, an optional axon and metrics under one start and stop
  // that own their lifetimes.
  if (!options?.hotkey?.secretKey)
    throw new NeuronError('NEURON_INVALID_CONFIG', 'createValidator needs a hotkey with its secret');
  const log = withLevels(options.logger);
  const ownDendrite = !options.dendrite;
  const dendrite = options.dendrite ?? createDendrite({ keypair: options.hotkey });
  const { axon: axonOptions, metrics: metricsOptions, dendrite: _d, logger: _l, ...epochOptions } = options;
  const epoch = createEpoch<S, C>({ ...epochOptions, dendrite, ...(options.logger ? { logger: options.logger } : {}) });
  const metrics = createNeuronMetrics({ role: 'validator', netuid: options.netuid });
  const axon = axonOptions
    ? createAxon({ host: '0.0.0.0', port: 8091, ...axonOptions, keypair: options.hotkey })
    : null;
  let metricsServer: MetricsServer | null = null;
  let running: Promise<void> | null = null;
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {}); // observed through start() too

  epoch.events.on('step', (r) => {
    metrics.steps.inc({ outcome: 'ok' });
    metrics.block.set(r.block);
    log.info(
      {
        step: r.step,
        block: r.block,
        queried: r.uids.length,
        responded: r.responded,
        ms: Math.round(r.timing.totalMs),
      },
      'step',
    );
  });
  epoch.events.on('scores', (scores, step) => {
    log.debug({ step, scores: Array.from(scores, (x) => +x.toFixed(4)) }, 'scores');
  });
  epoch.events.on('weights', (w) => {
    metrics.weights.inc({ kind: w.kind }); // the Epoch logs it
  });
  epoch.events.on('resync', (e) => log.debug({ block: e.block, n: e.n, reset: e.reset }, 'metagraph resynced'));
  epoch.events.on('error', (e) => {
    if (e.code === 'EPOCH_SCORER_FAILED' || e.code === 'EPOCH_INVALID_REWARD' || e.code === 'EPOCH_QUERY_FAILED')
      metrics.steps.inc({ outcome: 'failed' });
  });

  const validator: Validator = {
    epoch,
    dendrite,
    axon,
    metrics,
    get metricsPort() {
      return metricsServer?.port ?? null;
    },
    done,
    async start() {
      if (running) return validator;
      const mg = await epoch.resync();
      if (mg.uidOf(options.hotkey.ss58Address) === undefined) {
        throw new NeuronError(
          'NEURON_NOT_REGISTERED',
          `hotkey ${options.hotkey.ss58Address} is not registered on subnet ${options.netuid}: register it with \`${registerHint(options.netuid)}\``,
        );
      }
      if (axon) await axon.start();
      if (metricsOptions) {
        metricsServer = await serveMetrics(metrics.registry, {
          port: metricsOptions.port,
          host: metricsOptions.host ?? '127.0.0.1',
          health: () => ({
            role: 'validator',
            netuid: options.netuid,
            step: epoch.stepCount,
            lastWeightsBlock: epoch.lastWeightsBlock,
            block: epoch.metagraph?.block ?? null,
          }),
        });
      }
      log.info(
        {
          netuid: options.netuid,
          hotkey: options.hotkey.ss58Address,
          uid: mg.uidOf(options.hotkey.ss58Address),
          step: epoch.stepCount,
        },
        epoch.stepCount ? 'validator resumed from its state' : 'validator started',
      );
      running = epoch.run().then(resolveDone, (e) => {
        log.error({ err: e }, 'the validator loop stopped');
        rejectDone(e);
      });
      return validator;
    },
    async stop() {
      await epoch.stop();
      await running;
      if (axon) await axon.stop();
      if (ownDendrite) await dendrite.close();
      await metricsServer?.close();
      metricsServer = null;
      resolveDone();
      log.info({ step: epoch.stepCount }, 'validator stopped; state saved');
    },
  };
  return validator;
}
