import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the dendrite module. */
export type DendriteErrorCode = 'DENDRITE_INVALID_TARGET' | 'DENDRITE_CLOSED' | 'DENDRITE_INVALID_CONFIG' | 'DENDRITE_SESSION_FAILED';

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
