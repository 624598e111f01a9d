/** `createSubtensor`: the chain client, a plain object over one shared connection. */
import type { ApiPromise } from '@polkadot/api';
import { hexToU8a } from '@polkadot/util';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { EventEmitter } from 'eventemitter3';
import type { Devnet, DevnetOptions } from '../devnet/index.js';
import type {
  AxonInfo,
  DynamicInfo,
  MetagraphInfo,
  NeuronInfo,
  NeuronInfoLite,
  StakeInfo,
  SubnetHyperparams,
  SubnetState,
} from './bindings.generated.js';
import {
  acquireConnection,
  headerNumber,
  releaseConnection,
  type Connection,
  type SubtensorEvents,
  type WatchdogOptions,
} from './connection.js';
import { SubtensorError } from './errors.js';
import { resolveEndpoint, type Network } from './network.js';
import type { TransportOptions } from './provider.js';
import { signAndSend, eventsAt, type ChainEvent, type Receipt, type SendOptions, type Signer } from './tx.js';
import {
  callRuntimeRaw,
  typedCallBuilders,
  typedConsts,
  typedDoors,
  type TypedCallBuilders,
  type TypedCalls,
  type TypedConsts,
  type TypedEntries,
  type TypedQuery,
} from './typed.js';
import { createWrites, type Writes } from './writes.js';

/** Options of {@link createSubtensor}. */
export interface SubtensorOptions extends TransportOptions {
  /** `finney` (default), `test`, `archive`, `local`, `devnet` (the embedded chain, started in this process) or a URL. */
  network?: Network;
  /** Options of the embedded devnet when `network` is `devnet` (default: port 0, tempo 10). */
  devnet?: DevnetOptions;
  /** Stale-block watchdog (default on: 60 s without a block pings the node; `false` turns it off). */
  watchdog?: WatchdogOptions | false;
  /** Share the process-wide connection to the endpoint (default true); false opens a private one. */
  shared?: boolean;
}

/** A subnet's commit-reveal settings. */
export interface CommitRevealSettings {
  /** `CommitRevealWeightsEnabled`. */
  enabled: boolean;
  /** `RevealPeriodEpochs`: commits are revealed this many epochs later. */
  revealPeriodEpochs: bigint;
  /** `CommitRevealWeightsVersion` (4 on finney: drand timelock). */
  version: number;
}

/** Reads pinned to one block. */
export interface BlockView {
  /** Typed storage reads at that block. */
  query: TypedQuery;
  /** Typed storage-map listings at that block. */
  entries: TypedEntries;
  /** Typed runtime-API calls at that block. */
  call: TypedCalls;
}

