/** `system_*` and `rpc_methods`: who the node is, and an account's next nonce. */
import type { RpcContext, RpcHandler } from './context.js';
import { str } from './params.js';

export function systemMethods({ chain }: RpcContext): Record<string, RpcHandler> {
  return {
    system_chain: () => 'Bittensor Devnet',
    system_name: () => 'subnetkit-devnet',
    system_version: () => '0.1.0',
    system_chainType: () => 'Development',
    system_properties: () => ({ ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' }),
    system_health: () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }),
    system_accountNextIndex: ([address]) => chain.nextIndex(str(address, 'address')),
  };
}
