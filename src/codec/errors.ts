import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the codec module. */
export type CodecErrorCode = 'CODEC_INVALID_INPUT' | 'CODEC_MALFORMED' | 'CODEC_TOO_LARGE' | 'CODEC_UNSUPPORTED_VERSION';

/**
 * Thrown when codec input is invalid (wrong sizes, k out of range, non-finite values) or encoded bytes are
 * malformed. Decoders check every length before reading, so malformed bytes never read out of bounds or hang.
 *
 * @example
 * ```ts
 * try { decodeTopk(bytes); } catch (e) { if (e instanceof CodecError) reject(e.code); }
 * ```
 */
export class CodecError extends SubnetkitError<CodecErrorCode> {
  constructor(code: CodecErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'codec.md', ...options });
  }
}
