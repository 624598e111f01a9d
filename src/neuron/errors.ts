import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the base neurons and their configuration. */
export type NeuronErrorCode =
  /** A flag, environment variable or config-file value is invalid; the message names it. */
  | 'NEURON_INVALID_CONFIG'
  /** The neuron's hotkey is not registered on the subnet; the message names the command that registers it. */
  | 'NEURON_NOT_REGISTERED'
  /** The wallet's hotkey could not be loaded. */
  | 'NEURON_WALLET'
  /** Starting failed (a busy port, an unreachable chain). */
  | 'NEURON_START_FAILED';

/**
 * Thrown by `parseNeuronConfig`, `createMiner` and `createValidator`. Messages are one line, meant for the terminal.
 *
 * @example
 * ```ts
 * try { await miner.start(); }
 * catch (e) { if (e instanceof NeuronError && e.code === 'NEURON_NOT_REGISTERED') console.error(e.message); }
 * ```
 */
export class NeuronError extends SubnetkitError<NeuronErrorCode> {
  constructor(code: NeuronErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'neurons.md', ...options });
  }
}
