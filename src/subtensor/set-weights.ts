/**
 * `set_weights` as Python's validators send it: processed for the subnet's limits, then set directly, or committed
 * (CRv2 hash, CRv4 timelock) when the subnet has commit-reveal on.
 */
import type { BeaconInfo } from '../timelock/index.js';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { randomInt } from 'node:crypto';
import { convertWeightsAndUidsForEmit, processWeightsForNetuid } from '../consensus/index.js';
import { publicKeyOf } from '../keys/index.js';
import { DRAND_QUICKNET, timelockEncrypt } from '../timelock/index.js';
import { headerNumber, type Connection } from './connection.js';
import { u16 } from './args.js';
import { SubtensorError } from './errors.js';
import { addressOf, type Receipt, type SendOptions, type Signer } from './tx.js';

/** Options of {@link Writes.setWeights}. */
export interface SetWeightsOptions extends SendOptions {
  /** Mechanism id (default 0). */
  mechid?: number;
  /** Version key (default: the subnet's `WeightsVersionKey`, the lowest the chain accepts). */
  versionKey?: bigint;
  /** Run `processWeightsForNetuid` first, as Python's validators do (default true). */
  process?: boolean;
  /** Lowest quantile to drop (u16), passed to `processWeightsForNetuid`. */
  excludeQuantile?: number;
  /**
   * With commit-reveal on: `timelock` (default; CRv4: the weights are encrypted to the drand round of the reveal
   * epoch, quicknet on finney and testnet, the devnet's own beacon on the devnet, and the chain opens them itself) or
   * `hash` (CRv2: commit now, `revealWeights` later with the returned salt).
   */
  commitReveal?: 'timelock' | 'hash';
}

/** What {@link Writes.setWeights} sent. */
export interface WeightsReceipt extends Receipt {
  /** How they went: set directly, committed as a hash, or committed under timelock. */
  mode: 'set' | 'hash-commit' | 'timelock-commit';
  /** The uids sent (after processing). */
  uids: number[];
  /** The u16 weights sent (after processing). */
  weights: number[];
  /** The version key used. */
  versionKey: bigint;
  /** CRv2 only: the salt to reveal with. */
  salt?: number[];
  /** CRv4 only: the drand round the commit is for. */
  revealRound?: bigint;
}

/** SCALE `WeightsTlockPayload { hotkey: Vec<u8>, uids: Vec<u16>, values: Vec<u16>, version_key: u64 }`. */
function tlockPayload(hotkey: Uint8Array, uids: number[], values: number[], versionKey: bigint): Uint8Array {
  const compact = (n: number) => (n < 64 ? [n << 2] : [((n << 2) | 1) & 0xff, (n << 2) >> 8]); // lengths < 16384
  const out: number[] = [...compact(hotkey.length), ...hotkey, ...compact(uids.length)];
  for (const u of uids) out.push(u & 0xff, u >> 8);
  out.push(...compact(values.length));
  for (const v of values) out.push(v & 0xff, v >> 8);
  for (let i = 0; i < 8; i++) out.push(Number((versionKey >> BigInt(8 * i)) & 0xffn));
  return Uint8Array.from(out);
}

/**
 * The drand quicknet round Python targets for a CRv4 commit made at `block` (as `bittensor_drand` computes it): three
 * blocks into the reveal epoch, at `blockTimeS` seconds per block from now.
 *
 * @example
 * ```ts
 * const round = revealRoundFor(await st.blockNumber(), 1, 0, 360, 1);
 * ```
 */
export function revealRoundFor(
  block: number,
  netuid: number,
  mechid: number,
  tempo: number,
  revealPeriod: number,
  nowMs = Date.now(),
  blockTimeS = 12,
): bigint {
  const netuidIndex = mechid * 4096 + netuid;
  const currentEpoch = Math.floor((block + netuidIndex + 1) / (tempo + 1));
  const revealEpoch = currentEpoch + revealPeriod;
  const firstRevealBlock = revealEpoch * (tempo + 1) - (netuidIndex + 1);
  const secs = (firstRevealBlock + 3 - block) * blockTimeS;
  const round = Math.floor((nowMs / 1000 + secs - 1692803367) / 3);
  return BigInt(Math.max(1, round));
}

/** What the weight writes use of the client: its connection, a call sender and a storage reader. */
export interface WriteContext {
  conn: () => Connection;
  send(
    pallet: string,
    call: string,
    args: Record<string, unknown>,
    signer: Signer,
    options?: SendOptions,
  ): Promise<Receipt>;
  read<T>(item: string, ...keys: unknown[]): Promise<T>;
}

