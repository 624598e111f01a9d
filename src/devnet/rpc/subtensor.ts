/**
 * subtensor's custom RPCs (the same structs as the runtime APIs, as a JSON array of SCALE bytes) and
 * `payment_queryInfo`.
 */
import { hexToU8a } from '@polkadot/util';
import { feeForExtrinsic, runtimeCall } from '../runtime-api/runtime-api.js';
import type { RpcContext, RpcHandler } from './context.js';
import { hexParam, u16Param } from './params.js';

export function subtensorMethods({ chain, blockAt }: RpcContext): Record<string, RpcHandler> {
  const viaRuntimeApi = (api: string) => (params: unknown[]) =>
    Array.from(hexToU8a(runtimeCall(chain, blockAt(params[1]), api, u16Param(params[0]))));
  return {
    neuronInfo_getNeuronsLite: viaRuntimeApi('NeuronInfoRuntimeApi_get_neurons_lite'),
    neuronInfo_getNeurons: viaRuntimeApi('NeuronInfoRuntimeApi_get_neurons'),
    payment_queryInfo: ([xt]) => {
      const bytes = hexToU8a(hexParam(xt, 'extrinsic'));
      return {
        weight: { refTime: 0, proofSize: 0 },
        class: 'normal',
        partialFee: feeForExtrinsic(chain.registry, bytes, bytes.length).toString(),
      };
    },
  };
}
