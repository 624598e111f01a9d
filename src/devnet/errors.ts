import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the devnet. */
export type DevnetErrorCode = 'DEVNET_INVALID_CONFIG' | 'DEVNET_LISTEN_FAILED' | 'DEVNET_CLOSED';

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
