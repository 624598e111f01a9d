/**
 * What the unmodified Python SDK (bittensor 10.x over async-substrate-interface) asks of a node, replayed against the
 * devnet with the methods and parameters it sends and decoded the way it decodes them: the connect sequence (V14
 * metadata, Some(V15) at version 15), Substrate's aliases, bare-hex `state_call` data, stake info for no stake, the
 * pools a price needs, the Commitments, Swap and Drand pallets, resubmission and watch rules, and signature schemes.
 */
import { Keyring } from '@polkadot/api';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { compactFromU8a, hexToU8a, u8aToHex } from '@polkadot/util';
import { xxhashAsHex } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TAO, startDevnet, type Devnet, type DevnetNotice } from '../../src/devnet/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { createSubtensor, type Subtensor } from '../../src/subtensor/index.js';
import { timelockEncrypt, DRAND_QUICKNET } from '../../src/timelock/index.js';

let devnet: Devnet;
let st: Subtensor;
let ws: WebSocket;
let nextId = 1;
const pending = new Map<number, (m: { result?: unknown; error?: { code: number; message: string } }) => void>();

function rpc<T = unknown>(
  method: string,
  params: unknown[] = [],
): Promise<{ result?: T; error?: { code: number; message: string } }> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve as never);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  });
}
async function ok<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
  const r = await rpc<T>(method, params);
  if (r.error) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result as T;
}
async function http(method: string, params: unknown[]) {
  const r = await fetch(devnet.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await r.json()) as { result?: unknown; error?: { code: number; message: string } };
}

beforeAll(async () => {
  await cryptoReady();
  devnet = await startDevnet({ port: 0, tempo: 10 });
  st = await createSubtensor({ network: devnet.url });
  ws = new WebSocket(devnet.url);
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  await new Promise((r) => ws.once('open', r));
});

afterAll(async () => {
  ws?.close();
  await st?.close();
  await devnet?.close();
});

describe('the connect sequence of bt.Subtensor', () => {
  it('chain_getHead, the header and version at it, V14 metadata, Some(V15) at version 15, rpc_methods', async () => {
    const head = await ok<string>('chain_getHead');
    expect(head).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await ok('chain_getHeader', [head])).toMatchObject({ parentHash: expect.any(String) });
    expect(await ok('state_getRuntimeVersion', [head])).toMatchObject({ specName: 'node-subtensor', specVersion: 424 });
    const v14 = hexToU8a(await ok<string>('state_getMetadata', [head]));
    expect(Buffer.from(v14.subarray(0, 4)).toString()).toBe('meta');
    expect(v14[4]).toBe(14);
    const m14 = new Metadata(new TypeRegistry(), v14);
    expect(m14.version).toBe(14);
    expect(m14.asV14.pallets.map((p) => p.name.toString())).toContain('SubtensorModule');
    // Option<OpaqueMetadata>: Some, a compact length, then the V15 bytes.
    const opt = hexToU8a(await ok<string>('state_call', ['Metadata_metadata_at_version', '0x0f000000', head]));
    expect(opt[0]).toBe(1);
    const [offset, length] = compactFromU8a(opt.subarray(1));
    const v15 = opt.subarray(1 + offset, 1 + offset + length.toNumber());
    const m15 = new Metadata(new TypeRegistry(), v15);
    expect(m15.version).toBe(15);
    expect(m15.asV15.apis.map((a) => a.name.toString())).toContain('SubnetInfoRuntimeApi');
    // The same registry in every layout: the pallets agree item by item.
    const names = (m: Metadata) =>
      m.asLatest.pallets.map((p) => `${p.index.toNumber()}:${p.name.toString()}:${p.storage.unwrap().items.length}`);
    expect(names(m15)).toEqual(names(m14));
    expect(hexToU8a(await ok<string>('state_call', ['Metadata_metadata_at_version', '0x0d000000', head]))).toEqual(
      new Uint8Array([0]),
    ); // V13: None
    const methods = (await ok<{ methods: string[] }>('rpc_methods')).methods;
    for (const m of [
      'chain_getHead',
      'state_getStorageAt',
      'account_nextIndex',
      'state_getKeysPaged',
      'state_queryStorageAt',
      'author_submitAndWatchExtrinsic',
      'author_unwatchExtrinsic',
    ])
      expect(methods).toContain(m);
  });

  it('the aliases answer as the methods they stand for', async () => {
    const alice = keypairFromUri('//Alice').ss58Address;
    const key = `${xxhashAsHex('SubtensorModule', 128)}${xxhashAsHex('TotalNetworks', 128).slice(2)}`;
    expect(await ok('state_getStorageAt', [key])).toBe(await ok('state_getStorage', [key]));
    expect(await ok('account_nextIndex', [alice])).toBe(await ok('system_accountNextIndex', [alice]));
    expect(await ok('chain_getHead', [])).toBe(await ok('chain_getBlockHash', []));
  });

  it('state_call takes its data with or without 0x, or empty', async () => {
    const withPrefix = await ok<string>('state_call', ['SubnetInfoRuntimeApi_get_dynamic_info', '0x0100']);
    expect(await ok<string>('state_call', ['SubnetInfoRuntimeApi_get_dynamic_info', '0100'])).toBe(withPrefix);
    expect(await ok<string>('state_call', ['SubnetInfoRuntimeApi_get_all_dynamic_info', ''])).toBe(
      await ok<string>('state_call', ['SubnetInfoRuntimeApi_get_all_dynamic_info', '0x']),
    );
    expect((await rpc('state_call', ['SubnetInfoRuntimeApi_get_dynamic_info', 'zz'])).error?.code).toBe(-32602);
  });
});

