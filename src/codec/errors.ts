import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the codec module. */
export type CodecErrorCode =
  /** Input to an encoder is invalid: wrong sizes, k out of range, non-finite values, ids outside the vocabulary. */
  | 'CODEC_INVALID_INPUT'
  /** Encoded bytes or values do not decode: bad lengths, markers or ids. */
  | 'CODEC_MALFORMED'
  /** Decoding would exceed the size cap (for example deflate output past `maxBytes`). */
  | 'CODEC_TOO_LARGE'
  /** Encoded with a codec version this build does not read. */
  | 'CODEC_UNSUPPORTED_VERSION';

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
