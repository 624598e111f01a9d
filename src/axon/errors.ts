import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the axon module. */
export type AxonErrorCode = 'AXON_INVALID_CONFIG' | 'AXON_INVALID_IP' | 'AXON_ALREADY_ATTACHED' | 'AXON_NOT_RUNNING' | 'AXON_ALREADY_RUNNING' | 'AXON_LISTEN_FAILED';

/**
 * Thrown for axon configuration and lifecycle mistakes (bad options, a synapse attached twice, IP encoding errors).
 * Request-level failures never throw: they become HTTP responses with the status codes in docs/axon.md.
 *
 * @example
 * ```ts
 * try { intToIp(-1n); } catch (e) { if (e instanceof AxonError) console.log(e.code); } // 'AXON_INVALID_IP'
 * ```
 */
export class AxonError extends SubnetkitError<AxonErrorCode> {
  constructor(code: AxonErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'axon.md', ...options });
  }
}
