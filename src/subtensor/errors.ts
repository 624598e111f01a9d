import { SubnetkitError, type SubnetkitErrorOptions } from '../errors/index.js';

/** Codes of the errors thrown by the chain client. */
export type SubtensorErrorCode =
  /** A bad argument: unknown network, malformed address, weights of the wrong length… */
  | 'INVALID_ARGUMENT'
  /** The first connection could not be opened. */
  | 'CONNECT_FAILED'
  /** A request was made while the socket is down (it reconnects by itself). */
  | 'NOT_CONNECTED'
  /** The socket dropped while the request was in flight. */
  | 'CONNECTION_LOST'
  /** No answer within the request timeout. */
  | 'RPC_TIMEOUT'
  /** The node answered with a JSON-RPC error. */
  | 'RPC_ERROR'
  /** The client was closed. */
  | 'CLIENT_CLOSED'
  /** The node's answer could not be decoded. */
  | 'DECODE_FAILED'
  /** The pool refused the transaction (bad nonce, bad proof, cannot pay fees…); `message` says which. */
  | 'TX_INVALID'
  /** The transaction was not seen in a block within its timeout. */
  | 'TX_TIMEOUT'
  /** The transaction's mortal era ended before it was included. */
  | 'TX_DROPPED'
  /** Included, but the call failed: see `pallet` and `error` on {@link ExtrinsicFailedError}. */
  | 'DISPATCH_FAILED'
  /** The hotkey is not registered on the subnet. */
  | 'NOT_REGISTERED';

/**
 * Thrown by the chain client: connection, RPC, transaction and decoding failures, each with a stable `code`.
 *
 * @example
 * ```ts
 * try { await st.blockNumber(); } catch (e) { if (e instanceof SubtensorError && e.code === 'RPC_TIMEOUT') retryLater(); }
 * ```
 */
export class SubtensorError extends SubnetkitError<SubtensorErrorCode> {
  constructor(code: SubtensorErrorCode, message: string, options: SubnetkitErrorOptions = {}) {
    super(code, message, { docsPath: 'subtensor.md', ...options });
  }
}

/**
 * An extrinsic was included in a block but its call failed. `pallet` and `error` name the module error as the
 * metadata does (`SubtensorModule`, `SettingWeightsTooFast`); the receipt's block and fee are kept.
 *
 * @example
 * ```ts
 * try { await st.setWeights(...); } catch (e) {
 *   if (e instanceof ExtrinsicFailedError && e.error === 'SettingWeightsTooFast') wait();
 * }
 * ```
 */
export class ExtrinsicFailedError extends SubtensorError {
  /** Pallet of the module error (`SubtensorModule`), or null for a non-module dispatch error. */
  readonly pallet: string | null;
  /** Name of the error (`NotEnoughBalanceToStake`, or `BadOrigin` and the like for non-module errors). */
  readonly error: string;
  /** Hash of the block that included the extrinsic. */
  readonly blockHash: string;
  /** Fee charged, in rao. */
  readonly fee: bigint;

  constructor(pallet: string | null, error: string, detail: string, at: { blockHash: string; fee: bigint }) {
    super('DISPATCH_FAILED', `${pallet ? `${pallet}.` : ''}${error}${detail ? `: ${detail}` : ''}`);
    this.pallet = pallet;
    this.error = error;
    this.blockHash = at.blockHash;
    this.fee = at.fee;
  }
}
