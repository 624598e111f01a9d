/**
 * The devnet chain: genesis like subtensor's localnet, blocks sealed on demand, transaction validation against the
 * real signing payload, and dispatch with System events. Pallet logic lives in the dispatch table (pallets.ts).
 */
import type { Extrinsic } from '@polkadot/types/interfaces';
import { compactToU8a, hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress, encodeAddress, signatureVerify } from '@polkadot/util-crypto';
import { decodeCall } from './calls.js';
import { feeOf } from './fees.js';
import { freeOf } from './read.js';
import { mortalWindow, parseSigned, signingPayload } from './extrinsic.js';
import { verifyRaw } from '../keys/crypto-backend.js';
import { EventEmitter } from 'eventemitter3';
import { keypairFromUri } from '../keys/index.js';
import { dispatch } from './pallets.js';
import { type DispatchContext, type DevnetNotice, DispatchFailure } from './dispatch-context.js';
import { blockStep } from './epoch.js';
import { createBlockStore, stateDiff } from './persist.js';
import { initSubnet, seedPool } from './subtensor.js';
import { SPEC_VERSION, TRANSACTION_VERSION, loadRuntime, type Runtime } from './runtime.js';
import { createStorage, type Storage } from './state.js';

/**
 * One TAO in rao.
 *
 * @example
 * ```ts
 * api.tx.balances.transferKeepAlive(bob, 5n * TAO);
 * ```
 */
export const TAO = 1_000_000_000n;

/** A sealed block. */
export interface Block {
  number: number;
  hash: string;
  header: Record<string, unknown>;
  headerCodec: { toJSON(): unknown; hash: { toHex(): string } };
  extrinsics: string[];
  /** The state after this block; dropped for blocks more than 256 behind the best (like a pruning node). */
  state: Map<string, Uint8Array> | undefined;
}

/** A validated transaction waiting for a block. */
export interface PoolTx {
  hex: string;
  hash: string;
  signer: string;
  nonce: number;
  /** The fee charged before dispatch (the rule in fees.ts), and the tip. */
  fee: bigint;
  tip: bigint;
  /** The call, decoded when the block applies it. */
  call(): DecodedCall;
}

/** A call as dispatch sees it. */
export interface DecodedCall {
  section: string;
  method: string;
  args: readonly unknown[];
}

/** Substrate's invalid-transaction error, as author_submit* returns it. */
export class InvalidTransaction extends Error {
  constructor(
    readonly reason: string,
    readonly code = 1010,
  ) {
    super(reason);
  }
}

export interface ChainEvents {
  block: (b: Block) => void;
  notice: (n: DevnetNotice) => void;
}

/** A funded development account of the genesis. */
export interface DevAccount {
  /** Its dev URI name (`//Alice` is `Alice`). */
  name: string;
  /** SS58 address (prefix 42). */
  address: string;
  /** Free balance at genesis, in rao. */
  free: bigint;
}

export function devAccounts(): DevAccount[] {
  const big = ['Alice', 'Bob', 'Charlie'].map((n) => ({
    name: n,
    address: keypairFromUri(`//${n}`).ss58Address,
    free: 1_000_000n * TAO,
  }));
  const small = ['Dave', 'Eve', 'Ferdie'].map((n) => ({
    name: n,
    address: keypairFromUri(`//${n}`).ss58Address,
    free: 2_000n * TAO,
  }));
  return [...big, ...small];
}

/** Chain options of the devnet. */
export interface ChainOptions {
  /** Persist the chain in this folder (crash-safe) and resume from it when it holds a chain. */
  data?: string;
  /** Tempo of subnet 1 and of new subnets (default 10). */
  tempo?: number;
  /** Start subnets with commit-reveal on, as finney does (default false on the devnet: plain set_weights works). */
  commitReveal?: boolean;
  /** `WeightsSetRateLimit` of subnet 1 and of new subnets, in blocks (default: finney's 100). */
  weightsRateLimit?: number;
  /** Let serve_axon accept 127.0.0.1 and ::1, which finney refuses (default true: local axons). */
  allowLoopback?: boolean;
  /**
   * Block production: `instant` (default) seals a block as soon as transactions arrive; `manual` seals only on
   * `newBlock()` / `dev_newBlock`; a number seals a block every that many milliseconds, empty or not.
   */
  sealing?: 'instant' | 'manual' | number;
}

