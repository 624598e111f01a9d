/** Metagraph sync from the chain, diffs between syncs, and a tracker that resyncs incrementally with events. */
import { EventEmitter } from 'eventemitter3';
import type { Subtensor } from '../subtensor/index.js';
import { decodeNeurons } from './decode.js';
import { MetagraphError } from './errors.js';
import { buildMetagraph, type AxonEndpoint, type Metagraph, type SubnetStakes } from './metagraph.js';

/** Options of {@link syncMetagraph}. */
export interface SyncOptions {
  /** Subnet. */
  netuid: number;
  /** Leave out weights and bonds (default true, as Python). */
  lite?: boolean;
  /** Block number to read at (default: the best block). */
  block?: number;
}

function checkOptions(o: SyncOptions): void {
  if (!o || !Number.isInteger(o.netuid) || o.netuid < 0 || o.netuid > 65535)
    throw new MetagraphError(
      'METAGRAPH_INVALID_ARGUMENT',
      `netuid must be an integer in [0, 65535], got ${String(o?.netuid)}`,
    );
  if (o.block !== undefined && (!Number.isInteger(o.block) || o.block < 0))
    throw new MetagraphError('METAGRAPH_INVALID_ARGUMENT', `block must be a non-negative integer, got ${o.block}`);
}

async function blockOf(st: Subtensor, block: number | undefined): Promise<{ block: number; blockHash: string }> {
  const blockHash = await st.blockHash(block);
  if (!blockHash) throw new MetagraphError('METAGRAPH_INVALID_ARGUMENT', `there is no block ${block}`);
  if (block !== undefined) return { block, blockHash };
  const h = await st.rpc<{ number: string | number }>('chain_getHeader', [blockHash]);
  return { block: typeof h.number === 'number' ? h.number : Number.parseInt(h.number, 16), blockHash };
}

async function read(
  st: Subtensor,
  o: SyncOptions,
  at: { block: number; blockHash: string },
  previous: Metagraph | null,
): Promise<Metagraph> {
  const lite = o.lite ?? true;
  const [neuronBytes, state] = await Promise.all([
    st.stateCall('neuronInfoRuntimeApi', lite ? 'getNeuronsLite' : 'getNeurons', [o.netuid], at.blockHash),
    st.at(at.blockHash).call.subnetInfoRuntimeApi.getSubnetState(o.netuid),
  ]);
  const cols = decodeNeurons(neuronBytes, !lite);
  if (cols.n === 0 && !(await st.at(at.blockHash).query.subtensorModule.networksAdded(o.netuid))) {
    throw new MetagraphError('METAGRAPH_SUBNET_NOT_FOUND', `subnet ${o.netuid} does not exist at block ${at.block}`);
  }
  const stakes: SubnetStakes | null = state
    ? { alphaStake: state.alphaStake, taoStake: state.taoStake, totalStake: state.totalStake }
    : null;
  return buildMetagraph(
    cols,
    stakes,
    { netuid: o.netuid, network: st.network, block: at.block, blockHash: at.blockHash, lite },
    previous,
  );
}

/**
 * Reads a subnet's metagraph: neurons (`get_neurons_lite`, or `get_neurons` with `lite: false`) and stakes
 * (`get_subnet_state`) at one block, as Python's `Metagraph.sync` does.
 *
 * @example
 * ```ts
 * const mg = await syncMetagraph(st, { netuid: 1 });
 * const best = mg.uids[mg.I.indexOf(Math.max(...mg.I))];
 * ```
 */
export async function syncMetagraph(st: Subtensor, options: SyncOptions): Promise<Metagraph> {
  checkOptions(options);
  return read(st, options, await blockOf(st, options.block), null);
}

/** A uid and the hotkey that holds (or held) it. */
export interface NeuronEntry {
  /** The uid. */
  uid: number;
  /** The hotkey (SS58). */
  hotkey: string;
}

/** An axon that moved. */
export interface AxonChange extends NeuronEntry {
  /** The axon before. */
  before: AxonEndpoint;
  /** The axon after. */
  after: AxonEndpoint;
}

/** What changed between two metagraphs of one subnet. */
export interface MetagraphDiff {
  /** Uids that got a (new) hotkey. */
  registered: NeuronEntry[];
  /** Hotkeys that lost their uid (replaced, or the subnet shrank). */
  deregistered: NeuronEntry[];
  /** Uids whose hotkey stayed but whose axon changed. */
  axonChanged: AxonChange[];
}

