import { readFileSync } from 'node:fs';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAO, startDevnet, type Devnet } from '../src/devnet/index.js';

const EMPTY = { extrinsic: {}, payload: {} };
const signedExtensions = {
  SudoTransactionExtension: EMPTY,
  CheckShieldedTxValidity: EMPTY,
  SubtensorTransactionExtension: EMPTY,
  DrandPriority: EMPTY,
};
const FIXTURE = 'test/fixtures/finney-metadata-spec424.scale';

let devnet: Devnet;
// Untyped until the chain client adds typed pallet bindings (issue 5): polkadot-js exposes no augmentation for subtensor.
let api: any; // eslint-disable-line @typescript-eslint/no-explicit-any
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');
const dave = keyring.addFromUri('//Dave');

/** Sends and resolves with the statuses seen and the final result. */
function send(tx: any, signer = alice, options: Record<string, unknown> = {}) {
  return new Promise<{ statuses: string[]; events: string[]; error: string | null; fee: bigint }>((resolve, reject) => {
    const statuses: string[] = [];
    tx.signAndSend(signer, options, (res: any) => {
      statuses.push(res.status.type);
      if (res.status.isFinalized) {
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
      }
    }).catch(reject);
  });
}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 });
  api = await ApiPromise.create({ provider: new WsProvider(devnet.url), noInitWarn: true, signedExtensions });
});

afterAll(async () => {
  await api?.disconnect();
  await devnet?.close();
});

