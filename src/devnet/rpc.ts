/** The Substrate JSON-RPC methods @polkadot/api uses, served from the devnet chain. */
import { hexToU8a, u8aToHex } from '@polkadot/util';
import type { Block, Chain } from './chain.js';
import { InvalidTransaction } from './chain.js';
import { feeForExtrinsic, runtimeCall } from './runtime-api.js';
import { devnetBeacon } from './beacon.js';

/** A JSON-RPC error. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** What a subscription needs from its connection. */
export interface RpcConnection {
  notify(method: string, subscription: string, result: unknown): void;
  onClose(fn: () => void): void;
}

type Handler = (params: unknown[], conn: RpcConnection | null) => unknown;

// Substrate sends the block number as hex ("0x19"), as every header field; the codec's JSON has a plain number.
const header = (b: Block) => ({
  ...(b.headerCodec.toJSON() as Record<string, unknown>),
  number: `0x${b.number.toString(16)}`,
});

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new RpcError(-32602, `Invalid params: ${what} must be a string`);
  return v;
}

/** A netuid parameter as SCALE u16 bytes. */
function u16Param(v: unknown): Uint8Array {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535)
    throw new RpcError(-32602, 'Invalid params: netuid must be an integer in [0, 65535]');
  return new Uint8Array([v & 0xff, v >> 8]);
}

/** Hex data as the Python SDK sends it: with or without `0x`, or empty for no arguments. */
function looseHexParam(v: unknown, what: string): string {
  if (v === undefined || v === null || v === '') return '0x';
  const s = str(v, what);
  return hexParam(s.startsWith('0x') ? s : `0x${s}`, what);
}

function hexParam(v: unknown, what: string): string {
  const s = str(v, what);
  if (!/^0x([0-9a-fA-F]{2})*$/.test(s)) throw new RpcError(-32602, `Invalid params: ${what} must be 0x-prefixed hex`);
  return s.toLowerCase();
}