describe('what the SDK relies on', () => {
  it('stake info for a (hotkey, coldkey, netuid) without stake is Some, with zero stake', async () => {
    const stranger = keypairFromUri('//Nobody');
    const info = await st.call.stakeInfoRuntimeApi.getStakeInfoForHotkeyColdkeyNetuid(
      stranger.ss58Address,
      stranger.ss58Address,
      1,
    );
    expect(info).not.toBeNull();
    expect(info!.stake).toBe(0n);
  });

  it('a new subnet has a seeded pool, so its price is defined', async () => {
    const alice = keypairFromUri('//Alice');
    const { netuid } = await st.registerNetwork(alice, keypairFromUri('//Alice//py').ss58Address);
    const d = (await st.dynamicInfo(netuid))!;
    expect(d.alphaIn).toBeGreaterThan(0n);
    expect(d.taoIn).toBeGreaterThan(0n);
    const price = await st.call.swapRuntimeApi.currentAlphaPrice(netuid);
    expect(price).toBeGreaterThan(0n);
  });

  it('Commitments (18), Drand (26) and Swap (28) are there, with set_commitment, CommitmentOf and its event', async () => {
    const api = await st.api();
    const index = (name: string) =>
      api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === name)?.index.toNumber();
    expect([index('Commitments'), index('Drand'), index('Swap')]).toEqual([18, 26, 28]);
    const alice = keypairFromUri('//Alice');
    const hot = keypairFromUri('//Alice//py');
    const netuid =
      (await st.uidOf(2, hot.ss58Address)) === 0 ? 2 : (await st.registerNetwork(alice, hot.ss58Address)).netuid;
    await st.transfer(alice, hot.ss58Address, TAO);
    const r = await st.send(
      await st.calls.commitments.setCommitment({ netuid, info: { fields: [{ Raw5: '0x68656c6c6f' }] } }),
      hot,
    );
    expect(r.events.map((e) => `${e.pallet}.${e.name}`)).toContain('commitments.Commitment');
    const stored = (await st.query.commitments.commitmentOf(netuid, hot.ss58Address)) as {
      block: number;
      info: { fields: unknown[] };
    } | null;
    expect(stored?.info.fields).toHaveLength(1);
    // Only a registered hotkey may commit.
    const stranger = keypairFromUri('//Nobody');
    await st.transfer(alice, stranger.ss58Address, TAO);
    await expect(
      st.send(await st.calls.commitments.setCommitment({ netuid, info: { fields: [] } }), stranger),
    ).rejects.toMatchObject({ error: 'AccountNotAllowedCommit' });
    // The Drand pallet's last stored round moves with the devnet's beacon.
    expect(await st.query.drand.lastStoredRound()).toBeGreaterThan(0n);
  });
});