describe('devnet over a real WebSocket with @polkadot/api', () => {
  it('connects and reports the runtime, chain and properties', async () => {
    expect(api.runtimeVersion.specName.toString()).toBe('node-subtensor');
    expect(api.runtimeVersion.specVersion.toNumber()).toBe(424);
    expect((await api.rpc.system.chain()).toString()).toBe('Bittensor Devnet');
    const props = await api.rpc.system.properties();
    expect(props.ss58Format.unwrap().toNumber()).toBe(42);
    expect(props.tokenSymbol.unwrap()[0]!.toString()).toBe('TAO');
    expect(api.genesisHash.toHex()).toBe(devnet.genesisHash);
  });

  it('has the localnet genesis: funded dev accounts, sudo Alice, subnet 1 with tempo 10', async () => {
    const a = (await (api.query as any).system.account(alice.address)) as unknown as {
      data: { free: { toBigInt(): bigint } };
    };
    expect(a.data.free.toBigInt()).toBe(1_000_000n * TAO);
    const d = (await (api.query as any).system.account(dave.address)) as unknown as {
      data: { free: { toBigInt(): bigint } };
    };
    expect(d.data.free.toBigInt()).toBe(2_000n * TAO);
    expect(((await (api.query as any).sudo.key()) as unknown as { toString(): string }).toString()).toBe(alice.address);
    expect(((await (api.query as any).subtensorModule.tempo(1)) as unknown as { toNumber(): number }).toNumber()).toBe(
      10,
    );
    expect(((await (api.query as any).subtensorModule.networksAdded(1)) as unknown as { isTrue: boolean }).isTrue).toBe(
      true,
    );
    expect(api.consts.balances.existentialDeposit.toString()).toBe('500');
  });

  it('answers runtime APIs through state_call', async () => {
    const nonce = await api.call.accountNonceApi.accountNonce(bob.address);
    expect(nonce.toString()).toBe('0');
  });

  it('signs and sends: Ready -> InBlock -> Finalized, the balance moves, events decode', async () => {
    const before = (
      (await (api.query as any).system.account(bob.address)) as unknown as { data: { free: { toBigInt(): bigint } } }
    ).data.free.toBigInt();
    const r = await send((api.tx as any).balances.transferKeepAlive(bob.address, 5n * TAO));
    // @polkadot/api may drop InBlock when Finalized follows quickly (its switchMap); the raw stream is checked below.
    expect(r.statuses[0]).toBe('Ready');
    expect(r.statuses.at(-1)).toBe('Finalized');
    expect(r.error).toBeNull();
    expect(r.events).toEqual(['balances.Transfer', 'system.ExtrinsicSuccess']);
    const after = (
      (await (api.query as any).system.account(bob.address)) as unknown as { data: { free: { toBigInt(): bigint } } }
    ).data.free.toBigInt();
    expect(after - before).toBe(5n * TAO);
    expect((await api.rpc.system.accountNextIndex(alice.address)).toNumber()).toBe(1);
  });

  it('streams ready, inBlock, finalized on author_submitAndWatchExtrinsic (raw JSON-RPC over the WebSocket)', async () => {
    const { WebSocket } = await import('ws');
    const tx = (api.tx as any).balances.transferKeepAlive(bob.address, TAO);
    await tx.signAsync(alice);
    const ws = new WebSocket(devnet.url);
    await new Promise((r) => ws.once('open', r));
    const updates: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString());
        if (msg.method === 'author_extrinsicUpdate') {
          updates.push(msg.params.result);
          if (msg.params.result?.finalized) resolve();
        }
      });
    });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'author_submitAndWatchExtrinsic', params: [tx.toHex()] }));
    await done;
    ws.close();
    expect(updates[0]).toBe('ready');
    expect(Object.keys(updates[1] as object)).toEqual(['inBlock']);
    expect(Object.keys(updates[2] as object)).toEqual(['finalized']);
    expect((updates[1] as { inBlock: string }).inBlock).toBe((updates[2] as { finalized: string }).finalized);
  });

  it('fails a dispatch with the module error as the metadata names it, and rolls it back', async () => {
    const before = (
      (await (api.query as any).system.account(dave.address)) as unknown as { data: { free: { toBigInt(): bigint } } }
    ).data.free.toBigInt();
    const r = await send((api.tx as any).balances.transferKeepAlive(bob.address, 10_000n * TAO), dave);
    expect(r.error).toBe('balances.InsufficientBalance');
    expect(r.events).toEqual(['system.ExtrinsicFailed']);
    const after = (
      (await (api.query as any).system.account(dave.address)) as unknown as { data: { free: { toBigInt(): bigint } } }
    ).data.free.toBigInt();
    expect(r.fee).toBeGreaterThan(0n);
    expect(after).toBe(before - r.fee); // only the fee: the failed transfer is rolled back
    const fresh = keyring.addFromUri('//Fresh');
    const ed = await send((api.tx as any).balances.transferAllowDeath(fresh.address, 100n), dave);
    expect(ed.error).toBe('balances.ExistentialDeposit');
    const ok = await send((api.tx as any).balances.transferAllowDeath(fresh.address, TAO), dave);
    expect(ok.events).toEqual([
      'system.NewAccount',
      'balances.Endowed',
      'balances.Transfer',
      'system.ExtrinsicSuccess',
    ]);
  });

  it('rejects invalid transactions as Substrate does: bad signature, stale and future nonces', async () => {
    const tx = (api.tx as any).balances.transferKeepAlive(bob.address, 1n);
    await tx.signAsync(alice);
    const hex = tx.toHex();
    // Flip a byte of the signature (it starts after 0x + length + version + address).
    const tampered = `${hex.slice(0, 120)}${hex[120] === '0' ? '1' : '0'}${hex.slice(121)}`;
    await expect(api.rpc.author.submitExtrinsic(tampered)).rejects.toThrow(/bad signature/i);
    const stale = (api.tx as any).balances.transferKeepAlive(bob.address, 1n);
    await stale.signAsync(alice, { nonce: 0 });
    await expect(api.rpc.author.submitExtrinsic(stale.toHex())).rejects.toThrow(/outdated/i);
    const future = (api.tx as any).balances.transferKeepAlive(bob.address, 1n);
    await future.signAsync(alice, { nonce: 99 });
    await expect(api.rpc.author.submitExtrinsic(future.toHex())).rejects.toThrow(/future/i);
    // And the chain still takes a good one.
    expect((await send((api.tx as any).balances.transferKeepAlive(bob.address, 1n))).error).toBeNull();
  });

  it('accepts ed25519 signers and long calls whose signing payload is hashed (over 256 bytes)', async () => {
    const edKeyring = new Keyring({ type: 'ed25519', ss58Format: 42 });
    const ed = edKeyring.addFromUri('//EdUser');
    expect((await send((api.tx as any).balances.transferKeepAlive(ed.address, 10n * TAO))).error).toBeNull();
    const back = await send((api.tx as any).balances.transferKeepAlive(bob.address, TAO), ed);
    expect(back.error).toBeNull();
    expect(back.events).toContain('balances.Transfer');
    // 300 uids: the payload is over 256 bytes and signed as its blake2 hash. It is accepted (the signature holds)
    // and then fails in dispatch, as the subnet has far fewer uids.
    const uids = Array.from({ length: 300 }, (_, i) => i);
    const long = await send((api.tx as any).subtensorModule.setWeights(1, uids, uids, 0));
    expect(long.statuses).toContain('InBlock');
    expect(long.error).toBe('subtensorModule.UidsLengthExceedUidsInSubNet');
  });

  it('serves subscriptions: new heads and storage changes', async () => {
    const heads: number[] = [];
    const unsubHeads = await api.rpc.chain.subscribeNewHeads((h: any) => heads.push(h.number.toNumber()));
    const balances: bigint[] = [];
    const unsubBalance = await (api.query as any).system.account(bob.address, (a: unknown) =>
      balances.push((a as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt()),
    );
    await send((api.tx as any).balances.transferKeepAlive(bob.address, TAO));
    await new Promise((r) => setTimeout(r, 50));
    unsubHeads();
    unsubBalance();
    expect(heads.length).toBeGreaterThanOrEqual(2);
    expect(heads.at(-1)).toBe(heads[0]! + heads.length - 1);
    expect(balances.length).toBeGreaterThanOrEqual(2);
    expect(balances.at(-1)! - balances[0]!).toBe(TAO);
  });

  it('charges fees by the documented rule, burns them, and reports them through payment_queryInfo', async () => {
    const tx = (api.tx as any).balances.transferKeepAlive(bob.address, TAO);
    const info = await tx.paymentInfo(alice);
    const issuanceBefore = (await (api.query as any).balances.totalIssuance()).toBigInt();
    const r = await send(tx);
    expect(r.fee).toBe(info.partialFee.toBigInt());
    expect(r.fee).toBe(10_000n + 10n * BigInt(tx.encodedLength));
    expect((await (api.query as any).balances.totalIssuance()).toBigInt()).toBe(issuanceBefore - r.fee);
    // Weight setting pays nothing, as on finney.
    const free = await (api.tx as any).subtensorModule.setWeights(1, [0], [1], 0).paymentInfo(alice);
    expect(free.partialFee.toBigInt()).toBe(0n);
    // An account that cannot pay is refused by the pool.
    const poor = keyring.addFromUri('//Poor');
    const refused = (api.tx as any).balances.transferKeepAlive(bob.address, 1n);
    await refused.signAsync(poor);
    await expect(api.rpc.author.submitExtrinsic(refused.toHex())).rejects.toThrow(/pay some fees/);
  });

  it('answers unknown methods and bad params with JSON-RPC errors, over HTTP too', async () => {
    const post = async (body: unknown) =>
      (
        await fetch(devnet.httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json() as Promise<{ result?: unknown; error?: { code: number } }>;
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'nope_nothing', params: [] })).error!.code).toBe(-32601);
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'chain_getBlockHash', params: ['x'] })).error!.code).toBe(
      -32602,
    );
    expect((await post({ jsonrpc: '2.0', id: 3, method: 'state_getStorage', params: [123] })).error!.code).toBe(-32602);
    expect((await post({ jsonrpc: '2.0', id: 4, method: 'chain_getBlockHash', params: [0] })).result).toBe(
      devnet.genesisHash,
    );
    expect(
      (await post({ jsonrpc: '2.0', id: 5, method: 'neuronInfo_getNeuronsLite', params: ['one'] })).error!.code,
    ).toBe(-32602);
    expect(
      (await post({ jsonrpc: '2.0', id: 6, method: 'state_getKeysPaged', params: ['0x', 5000] })).error!.code,
    ).toBe(-32602);
    const bad = await fetch(devnet.httpUrl, { method: 'POST', body: '{nope' });
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });
});

