/** Runtime APIs through `state_call`, SCALE-encoded as the real runtime does. */
import { compactAddLength, u8aToHex } from '@polkadot/util';
import type { Chain } from '../chain/chain.js';
import type { Block } from '../chain/types.js';
import { encodeNeuronOption, encodeNeurons } from './neuron-info.js';
import {
  dynamicInfo,
  subnetHyperparamsV2,
  subnetHyperparamsV3,
  subnetInfo,
  subnetsInfo,
  subnetState,
} from './subnet-info.js';
import { delegate, delegated, delegates } from './delegate-info.js';
import { stakeFee, stakeInfoForColdkey, stakeInfoForColdkeys, stakeInfoForHotkeyColdkeyNetuid } from './stake-info.js';
import { currentAlphaPrice, currentAlphaPriceAll, simSwapAlphaForTao, simSwapTaoForAlpha } from './swap.js';
import { networkLockCost } from '../pallets/subtensor/registration.js';
import { RpcError } from '../rpc/errors.js';
import {
  allDynamicInfo,
  allMetagraphs,
  mechagraphInfo,
  metagraphInfo,
  nextEpochStartBlock,
  selectiveMetagraph,
} from './metagraph-info.js';
import { feeOf } from '../chain/fees.js';
import type { TypeRegistry } from '@polkadot/types';

/** The fee of an encoded extrinsic (its call index read through polkadot-js), 0 when it cannot be decoded. */
export function feeForExtrinsic(registry: TypeRegistry, xt: Uint8Array, len: number): bigint {
  try {
    const ex = registry.createType('Extrinsic', xt) as unknown as { callIndex: Uint8Array; encodedLength: number };
    return feeOf(len || ex.encodedLength, ex.callIndex[0]!, ex.callIndex[1]!);
  } catch {
    return 0n;
  }
}
import { createStorage } from '../storage/storage.js';

interface ApiMethod {
  inputs: string[];
  output: string;
}

const methodsCache = new WeakMap<object, Map<string, ApiMethod>>();

/** `Api_method` → its input and output types, from the metadata's runtime API section. */
function apiMethods(chain: Chain): Map<string, ApiMethod> {
  let m = methodsCache.get(chain.rt);
  if (!m) {
    m = new Map();
    for (const api of chain.rt.metadata.asV16.apis) {
      for (const method of api.methods) {
        m.set(`${api.name.toString()}_${method.name.toString()}`, {
          inputs: method.inputs.map((i) => chain.registry.createLookupType(i.type)),
          output: chain.registry.createLookupType(method.output),
        });
      }
    }
    methodsCache.set(chain.rt, m);
  }
  return m;
}

/**
 * The subtensor runtime APIs implemented from storage: name → (decoded args, storage at the block) → the output as
 * JSON for the metadata's type, or as SCALE bytes already encoded.
 */
const IMPLEMENTED: Record<
  string,
  (args: unknown[], storage: ReturnType<typeof createStorage>, blockNumber: number) => unknown
