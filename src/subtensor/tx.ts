/**
 * Signing, submission and inclusion tracking.
 *
 * A transaction is signed with a nonce from the signer's {@link NonceManager} and a mortal era anchored on the best
 * block (bittensor#3395: an era anchored on the finalized head can be dead on arrival), sent with
 * `author_submitExtrinsic`, then found by scanning new blocks for its hash. Scanning, not a watch subscription, is
 * what makes a send survive a reconnect (bittensor#2444: a lost `submitAndWatch` subscription froze validators): after
 * the socket comes back the scan resumes where it stopped, and the send resolves with a receipt, or fails with
 * `TX_DROPPED` once its era ends, or `TX_TIMEOUT` at its deadline.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import type { Call } from '@polkadot/types/interfaces/runtime';
import type { IKeyringPair } from '@polkadot/types/types';
import { hexToU8a, stringCamelCase } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { sign as signWith, type Keypair } from '../keys/index.js';
import { headerNumber, type Connection } from './connection.js';
import { ExtrinsicFailedError, SubtensorError } from './errors.js';
import { toPlain } from './plain.js';

/** Who signs: a subnetkit {@link Keypair} (with its secret) or a @polkadot/keyring pair. */
export type Signer = Keypair | IKeyringPair;

/** How long a send waits: not at all, until a best block includes it, or until that block is finalized. */
export type WaitFor = 'none' | 'inBlock' | 'finalized';

/** Options of every write. */
export interface SendOptions {
  /** What to wait for (default `inBlock`). */
  wait?: WaitFor;
  /** Give up after this many ms (default 60,000; 120,000 for `finalized`). */
  timeoutMs?: number;
  /** Mortal era length in blocks (default 64); 0 makes the transaction immortal. */
  era?: number;
  /** Tip in rao (default 0). */
  tip?: bigint;
  /** A nonce to use instead of the nonce manager's. */
  nonce?: number;
}

/** One event of a block, decoded to plain values. */
export interface ChainEvent {
  /** Pallet, camelCase as in `api.events` (`subtensorModule`). */
  pallet: string;
  /** Event name (`WeightsSet`). */
  name: string;
  /** Its data: an object when the fields are named, else a tuple. */
  data: unknown;
}

/** What a successful write returns. */
export interface Receipt {
  /** Hash of the extrinsic. */
  txHash: string;
  /** Block that included it (null with `wait: 'none'`). */
  blockHash: string | null;
  /** Its number (null with `wait: 'none'`). */
  blockNumber: number | null;
  /** Index of the extrinsic in the block. */
  index: number | null;
  /** The events it emitted. */
  events: ChainEvent[];
  /** Fee paid, in rao (0 when not waited for or feeless). */
  fee: bigint;
  /** The nonce it was signed with. */
  nonce: number;
}

function isKeypair(s: Signer): s is Keypair {
  return (s as Keypair).ss58Address !== undefined && (s as Keypair).type === 'sr25519' && !('address' in s);
}

/**
 * A @polkadot/keyring-compatible view of a signer, for code that signs with @polkadot/api directly.
 *
 * @example
 * ```ts
 * const tx = (await st.api()).tx.balances.transferKeepAlive(dest, 1n);
 * await tx.signAsync(keyringPairOf(keypairFromUri('//Alice')));
 * ```
 */
export function keyringPairOf(signer: Signer): IKeyringPair {
  if (!isKeypair(signer)) return signer;
  if (!signer.secretKey)
    throw new SubtensorError('INVALID_ARGUMENT', `keypair ${signer.ss58Address} is public-only and cannot sign`);
  return {
    address: signer.ss58Address,
    addressRaw: signer.publicKey,
    publicKey: signer.publicKey,
    sign(data: Uint8Array, options?: { withType?: boolean }) {
      const sig = hexToU8a(signWith(signer, data));
      if (!options?.withType) return sig;
      const out = new Uint8Array(65);
      out[0] = 1; // MultiSignature::Sr25519
      out.set(sig, 1);
      return out;
    },
  };
}

