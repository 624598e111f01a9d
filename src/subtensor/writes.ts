/**
 * The writes a subnet needs, each signed by the key Python signs it with (hotkey: weights and serving; coldkey:
 * transfers, registration and staking) and returning a {@link Receipt} or throwing a typed error.
 */
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { BN } from '@polkadot/util';
import { ipToInt } from '../axon/index.js';
import type { Connection } from './connection.js';
import { ExtrinsicFailedError, SubtensorError } from './errors.js';
import { addressOf, signAndSend, type Receipt, type SendOptions, type Signer } from './tx.js';
import { buildCall, readStorage } from './typed.js';
import { address, rao, u16 } from './args.js';
import { setWeights, type SetWeightsOptions, type WeightsReceipt } from './set-weights.js';

export type { SetWeightsOptions, WeightsReceipt } from './set-weights.js';
export { revealRoundFor } from './set-weights.js';

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

function eventOf(r: Receipt, pallet: string, name: string): unknown {
  return r.events.find((e) => e.pallet === pallet && e.name === name)?.data;
}

/** The writes over a connection. */
export function createWrites(conn: () => Connection): Writes {
  // over 80 lines by design: a table of the pallet's calls, one short entry each, over the same send and read.
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
    setWeights: (hotkey, netuid, uids, weights, options = {}) =>
      setWeights({ conn, send, read }, hotkey, netuid, uids, weights, options),
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