export function createChain(options: ChainOptions = {}) {
  const rt: Runtime = loadRuntime();
  const { registry } = rt;
  const events = new EventEmitter<ChainEvents>();
  const storage: Storage = createStorage(rt);
  const blocks: Block[] = [];
  const byHash = new Map<string, Block>();
  let pending: PoolTx[] = [];
  let scheduled = false;
  const eventRecords: Uint8Array[] = [];
  const eventTypes = new Map<string, { index: number; type: string }>();

  /**
   * One EventRecord's bytes: Phase::ApplyExtrinsic(i), the pallet index, the pallet's event enum, no topics.
   * (polkadot-js's GenericEvent decodes from bytes only, so the record is assembled here rather than from JSON.)
   */
  const eventBodies = new Map<string, Uint8Array>();
  function eventRecord(extrinsicIndex: number | null, event: Record<string, Record<string, unknown>>): Uint8Array {
    const [pallet, inner] = Object.entries(event)[0]!;
    let t = eventTypes.get(pallet);
    if (!t) {
      const meta = registry.metadata.pallets.find((p) => p.name.toString() === pallet);
      if (!meta || meta.events.isNone) throw new Error(`pallet ${pallet} has no events`);
      t = { index: meta.index.toNumber(), type: registry.createLookupType(meta.events.unwrap().type) };
      eventTypes.set(pallet, t);
    }
    // Phase: ApplyExtrinsic(u32) = 0, Initialization = 2 (events of on_initialize).
    const phase = extrinsicIndex === null ? new Uint8Array([2]) : new Uint8Array(5);
    if (extrinsicIndex !== null) new DataView(phase.buffer).setUint32(1, extrinsicIndex, true);
    // Encoding through polkadot-js is the cost here, and most events repeat (ExtrinsicSuccess, WeightsSet of the
    // same uid, fee events of the same signer): bodies are remembered by their JSON.
    const memo = `${pallet}${JSON.stringify(inner, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
    let body = eventBodies.get(memo);
    if (!body) {
      body = registry.createType(t.type, inner).toU8a();
      if (eventBodies.size >= 50_000) eventBodies.clear();
      eventBodies.set(memo, body);
    }
    return new Uint8Array([...phase, t.index, ...body, 0]);
  }

  function genesis(): void {
    let issuance = 0n;
    for (const a of devAccounts()) {
      storage.set('system', 'account', [a.address], {
        nonce: 0,
        consumers: 0,
        providers: 1,
        sufficients: 0,
        data: { free: a.free, reserved: 0, frozen: 0, flags: 0n },
      });
      issuance += a.free;
    }
    storage.set('balances', 'totalIssuance', [], issuance);
    storage.set('subtensorModule', 'totalIssuance', [], issuance); // what the TAO block emission halves on
    storage.set('sudo', 'key', [], devAccounts()[0]!.address);
    storage.set('subtensorModule', 'networksAdded', [0], true);
    storage.set('subtensorModule', 'totalNetworks', [], 2);
    // Subnet 1 as localnet creates it (owned by Alice here; localnet's owner is the all-zero account).
    initSubnet(
      { storage },
      1,
      devAccounts()[0]!.address,
      devAccounts()[0]!.address,
      0,
      options.tempo ?? 10,
      options.commitReveal ?? false,
      options.weightsRateLimit,
    );
    seedPool({ storage }, 1, 10n * TAO); // localnet: 10 TAO / 10 alpha
  }

  function seal(extrinsics: string[]): Block {
    const parent = blocks.at(-1);
    const number = parent ? parent.number + 1 : 0;
    storage.set('system', 'number', [], number);
    const records = eventRecords.splice(0);
    storage.map.set(
      storage.key('system', 'events'),
      Buffer.concat([Buffer.from(compactToU8a(records.length)), ...records.map((r) => Buffer.from(r))]),
    );
    storage.set('timestamp', 'now', [], Date.now());
    if (parent) storage.set('system', 'blockHash', [parent.number], parent.hash);
    const extrinsicsRoot = u8aToHex(blake2AsU8a(Buffer.concat(extrinsics.map((x) => Buffer.from(x.slice(2), 'hex')))));
    // Not a trie root (no client checks it): a digest chained over the parent's root, the extrinsics and the
    // number, so it costs nothing per block whatever the size of the state.
    const stateRoot = u8aToHex(
      blake2AsU8a(
        Buffer.concat([
          Buffer.from((parent?.header.stateRoot as string | undefined)?.slice(2) ?? '', 'hex'),
          Buffer.from(extrinsicsRoot.slice(2), 'hex'),
          Buffer.from(String(number)),
        ]),
      ),
    );
    const header = {
      parentHash: parent?.hash ?? `0x${'00'.repeat(32)}`,
      number,
      stateRoot,
      extrinsicsRoot,
      digest: { logs: [] },
    };
    const headerCodec = registry.createType('Header', header) as unknown as Block['headerCodec'];
    const hash = headerCodec.hash.toHex();
    if (number === 0) storage.set('system', 'blockHash', [0], hash);
    const block: Block = { number, hash, header, headerCodec, extrinsics, state: storage.snapshot() };
    blocks.push(block);
    byHash.set(hash, block);
    // Durable before anyone hears of it: the record is fsynced before the block is announced.
    store?.append(
      { number, hash, header, extrinsics, diff: stateDiff(parent?.state, block.state!) },
      () =>
        blocks.map(({ number: n, hash: h, header: hd, extrinsics: x }) => ({
          number: n,
          hash: h,
          header: hd,
          extrinsics: x,
        })),
      block.state!,
    );
    const old = blocks[blocks.length - 258];
    if (old) old.state = undefined;
    events.emit('block', block);
    return block;
  }
  const store = options.data ? createBlockStore(options.data) : null;
  const recovered = store?.load() ?? null;
  if (recovered) {
    // Resume: the state of the last durable block, every header; older states are not kept.
    for (const [k, v] of recovered.state) storage.map.set(k, v);
    for (const b of recovered.blocks) {
      const headerCodec = registry.createType('Header', b.header) as unknown as Block['headerCodec'];
      if (headerCodec.hash.toHex() !== b.hash) throw new Error(`stored block ${b.number} does not hash to ${b.hash}`);
      const block: Block = { ...b, headerCodec, state: undefined };
      blocks.push(block);
      byHash.set(b.hash, block);
    }
    blocks.at(-1)!.state = storage.snapshot();
  } else {
    genesis();
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

  function accountNonce(address: string): number {
    return (storage.get('system', 'account', address) as unknown as { nonce: { toNumber(): number } }).nonce.toNumber();
  }

  /** The pool, in order (what `author_pendingExtrinsics` answers). */
  function pendingExtrinsics(): string[] {
    return pending.map((p) => p.hex);
  }

  /** The next nonce of an account, counting its transactions in the pool (what `system_accountNextIndex` answers). */
  function nextIndex(address: string): number {
    return accountNonce(address) + pending.filter((p) => p.signer === address).length;
  }

  function checkNonce(signer: string, nonce: number): void {
    const onChain = accountNonce(signer);
    const current = onChain + pending.filter((p) => p.signer === signer).length;
    if (nonce < onChain) throw new InvalidTransaction('Transaction is outdated');
    if (nonce > current) throw new InvalidTransaction('Transaction will be valid in the future');
    if (nonce !== current)
      throw new InvalidTransaction('Priority is too low: a transaction with this nonce is already pending', 1014);
  }

  /** The hash of the block a mortal era was born at (genesis for an immortal one); throws once it has died. */
  function birthHashOf(window: { birth: number; death: number } | null): string {
    if (!window) return genesisHash;
    const now = best().number;
    const hash = window.death > now && window.birth <= now ? blocks[window.birth]?.hash : undefined;
    if (!hash) throw new InvalidTransaction('Transaction has an ancient birth block');
    return hash;
  }

  function checkCanPay(signer: string, amount: bigint): void {
    if (amount > 0n && freeOf(storage, signer) < amount)
      throw new InvalidTransaction('Inability to pay some fees (e.g. account balance too low)');
  }

  function checkSignature(message: Uint8Array, sigType: number, signature: Uint8Array, signer: string): void {
    // sr25519 (what every bittensor key uses) goes through the WASM verifier; signatureVerify handles ed25519 and
    // ecdsa from the MultiSignature bytes. The scheme that verifies must be the one the MultiSignature declares: an
    // sr25519 signature presented as Ed25519 is a bad proof, as on a node.
    const declared = (['ed25519', 'sr25519', 'ecdsa'] as const)[sigType];
    const ok =
      sigType === 1
        ? verifyRaw(message, signature, decodeAddress(signer))
        : declared !== undefined &&
          (() => {
            const r = signatureVerify(message, new Uint8Array([sigType, ...signature]), signer);
            return r.isValid && r.crypto === declared;
          })();
    if (!ok) throw new InvalidTransaction('Transaction has a bad signature');
  }

  /** Validates like a transaction pool: decodes, checks the signer, nonce, era and signature. */
  function validate(hex: string): PoolTx {
    // The very same bytes resubmitted (a client retrying after a dropped socket): Substrate's "Already Imported".
    if (pending.some((p) => p.hex === hex)) throw new InvalidTransaction('Transaction Already Imported', 1013);
    const bytes = hexToU8a(hex);
    const raw = parseSigned(bytes);
    if (raw) {
      // The common case, read straight from the bytes.
      const signer = encodeAddress(raw.signer, 42);
      checkNonce(signer, raw.nonce);
      const birthHash = birthHashOf(raw.era.length === 2 ? mortalWindow(raw.era, best().number) : null);
      checkSignature(
        signingPayload(raw, SPEC_VERSION, TRANSACTION_VERSION, hexToU8a(genesisHash), hexToU8a(birthHash)),
        raw.sigType,
        raw.signature,
        signer,
      );
      const fee = feeOf(bytes.length, raw.call[0]!, raw.call[1]!);
      checkCanPay(signer, fee + raw.tip);
      return {
        hex,
        hash: u8aToHex(raw.hash),
        signer,
        nonce: raw.nonce,
        fee,
        tip: raw.tip,
        call: () => decodeCall(registry, raw.call),
      };
    }
    let xt: Extrinsic;
    try {
      xt = registry.createType('Extrinsic', hex);
    } catch (e) {
      throw new InvalidTransaction(`Could not decode the extrinsic: ${(e as Error).message}`, 1002);
    }
    if (!xt.isSigned)
      throw new InvalidTransaction('Transaction has a bad signature: unsigned transactions are not accepted');
    const signer = xt.signer.toString();
    checkNonce(signer, xt.nonce.toNumber());
    const era = xt.era;
    const birthHash = birthHashOf(
      era.isMortalEra
        ? { birth: era.asMortalEra.birth(best().number), death: era.asMortalEra.death(best().number) }
        : null,
    );
    const payload = registry.createType(
      'ExtrinsicPayload',
      {
        method: xt.method.toHex(),
        era: xt.era,
        nonce: xt.nonce,
        tip: xt.tip,
        specVersion: SPEC_VERSION,
        transactionVersion: TRANSACTION_VERSION,
        genesisHash,
        blockHash: birthHash,
        mode: (xt as unknown as { mode?: unknown }).mode ?? 0,
      },
      { version: xt.version & 0x7f },
    );
    let message = payload.toU8a({ method: true });
    if (message.length > 256) message = blake2AsU8a(message);
    const multi = (
      xt as unknown as { inner: { signature: { multiSignature: { index: number; value: { toU8a(): Uint8Array } } } } }
    ).inner.signature.multiSignature;
    checkSignature(message, multi.index, multi.value.toU8a(), signer);
    const fee = feeOf(xt.encodedLength, xt.callIndex[0]!, xt.callIndex[1]!);
    const tip = xt.tip.toBigInt();
    checkCanPay(signer, fee + tip);
    return { hex, hash: xt.hash.toHex(), signer, nonce: xt.nonce.toNumber(), fee, tip, call: () => xt.method };
  }

  function apply(tx: PoolTx, index: number): void {
    const signer = tx.signer;
    // The nonce and the fee are taken before dispatch and stay even when the call fails. AccountInfo starts with the
    // u32 nonce; `free` is the u64 after the four u32 counters.
    const account = new Uint8Array(storage.raw('system', 'account', signer));
    const view = new DataView(account.buffer, account.byteOffset, account.byteLength);
    view.setUint32(0, view.getUint32(0, true) + 1, true);
    // Validation checked the balance, but an earlier transaction of the same block may have spent it since:
    // take what is there rather than wrap the u64 around.
    const free = view.getBigUint64(16, true);
    const charged = tx.fee + tx.tip <= free ? tx.fee + tx.tip : free;
    view.setBigUint64(16, free - charged, true);
    storage.setRaw('system', 'account', [signer], account);
    const ctx: DispatchContext = {
      registry,
      storage,
      signer,
      block: best().number + 1,
      tempo: options.tempo ?? 10,
      commitReveal: options.commitReveal ?? false,
      weightsRateLimit: options.weightsRateLimit,
      allowLoopback: options.allowLoopback ?? true,
      deposit: (event) => eventRecords.push(eventRecord(index, event as Record<string, Record<string, unknown>>)),
    };
    if (charged > 0n) {
      storage.set(
        'balances',
        'totalIssuance',
        [],
        BigInt(storage.get('balances', 'totalIssuance').toString()) - charged,
      ); // burned: no block author
      ctx.deposit({ Balances: { Withdraw: { who: signer, amount: charged } } });
    }
    const dispatchInfo = { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', paysFee: tx.fee > 0n ? 'Yes' : 'No' };
    const feePaid = { TransactionPayment: { TransactionFeePaid: { who: signer, actualFee: tx.fee, tip: tx.tip } } };
    const mark = eventRecords.length;
    storage.checkpoint();
    try {
      const call = tx.call();
      dispatch(ctx, call.section, call.method, call.args);
      storage.commit();
      ctx.deposit(feePaid);
      ctx.deposit({ System: { ExtrinsicSuccess: { dispatchInfo } } });
    } catch (e) {
      // A failed call changes nothing but the nonce and the fee: undo its writes and events.
      storage.rollback();
      eventRecords.splice(mark);
      const dispatchError = e instanceof DispatchFailure ? e.error : { Other: null };
      ctx.deposit(feePaid);
      ctx.deposit({ System: { ExtrinsicFailed: { dispatchError, dispatchInfo } } });
    }
  }

  /** Accepts a transaction into the pool and, in instant mode, seals a block with it. */
  function submit(hex: string): { hash: string; included: Promise<Block> } {
    const tx = validate(hex);
    const hash = tx.hash;
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
        if (pending.length) produce();
      });
    }
    return { hash, included };
  }

  function produce(): Block {
    const batch = pending;
    pending = [];
    // on_initialize: emission and due epochs, before the block's extrinsics.
    const block = best().number + 1;
    blockStep(storage, block, (signer) => ({
      registry,
      storage,
      signer,
      block,
      tempo: options.tempo ?? 10,
      commitReveal: options.commitReveal ?? false,
      weightsRateLimit: options.weightsRateLimit,
      allowLoopback: options.allowLoopback ?? true,
      deposit: (event) => eventRecords.push(eventRecord(null, event as Record<string, Record<string, unknown>>)),
      notice: (n) => events.emit('notice', n),
    }));
    batch.forEach((p, i) => {
      apply(p, i);
    });
    return seal(batch.map((p) => p.hex));
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
    accountNonce,
    nextIndex,
    pendingExtrinsics,
    validate,
    close: () => store?.close(),
  };
}

export type Chain = ReturnType<typeof createChain>;
