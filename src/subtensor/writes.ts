/**
 * The writes a subnet needs, each signed by the key Python signs it with (hotkey: weights and serving; coldkey:
 * transfers, registration and staking) and returning a {@link Receipt} or throwing a typed error.
 */
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { BN, u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { randomInt } from 'node:crypto';
import { ipToInt } from '../axon/index.js';
import { convertWeightsAndUidsForEmit, processWeightsForNetuid } from '../consensus/index.js';
import { publicKeyOf } from '../keys/index.js';
import { DRAND_QUICKNET, timelockEncrypt, type BeaconInfo } from '../timelock/index.js';
import { headerNumber, type Connection } from './connection.js';
import { ExtrinsicFailedError, SubtensorError } from './errors.js';
import { addressOf, signAndSend, type Receipt, type SendOptions, type Signer } from './tx.js';
import { buildCall, readStorage } from './typed.js';

/** Where and what an axon serves, for {@link Writes.serveAxon}. */
export interface ServeAxonParams {
  /** IPv4 or IPv6 address as text. */
  ip: string;
  /** TCP port. */
  port: number;
  /** Protocol number (default 4, as Python). */
  protocol?: number;
  /** Version (default 0). */
  version?: number;
  /** Free byte; subnetkit axons put their capability bits here. */
  placeholder1?: number;
  /** Free byte. */
  placeholder2?: number;
}

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

/** What {@link Writes.registerNetwork} returns. */
export interface NetworkReceipt extends Receipt {
  /** The new subnet's netuid. */
  netuid: number;
}

/** What {@link Writes.burnedRegister} returns. */
export interface RegistrationReceipt extends Receipt {
  /** The uid the hotkey got. */
  uid: number;
}

/** The typed writes of a client. */
export interface Writes {
  /** Moves `amount` rao from `from` to `dest` (`transfer_keep_alive` unless `keepAlive: false`). */
  transfer(
    from: Signer,
    dest: string,
    amount: bigint,
    options?: SendOptions & { keepAlive?: boolean },
  ): Promise<Receipt>;
  /** Creates a subnet owned by the coldkey, with `hotkey` as owner hotkey; resolves with its netuid. */
  registerNetwork(coldkey: Signer, hotkey: string, options?: SendOptions): Promise<NetworkReceipt>;
  /** Starts emission on a subnet (owner only). */
  startCall(coldkey: Signer, netuid: number, options?: SendOptions): Promise<Receipt>;
  /** Registers `hotkey` on a subnet by burning TAO from the coldkey; resolves with its uid. */
  burnedRegister(coldkey: Signer, netuid: number, hotkey: string, options?: SendOptions): Promise<RegistrationReceipt>;
  /** Announces an axon (hotkey-signed); resolves with null without sending when the chain already has the same. */
  serveAxon(hotkey: Signer, netuid: number, axon: ServeAxonParams, options?: SendOptions): Promise<Receipt | null>;
  /** Sets weights as Python does: processed for the subnet, converted to u16, committed when commit-reveal is on. */
  setWeights(
    hotkey: Signer,
    netuid: number,
    uids: ArrayLike<number>,
    weights: ArrayLike<number>,
    options?: SetWeightsOptions,
  ): Promise<WeightsReceipt>;
  /** CRv2: reveals a hash commit made by `setWeights(..., { commitReveal: 'hash' })` (pass its uids, weights, salt). */
  revealWeights(
    hotkey: Signer,
    netuid: number,
    uids: number[],
    weights: number[],
    salt: number[],
    versionKey: bigint,
    options?: SendOptions & { mechid?: number },
  ): Promise<Receipt>;
  /** Stakes `amount` rao from the coldkey on `hotkey` (with `limitPrice`: `add_stake_limit`). */
  addStake(
    coldkey: Signer,
    hotkey: string,
    netuid: number,
    amount: bigint,
    options?: SendOptions & { limitPrice?: bigint; allowPartial?: boolean },
  ): Promise<Receipt>;
  /** Unstakes `amount` alpha (rao) from `hotkey` (with `limitPrice`: `remove_stake_limit`). */
  removeStake(
    coldkey: Signer,
    hotkey: string,
    netuid: number,
    amount: bigint,
    options?: SendOptions & { limitPrice?: bigint; allowPartial?: boolean },
  ): Promise<Receipt>;
  /** Wraps a call in `Sudo.sudo` and sends it signed by the sudo key (//Alice on the devnet). */
  sudo(sudoKey: Signer, call: SubmittableExtrinsic<'promise'>, options?: SendOptions): Promise<Receipt>;
}

function rao(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n)
    throw new SubtensorError('INVALID_ARGUMENT', `${what} must be a bigint amount of rao in [0, 2^64)`);
  return v;
}

