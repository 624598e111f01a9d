/** The devnet as a node: runtime and genesis, transactions through the pool and their statuses, module errors, refusals, subscriptions, fees and JSON-RPC errors. */
import { Keyring } from '@polkadot/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAO, type Devnet } from '../../src/devnet/index.js';
import { bob, dave, keyring, alice, openDevnetApi, sendWith, type Signer } from './fixture.js';

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