export async function setWeights(
  { conn, send, read }: WriteContext,
  hotkey: Signer,
  netuid: number,
  uids: ArrayLike<number>,
  weights: ArrayLike<number>,
  options: SetWeightsOptions = {},
): Promise<WeightsReceipt> {
  u16(netuid, 'netuid');
  const mechid = options.mechid ?? 0;
  if (!Number.isInteger(mechid) || mechid < 0 || mechid > 255)
    throw new SubtensorError('INVALID_ARGUMENT', `mechid must be a u8, got ${mechid}`);
  if (!uids || !weights || uids.length !== weights.length)
    throw new SubtensorError(
      'INVALID_ARGUMENT',
      `uids and weights must have the same length (${uids?.length} vs ${weights?.length})`,
    );
  const me = addressOf(hotkey);
  const [uid, n, minAllowedWeights, maxWeightsLimit, crOn, chainVersionKey] = await Promise.all([
    read<number | null>('uids', netuid, me),
    read<number>('subnetworkN', netuid),
    read<number>('minAllowedWeights', netuid),
    read<number>('maxWeightsLimit', netuid),
    read<boolean>('commitRevealWeightsEnabled', netuid),
    read<bigint>('weightsVersionKey', netuid),
  ]);
  if (uid === null) throw new SubtensorError('NOT_REGISTERED', `hotkey ${me} is not registered on subnet ${netuid}`);
  let emit;
  try {
    if (options.process === false) emit = convertWeightsAndUidsForEmit(uids, weights);
    else {
      const p = processWeightsForNetuid(uids, weights, {
        n,
        minAllowedWeights,
        maxWeightsLimit,
        excludeQuantile: options.excludeQuantile ?? 0,
      });
      emit = convertWeightsAndUidsForEmit(p.uids, p.weights);
    }
  } catch (e) {
    throw new SubtensorError('INVALID_ARGUMENT', `weights: ${(e as Error).message}`, { cause: e });
  }
  const versionKey = options.versionKey ?? chainVersionKey;
  const base = { uids: emit.uids, weights: emit.weights, versionKey };
  if (!crOn) {
    const r = await send(
      'subtensorModule',
      'setMechanismWeights',
      { netuid, mecid: mechid, dests: emit.uids, weights: emit.weights, versionKey },
      hotkey,
      options,
    );
    return { ...r, ...base, mode: 'set' };
  }
  const sent = { hotkey, netuid, mechid, me, uids: emit.uids, weights: emit.weights, versionKey, options };
  if (options.commitReveal === 'hash') return { ...(await commitHash({ conn, send, read }, sent)), ...base };
  return { ...(await commitTimelocked({ conn, send, read }, sent)), ...base };
}

/** The weights as they go out, and who sends them where. */
interface Outgoing {
  hotkey: Signer;
  netuid: number;
  mechid: number;
  /** The hotkey's address. */
  me: string;
  uids: number[];
  weights: number[];
  versionKey: bigint;
  options: SendOptions;
}

/** CRv2: a blake2 hash of (hotkey, netuid index, uids, weights, salt, version key) now; `revealWeights` later. */
async function commitHash(
  { conn, send }: WriteContext,
  o: Outgoing,
): Promise<Receipt & { mode: 'hash-commit'; salt: number[] }> {
  const { hotkey, netuid, mechid, me, versionKey, options } = o;
  const salt = Array.from({ length: 8 }, () => randomInt(0, 65536));
  const api = await conn().api();
  const bytes = api.registry
    .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
      me,
      mechid * 4096 + netuid,
      o.uids,
      o.weights,
      salt,
      versionKey,
    ])
    .toU8a();
  const commitHash = blake2AsHex(bytes, 256);
  const r =
    mechid === 0
      ? await send('subtensorModule', 'commitWeights', { netuid, commitHash }, hotkey, options)
      : await send('subtensorModule', 'commitMechanismWeights', { netuid, mecid: mechid, commitHash }, hotkey, options);
  return { ...r, mode: 'hash-commit', salt };
}

/**
 * CRv4: the payload is timelock-encrypted to the drand round the chain reveals at; the chain opens it itself. Finney
 * and testnet follow drand quicknet; the embedded devnet runs a beacon of its own (docs/devnet.md).
 */
async function commitTimelocked(
  { conn, send, read }: WriteContext,
  o: Outgoing,
): Promise<Receipt & { mode: 'timelock-commit'; revealRound: bigint }> {
  const { hotkey, netuid, mechid, me, versionKey, options } = o;
  const system = await conn().rpc<string>('system_name');
  const beacon: BeaconInfo =
    system === 'subnetkit-devnet'
      ? await conn()
          .rpc<{ public_key: string; period: number; genesis_time: number }>('dev_drandInfo')
          .then((i) => ({ publicKey: i.public_key, period: i.period, genesisTime: i.genesis_time }))
      : DRAND_QUICKNET;
  const [tempo, revealPeriod, block] = await Promise.all([
    read<number>('tempo', netuid),
    read<bigint>('revealPeriodEpochs', netuid),
    conn().rpc<{ number: string }>('chain_getHeader'),
  ]);
  const revealRound = revealRoundFor(headerNumber(block), netuid, mechid, tempo, Number(revealPeriod));
  const ciphertext = timelockEncrypt(tlockPayload(publicKeyOf(me), o.uids, o.weights, versionKey), revealRound, beacon);
  // The call's `commit` is a BoundedVec<u8, 5000>: about 1,150 uids fit.
  if (ciphertext.length > 5000)
    throw new SubtensorError(
      'INVALID_ARGUMENT',
      `weights: the timelock commit of ${o.uids.length} uids is ${ciphertext.length} bytes, over the chain's 5,000-byte limit; send fewer non-zero weights`,
    );
  const commit = u8aToHex(ciphertext);
  const r = await send(
    'subtensorModule',
    'commitTimelockedMechanismWeights',
    { netuid, mecid: mechid, commit, revealRound, commitRevealVersion: 4 },
    hotkey,
    options,
  );
  return { ...r, mode: 'timelock-commit', revealRound };
}