describe('transactions as a node takes them', () => {
  const keyring = new Keyring({ type: 'sr25519' });
  const alice = keyring.addFromUri('//Alice');
  const bobAddress = keypairFromUri('//Bob').ss58Address;

  it('the same bytes twice: the second is "Already Imported" (1013); a watch over HTTP is refused and has no effect', async () => {
    const api = await st.api();
    const nonce = await ok<number>('account_nextIndex', [alice.address]);
    const tx = await api.tx.balances!.transferKeepAlive!(bobAddress, 123n).signAsync(alice, { nonce, era: 0 });
    const hex = tx.toHex();
    // Over HTTP first: refused, and the transaction is not in the pool.
    const watch = await http('author_submitAndWatchExtrinsic', [hex]);
    expect(watch.error?.message).toMatch(/WebSocket/);
    expect(await ok<string[]>('author_pendingExtrinsics')).not.toContain(hex);
    devnet.stall(false);
    const first = await rpc('author_submitExtrinsic', [hex]);
    const second = await rpc('author_submitExtrinsic', [hex]);
    // Instant sealing may seal the first before the second arrives: then the nonce is stale (1010).
    if (second.error?.code === 1013) expect(second.error.message).toBe('Transaction Already Imported');
    else expect(second.error?.code).toBe(1010);
    expect(first.result).toBe(u8aToHex(tx.hash));
  });

  it('refuses an sr25519 signature presented as Ed25519', async () => {
    const api = await st.api();
    const nonce = await ok<number>('account_nextIndex', [alice.address]);
    const tx = await api.tx.balances!.transferKeepAlive!(bobAddress, 5n).signAsync(alice, { nonce, era: 0 });
    const bytes = tx.toU8a();
    // Signed v4: compact length, 0x84, address (0x00 + 32 bytes), then the MultiSignature's variant byte (1 = sr25519).
    const [lenBytes] = compactFromU8a(bytes);
    const at = lenBytes + 1 + 33;
    expect(bytes[at]).toBe(1);
    const forged = bytes.slice();
    forged[at] = 0;
    const r = await rpc('author_submitExtrinsic', [u8aToHex(forged)]);
    expect(r.error?.code).toBe(1010);
  });

  it('a CRv4 commit encrypted to drand quicknet (as the Python SDK does) is reported, not revealed', async () => {
    const notices: DevnetNotice[] = [];
    const off = devnet.onNotice((n) => notices.push(n));
    const alice = keypairFromUri('//Alice');
    const v = keypairFromUri('//Alice//py-crv4');
    const { netuid } = await st.registerNetwork(alice, v.ss58Address);
    await st.send(await st.calls.adminUtils.sudoSetCommitRevealWeightsEnabled({ netuid, enabled: true }), alice);
    await st.transfer(alice, v.ss58Address, TAO);
    const payload = new Uint8Array([128, ...v.publicKey, 4, 0, 0, 4, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]);
    const commit = u8aToHex(timelockEncrypt(payload, 1000n, DRAND_QUICKNET));
    await st.send(
      await st.calls.subtensorModule.commitTimelockedWeights({
        netuid,
        commit,
        revealRound: 1000n,
        commitRevealVersion: 4,
      }),
      v,
    );
    devnet.newBlock(25); // past the reveal epoch
    off();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'timelock-unopened', netuid, hotkey: v.ss58Address, round: '1000' });
    expect(notices[0]!.message).toMatch(/docs\/devnet\.md/);
    expect((await st.weights(netuid)).get(0)).toBeUndefined();
  });
});
