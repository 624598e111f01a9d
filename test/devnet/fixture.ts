/**
 * What the devnet's tests share: a devnet with @polkadot/api connected over a real WebSocket, a `send` that reports
 * statuses, events, the module error and the fee, the accounts of the subnet story, and the story itself — the state
 * a subnet reaches step by step (registered, miners, an axon, weights, admin settings, stake and epochs,
 * commit-reveal), so that each pallet's tests start from the state they need.
 */
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { TAO, startDevnet, type Devnet } from '../../src/devnet/index.js';
import { weightCommitHash } from '../../src/devnet/pallets/subtensor/commit-reveal.js';

const EMPTY = { extrinsic: {}, payload: {} };
export const signedExtensions = {
  SudoTransactionExtension: EMPTY,
  CheckShieldedTxValidity: EMPTY,
  SubtensorTransactionExtension: EMPTY,
  DrandPriority: EMPTY,
};

export const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
export const alice = keyring.addFromUri('//Alice');
export const bob = keyring.addFromUri('//Bob');
export const dave = keyring.addFromUri('//Dave');
/** The subnet owner of the story, its hotkey (uid 0), and two miners (uids 1 and 2). */
export const owner = keyring.addFromUri('//Charlie');
export const ownerHot = keyring.addFromUri('//Charlie//hot');
export const minerHot = keyring.addFromUri('//Bob//miner');
export const miner2Hot = keyring.addFromUri('//Bob//miner2');

export type Signer = ReturnType<Keyring['addFromUri']>;
/** What `send` resolves with: the statuses seen, the call's own events, the module error (or null), the fee. */
export interface Sent {
  statuses: string[];
  events: string[];
  error: string | null;
  fee: bigint;
}
export type Send = (tx: any, signer?: Signer, options?: Record<string, unknown>) => Promise<Sent>;

/** Signs and sends `tx`, and resolves once it is finalized. */
export function sendWith(api: any, tx: any, signer: Signer = alice, options: Record<string, unknown> = {}) {
  return new Promise<Sent>((resolve, reject) => {
    const statuses: string[] = [];
    tx.signAndSend(signer, options, (res: any) => {
      statuses.push(res.status.type);
      if (!res.status.isFinalized) return;
      let error: string | null = null;
      if (res.dispatchError) {
        error = res.dispatchError.isModule
          ? (() => {
              const m = api.registry.findMetaError(res.dispatchError!.asModule);
              return `${m.section}.${m.name}`;
            })()
          : res.dispatchError.type;
      }
      // Fee events (charged on almost every call) are reported apart, so call events read as the call's own.
      const all = res.events.map((e: any) => `${e.event.section}.${e.event.method}`);
      const paid = res.events.find((e: any) => e.event.method === 'TransactionFeePaid');
      resolve({
        statuses,
        events: all.filter((e: string) => e !== 'balances.Withdraw' && e !== 'transactionPayment.TransactionFeePaid'),
        error,
        fee: paid ? paid.event.data[1].toBigInt() : 0n,
      });
    }).catch(reject);
  });
}

/** A devnet on a free port with @polkadot/api connected to it. */
export async function openDevnetApi(): Promise<{ devnet: Devnet; api: any }> {
  const devnet = await startDevnet({ port: 0 });
  const api = await ApiPromise.create({ provider: new WsProvider(devnet.url), noInitWarn: true, signedExtensions });
  return { devnet, api };
}

/** The steps of the subnet story, in the order they build on each other. */
export type StoryStep = 'network' | 'miners' | 'axon' | 'weights' | 'admin' | 'stake' | 'commitReveal';

/** Runs the story's steps on subnet 2 (the first subnet registered after genesis); any failed call throws. */
export async function subnetStory(api: any, devnet: Devnet, steps: readonly StoryStep[]): Promise<void> {
  const st = api.tx.subtensorModule;
  const admin = api.tx.adminUtils;
  const q = api.query.subtensorModule;
  const ok = async (tx: any, signer: Signer, what: string) => {
    const r = await sendWith(api, tx, signer);
    if (r.error) throw new Error(`subnet story, ${what}: ${r.error}`);
  };
  const nextEpoch = async () => {
    const epoch = (await q.subnetEpochIndex(2)).toNumber();
    while ((await q.subnetEpochIndex(2)).toNumber() === epoch) devnet.newBlock(1);
  };
  const run: Record<StoryStep, () => Promise<void>> = {
    network: () => ok(st.registerNetwork(ownerHot.address), owner, 'register_network'),
    miners: async () => {
      await ok(st.burnedRegister(2, minerHot.address), bob, 'burned_register (miner)');
      await ok(st.burnedRegister(2, miner2Hot.address), alice, 'burned_register (miner 2)');
    },
    axon: () => ok(st.serveAxon(2, 10002000, 0x0a000001, 8091, 4, 4, 3, 1), minerHot, 'serve_axon'),
    weights: () => ok(st.setWeights(2, [1, 2], [1, 3], 0), ownerHot, 'set_weights'),
    admin: async () => {
      await ok(api.tx.sudo.sudo(admin.sudoSetWeightsSetRateLimit(2, 0)), alice, 'weights rate limit 0');
      await ok(admin.sudoSetCommitRevealWeightsEnabled(2, true), owner, 'commit-reveal on');
      await ok(api.tx.sudo.sudo(admin.sudoSetTempo(2, 20)), alice, 'tempo 20');
    },
    stake: async () => {
      await ok(st.startCall(2), owner, 'start_call');
      await ok(admin.sudoSetCommitRevealWeightsEnabled(2, false), owner, 'commit-reveal off');
      await ok(st.addStake(ownerHot.address, 2, 100n * TAO), owner, 'add_stake (validator)');
      await ok(st.addStake(minerHot.address, 2, TAO), bob, 'add_stake (miner)');
      await ok(st.setWeights(2, [1], [65535], 0), ownerHot, 'set_weights (validator)');
      devnet.newBlock(45);
      await ok(st.removeStake(minerHot.address, 2, 100_000_000n), bob, 'remove_stake');
    },
    commitReveal: async () => {
      const salt = [9, 8, 7];
      const hash = weightCommitHash({ registry: api.registry }, ownerHot.address, 2, [1, 2], [100, 50], salt, 0n);
      await ok(admin.sudoSetCommitRevealWeightsEnabled(2, true), owner, 'commit-reveal on');
      await ok(st.commitWeights(2, hash), ownerHot, 'commit_weights');
      await nextEpoch();
      await ok(st.revealWeights(2, [1, 2], [100, 50], salt, 0), ownerHot, 'reveal_weights');
    },
  };
  for (const step of steps) await run[step]();
}