/** The SS58 address of a signer. */
export function addressOf(signer: Signer): string {
  return isKeypair(signer) ? signer.ss58Address : signer.address;
}

const NONCE_TROUBLE = /Priority is too low|outdated|Stale|future|1010|1014/i;
const SAME_NONCE_PENDING = /Priority is too low|1014/i;
const ALREADY_KNOWN = /already imported|Already Imported|1013|outdated/i;

interface BlockInfo {
  hash: string;
  txHashes: string[];
}

/** Blocks already fetched, shared by every send of a connection (several sends wait on the same blocks). */
const blockCaches = new WeakMap<Connection, Map<number, BlockInfo>>();

async function blockAt(conn: Connection, n: number): Promise<BlockInfo | null> {
  let cache = blockCaches.get(conn);
  if (!cache) blockCaches.set(conn, (cache = new Map()));
  const hit = cache.get(n);
  if (hit) return hit;
  const hash = await conn.rpc<string | null>('chain_getBlockHash', [n]);
  if (!hash) return null;
  const block = await conn.rpc<{ block: { extrinsics: string[] } } | null>('chain_getBlock', [hash]);
  if (!block) return null;
  const info = { hash, txHashes: block.block.extrinsics.map((x) => blake2AsHex(hexToU8a(x), 256)) };
  cache.set(n, info);
  if (cache.size > 256) cache.delete(cache.keys().next().value!);
  return info;
}

function waitForChange(conn: Connection, wait: WaitFor, deadline: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const ev = wait === 'finalized' ? 'finalized' : 'block';
    const done = () => {
      clearTimeout(t);
      conn.events.off(ev, done);
      conn.events.off('connected', done);
      resolve();
    };
    const t = setTimeout(done, Math.max(1, Math.min(deadline - Date.now(), 2_000)));
    conn.events.once(ev, done);
    conn.events.once('connected', done);
  });
}

async function headNumber(conn: Connection, wait: WaitFor): Promise<number> {
  const known = wait === 'finalized' ? conn.finalized : conn.best;
  if (known) return known.number;
  if (wait === 'finalized') {
    const h = await conn.rpc<string>('chain_getFinalizedHead');
    return headerNumber(await conn.rpc<{ number: string }>('chain_getHeader', [h]));
  }
  return headerNumber(await conn.rpc<{ number: string }>('chain_getHeader'));
}

async function findInclusion(
  conn: Connection,
  txHash: string,
  from: number,
  wait: WaitFor,
  deadline: number,
  eraDeath: number | null,
) {
  let scanned = from;
  for (;;) {
    if (conn.closed) throw new SubtensorError('CLIENT_CLOSED', `the client was closed while waiting for ${txHash}`);
    try {
      const head = await headNumber(conn, wait);
      for (let n = scanned + 1; n <= head; n++) {
        const b = await blockAt(conn, n);
        if (!b) break;
        const index = b.txHashes.indexOf(txHash);
        if (index >= 0) return { blockHash: b.hash, blockNumber: n, index };
        scanned = n;
      }
      if (eraDeath !== null && scanned >= eraDeath)
        throw new SubtensorError('TX_DROPPED', `${txHash} was not included before its era ended at block ${eraDeath}`);
    } catch (e) {
      const code = (e as SubtensorError).code;
      if (code !== 'CONNECTION_LOST' && code !== 'NOT_CONNECTED' && code !== 'RPC_TIMEOUT') throw e;
      // the socket is down: wait for it to come back, then scan on from where we were
    }
    if (Date.now() >= deadline)
      throw new SubtensorError(
        'TX_TIMEOUT',
        `${txHash} was not ${wait === 'finalized' ? 'finalized' : 'included'} within the timeout`,
      );
    // Blocks announced while we were fetching: scan them now rather than wait for the next one.
    const known = wait === 'finalized' ? conn.finalized : conn.best;
    if (known && known.number > scanned && conn.provider.isConnected) continue;
    await waitForChange(conn, wait, deadline);
  }
}