describe('devnet metadata conformance with finney (spec 424)', () => {
  it('matches finney item by item for every pallet and runtime API it serves', () => {
    const finney = new Metadata(new TypeRegistry(), readFileSync(FIXTURE)).asV16.toJSON() as {
      pallets: { name: string }[];
      apis: { name: string }[];
      extrinsic: unknown;
      lookup: unknown;
    };
    const ours = api.runtimeMetadata.asV16.toJSON() as typeof finney;
    expect(ours.pallets.map((p) => p.name)).toEqual([
      'System',
      'Timestamp',
      'Balances',
      'TransactionPayment',
      'SubtensorModule',
      'Sudo',
      'Commitments',
      'AdminUtils',
      'Drand',
      'Swap',
    ]);
    expect(ours.pallets.map((p) => (p as unknown as { index: number }).index)).toEqual([
      0, 2, 5, 6, 7, 12, 18, 19, 26, 28,
    ]);
    for (const p of ours.pallets) expect(p).toEqual(finney.pallets.find((f) => f.name === p.name));
    for (const a of ours.apis) expect(a).toEqual(finney.apis.find((f) => f.name === a.name));
    expect(ours.extrinsic).toEqual(finney.extrinsic);
    expect(ours.lookup).toEqual(finney.lookup);
    // The call the spec gives as an example encodes to the same bytes.
    expect((api.tx as any).subtensorModule.setWeights(1, [0, 1], [65535, 1], 0).method.toHex()).toBe(
      '0x07000100080000010008ffff01000000000000000000',
    );
  });
});

