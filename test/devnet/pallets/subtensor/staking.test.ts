/** SubtensorModule staking, epochs and emission on the devnet: start_call, stake through the pool, incentive and dividends as stake, limit orders, TAO injection. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAO, type Devnet } from '../../../../src/devnet/index.js';
import {
  bob,
  dave,
  minerHot,
  owner,
  ownerHot,
  alice,
  openDevnetApi,
  sendWith,
  type Signer,
  subnetStory,
} from '../../fixture.js';

let devnet: Devnet;
let api: any;
const send = (tx: any, signer: Signer = alice, options: Record<string, unknown> = {}) =>
  sendWith(api, tx, signer, options);

beforeAll(async () => {
  ({ devnet, api } = await openDevnetApi());
  await subnetStory(api, devnet, ['network', 'miners', 'admin']);
});

afterAll(async () => {
  await api?.disconnect();
  await devnet?.close();
});

describe('devnet SubtensorModule: staking and emission', () => {
  it('stakes through the pool, runs epochs every tempo, and pays incentive and dividends as stake', async () => {
    const st = (api.tx as any).subtensorModule;
    const admin = (api.tx as any).adminUtils;
    const q = (api.query as any).subtensorModule;
    // Staking needs start_call; only the owner may call it, once.
    expect((await send(st.addStake(ownerHot.address, 2, 10n * TAO), owner)).error).toBe(
      'subtensorModule.SubtokenDisabled',
    );
    expect((await send(st.startCall(2), bob)).error).toBe('subtensorModule.NotSubnetOwner');
    expect((await send(st.startCall(2), owner)).events).toContain('subtensorModule.FirstEmissionBlockNumberSet');
    expect((await send(st.startCall(2), owner)).error).toBe('subtensorModule.FirstEmissionBlockNumberAlreadySet');
    expect((await send(admin.sudoSetCommitRevealWeightsEnabled(2, false), owner)).error).toBeNull();
    // Stake: the validator (owner hotkey) gets 100 TAO, the miner 1 TAO.
    const staked = await send(st.addStake(ownerHot.address, 2, 100n * TAO), owner);
    expect(staked.events).toContain('subtensorModule.StakeAdded');
    expect((await send(st.addStake(minerHot.address, 2, TAO), bob)).error).toBeNull();
    expect((await send(st.addStake(minerHot.address, 2, 1000n), bob)).error).toBe('subtensorModule.AmountTooLow');
    expect((await send(st.addStake(dave.address, 2, TAO), bob)).error).toBe('subtensorModule.HotKeyAccountNotExists');
    const validatorAlpha = (await q.totalHotkeyAlpha(ownerHot.address, 2)).toBigInt();
    expect(validatorAlpha).toBeGreaterThan(0n);
    expect(validatorAlpha).toBeLessThan(1000n * TAO); // the pool's price moved
    // The validator weights miner uid 1 only; then a few tempos pass.
    expect((await send(st.setWeights(2, [1], [65535], 0), ownerHot)).error).toBeNull();
    const minerBefore = (await q.totalHotkeyAlpha(minerHot.address, 2)).toBigInt();
    const epochBefore = (await q.subnetEpochIndex(2)).toNumber();
    devnet.newBlock(45);
    expect((await q.subnetEpochIndex(2)).toNumber()).toBeGreaterThanOrEqual(epochBefore + 2);
    const permits = (await q.validatorPermit(2)).toJSON() as boolean[];
    expect(permits[0]).toBe(true);
    const incentive = (await q.incentive(2)).toJSON() as number[];
    const dividends = (await q.dividends(2)).toJSON() as number[];
    expect(incentive[1]).toBe(65535);
    expect(dividends[0]).toBe(65535);
    expect((await q.totalHotkeyAlpha(minerHot.address, 2)).toBigInt()).toBeGreaterThan(minerBefore);
    const lite = await api.call.neuronInfoRuntimeApi.getNeuronsLite(2);
    expect(lite[1].incentive.toNumber()).toBe(65535);
    expect(lite[0].validatorPermit.isTrue).toBe(true);
    // Unstake part of it back to TAO.
    const freeBefore: bigint = ((await (api.query as any).system.account(bob.address)) as any).data.free.toBigInt();
    const removed = await send(st.removeStake(minerHot.address, 2, 100_000_000n), bob);
    expect(removed.events).toContain('subtensorModule.StakeRemoved');
    expect(((await (api.query as any).system.account(bob.address)) as any).data.free.toBigInt()).toBeGreaterThan(
      freeBefore,
    );
    expect((await send(st.removeStake(minerHot.address, 2, 10_000n * TAO), bob)).error).toBe(
      'subtensorModule.NotEnoughStakeToWithdraw',
    );
  });

  it('set_mechanism_weights for mechanism 0; stake limit variants keep the price inside the limit', async () => {
    const st = (api.tx as any).subtensorModule;
    const admin = (api.tx as any).adminUtils;
    const q = (api.query as any).subtensorModule;
    expect((await send(admin.sudoSetCommitRevealWeightsEnabled(2, false), owner)).error).toBeNull();
    expect((await send(st.setMechanismWeights(2, 1, [1], [1], 0), ownerHot)).error).toBe(
      'subtensorModule.MechanismDoesNotExist',
    );
    const mw = await send(st.setMechanismWeights(2, 0, [1, 2], [1, 1], 0), ownerHot);
    expect(mw.error).toBeNull();
    expect(mw.events).toContain('subtensorModule.WeightsSet');
    const price = async () =>
      ((await q.subnetTAO(2)).toBigInt() * 1_000_000_000n) / (await q.subnetAlphaIn(2)).toBigInt();
    const p0 = await price();
    // A limit below the current price: refused, or nothing to do.
    expect((await send(st.addStakeLimit(minerHot.address, 2, TAO, p0 - 1n, false), bob)).error).toBe(
      'subtensorModule.SlippageTooHigh',
    );
    // A limit just above: a big order is refused whole, or filled partly up to the limit.
    const limit = p0 + p0 / 100n;
    expect((await send(st.addStakeLimit(minerHot.address, 2, 1000n * TAO, limit, false), bob)).error).toBe(
      'subtensorModule.SlippageTooHigh',
    );
    const partial = await send(st.addStakeLimit(minerHot.address, 2, 1000n * TAO, limit, true), bob);
    expect(partial.error).toBeNull();
    const p1 = await price();
    expect(p1).toBeGreaterThan(p0);
    expect(p1).toBeLessThanOrEqual(limit);
    // Unstaking with a floor: partial fills stop at the floor.
    const floor = p1 - p1 / 200n;
    const held = (await q.totalHotkeyAlpha(minerHot.address, 2)).toBigInt();
    expect((await send(st.removeStakeLimit(minerHot.address, 2, held, floor, false), bob)).error).toBe(
      'subtensorModule.SlippageTooHigh',
    );
    expect((await send(st.removeStakeLimit(minerHot.address, 2, held, floor, true), bob)).error).toBeNull();
    expect(await price()).toBeGreaterThanOrEqual(floor);
  });

  it("injects each block's TAO emission into the started pools, split by price, at the pool price", async () => {
    const call = (api.call as any).subnetInfoRuntimeApi;
    const q = (api.query as any).subtensorModule;
    const pools = async () => {
      const out = new Map<number, { tao: bigint; alpha: bigint }>();
      for (const d of await call.getAllDynamicInfo()) {
        if (d.isNone) continue;
        const x = d.unwrap();
        out.set(x.netuid.toNumber(), { tao: x.taoIn.toBigInt(), alpha: x.alphaIn.toBigInt() });
      }
      return out;
    };
    const before = await pools();
    const issuance = (await q.totalIssuance()).toBigInt();
    devnet.newBlock(1);
    const after = await pools();
    let injected = 0n;
    for (const [netuid, b] of before) {
      const d = (await call.getDynamicInfo(netuid)).unwrap();
      const taoIn = d.taoInEmission.toBigInt();
      const a = after.get(netuid)!;
      expect(a.tao - b.tao).toBe(taoIn);
      expect(a.alpha - b.alpha).toBe(d.alphaInEmission.toBigInt());
      // At the pool's price: tao/alpha unchanged to within the rounding of one injection.
      if (taoIn > 0n)
        expect(
          Math.abs(Number(a.tao) / Number(a.alpha) - Number(b.tao) / Number(b.alpha)) /
            (Number(b.tao) / Number(b.alpha)),
        ).toBeLessThan(1e-9);
      injected += taoIn;
    }
    // 1 TAO per block below 10.5M TAO issued, apportioned (floored) across subnets; the issuance grows by it.
    expect(injected).toBeGreaterThan(TAO - 10n);
    expect(injected).toBeLessThanOrEqual(TAO);
    expect((await q.totalIssuance()).toBigInt()).toBe(issuance + injected);
  });
});
