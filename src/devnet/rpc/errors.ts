/** JSON-RPC errors of the devnet, with Substrate's codes. */
import { InvalidTransaction } from '../chain/types.js';

/** A JSON-RPC error. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The error `author_submit*` answers when the pool refuses a transaction (its reason in `data`, as Substrate). */
export function submitError(e: unknown): RpcError {
  if (e instanceof InvalidTransaction) {
    const message =
      e.code === 1002 ? 'Verification Error' : e.code === 1013 ? 'Transaction Already Imported' : 'Invalid Transaction';
    return new RpcError(e.code, message, e.reason);
  }
  if (e instanceof RpcError) return e;
  return new RpcError(-32603, `Internal error: ${(e as Error).message}`);
}

/** What a subscription method answers over HTTP. */
export const needsWebSocket = () => new RpcError(-32601, 'Subscriptions need a WebSocket connection');
