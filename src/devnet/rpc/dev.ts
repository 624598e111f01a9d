/** The devnet's own methods: manual sealing (as a node started with `--sealing manual`) and its drand beacon. */
import { devnetBeacon } from '../pallets/drand-beacon.js';
import type { RpcContext, RpcHandler } from './context.js';
import { intParam } from './params.js';

export function devMethods({ chain }: RpcContext): Record<string, RpcHandler> {
  return {
    // Seals `count` blocks (default 1).
    dev_newBlock: ([opts]) => {
      const count = intParam((opts as { count?: unknown } | undefined)?.count ?? 1, 'count', 1, 100_000);
      for (let i = 0; i < count; i++) chain.produce();
      return chain.best().hash;
    },
    // The beacon (docs/devnet.md) in the shape of drand's /info: CRv4 commits encrypted to this key are opened by
    // the devnet at their reveal epoch.
    dev_drandInfo: () => {
      const info = devnetBeacon().info;
      return {
        public_key: info.publicKey,
        period: info.period,
        genesis_time: info.genesisTime,
        schemeID: 'bls-unchained-g1-rfc9380',
      };
    },
  };
}