function sameAxon(a: AxonEndpoint, b: AxonEndpoint): boolean {
  return (
    a === b ||
    (a.ip === b.ip &&
      a.port === b.port &&
      a.ipType === b.ipType &&
      a.protocol === b.protocol &&
      a.version === b.version &&
      a.placeholder1 === b.placeholder1 &&
      a.placeholder2 === b.placeholder2)
  );
}

/**
 * Registrations, deregistrations and axon changes from `before` to `after`.
 *
 * @example
 * ```ts
 * const d = diffMetagraphs(old, fresh);
 * for (const { uid } of d.registered) scores[uid] = 0;
 * ```
 */
export function diffMetagraphs(before: Metagraph, after: Metagraph): MetagraphDiff {
  if (before.netuid !== after.netuid)
    throw new MetagraphError(
      'METAGRAPH_INVALID_ARGUMENT',
      `cannot diff subnet ${before.netuid} with subnet ${after.netuid}`,
    );
  const d: MetagraphDiff = { registered: [], deregistered: [], axonChanged: [] };
  const prev = new Map<number, number>();
  before.uids.forEach((uid, i) => {
    prev.set(uid, i);
  });
  const seen = new Set<number>();
  after.uids.forEach((uid, i) => {
    seen.add(uid);
    const hotkey = after.hotkeys[i]!;
    const j = prev.get(uid);
    if (j === undefined) d.registered.push({ uid, hotkey });
    else if (before.hotkeys[j] !== hotkey) {
      d.deregistered.push({ uid, hotkey: before.hotkeys[j]! });
      d.registered.push({ uid, hotkey });
    } else if (!sameAxon(before.axons[j]!, after.axons[i]!))
      d.axonChanged.push({ uid, hotkey, before: before.axons[j]!, after: after.axons[i]! });
  });
  before.uids.forEach((uid, j) => {
    if (!seen.has(uid)) d.deregistered.push({ uid, hotkey: before.hotkeys[j]! });
  });
  return d;
}

/** Events of a {@link MetagraphTracker}. */
export interface MetagraphEvents {
  /** A sync finished (also when nothing changed). */
  synced: [metagraph: Metagraph, diff: MetagraphDiff | null];
  /** A uid got a new hotkey. */
  registered: [entry: NeuronEntry];
  /** A hotkey lost its uid. */
  deregistered: [entry: NeuronEntry];
  /** An axon moved. */
  axonChanged: [entry: AxonChange];
}

/** A metagraph kept up to date: `sync()` re-reads only when the chain moved and reuses what did not change. */
export interface MetagraphTracker {
  /** The latest metagraph, or null before the first sync. */
  readonly current: Metagraph | null;
  /** registered, deregistered, axonChanged, synced. */
  readonly events: EventEmitter<MetagraphEvents>;
  /** Resyncs at the best block (or `block`); resolves with the fresh metagraph. */
  sync(block?: number): Promise<Metagraph>;
}

/**
 * A tracker for one subnet. A resync at the block already held costs one RPC; otherwise unchanged hotkey strings
 * and axon objects are kept (so `===` tells a caller what moved) and the diff is emitted as events.
 *
 * @example
 * ```ts
 * const tracker = createMetagraphTracker(st, { netuid: 1 });
 * tracker.events.on('registered', ({ uid }) => resetScore(uid));
 * setInterval(() => tracker.sync(), 60_000);
 * ```
 */
export function createMetagraphTracker(st: Subtensor, options: Omit<SyncOptions, 'block'>): MetagraphTracker {
  checkOptions(options);
  const events = new EventEmitter<MetagraphEvents>();
  let current: Metagraph | null = null;
  let inflight: Promise<Metagraph> | null = null;
  async function run(block?: number): Promise<Metagraph> {
    const at = await blockOf(st, block);
    if (current && current.blockHash === at.blockHash) {
      events.emit('synced', current, null);
      return current;
    }
    const fresh = await read(st, options, at, current);
    const diff = current ? diffMetagraphs(current, fresh) : null;
    current = fresh;
    if (diff) {
      for (const e of diff.deregistered) events.emit('deregistered', e);
      for (const e of diff.registered) events.emit('registered', e);
      for (const e of diff.axonChanged) events.emit('axonChanged', e);
    }
    events.emit('synced', fresh, diff);
    return fresh;
  }
  return {
    get current() {
      return current;
    },
    events,
    sync(block) {
      // Concurrent callers share one sync rather than racing two.
      inflight ??= run(block).finally(() => (inflight = null));
      return inflight;
    },
  };
}
