import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the devnet. */
export type DevnetErrorCode =
  /** A bad option: a port out of range, an unknown sealing mode, a block count out of range. */
  | 'DEVNET_INVALID_CONFIG'
  /** The port could not be bound. */
  | 'DEVNET_LISTEN_FAILED'
  /** The `data` folder cannot be trusted: a corrupt record before the end of the log, or a log without its snapshot. */
  | 'DEVNET_STORE_CORRUPT'
  /** A block could not be written to the `data` folder (a full disk, say); it was not sealed. */
  | 'DEVNET_STORE_FAILED';

/**
 * Thrown for devnet configuration and lifecycle mistakes. Errors of the chain itself (invalid transactions, dispatch
 * errors) are not thrown: they reach clients as Substrate's JSON-RPC errors and `ExtrinsicFailed` events.
 *
 * @example
 * ```ts
 * try { await startDevnet({ port: -1 }); } catch (e) { if (e instanceof DevnetError) console.error(e.code); }
 * ```
 */
export class DevnetError extends SubnetkitError<DevnetErrorCode> {
  constructor(code: DevnetErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'devnet.md', ...options });
  }
}