export function createRpc(chain: Chain) {
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

  function subscribe(conn: RpcConnection | null, start: (id: string) => () => void): string {
    if (!conn) throw new RpcError(-32601, 'Subscriptions need a WebSocket connection');
    const id = `sub_${nextSub++}`;
    const stop = start(id);
    subscriptions.set(id, stop);
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

  function headSubscription(conn: RpcConnection | null, notifyMethod: string): string {
    return subscribe(conn, (id) => {
      const on = (b: Block) => conn!.notify(notifyMethod, id, header(b));
      setImmediate(() => on(chain.best()));
      chain.events.on('block', on);
      return () => chain.events.off('block', on);
    });
  }

  const methods: Record<string, Handler> = {
    rpc_methods: () => ({ methods: Object.keys(methods).sort() }),
    system_chain: () => 'Bittensor Devnet',
    system_name: () => 'subnetkit-devnet',
    system_version: () => '0.1.0',
    system_chainType: () => 'Development',
    system_properties: () => ({ ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' }),
    system_health: () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }),
    system_accountNextIndex: ([address]) => chain.nextIndex(str(address, 'address')),
    chain_getBlockHash: ([n]) => {
      if (n === undefined || n === null) return chain.best().hash;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        throw new RpcError(-32602, 'Invalid params: block number');
      return chain.blocks[n]?.hash ?? null;
    },
    chain_getHeader: ([hash]) => header(blockAt(hash)),
    chain_getBlock: ([hash]) => {
      const b = blockAt(hash);
      return { block: { header: header(b), extrinsics: b.extrinsics }, justifications: null };
    },
    chain_getFinalizedHead: () => chain.best().hash,
    chain_getFinalisedHead: () => chain.best().hash,
    chain_subscribeNewHeads: (_p, conn) => headSubscription(conn, 'chain_newHead'),
    chain_subscribeNewHead: (_p, conn) => headSubscription(conn, 'chain_newHead'),
    chain_unsubscribeNewHead: unsubscribe,
    chain_subscribeFinalisedHeads: (_p, conn) => headSubscription(conn, 'chain_finalizedHead'),
    chain_unsubscribeFinalisedHeads: unsubscribe,
    chain_subscribeFinalizedHeads: (_p, conn) => headSubscription(conn, 'chain_finalizedHead'),
    chain_subscribeAllHeads: (_p, conn) => headSubscription(conn, 'chain_allHead'),
    chain_unsubscribeNewHeads: unsubscribe,
    chain_unsubscribeFinalizedHeads: unsubscribe,
    chain_unsubscribeAllHeads: unsubscribe,
    state_getRuntimeVersion: () => chain.rt.version,
    chain_getRuntimeVersion: () => chain.rt.version,
    state_subscribeRuntimeVersion: (_p, conn) =>
      subscribe(conn, (id) => {
        setImmediate(() => conn!.notify('state_runtimeVersion', id, chain.rt.version));
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
      if (!Array.isArray(keys)) throw new RpcError(-32602, 'Invalid params: keys must be an array');
      const b = blockAt(at);
      const st = stateAt(at);
      return [
        { block: b.hash, changes: keys.map((k) => [hexParam(k, 'key'), st.has(k) ? u8aToHex(st.get(k)!) : null]) },
      ];
    },
    state_subscribeStorage: ([keys], conn) => {
      if (!Array.isArray(keys)) throw new RpcError(-32602, 'Invalid params: keys must be an array');
      const wanted = keys.map((k) => hexParam(k, 'key'));
      return subscribe(conn, (id) => {
        let last = new Map<string, string | null>();
        const on = (b: Block) => {
          if (!b.state) return;
          const state = b.state;
          const changes: [string, string | null][] = [];
          for (const k of wanted) {
            const v = state.has(k) ? u8aToHex(state.get(k)!) : null;
            if (!last.has(k) || last.get(k) !== v) changes.push([k, v]);
          }
          last = new Map(wanted.map((k) => [k, state.has(k) ? u8aToHex(state.get(k)!) : null]));
          if (changes.length) conn!.notify('state_storage', id, { block: b.hash, changes });
        };
        setImmediate(() => on(chain.best()));
        chain.events.on('block', on);
        return () => chain.events.off('block', on);
      });
    },
    state_unsubscribeStorage: unsubscribe,
    state_call: ([method, data, at]) =>
      runtimeCall(chain, blockAt(at), str(method, 'method'), hexToU8a(looseHexParam(data, 'data'))),
    // subtensor's custom RPCs: the same structs as the runtime APIs, as a JSON array of SCALE bytes.
    neuronInfo_getNeuronsLite: ([netuid, at]) =>
      Array.from(hexToU8a(runtimeCall(chain, blockAt(at), 'NeuronInfoRuntimeApi_get_neurons_lite', u16Param(netuid)))),
    neuronInfo_getNeurons: ([netuid, at]) =>
      Array.from(hexToU8a(runtimeCall(chain, blockAt(at), 'NeuronInfoRuntimeApi_get_neurons', u16Param(netuid)))),
    author_submitExtrinsic: ([xt]) => {
      try {
        return chain.submit(hexParam(xt, 'extrinsic')).hash;
      } catch (e) {
        throw invalid(e);
      }
    },
    author_submitAndWatchExtrinsic: ([xt], conn) => {
      // Over HTTP there is nothing to watch with: refuse before the transaction is accepted, so it has no effect.
      if (!conn) throw new RpcError(-32601, 'Subscriptions need a WebSocket connection');
      let sent: ReturnType<Chain['submit']>;
      try {
        sent = chain.submit(hexParam(xt, 'extrinsic'));
      } catch (e) {
        throw invalid(e);
      }
      return subscribe(conn, (id) => {
        let live = true;
        // setImmediate, not a microtask: the subscription id must reach the client before its first notification.
        setImmediate(() => live && conn!.notify('author_extrinsicUpdate', id, 'ready'));
        void sent.included.then(async (b) => {
          await new Promise((r) => setImmediate(r));
          if (!live) return;
          conn!.notify('author_extrinsicUpdate', id, { inBlock: b.hash });
          // Blocks are final at once, but @polkadot/api drops an inBlock update whose events it is still loading
          // when finalized arrives (switchMap): leave it a moment. Under heavy load it may still drop it, as it would
          // against a node that finalizes fast; clients should accept either status.
          await new Promise((r) => setTimeout(r, 50));
          if (live) conn!.notify('author_extrinsicUpdate', id, { finalized: b.hash });
        });
        return () => {
          live = false;
        };
      });
    },
    author_unwatchExtrinsic: unsubscribe,
    author_pendingExtrinsics: () => chain.pendingExtrinsics(),
    // Manual sealing, as a node started with --sealing manual offers it: seals `count` blocks (default 1).
    dev_newBlock: ([opts]) => {
      const count = (opts as { count?: unknown } | undefined)?.count ?? 1;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 100_000)
        throw new RpcError(-32602, 'Invalid params: count must be an integer in [1, 100000]');
      for (let i = 0; i < count; i++) chain.produce();
      return chain.best().hash;
    },
    // The devnet's own drand beacon (docs/devnet.md), in the shape of drand's /info: CRv4 commits encrypted to this
    // key are opened by the devnet at their reveal epoch.
    dev_drandInfo: () => {
      const info = devnetBeacon().info;
      return {
        public_key: info.publicKey,
        period: info.period,
        genesis_time: info.genesisTime,
        schemeID: 'bls-unchained-g1-rfc9380',
      };
    },
    payment_queryInfo: ([xt]) => {
      const bytes = hexToU8a(hexParam(xt, 'extrinsic'));
      return {
        weight: { refTime: 0, proofSize: 0 },
        class: 'normal',
        partialFee: feeForExtrinsic(chain.registry, bytes, bytes.length).toString(),
      };
    },
  };

  // Substrate's aliases, which the Python SDK calls by these names.
  methods.chain_getHead = methods.chain_getBlockHash!;
  methods.state_getStorageAt = methods.state_getStorage!;
  methods.account_nextIndex = methods.system_accountNextIndex!;

  function invalid(e: unknown): RpcError {
    if (e instanceof InvalidTransaction)
      return new RpcError(
        e.code,
        e.code === 1002
          ? 'Verification Error'
          : e.code === 1013
            ? 'Transaction Already Imported'
            : 'Invalid Transaction',
        e.reason,
      );
    if (e instanceof RpcError) return e;
    return new RpcError(-32603, `Internal error: ${(e as Error).message}`);
  }

  async function handle(method: unknown, params: unknown, conn: RpcConnection | null): Promise<unknown> {
    if (typeof method !== 'string' || !Object.hasOwn(methods, method))
      throw new RpcError(-32601, `Method not found: ${String(method)}`);
    if (params !== undefined && !Array.isArray(params))
      throw new RpcError(-32602, 'Invalid params: params must be an array');
    return methods[method]!((params as unknown[]) ?? [], conn);
  }

  return { handle, methods: Object.keys(methods) };
}