/** The chain client. Every method has a timeout; none hangs across a reconnect. */
export interface Subtensor extends Writes {
  /** The endpoint URL. */
  readonly url: string;
  /** The network name given (or the URL). */
  readonly network: string;
  /** The embedded devnet when `network` is `devnet`, else null. */
  readonly devnet: Devnet | null;
  /** Connection and block events: connected, disconnected, reconnecting, block, finalized, stale, unresponsive. */
  readonly events: EventEmitter<SubtensorEvents>;
  /** Typed storage reads at the best block: `query.subtensorModule.tempo(netuid)`. */
  readonly query: TypedQuery;
  /** Typed storage-map listings: `entries.subtensorModule.uids(netuid)`. */
  readonly entries: TypedEntries;
  /** Typed runtime-API calls: `call.neuronInfoRuntimeApi.getNeuronsLite(netuid)`. */
  readonly call: TypedCalls;
  /** Typed constants: `consts.balances.existentialDeposit()`. */
  readonly consts: TypedConsts;
  /** Typed call builders, for `send` and batching: `calls.subtensorModule.setWeights({...})`. */
  readonly calls: TypedCallBuilders;
  /** The @polkadot/api instance over the same socket (built on first use), for anything the typed doors lack. */
  api(): Promise<ApiPromise>;
  /** A raw JSON-RPC request, with the client's timeout. */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** A runtime-API call's raw SCALE output (`state_call`), for callers that decode it themselves. */
  stateCall(section: string, method: string, params: unknown[], at?: string): Promise<Uint8Array>;
  /** Reads pinned to block `hash`. */
  at(hash: string): BlockView;
  /** The best block number. */
  blockNumber(): Promise<number>;
  /** The hash of block `n` (best block when absent); null when there is no such block. */
  blockHash(n?: number): Promise<string | null>;
  /** The finalized block number. */
  finalizedNumber(): Promise<number>;
  /** Subnet hyperparameters (runtime API `get_subnet_hyperparams_v2`); null for a subnet that does not exist. */
  hyperparameters(netuid: number): Promise<SubnetHyperparams | null>;
  /** All neurons of a subnet, lite (no weights or bonds). */
  neuronsLite(netuid: number, at?: string): Promise<NeuronInfoLite[]>;
  /** All neurons of a subnet with weights and bonds. */
  neurons(netuid: number, at?: string): Promise<NeuronInfo[]>;
  /** One neuron, lite; null when the uid is free. */
  neuronLite(netuid: number, uid: number): Promise<NeuronInfoLite | null>;
  /** One neuron with weights and bonds; null when the uid is free. */
  neuron(netuid: number, uid: number): Promise<NeuronInfo | null>;
  /** Per-uid stakes and state (runtime API `get_subnet_state`). */
  subnetState(netuid: number, at?: string): Promise<SubnetState | null>;
  /** Pool and emission of a subnet (runtime API `get_dynamic_info`). */
  dynamicInfo(netuid: number): Promise<DynamicInfo | null>;
  /**
   * The whole subnet in one answer (runtime API `get_metagraph`, Python's `get_metagraph_info`): pool, hyperparameters
   * and per-uid vectors with axons and dividends; null for a subnet that does not exist.
   */
  metagraphInfo(netuid: number, at?: string): Promise<MetagraphInfo | null>;
  /** Free balance of an account, in rao. */
  balance(address: string): Promise<bigint>;
  /** Stakes of a coldkey on every hotkey and subnet. */
  stakeInfo(coldkey: string): Promise<StakeInfo[]>;
  /** The axon a hotkey serves on a subnet; null when it never served. */
  axonInfo(netuid: number, hotkey: string): Promise<AxonInfo | null>;
  /** The uid of a hotkey on a subnet; null when not registered. */
  uidOf(netuid: number, hotkey: string): Promise<number | null>;
  /** Every uid's weights row on a subnet (mechanism 0): uid → [(dest, u16)]. */
  weights(netuid: number): Promise<Map<number, [number, number][]>>;
  /** Every uid's bonds row on a subnet (mechanism 0): uid → [(dest, u16)]. */
  bonds(netuid: number): Promise<Map<number, [number, number][]>>;
  /** Commit-reveal settings of a subnet. */
  commitReveal(netuid: number): Promise<CommitRevealSettings>;
  /** The events of a block, decoded. */
  blockEvents(blockHash: string): Promise<ChainEvent[]>;
  /** Signs and submits any call (build it with `calls` or `api()`), waiting as `options.wait` says. */
  send(call: SubmittableExtrinsic<'promise'>, signer: Signer, options?: SendOptions): Promise<Receipt>;
  /** Drops this client's reference; the last one closes the socket (and the embedded devnet). */
  close(): Promise<void>;
}

function u16Arg(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 65535)
    throw new SubtensorError('INVALID_ARGUMENT', `${what} must be an integer in [0, 65535], got ${String(v)}`);
  return v;
}

/** Shared in-process devnets, so two clients of `network: 'devnet'` see one chain. */
let sharedDevnet: { devnet: Promise<Devnet>; refs: number } | null = null;

/**
 * Connects to a Bittensor chain. One socket per endpoint is shared by every client of the process; each client's
 * `close()` drops its reference.
 *
 * @example
 * ```ts
 * const st = await createSubtensor({ network: 'devnet' });
 * const n = await st.blockNumber();
 * const tempo = await st.query.subtensorModule.tempo(1);
 * await st.close();
 * ```
 */
