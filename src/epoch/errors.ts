import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the epoch module. */
export type EpochErrorCode =
  /** A bad option or argument. */
  | 'EPOCH_INVALID_CONFIG'
  /** A scorer returned a reward that is not a finite number in [0, 1]; the message names the uid. */
  | 'EPOCH_INVALID_REWARD'
  /** The scorer threw; that step is lost, the loop goes on. */
  | 'EPOCH_SCORER_FAILED'
  /** The query function threw or returned something that is not a synapse. */
  | 'EPOCH_QUERY_FAILED'
  /** The validator's hotkey is not registered on the subnet. */
  | 'EPOCH_NOT_REGISTERED'
  /** The state file does not parse, or its checksum does not match. */
  | 'EPOCH_STATE_CORRUPT'
  /** The state file belongs to another hotkey, subnet or format version. */
  | 'EPOCH_STATE_FOREIGN'
  /** Setting, committing or revealing weights failed on chain (retried at the next step). */
  | 'EPOCH_WEIGHTS_FAILED'
  /** The loop is already running, or was stopped. */
  | 'EPOCH_BUSY'
  /** The router found no miner that could answer. */
  | 'EPOCH_NO_ROUTE';

/**
 * Thrown (or emitted as `error`) by the validator loop, its scorers and the organic router.
 *
 * @example
 * ```ts
 * epoch.events.on('error', (e) => {
 *   if (e.code === 'EPOCH_INVALID_REWARD') logger.warn({ err: e }, 'scorer bug');
 * });
 * ```
 */
export class EpochError extends SubnetkitError<EpochErrorCode> {
  constructor(code: EpochErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'epoch.md', ...options });
  }
}
