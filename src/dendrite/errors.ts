import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the dendrite module. */
export type DendriteErrorCode =
  /** A target without a valid IP, port and hotkey (an axon that does not serve gets a failed reply instead). */
  | 'DENDRITE_INVALID_TARGET'
  /** A call after `close()`. */
  | 'DENDRITE_CLOSED'
  /** A bad option: no hotkey with its secret, an unknown transport. */
  | 'DENDRITE_INVALID_CONFIG'
  /** The session handshake with a subnetkit axon failed (reported on the synapse as 401 by calls). */
  | 'DENDRITE_SESSION_FAILED'
  /** The gRPC transport was asked for but the optional `@grpc/grpc-js` package is not installed. */
  | 'DENDRITE_GRPC_MISSING';

/**
 * Thrown for caller mistakes (a target without ip/port/hotkey, a call after `close()`). Network and protocol failures
 * never throw: they come back on the synapse as `dendrite.status_code` (503, 408, 422, …), as in Python.
 *
 * @example
 * ```ts
 * try { await dendrite.call({ ip: '', port: 0, hotkey: '' }, syn); } catch (e) { if (e instanceof DendriteError) … }
 * ```
 */
export class DendriteError extends SubnetkitError<DendriteErrorCode> {
  constructor(code: DendriteErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'dendrite.md', ...options });
  }
}
