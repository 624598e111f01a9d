/** The runtime APIs the devnet answers from storage after a subnet has lived a while: hyperparameters, subnet and dynamic info, metagraphs, stake, swap, delegates, registration cost. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAO, type Devnet } from '../../src/devnet/index.js';
import {
  bob,
  dave,
  keyring,
  minerHot,
  owner,
  ownerHot,
  alice,
  openDevnetApi,
  sendWith,
  type Signer,
  subnetStory,
} from './fixture.js';

let devnet: Devnet;
let api: any;
const send = (tx: any, signer: Signer = alice, options: Record<string, unknown> = {}) =>
  sendWith(api, tx, signer, options);

beforeAll(async () => {
  ({ devnet, api } = await openDevnetApi());
  await subnetStory(api, devnet, ['network', 'miners', 'axon', 'weights', 'admin', 'stake', 'commitReveal']);
});

afterAll(async () => {
  await api?.disconnect();
  await devnet?.close();
});

describe('devnet runtime APIs', () => {
  it('answers get_subnet_hyperparams_v2 and get_stake_info_for_coldkey from storage', async () => {
    const hp = (await api.call.subnetInfoRuntimeApi.getSubnetHyperparamsV2(2)).unwrap();
    expect(hp.tempo.toNumber()).toBe(20);
    expect(hp.maxValidators.toNumber()).toBe(64);
    expect(hp.commitRevealWeightsEnabled.isTrue).toBe(true);
    expect(hp.yumaVersion.toNumber()).toBe(3);
    expect(hp.subnetIsActive.isTrue).toBe(true);
    expect((await api.call.subnetInfoRuntimeApi.getSubnetHyperparamsV2(99)).isNone).toBe(true);
    const stakes = await api.call.stakeInfoRuntimeApi.getStakeInfoForColdkey(bob.address);
    const miner = stakes.find((x: any) => x.hotkey.toString() === minerHot.address);
    expect(miner.netuid.toNumber()).toBe(2);
    expect(miner.stake.toBigInt()).toBe(
      (await (api.query as any).subtensorModule.totalHotkeyAlpha(minerHot.address, 2)).toBigInt(),
    );
    expect(miner.isRegistered.isTrue).toBe(true);
    expect((await api.call.stakeInfoRuntimeApi.getStakeInfoForColdkey(dave.address)).length).toBe(0);
  });

  it('answers get_subnet_hyperparams_v3, get_dynamic_info and get_subnet_state from storage', async () => {
    const call = (api.call as any).subnetInfoRuntimeApi;
    const q = (api.query as any).subtensorModule;
    const v3 = (await call.getSubnetHyperparamsV3(2)).unwrap();
    const names = v3.map((e: any) => Buffer.from(e.name.toU8a(true)).toString());
    expect(names.slice(0, 5)).toEqual([
      'kappa',
      'immunity_period',
      'min_allowed_weights',
      'max_weights_limit',
      'tempo',
    ]);
    expect(names.at(-1)).toBe('owner_cut_enabled');
    expect(v3[4].value.asU16.toNumber()).toBe(20);
    expect((await call.getSubnetHyperparamsV3(99)).isNone).toBe(true);
    const dyn = (await call.getDynamicInfo(2)).unwrap();
    expect(dyn.ownerColdkey.toString()).toBe(owner.address);
    expect(dyn.taoIn.toBigInt()).toBe((await q.subnetTAO(2)).toBigInt());
    expect(dyn.alphaIn.toBigInt()).toBe((await q.subnetAlphaIn(2)).toBigInt());
    expect(dyn.subnetVolume.toBigInt()).toBeGreaterThan(0n);
    expect(dyn.alphaOutEmission.toBigInt()).toBeGreaterThan(0n);
    const state = (await call.getSubnetState(2)).unwrap();
    const n = (await q.subnetworkN(2)).toNumber();
    expect(state.hotkeys.length).toBe(n);
    expect(state.hotkeys[1].toString()).toBe(minerHot.address);
    expect(state.alphaStake[1].toBigInt()).toBe((await q.totalHotkeyAlpha(minerHot.address, 2)).toBigInt());
    expect((await call.getSubnetState(99)).isNone).toBe(true);
    // Subnet info (v1 and v2) and the v1 hyperparameters, which Python's older calls use.
    const info = (await call.getSubnetInfoV2(2)).unwrap();
    expect(info.subnetworkN.toNumber()).toBe(n);
    expect(info.owner.toString()).toBe(owner.address);
    expect(info.burn.toBigInt()).toBe((await q.burn(2)).toBigInt());
    expect(info.identity.isNone).toBe(true);
    expect((await call.getSubnetInfo(2)).unwrap().maxAllowedUids.toNumber()).toBe(
      (await q.maxAllowedUids(2)).toNumber(),
    );
    expect((await call.getSubnetInfo(99)).isNone).toBe(true);
    const infos = await call.getSubnetsInfoV2();
    expect(infos.length).toBe((await q.totalNetworks()).toNumber());
    expect(infos[2].unwrap().toHex()).toBe(info.toHex());
    const v1 = (await call.getSubnetHyperparams(2)).unwrap();
    const v2 = (await call.getSubnetHyperparamsV2(2)).unwrap();
    expect([v1.tempo.toNumber(), v1.kappa.toNumber(), v1.maxBurn.toBigInt()]).toEqual([
      v2.tempo.toNumber(),
      v2.kappa.toNumber(),
      v2.maxBurn.toBigInt(),
    ]);
  });

  it('answers get_metagraph, get_selective_metagraph, the mechagraph forms, get_all_* and get_next_epoch_start_block', async () => {
    const call = (api.call as any).subnetInfoRuntimeApi;
    const q = (api.query as any).subtensorModule;
    // One more epoch so the validators' dividends of the last one are recorded.
    const e0 = (await q.subnetEpochIndex(2)).toNumber();
    while ((await q.subnetEpochIndex(2)).toNumber() === e0) devnet.newBlock(1);
    const header = await api.rpc.chain.getHeader();
    const mg = (await call.getMetagraph(2)).unwrap();
    const state = (await call.getSubnetState(2)).unwrap();
    const n = (await q.subnetworkN(2)).toNumber();
    expect(mg.netuid.toNumber()).toBe(2);
    expect(mg.block.toNumber()).toBe(header.number.toNumber());
    expect(mg.numUids.toNumber()).toBe(n);
    expect(mg.maxUids.toNumber()).toBe((await q.maxAllowedUids(2)).toNumber());
    expect(mg.tempo.toNumber()).toBe((await q.tempo(2)).toNumber());
    expect(mg.burn.toBigInt()).toBe((await q.burn(2)).toBigInt());
    expect(mg.ownerColdkey.toString()).toBe(owner.address);
    expect(mg.taoIn.toBigInt()).toBe((await q.subnetTAO(2)).toBigInt());
    expect(mg.hotkeys.map(String)).toEqual(state.hotkeys.map(String));
    expect(mg.coldkeys.map(String)).toEqual(state.coldkeys.map(String));
    expect(mg.alphaStake.map((x: any) => x.toBigInt())).toEqual(state.alphaStake.map((x: any) => x.toBigInt()));
    expect(mg.incentives.map((x: any) => x.toNumber())).toEqual(state.incentives.map((x: any) => x.toNumber()));
    expect(mg.axons.length).toBe(n);
    const axon = (await q.axons(2, minerHot.address)).unwrap();
    expect(mg.axons[1].port.toNumber()).toBe(axon.port.toNumber());
    expect(mg.axons[1].ip.toBigInt()).toBe(axon.ip.toBigInt());
    // Dividends paid to each hotkey in the last epoch, as AlphaDividendsPerSubnet holds them.
    const divs = mg.alphaDividendsPerHotkey.map(([hk, v]: any) => [hk.toString(), v.toBigInt()]);
    expect(divs.map((d: any) => d[0])).toEqual(state.hotkeys.map(String));
    for (const [hk, v] of divs) expect(v).toBe((await q.alphaDividendsPerSubnet(2, hk)).toBigInt());
    expect(divs.some((d: any) => d[1] > 0n)).toBe(true);
    expect((await call.getMetagraph(99)).isNone).toBe(true);

    // Selective: netuid always, then only the positions asked for (5 owner hotkey, 52 hotkeys, 72 validators).
    const sel = (await call.getSelectiveMetagraph(2, [5, 52, 72, 500])).unwrap();
    expect(sel.netuid.toNumber()).toBe(2);
    expect(sel.ownerHotkey.unwrap().toString()).toBe(mg.ownerHotkey.toString());
    expect(sel.hotkeys.unwrap().map(String)).toEqual(mg.hotkeys.map(String));
    const permits = (await q.validatorPermit(2)).toJSON() as boolean[];
    expect(sel.validators.unwrap().map((u: any) => u.toNumber())).toEqual(
      permits.flatMap((p, uid) => (p ? [uid] : [])),
    );
    expect(sel.name.isNone && sel.block.isNone && sel.axons.isNone && sel.commitments.isNone).toBe(true);
    expect((await call.getSelectiveMetagraph(99, [1])).isNone).toBe(true);

    // One mechanism per subnet on the devnet: mecid 0 is the metagraph, others are None.
    expect((await call.getMechagraph(2, 0)).unwrap().toHex()).toBe(mg.toHex());
    expect((await call.getMechagraph(2, 1)).isNone).toBe(true);
    expect((await call.getSelectiveMechagraph(2, 0, [52])).unwrap().hotkeys.unwrap().length).toBe(n);
    const all = await call.getAllMetagraphs();
    const added = ((await q.totalNetworks()) as any).toNumber();
    expect(all.length).toBe(added);
    expect(all[2].unwrap().toHex()).toBe(mg.toHex());
    expect((await call.getAllDynamicInfo()).length).toBe(added);
    const next = (await call.getNextEpochStartBlock(2)).unwrap().toNumber();
    expect(next).toBe((await q.lastEpochBlock(2)).toNumber() + (await q.tempo(2)).toNumber());
    expect((await call.getNextEpochStartBlock(99)).isNone).toBe(true);
  });

  it('answers the stake, swap, delegate and registration-cost runtime APIs, and the chain then does what they said', async () => {
    const call = api.call as any;
    const q = (api.query as any).subtensorModule;
    // Stake info, three ways.
    const bobs = await call.stakeInfoRuntimeApi.getStakeInfoForColdkey(bob.address);
    expect(bobs.length).toBeGreaterThan(0);
    const both = await call.stakeInfoRuntimeApi.getStakeInfoForColdkeys([bob.address, dave.address]);
    expect(both.map(([c]: any) => c.toString())).toEqual([bob.address, dave.address]);
    expect(both[0][1].toHex()).toBe(bobs.toHex());
    expect(both[1][1].length).toBe(0);
    const one = (
      await call.stakeInfoRuntimeApi.getStakeInfoForHotkeyColdkeyNetuid(minerHot.address, bob.address, 2)
    ).unwrap();
    expect(one.stake.toBigInt()).toBe(
      bobs.find((i: any) => i.hotkey.toString() === minerHot.address && i.netuid.toNumber() === 2).stake.toBigInt(),
    );
    // No stake: Some, with zero stake, as the chain answers (the Python SDK does not handle None here).
    const none = await call.stakeInfoRuntimeApi.getStakeInfoForHotkeyColdkeyNetuid(minerHot.address, dave.address, 2);
    expect(none.isSome).toBe(true);
    expect(none.unwrap().stake.toBigInt()).toBe(0n);

    // Prices: rao per alpha from the pool; root is 1 TAO.
    const price = (await call.swapRuntimeApi.currentAlphaPrice(2)).toBigInt();
    expect(price).toBe(((await q.subnetTAO(2)).toBigInt() * TAO) / (await q.subnetAlphaIn(2)).toBigInt());
    expect((await call.swapRuntimeApi.currentAlphaPrice(0)).toBigInt()).toBe(TAO);
    const all = await call.swapRuntimeApi.currentAlphaPriceAll();
    expect(all.find((p: any) => p.netuid.toNumber() === 2).price.toBigInt()).toBe(price);

    // A simulated swap, then the real one in the next block: the same amounts.
    const stakeAmount = 7n * TAO;
    const sim = await call.swapRuntimeApi.simSwapTaoForAlpha(2, stakeAmount);
    expect(
      (
        await call.stakeInfoRuntimeApi.getStakeFee(null, bob.address, [minerHot.address, 2], bob.address, stakeAmount)
      ).toBigInt(),
    ).toBe(sim.taoFee.toBigInt());
    expect(
      (
        await call.stakeInfoRuntimeApi.getStakeFee(
          [minerHot.address, 2],
          bob.address,
          [minerHot.address, 2],
          bob.address,
          stakeAmount,
        )
      ).toBigInt(),
    ).toBe(0n);
    const alphaBefore: bigint = (await q.totalHotkeyAlpha(minerHot.address, 2)).toBigInt();
    expect(
      (await send((api.tx as any).subtensorModule.addStake(minerHot.address, 2, stakeAmount), bob)).error,
    ).toBeNull();
    const gained: bigint = (await q.totalHotkeyAlpha(minerHot.address, 2)).toBigInt() - alphaBefore;
    // The add landed in a block whose on_initialize injected TAO and alpha at the pool price first; allow that drift.
    const rel = (a: bigint, b: bigint) => Math.abs(Number(a - b)) / Number(b);
    expect(rel(gained, sim.alphaAmount.toBigInt())).toBeLessThan(1e-4);
    expect(sim.alphaSlippage.toBigInt()).toBeGreaterThan(0n);
    const simOut = await call.swapRuntimeApi.simSwapAlphaForTao(2, gained / 2n);
    const freeBefore: bigint = ((await (api.query as any).system.account(bob.address)) as any).data.free.toBigInt();
    const unstake = await send((api.tx as any).subtensorModule.removeStake(minerHot.address, 2, gained / 2n), bob);
    expect(unstake.error).toBeNull();
    const received: bigint =
      ((await (api.query as any).system.account(bob.address)) as any).data.free.toBigInt() -
      freeBefore +
      BigInt(unstake.fee);
    expect(rel(received, simOut.taoAmount.toBigInt())).toBeLessThan(1e-4);

    // Delegates: every owned hotkey, with its nominators and registrations.
    const d = (await call.delegateInfoRuntimeApi.getDelegate(minerHot.address)).unwrap();
    expect(d.ownerSs58.toString()).toBe(bob.address);
    expect(d.take.toNumber()).toBe(11_796);
    expect(d.registrations.map((n: any) => n.toNumber())).toContain(2);
    const nominator = d.nominators.find(([c]: any) => c.toString() === bob.address);
    expect(nominator[1].find(([n]: any) => n.toNumber() === 2)[1].toBigInt()).toBe(
      (await call.stakeInfoRuntimeApi.getStakeInfoForHotkeyColdkeyNetuid(minerHot.address, bob.address, 2))
        .unwrap()
        .stake.toBigInt(),
    );
    expect((await call.delegateInfoRuntimeApi.getDelegate(keyring.addFromUri('//Nobody').address)).isNone).toBe(true);
    const delegatesAll = await call.delegateInfoRuntimeApi.getDelegates();
    expect(delegatesAll.map((x: any) => x.delegateSs58.toString())).toContain(ownerHot.address);
    const mine = await call.delegateInfoRuntimeApi.getDelegated(bob.address);
    expect(
      mine.some(
        ([info, [netuid]]: any) => info.delegateSs58.toString() === minerHot.address && netuid.toNumber() === 2,
      ),
    ).toBe(true);

    // The registration cost is the lock the next register_network takes.
    const cost = (await call.subnetRegistrationRuntimeApi.getNetworkRegistrationCost()).toBigInt();
    const hot = keyring.addFromUri('//Charlie//hot-cost');
    const r = await send((api.tx as any).subtensorModule.registerNetwork(hot.address), owner);
    expect(r.error).toBeNull();
    const netuid = (await q.totalNetworks()).toNumber() - 1;
    expect((await q.subnetOwnerHotkey(netuid)).toString()).toBe(hot.address);
    expect((await q.subnetLocked(netuid)).toBigInt()).toBe(cost);
  });
});
