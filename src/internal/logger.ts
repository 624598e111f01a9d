/**
 * The logger shape every subnetkit component accepts: pino's (a level method taking an object and a message), so
 * pino, a pino child or a small adapter can be passed in. Without one the library writes nothing.
 */

/** One level method: structured fields first, then the message. */
export type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/**
 * A pino-compatible logger.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const epoch = createEpoch({ ...options, logger: pino() });
 * ```
 */
export interface Logger {
  /** Very detailed tracing. */
  trace?: LogMethod;
  /** Debugging detail. */
  debug: LogMethod;
  /** Normal progress. */
  info: LogMethod;
  /** Something went wrong and was handled. */
  warn: LogMethod;
  /** Something failed. */
  error: LogMethod;
}

const noop: LogMethod = () => {};

/** The logger used when none is given: silent. */
export const SILENT_LOGGER: Required<Logger> = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };

/** Fills the optional levels of a user's logger (a missing `trace` is silent). */
export function withLevels(logger: Logger | undefined): Required<Logger> {
  if (!logger) return SILENT_LOGGER;
  return {
    trace: logger.trace?.bind(logger) ?? noop,
    debug: logger.debug.bind(logger),
    info: logger.info.bind(logger),
    warn: logger.warn.bind(logger),
    error: logger.error.bind(logger),
  };
}
