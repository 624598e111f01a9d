/**
 * What every group of RPC methods shares: the chain, block and state lookups by hash with Substrate's errors, and the
 * subscriptions of each connection.
 */
import type { Chain } from '../chain/chain.js';
import type { Block } from '../chain/types.js';
import { RpcError, needsWebSocket } from './errors.js';
import { hexParam, str } from './params.js';

/** What a subscription needs from its connection. */
export interface RpcConnection {
  notify(method: string, subscription: string, result: unknown): void;
  onClose(fn: () => void): void;
}

/** One RPC method: its params (already checked to be an array) and the connection (null over HTTP). */
export type RpcHandler = (params: unknown[], conn: RpcConnection | null) => unknown;

/** Substrate sends the block number as hex ("0x19"), as every header field; the codec's JSON has a plain number. */
export const headerJson = (b: Block) => ({
  ...(b.headerCodec.toJSON() as Record<string, unknown>),
  number: `0x${b.number.toString(16)}`,
});

export function createRpcContext(chain: Chain) {
  let nextSub = 1;
  const subscriptions = new Map<string, () => void>();

  function blockAt(hash: unknown): Block {
    if (hash === undefined || hash === null) return chain.best();
    try {
      return chain.at(hexParam(hash, 'block hash'));
    } catch (e) {
      if (e instanceof RpcError) throw e;
      throw new RpcError(4003, `Client error: UnknownBlock: ${String(hash)}`);
    }
  }

  /** The state after a block; pruned blocks answer as Substrate does. */
  function stateAt(hash: unknown): Map<string, Uint8Array> {
    const b = blockAt(hash);
    if (!b.state) throw new RpcError(4003, `Client error: State already discarded for ${b.hash}`);
    return b.state;
  }

  /** Starts a subscription on a WebSocket connection; `start` returns how to stop it. */
  function subscribe(conn: RpcConnection | null, start: (id: string, conn: RpcConnection) => () => void): string {
    if (!conn) throw needsWebSocket();
    const id = `sub_${nextSub++}`;
    subscriptions.set(id, start(id, conn));
    conn.onClose(() => {
      subscriptions.get(id)?.();
      subscriptions.delete(id);
    });
    return id;
  }

  function unsubscribe(params: unknown[]): boolean {
    const id = str(params[0], 'subscription id');
    const stop = subscriptions.get(id);
    if (!stop) return false;
    stop();
    subscriptions.delete(id);
    return true;
  }

  /** Calls `on` with the best block now (after the subscription id has gone out) and with every new block. */
  function followBlocks(on: (b: Block) => void): () => void {
    setImmediate(() => on(chain.best()));
    chain.events.on('block', on);
    return () => chain.events.off('block', on);
  }

  return { chain, blockAt, stateAt, subscribe, unsubscribe, followBlocks };
}

export type RpcContext = ReturnType<typeof createRpcContext>;
