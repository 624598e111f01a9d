/** `author_*`: submitting transactions, watching them into a block, and the pool. */
import type { Chain } from '../chain/chain.js';
import type { RpcContext, RpcHandler } from './context.js';
import { needsWebSocket, submitError } from './errors.js';
import { hexParam } from './params.js';

function submitTo(chain: Chain, xt: unknown): ReturnType<Chain['submit']> {
  try {
    return chain.submit(hexParam(xt, 'extrinsic'));
  } catch (e) {
    throw submitError(e);
  }
}

export function authorMethods({ chain, subscribe, unsubscribe }: RpcContext): Record<string, RpcHandler> {
  return {
    author_submitExtrinsic: ([xt]) => submitTo(chain, xt).hash,
    author_submitAndWatchExtrinsic: ([xt], conn) => {
      // Over HTTP there is nothing to watch with: refuse before the transaction is accepted, so it has no effect.
      if (!conn) throw needsWebSocket();
      const sent = submitTo(chain, xt);
      return subscribe(conn, (id, c) => {
        let live = true;
        // setImmediate, not a microtask: the subscription id must reach the client before its first notification.
        setImmediate(() => live && c.notify('author_extrinsicUpdate', id, 'ready'));
        void sent.included.then(async (b) => {
          await new Promise((r) => setImmediate(r));
          if (!live) return;
          c.notify('author_extrinsicUpdate', id, { inBlock: b.hash });
          // Blocks are final at once, but @polkadot/api drops an inBlock update whose events it is still loading
          // when finalized arrives (switchMap): leave it a moment. Under heavy load it may still drop it, as it would
          // against a node that finalizes fast; clients should accept either status.
          await new Promise((r) => setTimeout(r, 50));
          if (live) c.notify('author_extrinsicUpdate', id, { finalized: b.hash });
        });
        return () => {
          live = false;
        };
      });
    },
    author_unwatchExtrinsic: unsubscribe,
    author_pendingExtrinsics: () => chain.pendingExtrinsics(),
  };
}
