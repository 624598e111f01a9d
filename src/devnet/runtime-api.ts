/** Runtime APIs through `state_call`, SCALE-encoded as the real runtime does. */
import { compactAddLength, u8aToHex } from '@polkadot/util';
import type { Block, Chain } from './chain.js';
import { RpcError } from './rpc.js';

export function runtimeCall(chain: Chain, block: Block, method: string, data: Uint8Array): string {
  const { registry } = chain;
  const enc = (type: string, value: unknown) => u8aToHex(registry.createType(type, value).toU8a());
  switch (method) {
    case 'Core_version':
      return enc('RuntimeVersion', chain.rt.version);
    case 'Metadata_metadata':
      return u8aToHex(compactAddLength(chain.rt.metadataBytes));
    case 'Metadata_metadata_versions':
      return enc('Vec<u32>', [14, 15, 16]);
    case 'Metadata_metadata_at_version': {
      const v = registry.createType('u32', data).toNumber();
      return v === 16 ? u8aToHex(new Uint8Array([1, ...compactAddLength(chain.rt.metadataBytes)])) : '0x00';
    }
    case 'AccountNonceApi_account_nonce': {
      const who = registry.createType('AccountId32', data).toString();
      void block;
      return enc('u32', chain.accountNonce(who));
    }
    case 'TransactionPaymentApi_query_info':
      return enc('RuntimeDispatchInfo', { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', partialFee: 0 });
    default:
      throw new RpcError(-32000, `Client error: Execution failed: Other: Exported method ${method} is not found`);
  }
}
