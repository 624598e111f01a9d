/**
 * The one error base of subnetkit. Every error the SDK throws is a {@link SubnetkitError} subclass with a string
 * `code` discriminant, so callers can branch on `err.code` without `instanceof` chains across module copies.
 *
 * @module errors
 */

/** Options accepted by every subnetkit error constructor. */
export interface SubnetkitErrorOptions {
  /** The lower-level error or value that caused this one. */
  cause?: unknown;
  /** Path of the guide page (under `docs/`) that explains the error. */
  docsPath?: string;
}

/**
 * Base class of every error thrown by subnetkit.
 *
 * @example
 * ```ts
 * import { SubnetkitError } from 'subnetkit/errors';
 * try {
 *   Synapse.fromJSON('{"timeout": "soon"}');
 * } catch (err) {
 *   if (err instanceof SubnetkitError && err.code === 'SYNAPSE_INVALID_FIELD') console.error(err.message);
 * }
 * ```
 */
export class SubnetkitError<Code extends string = string> extends Error {
  /** Machine-readable discriminant, stable across releases. */
  readonly code: Code;
  /** Guide page that explains this error, relative to the repository's `docs/` folder. */
  readonly docsPath: string | undefined;

  constructor(code: Code, message: string, options: SubnetkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.docsPath = options.docsPath;
  }
}

/**
 * True when `value` is a subnetkit error, optionally with the given code. Works across duplicated package copies
 * because it checks the shape, not the prototype chain.
 *
 * @example
 * ```ts
 * if (isSubnetkitError(err, 'KEYFILE_WRONG_PASSWORD')) askAgain();
 * ```
 */
export function isSubnetkitError<C extends string = string>(value: unknown, code?: C): value is SubnetkitError<C> {
  if (!(value instanceof Error)) return false;
  const c = (value as { code?: unknown }).code;
  if (typeof c !== 'string') return false;
  return code === undefined || c === code;
}