function u16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 65535)
    throw new SubtensorError('INVALID_ARGUMENT', `${what} must be an integer in [0, 65535], got ${String(v)}`);
  return v;
}

function address(v: string, what: string): string {
  try {
    publicKeyOf(v);
  } catch (e) {
    throw new SubtensorError('INVALID_ARGUMENT', `${what} is not an SS58 address: ${String(v)}`, { cause: e });
  }
  return v;
}

function eventOf(r: Receipt, pallet: string, name: string): unknown {
  return r.events.find((e) => e.pallet === pallet && e.name === name)?.data;
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

/** The writes over a connection. */
export function createWrites(conn: () => Connection): Writes {
  const send = (pallet: string, call: string, args: Record<string, unknown>, signer: Signer, options?: SendOptions) =>
    buildCall(conn(), pallet, call, args).then((tx) => signAndSend(conn(), tx, signer, options));
  const read = <T>(item: string, ...keys: unknown[]) =>
    readStorage(conn(), 'subtensorModule', item, keys) as Promise<T>;

  return {
    async transfer(from, dest, amount, options = {}) {
      const { keepAlive = true, ...rest } = options;
      return send(
        'balances',
        keepAlive ? 'transferKeepAlive' : 'transferAllowDeath',
        { dest: address(dest, 'dest'), value: rao(amount, 'amount') },
        from,
        rest,
      );
    },
    async registerNetwork(coldkey, hotkey, options) {
      const r = await send(
        'subtensorModule',
        'registerNetwork',
        { hotkey: address(hotkey, 'hotkey') },
        coldkey,
        options,
      );
      const added = eventOf(r, 'subtensorModule', 'NetworkAdded') as [number, number] | undefined;
      return { ...r, netuid: added ? added[0] : -1 };
    },
    startCall: async (coldkey, netuid, options) =>
      send('subtensorModule', 'startCall', { netuid: u16(netuid, 'netuid') }, coldkey, options),
    async burnedRegister(coldkey, netuid, hotkey, options) {
      const r = await send(
        'subtensorModule',
        'burnedRegister',
        { netuid: u16(netuid, 'netuid'), hotkey: address(hotkey, 'hotkey') },
        coldkey,
        options,
      );
      const reg = eventOf(r, 'subtensorModule', 'NeuronRegistered') as [number, number, string] | undefined;
      return { ...r, uid: reg ? reg[1] : ((await read<number | null>('uids', netuid, hotkey)) ?? -1) };
    },
    async serveAxon(hotkey, netuid, axon, options) {
      u16(netuid, 'netuid');
      if (!axon || typeof axon.ip !== 'string')
        throw new SubtensorError('INVALID_ARGUMENT', 'axon.ip must be an address string');
      let ip: bigint;
      try {
        ip = BigInt(ipToInt(axon.ip));
      } catch (e) {
        throw new SubtensorError('INVALID_ARGUMENT', `axon.ip is not an IP address: ${axon.ip}`, { cause: e });
      }
      const want = {
        netuid,
        version: axon.version ?? 0,
        ip,
        port: u16(axon.port, 'axon.port'),
        ipType: axon.ip.includes(':') ? 6 : 4,
        protocol: axon.protocol ?? 4,
        placeholder1: axon.placeholder1 ?? 0,
        placeholder2: axon.placeholder2 ?? 0,
      };
      const have = await read<{
        version: number;
        ip: bigint;
        port: number;
        ipType: number;
        protocol: number;
        placeholder1: number;
        placeholder2: number;
      } | null>('axons', netuid, addressOf(hotkey));
      if (
        have &&
        have.ip === want.ip &&
        have.port === want.port &&
        have.version === want.version &&
        have.ipType === want.ipType &&
        have.protocol === want.protocol &&
        have.placeholder1 === want.placeholder1 &&
        have.placeholder2 === want.placeholder2
      ) {
        return null; // unchanged: Python skips it too, and it would only spend the serving rate limit
      }
      return send('subtensorModule', 'serveAxon', want, hotkey, options);
    },
    async setWeights(hotkey, netuid, uids, weights, options = {}) {
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
      if (uid === null)
        throw new SubtensorError('NOT_REGISTERED', `hotkey ${me} is not registered on subnet ${netuid}`);
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
      if (options.commitReveal === 'hash') {
        const salt = Array.from({ length: 8 }, () => randomInt(0, 65536));
        const api = await conn().api();
        const netuidIndex = mechid * 4096 + netuid;
        const bytes = api.registry
          .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
            me,
            netuidIndex,
            emit.uids,
            emit.weights,
            salt,
            versionKey,
          ])
          .toU8a();
        const commitHash = blake2AsHex(bytes, 256);
        const r =
          mechid === 0
            ? await send('subtensorModule', 'commitWeights', { netuid, commitHash }, hotkey, options)
            : await send(
                'subtensorModule',
                'commitMechanismWeights',
                { netuid, mecid: mechid, commitHash },
                hotkey,
                options,
              );
        return { ...r, ...base, mode: 'hash-commit', salt };
      }
      // CRv4: the payload is timelock-encrypted to the drand round the chain reveals at; the chain opens it itself.
      // Finney and testnet follow drand quicknet; the embedded devnet runs a beacon of its own (docs/devnet.md).
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
      const ciphertext = timelockEncrypt(
        tlockPayload(publicKeyOf(me), emit.uids, emit.weights, versionKey),
        revealRound,
        beacon,
      );
      // The call's `commit` is a BoundedVec<u8, 5000>: about 1,150 uids fit.
      if (ciphertext.length > 5000)
        throw new SubtensorError(
          'INVALID_ARGUMENT',
          `weights: the timelock commit of ${emit.uids.length} uids is ${ciphertext.length} bytes, over the chain's 5,000-byte limit; send fewer non-zero weights`,
        );
      const commit = u8aToHex(ciphertext);
      const r = await send(
        'subtensorModule',
        'commitTimelockedMechanismWeights',
        { netuid, mecid: mechid, commit, revealRound, commitRevealVersion: 4 },
        hotkey,
        options,
      );
      return { ...r, ...base, mode: 'timelock-commit', revealRound };
    },
    async revealWeights(hotkey, netuid, uids, weights, salt, versionKey, options = {}) {
      const mechid = options.mechid ?? 0;
      const args = { netuid: u16(netuid, 'netuid'), uids, values: weights, salt, versionKey };
      return mechid === 0
        ? send('subtensorModule', 'revealWeights', args, hotkey, options)
        : send('subtensorModule', 'revealMechanismWeights', { ...args, mecid: mechid }, hotkey, options);
    },
    async addStake(coldkey, hotkey, netuid, amount, options = {}) {
      const { limitPrice, allowPartial = false, ...rest } = options;
      const args = {
        hotkey: address(hotkey, 'hotkey'),
        netuid: u16(netuid, 'netuid'),
        amountStaked: rao(amount, 'amount'),
      };
      if (limitPrice === undefined) return send('subtensorModule', 'addStake', args, coldkey, rest);
      return send(
        'subtensorModule',
        'addStakeLimit',
        { ...args, limitPrice: rao(limitPrice, 'limitPrice'), allowPartial },
        coldkey,
        rest,
      );
    },
    async removeStake(coldkey, hotkey, netuid, amount, options = {}) {
      const { limitPrice, allowPartial = false, ...rest } = options;
      const args = {
        hotkey: address(hotkey, 'hotkey'),
        netuid: u16(netuid, 'netuid'),
        amountUnstaked: rao(amount, 'amount'),
      };
      if (limitPrice === undefined) return send('subtensorModule', 'removeStake', args, coldkey, rest);
      return send(
        'subtensorModule',
        'removeStakeLimit',
        { ...args, limitPrice: rao(limitPrice, 'limitPrice'), allowPartial },
        coldkey,
        rest,
      );
    },
    async sudo(sudoKey, call, options) {
      const tx = await buildCall(conn(), 'sudo', 'sudo', { call });
      const r = await signAndSend(conn(), tx, sudoKey, options);
      const done = eventOf(r, 'sudo', 'Sudid') as { sudoResult: { ok?: unknown; err?: unknown } } | undefined;
      if (done?.sudoResult && 'err' in done.sudoResult) {
        const err = done.sudoResult.err as { Module?: { index: number; error: Uint8Array } } | string;
        if (typeof err === 'object' && err.Module) {
          const api = await conn().api();
          const m = api.registry.findMetaError({ index: new BN(err.Module.index), error: err.Module.error });
          throw new ExtrinsicFailedError(
            m.section.charAt(0).toUpperCase() + m.section.slice(1),
            m.name,
            `in sudo: ${m.docs.join(' ').trim()}`,
            { blockHash: r.blockHash!, fee: r.fee },
          );
        }
        throw new ExtrinsicFailedError(null, String(typeof err === 'object' ? Object.keys(err)[0] : err), 'in sudo', {
          blockHash: r.blockHash!,
          fee: r.fee,
        });
      }
      return r;
    },
  };
}
