/** `chain_*`: block hashes, headers and blocks, and head subscriptions (every block is final on the devnet). */
import type { Block } from '../chain/types.js';
import { type RpcConnection, type RpcContext, type RpcHandler, headerJson } from './context.js';
import { RpcError } from './errors.js';

export function chainMethods(rpc: RpcContext): Record<string, RpcHandler> {
  const { chain, blockAt, subscribe, unsubscribe, followBlocks } = rpc;
  const heads = (notifyMethod: string) => (_params: unknown[], conn: RpcConnection | null) =>
    subscribe(conn, (id, c) => followBlocks((b: Block) => c.notify(notifyMethod, id, headerJson(b))));
  return {
    chain_getBlockHash: ([n]) => {
      if (n === undefined || n === null) return chain.best().hash;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        throw new RpcError(-32602, 'Invalid params: block number');
      return chain.blocks[n]?.hash ?? null;
    },
    chain_getHeader: ([hash]) => headerJson(blockAt(hash)),
    chain_getBlock: ([hash]) => {
      const b = blockAt(hash);
      return { block: { header: headerJson(b), extrinsics: b.extrinsics }, justifications: null };
    },
    chain_getFinalizedHead: () => chain.best().hash,
    chain_getFinalisedHead: () => chain.best().hash,
    chain_getRuntimeVersion: () => chain.rt.version,
    chain_subscribeNewHeads: heads('chain_newHead'),
    chain_subscribeNewHead: heads('chain_newHead'),
    chain_subscribeFinalizedHeads: heads('chain_finalizedHead'),
    chain_subscribeFinalisedHeads: heads('chain_finalizedHead'),
    chain_subscribeAllHeads: heads('chain_allHead'),
    chain_unsubscribeNewHead: unsubscribe,
    chain_unsubscribeNewHeads: unsubscribe,
    chain_unsubscribeFinalizedHeads: unsubscribe,
    chain_unsubscribeFinalisedHeads: unsubscribe,
    chain_unsubscribeAllHeads: unsubscribe,
  };
}
