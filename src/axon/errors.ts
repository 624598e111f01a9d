import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the axon module. */
export type AxonErrorCode =
  /** A bad option: no hotkey with its secret, a port out of range, a limit that is not a positive number. */
  | 'AXON_INVALID_CONFIG'
  /** An IP address that does not parse, or an integer outside the IPv4/IPv6 range (`ipToInt`, `intToIp`). */
  | 'AXON_INVALID_IP'
  /** The synapse class is already attached to this axon. */
  | 'AXON_ALREADY_ATTACHED'
  /** `start()` on an axon that is already listening. */
  | 'AXON_ALREADY_RUNNING'
  /** The HTTP or gRPC port could not be bound (in use, no permission). */
  | 'AXON_LISTEN_FAILED'
  /** `grpc` was asked for but the optional `@grpc/grpc-js` package is not installed. */
  | 'AXON_GRPC_MISSING';

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
