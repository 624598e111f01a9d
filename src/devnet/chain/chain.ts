/**
 * The devnet chain: the block list, the transaction pool and block production. Genesis, validation, applying a
 * transaction, events and sealing each live in a file of their own beside this one; the calls themselves are in
 * ../pallets (dispatch.ts routes them).
 */
import { DevnetError } from '../errors.js';
import { EventEmitter } from 'eventemitter3';
import type { DispatchContext } from '../pallets/context.js';
import { blockStep } from '../pallets/subtensor/block-step.js';
import { createStorage, type Storage } from '../storage/storage.js';
import { applyExtrinsic } from './apply.js';
import { createEventLog } from './event-log.js';
import { writeGenesis } from './genesis.js';
import { createBlockStore, stateDiff } from './persist.js';
import { loadRuntime, type Runtime } from './runtime.js';
import { headerCodecOf, sealBlock } from './seal.js';
import type { Block, ChainEvents, ChainOptions, PoolTx } from './types.js';
import { accountNonce, createTxValidator } from './validate.js';

/** States older than this many blocks behind the best are dropped, as a pruning node does. */
const KEPT_STATES = 257;

export function createChain(options: ChainOptions = {}) {
  // over 80 lines by design: the chain's live state (blocks, pool, storage, event log) is shared by import, author
  // and seal; each is a short function here, the work in validate.ts, apply.ts and seal.ts.
  const rt: Runtime = loadRuntime();
  const { registry } = rt;
  const events = new EventEmitter<ChainEvents>();
  const storage: Storage = createStorage(rt);
  const blocks: Block[] = [];
  const byHash = new Map<string, Block>();
  const eventLog = createEventLog(registry);
  let pending: PoolTx[] = [];
  let scheduled = false;

  /** What a call dispatched in the block being built sees (`extrinsicIndex` null: on_initialize). */
  function contextFor(signer: string, block: number, extrinsicIndex: number | null): DispatchContext {
    return {
      registry,
      storage,
      signer,
      block,
      tempo: options.tempo ?? 10,
      commitReveal: options.commitReveal ?? false,
      weightsRateLimit: options.weightsRateLimit,
      allowLoopback: options.allowLoopback ?? true,
      deposit: (event) => eventLog.deposit(extrinsicIndex, event),
      notice: (n) => events.emit('notice', n),
    };
  }

  const store = options.data ? createBlockStore(options.data) : null;

  function seal(extrinsics: string[]): Block {
    const parent = blocks.at(-1);
    const block = sealBlock(registry, storage, parent, extrinsics, eventLog.drain());
    // Durable before anyone hears of it: the record is fsynced before the block joins the chain. A block that
    // cannot be written is undone (the state goes back to its parent's) and the error thrown.
    try {
      store?.append(
        { ...headerRecord(block), diff: stateDiff(parent?.state, block.state!) },
        () => [...blocks, block].map(headerRecord),
        block.state!,
      );
    } catch (e) {
      if (parent?.state) {
        storage.map.clear();
        for (const [k, v] of parent.state) storage.map.set(k, v);
      }
      throw e;
    }
    blocks.push(block);
    byHash.set(block.hash, block);
    const old = blocks[blocks.length - 1 - KEPT_STATES];
    if (old) old.state = undefined;
    events.emit('block', block);
    return block;
  }

  const recovered = store?.load() ?? null;
  if (recovered) {
    // Resume: the state of the last durable block, every header; older states are not kept.
    for (const [k, v] of recovered.state) storage.map.set(k, v);
    for (const b of recovered.blocks) {
      const headerCodec = headerCodecOf(registry, b.header);
      if (headerCodec.hash.toHex() !== b.hash) throw new Error(`stored block ${b.number} does not hash to ${b.hash}`);
      const block: Block = { ...b, headerCodec, state: undefined };
      blocks.push(block);
      byHash.set(b.hash, block);
    }
    blocks.at(-1)!.state = storage.snapshot();
  } else {
    writeGenesis(storage, options);
    seal([]);
  }
  const genesisHash = blocks[0]!.hash;

  function best(): Block {
    return blocks.at(-1)!;
  }

  function at(hash?: string | null): Block {
    if (!hash) return best();
    const b = byHash.get(hash);
    if (!b) throw new Error(`unknown block ${hash}`);
    return b;
  }

  const validator = createTxValidator({ registry, storage, genesisHash, blocks, best, pending: () => pending });

  /** Accepts a transaction into the pool and, in instant mode, seals a block with it. */
  function submit(hex: string): { hash: string; included: Promise<Block> } {
    const tx = validator.validate(hex);
    pending.push(tx);
    const included = new Promise<Block>((resolve) => {
      const on = (b: Block) => {
        if (b.extrinsics.includes(hex)) {
          events.off('block', on);
          resolve(b);
        }
      };
      events.on('block', on);
    });
    // One block per burst: every transaction submitted in the same tick goes into the same block.
    if ((options.sealing ?? 'instant') === 'instant' && !scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (pending.length) produceOrRetry();
      });
    }
    return { hash: tx.hash, included };
  }

  /** Builds and seals the next block: on_initialize (emission, due epochs), then every pooled transaction. */
  function produce(): Block {
    const batch = pending;
    pending = [];
    const number = best().number + 1;
    try {
      blockStep(storage, number, (signer) => contextFor(signer, number, null));
      batch.forEach((tx, i) => {
        applyExtrinsic(tx, contextFor(tx.signer, number, i), eventLog);
      });
      return seal(batch.map((p) => p.hex));
    } catch (e) {
      if (!(e instanceof DevnetError && e.code === 'DEVNET_STORE_FAILED')) throw e;
      // Not sealed: its transactions go back to the pool, to be included once the store can write again.
      pending = [...batch, ...pending];
      events.emit('notice', { kind: 'store-failed', block: number, message: e.message });
      throw e;
    }
  }

  /**
   * Seals the next block unless the store cannot write it: that failure was reported as a notice and the
   * transactions stay pooled for the next attempt (sealing timers and instant sealing use this). Anything else throws.
   */
  function produceOrRetry(): void {
    try {
      produce();
    } catch (e) {
      if (!(e instanceof DevnetError && e.code === 'DEVNET_STORE_FAILED')) throw e;
    }
  }

  return {
    rt,
    registry,
    storage,
    events,
    blocks,
    genesisHash,
    best,
    at,
    submit,
    produce,
    produceOrRetry,
    accountNonce: (address: string) => accountNonce(storage, address),
    nextIndex: validator.nextIndex,
    /** The pool, in order (what `author_pendingExtrinsics` answers). */
    pendingExtrinsics: () => pending.map((p) => p.hex),
    validate: validator.validate,
    close: () => store?.close(),
  };
}

export type Chain = ReturnType<typeof createChain>;

function headerRecord({ number, hash, header, extrinsics }: Block) {
  return { number, hash, header, extrinsics };
}
