/** SubtensorModule registration on the devnet: register_network, burned_register, the burn price, pruning a full subnet (and transfer_all). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAO, type Devnet } from '../../../../src/devnet/index.js';
import {
  bob,
  keyring,
  miner2Hot,
  minerHot,
  owner,
  ownerHot,
  alice,
  openDevnetApi,
  sendWith,
  type Signer,
} from '../../fixture.js';

let devnet: Devnet;
let api: any;
const send = (tx: any, signer: Signer = alice, options: Record<string, unknown> = {}) =>
  sendWith(api, tx, signer, options);

beforeAll(async () => {
  ({ devnet, api } = await openDevnetApi());
});

afterAll(async () => {
  await api?.disconnect();
  await devnet?.close();
});

describe('devnet SubtensorModule: registration', () => {
  it('registers a network: lock cost charged, owner hotkey at uid 0, new-subnet hyperparameters', async () => {
    const before = ((await (api.query as any).system.account(owner.address)) as any).data.free.toBigInt();
    const r = await send((api.tx as any).subtensorModule.registerNetwork(ownerHot.address), owner);
    expect(r.error).toBeNull();
    expect(r.events).toEqual([
      'subtensorModule.NetworkAdded',
      'subtensorModule.NeuronRegistered',
      'system.ExtrinsicSuccess',
    ]);
    const after = ((await (api.query as any).system.account(owner.address)) as any).data.free.toBigInt();
    expect(before - after).toBe(1000n * TAO + r.fee);
    const q = (api.query as any).subtensorModule;
    expect((await q.networksAdded(2)).isTrue).toBe(true);
    expect((await q.subnetOwner(2)).toString()).toBe(owner.address);
    expect((await q.keys(2, 0)).toString()).toBe(ownerHot.address);
    expect((await q.tempo(2)).toNumber()).toBe(10);
    expect((await q.maxAllowedValidators(2)).toNumber()).toBe(64);
    expect((await q.burn(2)).toBigInt()).toBe(TAO);
    expect((await q.commitRevealWeightsEnabled(2)).isTrue).toBe(false);
  });

  it('burned_register assigns the next uid, charges the burn, and refuses duplicates and unknown subnets', async () => {
    const r = await send((api.tx as any).subtensorModule.burnedRegister(2, minerHot.address), bob);
    expect(r.error).toBeNull();
    expect(r.events).toContain('subtensorModule.NeuronRegistered');
    const q = (api.query as any).subtensorModule;
    expect((await q.uids(2, minerHot.address)).unwrap().toNumber()).toBe(1);
    expect((await q.subnetworkN(2)).toNumber()).toBe(2);
    expect((await q.owner(minerHot.address)).toString()).toBe(bob.address);
    expect((await send((api.tx as any).subtensorModule.burnedRegister(2, minerHot.address), bob)).error).toBe(
      'subtensorModule.HotKeyAlreadyRegisteredInSubNet',
    );
    expect((await send((api.tx as any).subtensorModule.burnedRegister(77, miner2Hot.address), bob)).error).toBe(
      'subtensorModule.SubnetNotExists',
    );
    expect((await send((api.tx as any).subtensorModule.burnedRegister(0, miner2Hot.address), bob)).error).toBe(
      'subtensorModule.RegistrationNotPermittedOnRootSubnet',
    );
    expect((await send((api.tx as any).subtensorModule.burnedRegister(2, minerHot.address), alice)).error).toBe(
      'subtensorModule.HotKeyAlreadyRegisteredInSubNet',
    );
    expect((await send((api.tx as any).subtensorModule.burnedRegister(2, miner2Hot.address), alice)).error).toBeNull();
  });

  it('burn rises ×1.26 per registration and decays with its half-life; serve_prometheus; transfer_all', async () => {
    const st = (api.tx as any).subtensorModule;
    const q = (api.query as any).subtensorModule;
    const before = (await q.burn(2)).toBigInt();
    const hk = keyring.addFromUri('//Eve//hk');
    const eve = keyring.addFromUri('//Eve');
    const r = await send(st.burnedRegister(2, hk.address), eve);
    expect(r.error).toBeNull();
    const raised = (await q.burn(2)).toBigInt();
    // One block of decay happened before the registration (≈0.19 %), then ×1.26.
    expect(Number(raised) / Number(before)).toBeGreaterThan(1.25);
    expect(Number(raised) / Number(before)).toBeLessThan(1.27);
    devnet.newBlock(360);
    expect(Number((await q.burn(2)).toBigInt()) / Number(raised)).toBeCloseTo(0.5, 2);
    const p = await send(st.servePrometheus(2, 1, 0x0a000003, 9100, 4), hk);
    expect(p.events).toContain('subtensorModule.PrometheusServed');
    expect((await q.prometheus(2, hk.address)).unwrap().port.toNumber()).toBe(9100);
    expect((await send(st.servePrometheus(2, 1, 0, 9100, 4), minerHot)).error).toBe('subtensorModule.InvalidIpAddress');
    const spare = keyring.addFromUri('//Eve//spare');
    expect((await send((api.tx as any).balances.transferKeepAlive(spare.address, 3n * TAO), eve)).error).toBeNull();
    const all = await send((api.tx as any).balances.transferAll(bob.address, true), spare);
    expect(all.error).toBeNull();
    expect(((await (api.query as any).system.account(spare.address)) as any).data.free.toBigInt()).toBe(500n);
  });

  it('prunes the lowest-emission, oldest uid when a subnet is full; never the owner; NoNeuronIdAvailable when only it is left', async () => {
    const st = (api.tx as any).subtensorModule;
    const admin = (api.tx as any).adminUtils;
    const q = (api.query as any).subtensorModule;
    const hot3 = keyring.addFromUri('//Charlie//hot3');
    expect((await send(st.registerNetwork(hot3.address), owner)).error).toBeNull();
    const netuid = 3;
    expect((await send(admin.sudoSetMaxAllowedUids(netuid, 1), owner)).error).toBeNull();
    expect((await send(st.burnedRegister(netuid, keyring.addFromUri('//Bob//p0').address), bob)).error).toBe(
      'subtensorModule.NoNeuronIdAvailable',
    );
    expect((await send(admin.sudoSetMaxAllowedUids(netuid, 3), owner)).error).toBeNull();
    const [a, b, c] = ['//Bob//p1', '//Bob//p2', '//Bob//p3'].map((u) => keyring.addFromUri(u));
    expect((await send(st.burnedRegister(netuid, a!.address), bob)).error).toBeNull();
    expect((await send(st.burnedRegister(netuid, b!.address), bob)).error).toBeNull();
    expect((await q.subnetworkN(netuid)).toNumber()).toBe(3);
    const r = await send(st.burnedRegister(netuid, c!.address), bob);
    expect(r.error).toBeNull();
    expect(r.events).toContain('subtensorModule.NeuronRegistered');
    expect((await q.subnetworkN(netuid)).toNumber()).toBe(3);
    expect((await q.keys(netuid, 0)).toString()).toBe(hot3.address); // the owner stays
    expect((await q.keys(netuid, 1)).toString()).toBe(c!.address); // uid 1 (oldest, no emission) was replaced
    expect((await q.uids(netuid, a!.address)).isNone).toBe(true);
    expect((await q.keys(netuid, 2)).toString()).toBe(b!.address);
  });
});
