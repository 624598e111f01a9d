import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors the CLI reports (each maps to an exit code). */
export type CliErrorCode =
  /** Bad flags or arguments: exit 2. */
  | 'CLI_USAGE'
  /** The command could not do its work (chain refused, file missing): exit 1. */
  | 'CLI_FAILED';

/**
 * An error the CLI prints as one line, without a stack trace. `exitCode` is 2 for usage errors and 1 for failures.
 *
 * @example
 * ```ts
 * throw new CliError('CLI_USAGE', '--amount must be a positive TAO amount');
 * ```
 */
export class CliError extends SubnetkitError<CliErrorCode> {
  /** The process exit code this error maps to. */
  readonly exitCode: number;
  constructor(code: CliErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'cli.md', ...options });
    this.exitCode = code === 'CLI_USAGE' ? 2 : 1;
  }
}

/** Shorthand for a usage error. */
export const usage = (message: string): CliError => new CliError('CLI_USAGE', message);