export async function createSubtensor(options: SubtensorOptions = {}): Promise<Subtensor> {
  // over 80 lines by design: it opens the connection (or the devnet) and assembles reads, writes, queries and events
  // that share it; each lives in its own file.
  const network = options.network ?? (process.env.BT_SUBTENSOR_NETWORK || 'finney');
  let devnet: Devnet | null = null;
  let url: string;
  if (network === 'devnet') {
    // Loaded on demand: a client of finney never pays for the devnet's code and metadata.
    const { startDevnet } = await import('../devnet/index.js');
    if (options.devnet || options.shared === false) devnet = await startDevnet({ port: 0, ...options.devnet });
    else {
      sharedDevnet ??= { devnet: startDevnet({ port: 0 }), refs: 0 };
      sharedDevnet.refs++;
      devnet = await sharedDevnet.devnet;
    }
    url = devnet.url;
  } else url = resolveEndpoint(network);
  const ownDevnet = devnet !== null && (options.devnet !== undefined || options.shared === false);
  let conn: Connection;
  try {
    conn = await acquireConnection(url, options, options.watchdog ?? {}, options.shared !== false);
  } catch (e) {
    await releaseDevnet();
    throw e;
  }
  async function releaseDevnet() {
    if (!devnet) return;
    if (ownDevnet) await devnet.close();
    else if (sharedDevnet && --sharedDevnet.refs === 0) {
      sharedDevnet = null;
      await devnet.close();
    }
  }
  let closed = false;
  const live = () => {
    if (closed) throw new SubtensorError('CLIENT_CLOSED', 'this client was closed');
    return conn;
  };
  const doors = typedDoors(conn);
  const call = doors.call;
  const query = doors.query;

  const rows = async (item: 'weights' | 'bonds', netuid: number) => {
    const m = new Map<number, [number, number][]>();
    for (const [keys, value] of await doors.entries.subtensorModule[item](u16Arg(netuid, 'netuid')))
      m.set(keys[1] as number, value as [number, number][]);
    return m;
  };

  const client: Subtensor = {
    url,
    network,
    devnet,
    events: conn.events,
    query,
    entries: doors.entries,
    call,
    consts: typedConsts(conn),
    calls: typedCallBuilders(conn),
    api: async () => live().api(),
    rpc: async (method, params = []) => live().rpc(method, params),
    async stateCall(section, method, params, at) {
      return hexToU8a((await callRuntimeRaw(live(), section, method, params, at)).bytes);
    },
    at(hash) {
      if (typeof hash !== 'string' || !/^0x[0-9a-f]{64}$/i.test(hash))
        throw new SubtensorError('INVALID_ARGUMENT', `a block hash is 0x and 64 hex digits, got ${String(hash)}`);
      return typedDoors(conn, hash);
    },
    async blockNumber() {
      const h = await live().rpc<{ number: string }>('chain_getHeader');
      return headerNumber(h);
    },
    async blockHash(n) {
      if (n !== undefined && (!Number.isInteger(n) || n < 0))
        throw new SubtensorError('INVALID_ARGUMENT', `block number must be a non-negative integer, got ${n}`);
      return live().rpc<string | null>('chain_getBlockHash', n === undefined ? [] : [n]);
    },
    async finalizedNumber() {
      const hash = await live().rpc<string>('chain_getFinalizedHead');
      return headerNumber(await live().rpc<{ number: string }>('chain_getHeader', [hash]));
    },
    hyperparameters: async (netuid) => call.subnetInfoRuntimeApi.getSubnetHyperparamsV2(u16Arg(netuid, 'netuid')),
    neuronsLite: async (netuid, at) =>
      (at ? client.at(at).call : call).neuronInfoRuntimeApi.getNeuronsLite(u16Arg(netuid, 'netuid')),
    neurons: async (netuid, at) =>
      (at ? client.at(at).call : call).neuronInfoRuntimeApi.getNeurons(u16Arg(netuid, 'netuid')),
    neuronLite: async (netuid, uid) =>
      call.neuronInfoRuntimeApi.getNeuronLite(u16Arg(netuid, 'netuid'), u16Arg(uid, 'uid')),
    neuron: async (netuid, uid) => call.neuronInfoRuntimeApi.getNeuron(u16Arg(netuid, 'netuid'), u16Arg(uid, 'uid')),
    subnetState: async (netuid, at) =>
      (at ? client.at(at).call : call).subnetInfoRuntimeApi.getSubnetState(u16Arg(netuid, 'netuid')),
    dynamicInfo: async (netuid) => call.subnetInfoRuntimeApi.getDynamicInfo(u16Arg(netuid, 'netuid')),
    metagraphInfo: async (netuid, at) =>
      (at ? client.at(at).call : call).subnetInfoRuntimeApi.getMetagraph(u16Arg(netuid, 'netuid')),
    async balance(address) {
      const account = await query.system.account(address);
      return account.data.free;
    },
    stakeInfo: async (coldkey) => call.stakeInfoRuntimeApi.getStakeInfoForColdkey(coldkey),
    axonInfo: async (netuid, hotkey) => query.subtensorModule.axons(u16Arg(netuid, 'netuid'), hotkey),
    uidOf: async (netuid, hotkey) => query.subtensorModule.uids(u16Arg(netuid, 'netuid'), hotkey),
    weights: async (netuid) => rows('weights', netuid),
    bonds: async (netuid) => rows('bonds', netuid),
    async commitReveal(netuid) {
      const [enabled, revealPeriodEpochs, version] = await Promise.all([
        query.subtensorModule.commitRevealWeightsEnabled(u16Arg(netuid, 'netuid')),
        query.subtensorModule.revealPeriodEpochs(netuid),
        query.subtensorModule.commitRevealWeightsVersion(),
      ]);
      return { enabled, revealPeriodEpochs, version };
    },
    async blockEvents(blockHash) {
      const c = live();
      return (await eventsAt(c, await c.api(), blockHash)).events;
    },
    send: async (tx, signer, opts) => signAndSend(live(), tx, signer, opts),
    ...createWrites(() => live()),
    async close() {
      if (closed) return;
      closed = true;
      await releaseConnection(conn);
      await releaseDevnet();
    },
  };
  return client;
}
