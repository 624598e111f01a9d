/** SubtensorModule serve_axon and set_weights on the devnet, and the neuron info they produce. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '../../../../src/devnet/index.js';
import {
  bob,
  dave,
  miner2Hot,
  minerHot,
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
  await subnetStory(api, devnet, ['network', 'miners']);
});

afterAll(async () => {
  await api?.disconnect();
  await devnet?.close();
});

describe('devnet SubtensorModule: serving and weights', () => {
  it('serve_axon stores AxonInfo signed by the hotkey, validates it, and rate-limits it', async () => {
    const tx = (ip: bigint | number, port: number, ipType = 4) =>
      (api.tx as any).subtensorModule.serveAxon(2, 10002000, ip, port, ipType, 4, 3, 1);
    const r = await send(tx(0x0a000001, 8091), minerHot);
    expect(r.error).toBeNull();
    expect(r.events).toContain('subtensorModule.AxonServed');
    const info = (await (api.query as any).subtensorModule.axons(2, minerHot.address)).unwrap();
    expect(info.ip.toBigInt()).toBe(0x0a000001n);
    expect(info.port.toNumber()).toBe(8091);
    expect(info.placeholder1.toNumber()).toBe(3);
    expect((await send(tx(0x0a000002, 8092), minerHot)).error).toBe('subtensorModule.ServingRateLimitExceeded');
    expect((await send(tx(0x0a000001, 0), miner2Hot)).error).toBe('subtensorModule.InvalidPort');
    expect((await send(tx(0x0a000001, 80, 5), miner2Hot)).error).toBe('subtensorModule.InvalidIpType');
    expect((await send(tx(0xffffffff, 80), miner2Hot)).error).toBe('subtensorModule.InvalidIpAddress');
    expect((await send(tx(0x0a000001, 80), dave)).error).toBe('subtensorModule.HotKeyNotRegisteredInNetwork');
  });

  it('set_weights runs the checks in order and stores max-upscaled u16 weights', async () => {
    const sw = (uids: number[], w: number[], key = 0, netuid = 2) =>
      (api.tx as any).subtensorModule.setWeights(netuid, uids, w, key);
    // The owner hotkey may set weights without a validator permit.
    const r = await send(sw([1, 2], [1, 3]), ownerHot);
    expect(r.error).toBeNull();
    expect(r.events).toEqual(['subtensorModule.WeightsSet', 'system.ExtrinsicSuccess']);
    const stored = (await (api.query as any).subtensorModule.weights(2, 0)).toJSON();
    expect(stored).toEqual([
      [1, 21845],
      [2, 65535],
    ]);
    expect((await send(sw([1], [1]), ownerHot)).error).toBe('subtensorModule.SettingWeightsTooFast');
    expect((await send(sw([0, 1], [1]), minerHot)).error).toBe('subtensorModule.WeightVecNotEqualSize');
    expect((await send(sw([0], [1], 0, 0), minerHot)).error).toBe('subtensorModule.CanNotSetRootNetworkWeights');
    expect((await send(sw([0, 2], [1, 1]), minerHot)).error).toBe('subtensorModule.NeuronNoValidatorPermit');
    expect((await send(sw([1], [5]), minerHot)).error).toBeNull(); // a single self-weight needs no permit
    expect((await send(sw([0], [1]), dave)).error).toBe('subtensorModule.HotKeyNotRegisteredInSubNet');
    expect((await send(sw([0, 1, 2, 3], [1, 1, 1, 1]), miner2Hot)).error).toBe(
      'subtensorModule.UidsLengthExceedUidsInSubNet',
    );
  });

  it('answers NeuronInfoRuntimeApi from storage, and the custom neuronInfo RPC with the same bytes', async () => {
    const lite = await api.call.neuronInfoRuntimeApi.getNeuronsLite(2);
    expect(lite.length).toBe(3);
    expect(lite.map((n: any) => n.uid.toNumber())).toEqual([0, 1, 2]);
    expect(lite[0].hotkey.toString()).toBe(ownerHot.address);
    expect(lite[1].coldkey.toString()).toBe(bob.address);
    expect(lite[1].axonInfo.port.toNumber()).toBe(8091);
    expect(lite[0].lastUpdate.toNumber()).toBeGreaterThan(0);
    const full = (await api.call.neuronInfoRuntimeApi.getNeuron(2, 0)).unwrap();
    expect(full.weights.toJSON()).toEqual([
      [1, 21845],
      [2, 65535],
    ]);
    expect((await api.call.neuronInfoRuntimeApi.getNeuronLite(2, 99)).isNone).toBe(true);
    expect((await api.call.neuronInfoRuntimeApi.getNeuronsLite(99)).length).toBe(0);
    const res = (await (
      await fetch(devnet.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'neuronInfo_getNeuronsLite', params: [2] }),
      })
    ).json()) as { result: number[] };
    expect(`0x${Buffer.from(res.result).toString('hex')}`).toBe(lite.toHex());
  });
});