> = {
  NeuronInfoRuntimeApi_get_neurons_lite: ([netuid], s) => encodeNeurons(s, Number(netuid), false),
  NeuronInfoRuntimeApi_get_neurons: ([netuid], s) => encodeNeurons(s, Number(netuid), true),
  NeuronInfoRuntimeApi_get_neuron_lite: ([netuid, uid], s) => encodeNeuronOption(s, Number(netuid), Number(uid), false),
  NeuronInfoRuntimeApi_get_neuron: ([netuid, uid], s) => encodeNeuronOption(s, Number(netuid), Number(uid), true),
  SubnetInfoRuntimeApi_get_subnet_info: ([netuid], s) => subnetInfo(s, Number(netuid), false),
  SubnetInfoRuntimeApi_get_subnet_info_v2: ([netuid], s) => subnetInfo(s, Number(netuid), true),
  SubnetInfoRuntimeApi_get_subnets_info: (_args, s) => subnetsInfo(s, false),
  SubnetInfoRuntimeApi_get_subnets_info_v2: (_args, s) => subnetsInfo(s, true),
  // v1 has a subset of v2's fields: the struct codec takes the ones it names.
  SubnetInfoRuntimeApi_get_subnet_hyperparams: ([netuid], s) => subnetHyperparamsV2(s, Number(netuid)),
  SubnetInfoRuntimeApi_get_subnet_hyperparams_v2: ([netuid], s) => subnetHyperparamsV2(s, Number(netuid)),
  SubnetInfoRuntimeApi_get_subnet_hyperparams_v3: ([netuid], s) => subnetHyperparamsV3(s, Number(netuid)),
  SubnetInfoRuntimeApi_get_dynamic_info: ([netuid], s) => dynamicInfo(s, Number(netuid)),
  SubnetInfoRuntimeApi_get_subnet_state: ([netuid], s) => subnetState(s, Number(netuid)),
  SubnetInfoRuntimeApi_get_all_dynamic_info: (_args, s) => allDynamicInfo(s),
  SubnetInfoRuntimeApi_get_metagraph: ([netuid], s, b) => metagraphInfo(s, Number(netuid), b),
  SubnetInfoRuntimeApi_get_all_metagraphs: (_args, s, b) => allMetagraphs(s, b),
  SubnetInfoRuntimeApi_get_mechagraph: ([netuid, mecid], s, b) => mechagraphInfo(s, Number(netuid), Number(mecid), b),
  SubnetInfoRuntimeApi_get_all_mechagraphs: (_args, s, b) => allMetagraphs(s, b),
  SubnetInfoRuntimeApi_get_selective_metagraph: ([netuid, indexes], s, b) =>
    selectiveMetagraph(s, Number(netuid), (indexes as number[]).map(Number), b),
  SubnetInfoRuntimeApi_get_selective_mechagraph: ([netuid, mecid, indexes], s, b) =>
    Number(mecid) === 0 ? selectiveMetagraph(s, Number(netuid), (indexes as number[]).map(Number), b) : null,
  SubnetInfoRuntimeApi_get_next_epoch_start_block: ([netuid], s) => nextEpochStartBlock(s, Number(netuid)),
  StakeInfoRuntimeApi_get_stake_info_for_coldkey: ([coldkey], s) => stakeInfoForColdkey(s, String(coldkey)),
  StakeInfoRuntimeApi_get_stake_info_for_coldkeys: ([coldkeys], s) =>
    stakeInfoForColdkeys(s, (coldkeys as string[]).map(String)),
  StakeInfoRuntimeApi_get_stake_info_for_hotkey_coldkey_netuid: ([hotkey, coldkey, netuid], s) =>
    stakeInfoForHotkeyColdkeyNetuid(s, String(hotkey), String(coldkey), Number(netuid)),
  StakeInfoRuntimeApi_get_stake_fee: ([origin, , destination, , amount]) =>
    stakeFee(origin as [string, number] | null, destination as [string, number] | null, BigInt(amount as string)),
  DelegateInfoRuntimeApi_get_delegates: (_args, s) => delegates(s),
  DelegateInfoRuntimeApi_get_delegate: ([hotkey], s) => delegate(s, String(hotkey)),
  DelegateInfoRuntimeApi_get_delegated: ([coldkey], s) => delegated(s, String(coldkey)),
  SwapRuntimeApi_current_alpha_price: ([netuid], s) => currentAlphaPrice(s, Number(netuid)),
  SwapRuntimeApi_current_alpha_price_all: (_args, s) => currentAlphaPriceAll(s),
  SwapRuntimeApi_sim_swap_tao_for_alpha: ([netuid, tao], s) =>
    simSwapTaoForAlpha(s, Number(netuid), BigInt(tao as string)),
  SwapRuntimeApi_sim_swap_alpha_for_tao: ([netuid, alpha], s) =>
    simSwapAlphaForTao(s, Number(netuid), BigInt(alpha as string)),
  // The lock a subnet registered in the next block would take.
  SubnetRegistrationRuntimeApi_get_network_registration_cost: (_args, s, b) => networkLockCost({ storage: s }, b + 1),
};

export function runtimeCall(chain: Chain, block: Block, method: string, data: Uint8Array): string {
  const { registry } = chain;
  const enc = (type: string, value: unknown) => u8aToHex(registry.createType(type, value).toU8a());
  switch (method) {
    case 'Core_version':
      return enc('RuntimeVersion', chain.rt.version);
    case 'Metadata_metadata':
      // As finney: the runtime's default metadata is V14 (the Python SDK's SCALE library decodes only that here).
      return u8aToHex(compactAddLength(chain.rt.metadataAt.get(14)!));
    case 'Metadata_metadata_versions':
      return enc('Vec<u32>', [14, 15, 16]);
    case 'Metadata_metadata_at_version': {
      const v = registry.createType('u32', data).toNumber();
      const bytes = chain.rt.metadataAt.get(v);
      return bytes ? u8aToHex(new Uint8Array([1, ...compactAddLength(bytes)])) : '0x00';
    }
    case 'AccountNonceApi_account_nonce': {
      const who = registry.createType('AccountId32', data).toString();
      void block;
      return enc('u32', chain.accountNonce(who));
    }
    case 'TransactionPaymentApi_query_info': {
      // (uxt, len): the fee of the extrinsic by the devnet's rule.
      const len =
        data.length >= 4 ? new DataView(data.buffer, data.byteOffset + data.length - 4, 4).getUint32(0, true) : 0;
      return enc('RuntimeDispatchInfo', {
        weight: { refTime: 0, proofSize: 0 },
        class: 'Normal',
        partialFee: feeForExtrinsic(registry, data.subarray(0, data.length - 4), len),
      });
    }
    default: {
      const impl = IMPLEMENTED[method];
      const def = apiMethods(chain).get(method);
      if (!impl || !def)
        throw new RpcError(-32000, `Client error: Execution failed: Other: Exported method ${method} is not found`);
      const args: unknown[] = [];
      try {
        // Arguments are concatenated SCALE values, decoded one after another.
        let offset = 0;
        for (const t of def.inputs) {
          const v = registry.createType(t, data.subarray(offset));
          offset += v.encodedLength;
          args.push(v.toJSON());
        }
        if (offset !== data.length) throw new Error(`${data.length - offset} bytes left over`);
      } catch (e) {
        throw new RpcError(
          -32000,
          `Client error: Execution failed: Execution aborted due to trap: could not decode the arguments of ${method}: ${(e as Error).message}`,
        );
      }
      if (!block.state) throw new RpcError(4003, `Client error: State already discarded for ${block.hash}`);
      const out = impl(args, createStorage(chain.rt, block.state), block.number);
      return out instanceof Uint8Array ? u8aToHex(out) : enc(def.output, out);
    }
  }
}
