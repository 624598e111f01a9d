/** `state_*`: storage reads at a block, storage subscriptions, metadata, the runtime version and `state_call`. */
import { hexToU8a, u8aToHex } from '@polkadot/util';
import type { Block } from '../chain/types.js';
import { runtimeCall } from '../runtime-api/runtime-api.js';
import type { RpcContext, RpcHandler } from './context.js';
import { RpcError } from './errors.js';
import { hexParam, looseHexParam, str } from './params.js';

function keysParam(keys: unknown): string[] {
  if (!Array.isArray(keys)) throw new RpcError(-32602, 'Invalid params: keys must be an array');
  return keys.map((k) => hexParam(k, 'key'));
}

export function stateMethods(rpc: RpcContext): Record<string, RpcHandler> {
  const { chain, blockAt, stateAt, subscribe, unsubscribe, followBlocks } = rpc;
  return {
    state_getRuntimeVersion: () => chain.rt.version,
    state_subscribeRuntimeVersion: (_p, conn) =>
      subscribe(conn, (id, c) => {
        setImmediate(() => c.notify('state_runtimeVersion', id, chain.rt.version));
        return () => undefined;
      }),
    state_unsubscribeRuntimeVersion: unsubscribe,
    state_getMetadata: () => u8aToHex(chain.rt.metadataAt.get(14)!), // V14, as finney answers
    state_getStorage: ([key, at]) => {
      const v = stateAt(at).get(hexParam(key, 'storage key'));
      return v ? u8aToHex(v) : null;
    },
    state_getStorageHash: ([key, at]) => (stateAt(at).has(hexParam(key, 'storage key')) ? hexParam(key, 'key') : null),
    state_getStorageSize: ([key, at]) => stateAt(at).get(hexParam(key, 'storage key'))?.length ?? null,
    state_getKeysPaged: ([prefix, count, startKey, at]) => {
      const p = prefix === null || prefix === undefined ? '0x' : hexParam(prefix, 'prefix');
      if (typeof count !== 'number' || count < 0 || count > 1000)
        throw new RpcError(-32602, 'Invalid params: count must be in [0, 1000]');
      const start = startKey ? hexParam(startKey, 'start key') : '';
      return [...stateAt(at).keys()]
        .filter((k) => k.startsWith(p) && k > start)
        .sort()
        .slice(0, count);
    },
    state_queryStorageAt: ([keys, at]) => {
      const wanted = keysParam(keys);
      const b = blockAt(at);
      const st = stateAt(at);
      return [{ block: b.hash, changes: wanted.map((k) => [k, st.has(k) ? u8aToHex(st.get(k)!) : null]) }];
    },
    state_subscribeStorage: ([keys], conn) => {
      const wanted = keysParam(keys);
      return subscribe(conn, (id, c) => {
        let last = new Map<string, string | null>();
        return followBlocks((b: Block) => {
          if (!b.state) return;
          const state = b.state;
          const now = new Map(wanted.map((k) => [k, state.has(k) ? u8aToHex(state.get(k)!) : null]));
          const changes = wanted.filter((k) => !last.has(k) || last.get(k) !== now.get(k)).map((k) => [k, now.get(k)]);
          last = now;
          if (changes.length) c.notify('state_storage', id, { block: b.hash, changes });
        });
      });
    },
    state_unsubscribeStorage: unsubscribe,
    state_call: ([method, data, at]) =>
      runtimeCall(chain, blockAt(at), str(method, 'method'), hexToU8a(looseHexParam(data, 'data'))),
  };
}
