/**
 * The Substrate JSON-RPC methods @polkadot/api and the Python SDK use, served from the devnet chain: one file per
 * namespace beside this one, combined here with Substrate's aliases.
 */
import type { Chain } from '../chain/chain.js';
import { authorMethods } from './author.js';
import { chainMethods } from './chain.js';
import { type RpcConnection, type RpcHandler, createRpcContext } from './context.js';
import { devMethods } from './dev.js';
import { RpcError } from './errors.js';
import { stateMethods } from './state.js';
import { subtensorMethods } from './subtensor.js';
import { systemMethods } from './system.js';

export function createRpc(chain: Chain) {
  const rpc = createRpcContext(chain);
  const methods: Record<string, RpcHandler> = {
    ...systemMethods(rpc),
    ...chainMethods(rpc),
    ...stateMethods(rpc),
    ...authorMethods(rpc),
    ...subtensorMethods(rpc),
    ...devMethods(rpc),
  };
  // Substrate's aliases, which the Python SDK calls by these names.
  methods.chain_getHead = methods.chain_getBlockHash!;
  methods.state_getStorageAt = methods.state_getStorage!;
  methods.account_nextIndex = methods.system_accountNextIndex!;
  methods.rpc_methods = () => ({ methods: Object.keys(methods).sort() });

  async function handle(method: unknown, params: unknown, conn: RpcConnection | null): Promise<unknown> {
    if (typeof method !== 'string' || !Object.hasOwn(methods, method))
      throw new RpcError(-32601, `Method not found: ${String(method)}`);
    if (params !== undefined && !Array.isArray(params))
      throw new RpcError(-32602, 'Invalid params: params must be an array');
    return methods[method]!((params as unknown[]) ?? [], conn);
  }

  return { handle, methods: Object.keys(methods) };
}