function eventData(data: EventRecord['event']['data']): unknown {
  const names = (data as unknown as { names?: (string | null)[] | null }).names;
  const values = Array.from(data as unknown as Iterable<Parameters<typeof toPlain>[0]>, (v) => toPlain(v));
  if (names && names.length === values.length && names.every((n) => n)) {
    const o: Record<string, unknown> = {};
    names.forEach((n, i) => {
      o[stringCamelCase(n!)] = values[i];
    });
    return o;
  }
  return values;
}

/** The events of block `blockHash`, optionally only those of extrinsic `index`. */
export async function eventsAt(
  conn: Connection,
  api: ApiPromise,
  blockHash: string,
  index?: number,
): Promise<{ records: EventRecord[]; events: ChainEvent[] }> {
  const entry = api.query.system!.events!;
  const hex = await conn.rpc<string | null>('state_getStorage', [entry.key(), blockHash]);
  if (!hex) return { records: [], events: [] };
  const type = api.registry.createLookupType(entry.creator.meta.type.asPlain);
  const all = api.registry.createType(type, hexToU8a(hex)) as unknown as EventRecord[];
  const records =
    index === undefined
      ? [...all]
      : all.filter((r) => r.phase.isApplyExtrinsic && r.phase.asApplyExtrinsic.toNumber() === index);
  return {
    records,
    events: records.map((r) => ({ pallet: r.event.section, name: r.event.method, data: eventData(r.event.data) })),
  };
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

async function waitConnected(conn: Connection, deadline: number): Promise<void> {
  while (!conn.provider.isConnected) {
    if (conn.closed) throw new SubtensorError('CLIENT_CLOSED', 'the client was closed');
    if (Date.now() >= deadline) throw new SubtensorError('TX_TIMEOUT', 'not connected before the timeout');
    await waitForChange(conn, 'inBlock', deadline);
  }
}

/**
 * Signs `call` with `signer`, submits it and (by default) waits for a block that includes it. Resolves with a
 * {@link Receipt}; a call that fails on chain throws {@link ExtrinsicFailedError}.
 */
export async function signAndSend(
  conn: Connection,
  call: Call | SubmittableExtrinsic<'promise'>,
  signer: Signer,
  options: SendOptions = {},
): Promise<Receipt> {
  // over 80 lines by design: the extrinsic's life (sign, submit, watch status, read events, map errors) is one
  // sequence with one subscription to clean up.
  const wait = options.wait ?? 'inBlock';
  if (wait !== 'none' && wait !== 'inBlock' && wait !== 'finalized')
    throw new SubtensorError('INVALID_ARGUMENT', `wait must be none, inBlock or finalized, got ${String(wait)}`);
  const period = options.era ?? 64;
  if (!Number.isInteger(period) || period < 0 || period > 65536)
    throw new SubtensorError(
      'INVALID_ARGUMENT',
      `era must be an integer number of blocks in [0, 65536], got ${period}`,
    );
  const tip = options.tip ?? 0n;
  if (typeof tip !== 'bigint' || tip < 0n)
    throw new SubtensorError('INVALID_ARGUMENT', 'tip must be a non-negative bigint');
  const timeoutMs = options.timeoutMs ?? (wait === 'finalized' ? 120_000 : 60_000);
  const deadline = Date.now() + timeoutMs;
  const pair = keyringPairOf(signer);
  /** Runs a preparation step again after a reconnect, until the deadline. */
  const retrying = async <T>(step: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await step();
      } catch (e) {
        const code = (e as SubtensorError).code;
        if (code !== 'CONNECTION_LOST' && code !== 'NOT_CONNECTED' && code !== 'RPC_TIMEOUT') throw e;
        if (Date.now() >= deadline)
          throw new SubtensorError(
            'TX_TIMEOUT',
            `could not prepare the transaction before the timeout: ${(e as Error).message}`,
            { cause: e },
          );
        await waitConnected(conn, deadline);
      }
    }
  };
  const api = await retrying(() => conn.api());
  const method =
    'method' in call && (call as SubmittableExtrinsic<'promise'>).method
      ? (call as SubmittableExtrinsic<'promise'>).method
      : (call as Call);

  for (let attempt = 0; ; attempt++) {
    await waitConnected(conn, deadline);
    const nonce = options.nonce ?? (await retrying(() => conn.nonces.next(pair.address)));
    const head = await retrying(() => headNumber(conn, 'inBlock'));
    const anchorHash = period
      ? await retrying(() => conn.rpc<string>('chain_getBlockHash', [head]))
      : api.genesisHash.toHex();
    const era = period
      ? api.registry.createType('ExtrinsicEra', { current: head, period })
      : api.registry.createType('ExtrinsicEra', new Uint8Array([0]));
    const xt = api.tx(method as Call);
    xt.sign(pair, {
      blockHash: anchorHash,
      genesisHash: api.genesisHash,
      era,
      nonce,
      tip,
      runtimeVersion: api.runtimeVersion,
      signedExtensions: api.registry.signedExtensions,
      version: (api as unknown as { extrinsicType: number }).extrinsicType,
    } as never);
    const hex = xt.toHex();
    const txHash = xt.hash.toHex();
    // The era's real length is a power of two ≥ 4; it dies at birth + period.
    const eraDeath = period
      ? (era as unknown as { asMortalEra: { death(n: number): number } }).asMortalEra.death(head)
      : null;

    let sent = false;
    let resent = false;
    while (!sent) {
      try {
        await conn.rpc('author_submitExtrinsic', [hex]);
        sent = true;
      } catch (e) {
        const err = e as SubtensorError;
        if (err.code === 'NOT_CONNECTED' || err.code === 'CONNECTION_LOST' || err.code === 'RPC_TIMEOUT') {
          // Unknown whether the pool got it: send the same bytes again once connected; "already imported" means it did.
          await waitConnected(conn, deadline);
          if (Date.now() >= deadline)
            throw new SubtensorError('TX_TIMEOUT', `${txHash} could not be submitted before the timeout`, { cause: e });
          resent = true;
          continue;
        }
        // A resend of bytes the pool (or a block) may already have. Nonce trouble here can be our own first copy
        // (a node that answers 1014 rather than 1013 for it): never sign again with a new nonce, which could apply
        // the call twice; look the transaction up by hash instead.
        if (
          err.code === 'RPC_ERROR' &&
          resent &&
          (ALREADY_KNOWN.test(err.message) || SAME_NONCE_PENDING.test(err.message))
        ) {
          sent = true;
          break;
        }
        if (options.nonce === undefined) conn.nonces.reset(pair.address);
        if (err.code === 'RPC_ERROR' && NONCE_TROUBLE.test(err.message) && options.nonce === undefined && attempt < 3)
          break;
        throw new SubtensorError('TX_INVALID', `the node refused the transaction: ${err.message}`, { cause: e });
      }
    }
    if (!sent) continue; // nonce trouble: sign again with a fresh nonce

    if (wait === 'none') return { txHash, blockHash: null, blockNumber: null, index: null, events: [], fee: 0n, nonce };
    const found = await findInclusion(conn, txHash, head, wait, deadline, eraDeath);
    const { records, events } = await eventsAt(conn, api, found.blockHash, found.index);
    let fee = 0n;
    for (const e of events)
      if (e.pallet === 'transactionPayment' && e.name === 'TransactionFeePaid')
        fee = (e.data as { actualFee: bigint }).actualFee;
    const failed = records.find((r) => r.event.section === 'system' && r.event.method === 'ExtrinsicFailed');
    if (failed) {
      const de = failed.event.data[0] as DispatchError;
      if (de.isModule) {
        const m = api.registry.findMetaError(de.asModule);
        throw new ExtrinsicFailedError(upperFirst(m.section), m.name, m.docs.join(' ').trim(), {
          blockHash: found.blockHash,
          fee,
        });
      }
      throw new ExtrinsicFailedError(null, de.type, JSON.stringify(de.toJSON()), { blockHash: found.blockHash, fee });
    }
    return { txHash, ...found, events, fee, nonce };
  }
}