describe('devnet SubtensorModule', () => {
  const owner = keyring.addFromUri('//Charlie');
  const ownerHot = keyring.addFromUri('//Charlie//hot');
  const minerHot = keyring.addFromUri('//Bob//miner');
  const miner2Hot = keyring.addFromUri('//Bob//miner2');

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

  it('AdminUtils: root setters through Sudo, owner setters by the subnet owner, BadOrigin otherwise', async () => {
    const admin = (api.tx as any).adminUtils;
    const q = (api.query as any).subtensorModule;
    const r = await send((api.tx as any).sudo.sudo(admin.sudoSetWeightsSetRateLimit(2, 0)), alice);
    expect(r.error).toBeNull();
    expect(r.events).toEqual(['subtensorModule.WeightsSetRateLimitSet', 'sudo.Sudid', 'system.ExtrinsicSuccess']);
    expect((await q.weightsSetRateLimit(2)).toNumber()).toBe(0);
    // With no rate limit the owner can set weights again right away.
    expect((await send((api.tx as any).subtensorModule.setWeights(2, [1], [1], 0), ownerHot)).error).toBeNull();
    // Root-only by the owner: BadOrigin. Owner setter by the owner: fine. By someone else: BadOrigin.
    expect((await send(admin.sudoSetTempo(2, 20), owner)).error).toBe('BadOrigin');
    expect((await send(admin.sudoSetCommitRevealWeightsEnabled(2, true), owner)).error).toBeNull();
    expect((await send(admin.sudoSetCommitRevealWeightsEnabled(2, false), bob)).error).toBe('BadOrigin');
    expect((await send((api.tx as any).subtensorModule.setWeights(2, [1], [1], 0), ownerHot)).error).toBe(
      'subtensorModule.CommitRevealEnabled',
    );
    // Sudo from a non-sudo account fails the extrinsic; a failing inner call is reported in Sudid only.
    expect((await send((api.tx as any).sudo.sudo(admin.sudoSetTempo(2, 20)), bob)).error).toBe('sudo.RequireSudo');
    const inner = await send((api.tx as any).sudo.sudo(admin.sudoSetTempo(99, 20)), alice);
    expect(inner.error).toBeNull();
    expect(inner.events).toEqual(['sudo.Sudid', 'system.ExtrinsicSuccess']);
    const ok = await send((api.tx as any).sudo.sudo(admin.sudoSetTempo(2, 20)), alice);
    expect(ok.events).toContain('subtensorModule.TempoSet');
    expect((await q.tempo(2)).toNumber()).toBe(20);
  });

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

  it('CRv2: the commit hash matches the spec vector; reveal exactly one epoch later, not before, not after', async () => {
    const { weightCommitHash } = await import('../src/devnet/pallets/subtensor/commit-reveal.js');
    expect(
      weightCommitHash(
        { registry: api.registry },
        '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX',
        1,
        [0, 1],
        [65535, 32768],
        [1, 2, 3, 4, 5, 6, 7, 8],
        10002000n,
      ),
    ).toBe('0x533019ca9865ab8c82f60aa2c46134fd9a9d643fcd4c2ab9ab2b322985b0c87a');
    const st = (api.tx as any).subtensorModule;
    const q = (api.query as any).subtensorModule;
    const salt = [9, 8, 7];
    const hash = weightCommitHash({ registry: api.registry }, ownerHot.address, 2, [1, 2], [100, 50], salt, 0n);
    expect((await send(st.commitWeights(2, hash), ownerHot)).error).toBe('subtensorModule.CommitRevealDisabled');
    expect((await send((api.tx as any).adminUtils.sudoSetCommitRevealWeightsEnabled(2, true), owner)).error).toBeNull();
    const c = await send(st.commitWeights(2, hash), ownerHot);
    expect(c.events).toEqual(['subtensorModule.WeightsCommitted', 'system.ExtrinsicSuccess']);
    expect((await send(st.revealWeights(2, [1, 2], [100, 50], salt, 0), ownerHot)).error).toBe(
      'subtensorModule.RevealTooEarly',
    );
    const epoch = (await q.subnetEpochIndex(2)).toNumber();
    while ((await q.subnetEpochIndex(2)).toNumber() === epoch) devnet.newBlock(1);
    expect((await send(st.revealWeights(2, [1, 2], [100, 51], salt, 0), ownerHot)).error).toBe(
      'subtensorModule.InvalidRevealCommitHashNotMatch',
    );
    const r = await send(st.revealWeights(2, [1, 2], [100, 50], salt, 0), ownerHot);
    expect(r.events).toEqual([
      'subtensorModule.WeightsSet',
      'subtensorModule.WeightsRevealed',
      'system.ExtrinsicSuccess',
    ]);
    expect((await q.weights(2, 0)).toJSON()).toEqual([
      [1, 65535],
      [2, 32768],
    ]);
    expect((await send(st.revealWeights(2, [1, 2], [100, 50], salt, 0), ownerHot)).error).toBe(
      'subtensorModule.NoWeightsCommitFound',
    );
    // A commit left for two epochs has expired.
    const late = weightCommitHash({ registry: api.registry }, ownerHot.address, 2, [1], [1], salt, 0n);
    expect((await send(st.commitWeights(2, late), ownerHot)).error).toBeNull();
    const e0 = (await q.subnetEpochIndex(2)).toNumber();
    while ((await q.subnetEpochIndex(2)).toNumber() < e0 + 2) devnet.newBlock(1);
    expect((await send(st.revealWeights(2, [1], [1], salt, 0), ownerHot)).error).toBe(
      'subtensorModule.ExpiredWeightCommit',
    );
  });

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

describe('devnet block production modes', () => {
  it('manual sealing waits for dev_newBlock; interval sealing produces blocks on its own', async () => {
    const manual = await startDevnet({ port: 0, sealing: 'manual' });
    const timed = await startDevnet({ port: 0, sealing: 50 });
    try {
      const m = (await ApiPromise.create({
        provider: new WsProvider(manual.url),
        noInitWarn: true,
        signedExtensions,
      })) as any;
      const tx = m.tx.balances.transferKeepAlive(bob.address, TAO);
      await tx.signAsync(alice);
      await m.rpc.author.submitExtrinsic(tx.toHex());
      await new Promise((r) => setTimeout(r, 50));
      expect(manual.bestNumber()).toBe(0);
      manual.newBlock();
      expect(manual.bestNumber()).toBe(1);
      expect(((await m.query.system.account(alice.address)) as any).nonce.toNumber()).toBe(1);
      // Two transactions of one block from an account the first one empties: the second's fee cannot wrap the
      // balance around; it takes what is left (nothing).
      const spender = keyring.addFromUri('//Spender');
      const fund = m.tx.balances.transferKeepAlive(spender.address, TAO);
      await fund.signAsync(alice, { nonce: 1 });
      await m.rpc.author.submitExtrinsic(fund.toHex());
      manual.newBlock();
      const drain = m.tx.balances.transferAll(bob.address, false);
      await drain.signAsync(spender, { nonce: 0 });
      const again = m.tx.balances.transferKeepAlive(bob.address, 1000n);
      await again.signAsync(spender, { nonce: 1 });
      await m.rpc.author.submitExtrinsic(drain.toHex());
      await m.rpc.author.submitExtrinsic(again.toHex());
      manual.newBlock();
      // The other refusals a pool gives: a mortal era that has died, the same nonce twice, bytes that do not decode.
      // A dead era resolves to a later birth block whose hash was not signed, so, as on Substrate, the proof fails.
      const mortal = m.tx.balances.transferKeepAlive(bob.address, 1n);
      await mortal.signAsync(alice, { nonce: 2, era: 4 });
      manual.newBlock(10);
      await expect(m.rpc.author.submitExtrinsic(mortal.toHex())).rejects.toThrow(/bad signature/);
      const first = m.tx.balances.transferKeepAlive(bob.address, 2n);
      await first.signAsync(alice, { nonce: 2 });
      const twin = m.tx.balances.transferKeepAlive(bob.address, 3n);
      await twin.signAsync(alice, { nonce: 2 });
      await m.rpc.author.submitExtrinsic(first.toHex());
      await expect(m.rpc.author.submitExtrinsic(twin.toHex())).rejects.toThrow(/Priority is too low/);
      const garbage = (await (
        await fetch(manual.httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'author_submitExtrinsic', params: ['0x1234'] }),
        })
      ).json()) as { error: { code: number; message: string } };
      expect(garbage.error.code).toBe(1002);
      expect(garbage.error.message).toBe('Verification Error');
      manual.newBlock();
      const left = ((await m.query.system.account(spender.address)) as any).data.free.toBigInt();
      expect(left).toBeLessThan(TAO);
      expect(((await m.query.system.account(spender.address)) as any).nonce.toNumber()).toBe(2);
      await m.disconnect();
      await new Promise((r) => setTimeout(r, 300));
      expect(timed.bestNumber()).toBeGreaterThanOrEqual(3);
      await expect(startDevnet({ port: 0, sealing: 1 })).rejects.toThrow(/sealing/);
    } finally {
      await Promise.all([manual.close(), timed.close()]);
    }
  });
});
