import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the consensus module. */
export type ConsensusErrorCode =
  /** Epoch or weight inputs are inconsistent: lengths, ranges, negative weights, uids out of range. */
  'CONSENSUS_INVALID_INPUT';

/**
 * Thrown when epoch or weight inputs are inconsistent (lengths, ranges, negative weights, uids out of range).
 *
 * @example
 * ```ts
 * try { yumaEpoch(input); } catch (e) { if (e instanceof ConsensusError) console.error(e.message); }
 * ```
 */
export class ConsensusError extends SubnetkitError<ConsensusErrorCode> {
  constructor(code: ConsensusErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'consensus.md', ...options });
  }
}

/** Throws `CONSENSUS_INVALID_INPUT` with the message. */
export function invalidInput(message: string): never {
  throw new ConsensusError('CONSENSUS_INVALID_INPUT', message);
}
