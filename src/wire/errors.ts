import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the wire module. */
export type WireErrorCode =
  /** A stream frame that is not a well-formed request or reply (wrong kind, shorter than its fixed fields). */
  | 'WIRE_FRAME_INVALID'
  /** A stream frame whose length prefix exceeds the reader's limit (refused before it is buffered). */
  | 'WIRE_FRAME_TOO_LARGE';

/**
 * Thrown when bytes on a stream connection do not decode as frames. The connection cannot be trusted to be in step
 * after that, so both the axon and the dendrite close it.
 *
 * @example
 * ```ts
 * try { decodeStreamReply(frame); } catch (e) { if (e instanceof WireError) socket.destroy(); }
 * ```
 */
export class WireError extends SubnetkitError<WireErrorCode> {
  constructor(code: WireErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'wire.md', ...options });
  }
}
