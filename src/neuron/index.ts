/**
 * Base neurons: `createMiner` and `createValidator` run a subnet's miner and validator as services, with what the
 * Python subnet template gives (registration checks, serving on chain, metagraph resyncs, the default blacklist and
 * stake priority, state saved and resumed, graceful shutdown) plus Prometheus metrics and a health endpoint.
 * `parseNeuronConfig` reads the Python SDK's flags (`--netuid`, `--wallet.name`, `--axon.port`, …), `BT_*`
 * variables and a JSON config file; `runNeuronProcess` is a whole process in one call.
 *
 * @example
 * ```ts
 * import { createMiner, runNeuronProcess } from 'subnetkit/neuron';
 * process.exitCode = await runNeuronProcess(process.argv.slice(2), {
 *   role: 'miner',
 *   async start({ subtensor, hotkey, config, logger }) {
 *     const miner = createMiner({ subtensor, hotkey, netuid: config.netuid, axon: { port: config.axon.port }, logger });
 *     miner.attach(Sum, (s) => { s.total = s.a + s.b; return s; });
 *     await miner.start();
 *     return () => miner.stop();
 *   },
 * });
 * ```
 *
 * @module neuron
 */
export { createMiner, minerBlacklist, registerHint } from './miner.js';
export type { Miner, MinerOptions, MinerBlacklist, MetricsOptions } from './miner.js';
export { createValidator } from './validator.js';
export type { Validator, ValidatorOptions } from './validator.js';
export { parseNeuronConfig, envNameOf, networkOf, logLevelOf } from './config.js';
export type { NeuronConfig, ExtraFlag, ParseConfigOptions, ParsedConfig, FlagKind } from './config.js';
export { createLogger } from './logger.js';
export type { LogLevel, LoggerOptions, ProcessLogger, LogStream } from './logger.js';
export { createNeuronMetrics, serveMetrics } from './metrics.js';
export type { NeuronMetrics, MetricsServer } from './metrics.js';
export { openNeuron, onShutdown, runNeuronProcess, defaultStateDir } from './process.js';
export type { NeuronContext, NeuronProcessOptions } from './process.js';
export { NeuronError } from './errors.js';
export type { NeuronErrorCode } from './errors.js';
export type { Logger, LogMethod } from '../internal/logger.js';
