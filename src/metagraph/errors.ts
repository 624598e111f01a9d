import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the metagraph module. */
export type MetagraphErrorCode =
  /** A bad argument (netuid, block). */
  | 'METAGRAPH_INVALID_ARGUMENT'
  /** The subnet does not exist at that block. */
  | 'METAGRAPH_SUBNET_NOT_FOUND'
  /** The chain's neuron data did not decode. */
  | 'METAGRAPH_DECODE_FAILED'
  /** A saved metagraph is truncated, of another format or corrupt. */
  | 'METAGRAPH_BAD_FILE';

/**
 * Thrown by metagraph sync, save and load.
 *
 * @example
 * ```ts
 * try { loadMetagraph(bytes); } catch (e) { if (e instanceof MetagraphError && e.code === 'METAGRAPH_BAD_FILE') resync(); }
 * ```
 */
export class MetagraphError extends SubnetkitError<MetagraphErrorCode> {
  constructor(code: MetagraphErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'metagraph.md', ...options });
  }
}
