import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertWeightsAndUidsForEmit, processWeightsForNetuid } from '../../src/consensus/index.js';
import { TAO, startDevnet, type Devnet } from '../../src/devnet/index.js';
import { cryptoReady, keypairFromAddress, keypairFromUri } from '../../src/keys/index.js';
import { syncMetagraph } from '../../src/metagraph/index.js';
import {
  ExtrinsicFailedError,
  SubtensorError,
  createSubtensor,
  openConnectionCount,
  resolveEndpoint,
  revealRoundFor,
  type Subtensor,
} from '../../src/subtensor/index.js';
import { TimelockError, parseTimelockCiphertext, timelockDecrypt } from '../../src/timelock/index.js';
import { devnetBeacon } from '../../src/devnet/pallets/drand-beacon.js';
import { thrownCode } from '../helpers/helpers.js';

const FIXTURE = 'test/fixtures/finney-metadata-spec424.scale';
const alice = keypairFromUri('//Alice');
const bob = keypairFromUri('//Bob');
const charlie = keypairFromUri('//Charlie');
const validator = keypairFromUri('//Alice//validator');
const miners = [keypairFromUri('//Bob//m0'), keypairFromUri('//Bob//m1')];

let devnet: Devnet;
let st: Subtensor;
let netuid: number;

async function failure(p: Promise<unknown>): Promise<ExtrinsicFailedError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ExtrinsicFailedError);
    return e as ExtrinsicFailedError;
  }
  throw new Error('expected the call to fail on chain');
}

beforeAll(async () => {
  await cryptoReady();
  devnet = await startDevnet({ port: 0, tempo: 10 });
  st = await createSubtensor({ network: devnet.url });
});

afterAll(async () => {
  await st?.close();
  await devnet?.close();
});

describe('endpoints', () => {
  it('resolves names, URLs and bare hosts as Python does, and refuses the rest', () => {
    expect(resolveEndpoint('finney')).toBe('wss://entrypoint-finney.opentensor.ai:443');
    expect(resolveEndpoint('test')).toBe('wss://test.finney.opentensor.ai:443');
    expect(resolveEndpoint('archive')).toBe('wss://archive.chain.opentensor.ai:443');
    expect(resolveEndpoint('10.0.0.5:9944')).toBe('ws://10.0.0.5:9944');
    expect(resolveEndpoint('wss://node.example:443')).toBe('wss://node.example:443');
    for (const bad of ['', 'http://x:1', 'not a host!', 'ws://[bad'])
      expect(() => resolveEndpoint(bad)).toThrow(SubtensorError);
  });

  it('shares one connection per endpoint and closes it with the last client', async () => {
    const before = openConnectionCount();
    const a = await createSubtensor({ network: devnet.url });
    const b = await createSubtensor({ network: devnet.url });
    expect(openConnectionCount()).toBe(before); // st already holds it
    expect(await a.blockNumber()).toBe(await b.blockNumber());
    await a.close();
    expect(await b.blockNumber()).toBeGreaterThanOrEqual(0);
    await b.close();
    expect(await thrownCode(SubtensorError, b.blockNumber())).toBe('CLIENT_CLOSED');
    expect(openConnectionCount()).toBe(before);
  });

  it('fails to connect with a typed error', async () => {
    expect(await thrownCode(SubtensorError, createSubtensor({ network: 'ws://127.0.0.1:1' }))).toBe('CONNECT_FAILED');
  });

  it('starts an embedded devnet for network "devnet" and stops it with the last client', async () => {
    const d = await createSubtensor({ network: 'devnet' });
    expect(d.devnet).not.toBeNull();
    expect(await d.rpc('system_name')).toBe('subnetkit-devnet');
    expect(await d.balance(alice.ss58Address)).toBe(1_000_000n * TAO);
    const url = d.url;
    await d.close();
    expect(await thrownCode(SubtensorError, createSubtensor({ network: url }))).toBe('CONNECT_FAILED');
  });
});

describe('typed reads', () => {
  it('reads storage, constants and runtime APIs as plain typed values', async () => {
    expect(await st.consts.balances.existentialDeposit()).toBe(500n);
    expect(await st.query.subtensorModule.tempo(1)).toBe(10);
    expect(await st.query.subtensorModule.networksAdded(1)).toBe(true);
    expect(await st.query.subtensorModule.networksAdded(77)).toBe(false);
    expect(await st.query.subtensorModule.commitRevealWeightsEnabled(1)).toBe(false);
    expect(await st.query.sudo.key()).toBe(alice.ss58Address);
    const hp = await st.hyperparameters(1);
    expect(hp?.tempo).toBe(10);
    expect(await st.hyperparameters(77)).toBeNull();
    const account = await st.query.system.account(bob.ss58Address);
    expect(account.data.free).toBe(1_000_000n * TAO);
    expect(typeof account.nonce).toBe('number');
    expect(await st.blockHash(0)).toBe(devnet.genesisHash);
    expect(await st.blockHash(10_000)).toBeNull();
  });

  it('refuses bad arguments with INVALID_ARGUMENT before any request', async () => {
    expect(await thrownCode(SubtensorError, st.hyperparameters(-1))).toBe('INVALID_ARGUMENT');
    expect(await thrownCode(SubtensorError, st.neuronLite(1, 70000))).toBe('INVALID_ARGUMENT');
    expect(await thrownCode(SubtensorError, st.blockHash(-3))).toBe('INVALID_ARGUMENT');
    expect(() => st.at('0x12')).toThrow(SubtensorError);
    expect(await thrownCode(SubtensorError, (st.query as any).subtensorModule.noSuchItem())).toBe('INVALID_ARGUMENT');
    expect(await thrownCode(SubtensorError, st.query.subtensorModule.uids(1, 'not-an-address'))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await thrownCode(SubtensorError, st.transfer(alice, 'nope', 1n))).toBe('INVALID_ARGUMENT');
    expect(await thrownCode(SubtensorError, st.transfer(alice, bob.ss58Address, -1n))).toBe('INVALID_ARGUMENT');
    expect(
      await thrownCode(SubtensorError, st.transfer(keypairFromAddress(alice.ss58Address), bob.ss58Address, 1n)),
    ).toBe('INVALID_ARGUMENT');
    expect(await thrownCode(SubtensorError, st.rpc('no_such_method'))).toBe('RPC_ERROR');
  });

  it('has bindings that regenerate byte for byte from the finney fixture', () => {
    if (!existsSync(FIXTURE)) throw new Error(`fixture missing: ${FIXTURE}`);
    const out = join(mkdtempSync(join(tmpdir(), 'snk-')), 'bindings.ts');
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/gen-subtensor-bindings.ts', FIXTURE, out], {
      stdio: 'pipe',
    });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync('src/subtensor/bindings.generated.ts', 'utf8'));
  });
});

describe('the subnet lifecycle through the client', () => {
  it('creates a subnet, registers, serves, sets weights, runs epochs and pays incentive and dividends', async () => {
    const created = await st.registerNetwork(alice, validator.ss58Address);
    netuid = created.netuid;
    expect(netuid).toBe(2);
    expect(created.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(created.fee).toBeGreaterThan(0n);
    await st.startCall(alice, netuid);
    await st.addStake(alice, validator.ss58Address, netuid, 100n * TAO);
    for (const [i, m] of miners.entries()) {
      const r = await st.burnedRegister(bob, netuid, m.ss58Address);
      expect(r.uid).toBe(i + 1);
      expect(await st.uidOf(netuid, m.ss58Address)).toBe(i + 1);
      const served = await st.serveAxon(m, netuid, { ip: `10.0.0.${i + 1}`, port: 8091 + i });
      expect(served?.events.map((e) => e.name)).toContain('AxonServed');
      // Unchanged: not sent again (it would only spend the serving rate limit).
      expect(await st.serveAxon(m, netuid, { ip: `10.0.0.${i + 1}`, port: 8091 + i })).toBeNull();
    }
    const axon = await st.axonInfo(netuid, miners[1]!.ss58Address);
    expect(axon).toMatchObject({ ip: (10n << 24n) | 2n, port: 8092, ipType: 4, protocol: 4 });

    // The u16 values are exactly what the consensus module's Python ports produce for the same input.
    const w = await st.setWeights(validator, netuid, [1, 2], [0.9, 0.1]);
    expect(w.mode).toBe('set');
    const p = processWeightsForNetuid([1, 2], [0.9, 0.1], {
      n: 3,
      minAllowedWeights: 1,
      maxWeightsLimit: await st.query.subtensorModule.maxWeightsLimit(netuid),
    });
    const expected = convertWeightsAndUidsForEmit(p.uids, p.weights);
    expect({ uids: w.uids, weights: w.weights }).toEqual(expected);
    expect((await st.weights(netuid)).get(0)).toEqual(expected.uids.map((u, i) => [u, expected.weights[i]]));

    const before = await syncMetagraph(st, { netuid });
    devnet.newBlock(25);
    const after = await syncMetagraph(st, { netuid, lite: false });
    expect(after.block).toBeGreaterThan(before.block);
    expect(after.n).toBe(3);
    expect(after.I[1]!).toBeGreaterThan(after.I[2]!);
    expect(after.D[0]!).toBeGreaterThan(0);
    expect(after.S[1]!).toBeGreaterThan(before.S[1]!);
    expect(after.W![0 * 3 + 1]! + after.W![0 * 3 + 2]!).toBeCloseTo(1, 5);
    expect(after.axons[2]).toMatchObject({
      ip: '10.0.0.2',
      port: 8092,
      hotkey: miners[1]!.ss58Address,
      isServing: true,
    });
    const infos = await st.stakeInfo(alice.ss58Address);
    expect(infos.some((s) => s.hotkey === validator.ss58Address && s.netuid === netuid && s.stake > 0n)).toBe(true);
    // The one-call metagraph (get_metagraph) agrees with the synced one.
    const info = (await st.metagraphInfo(netuid))!;
    expect(info.hotkeys).toEqual(after.hotkeys);
    expect(info.incentives).toEqual(Array.from(after.I, (x) => Math.round(x * 65535)));
    expect(info.alphaDividendsPerHotkey[0]![1]).toBeGreaterThan(0n);
    expect(await st.metagraphInfo(99)).toBeNull();
  });

  it('reports chain errors by pallet and name, with the block and fee', async () => {
    // rate limited: weights were set a moment ago
    const tooFast = await failure(st.setWeights(validator, netuid, [1], [1]));
    expect(tooFast.code).toBe('DISPATCH_FAILED');
    expect([tooFast.pallet, tooFast.error]).toEqual(['SubtensorModule', 'SettingWeightsTooFast']);
    expect(tooFast.blockHash).toMatch(/^0x/);
    // not registered: caught before sending
    expect(await thrownCode(SubtensorError, st.setWeights(charlie, netuid, [0], [1]))).toBe('NOT_REGISTERED');
    // wrong version key: the owner raises the subnet's key, an older one is refused
    await st.send(await st.calls.adminUtils.sudoSetWeightsVersionKey({ netuid, weightsVersionKey: 7 }), alice);
    devnet.newBlock(101);
    const old = await failure(st.setWeights(validator, netuid, [1], [1], { versionKey: 3n }));
    expect(old.error).toBe('IncorrectWeightVersionKey');
    // the default version key is the subnet's own, so this goes through
    expect((await st.setWeights(validator, netuid, [1], [1])).versionKey).toBe(7n);
    // the pool refuses what cannot pay, as Substrate does
    const poor = keypairFromUri('//Poor');
    expect(await thrownCode(SubtensorError, st.transfer(poor, bob.ss58Address, 1n))).toBe('TX_INVALID');
    // sudo: a root-only setter from a non-root signer fails as BadOrigin; via sudo it works
    const badOrigin = await failure(st.send(await st.calls.adminUtils.sudoSetKappa({ netuid, kappa: 30000 }), bob));
    expect(badOrigin.error).toBe('BadOrigin');
    expect(await st.query.subtensorModule.kappa(netuid)).not.toBe(30000);
    const viaSudo = await st.sudo(alice, await st.calls.adminUtils.sudoSetKappa({ netuid, kappa: 30000 }));
    expect(viaSudo.events.some((e) => e.name === 'Sudid')).toBe(true);
    expect(await st.query.subtensorModule.kappa(netuid)).toBe(30000);
  });

  it('commits under commit-reveal: CRv4 revealed by the chain, CRv2 by the caller', async () => {
    await st.send(await st.calls.adminUtils.sudoSetCommitRevealWeightsEnabled({ netuid, enabled: true }), alice);
    expect((await st.commitReveal(netuid)).enabled).toBe(true);
    // a plain set_weights is now refused by the chain
    devnet.newBlock(101);
    const plain = await failure(
      st.send(
        await st.calls.subtensorModule.setWeights({ netuid, dests: [1], weights: [1], versionKey: 7 }),
        validator,
      ),
    );
    expect(plain.error).toBe('CommitRevealEnabled');
    const t = await st.setWeights(validator, netuid, [1, 2], [0.5, 0.5]);
    expect(t.mode).toBe('timelock-commit');
    expect(t.revealRound).toBeGreaterThan(0n);
    expect(t.events.some((e) => e.name === 'TimelockedWeightsCommitted')).toBe(true);
    // What went on chain is a real TLE ciphertext to the devnet's beacon: it opens with the beacon's signature of
    // the reveal round and with no other.
    const epochIndex = await st.query.subtensorModule.subnetEpochIndex(netuid);
    const queue = (await st.query.subtensorModule.timelockedWeightCommits(netuid, epochIndex)) as unknown as [
      string,
      bigint,
      Uint8Array | string,
      bigint,
    ][];
    const stored = queue.find((c) => c[0] === validator.ss58Address)!;
    const ciphertext =
      typeof stored[2] === 'string' ? new Uint8Array(Buffer.from(stored[2].slice(2), 'hex')) : stored[2];
    expect(parseTimelockCiphertext(ciphertext).cipherSuite).toBe('AES_GCM_');
    expect(stored[3]).toBe(t.revealRound);
    const payload = timelockDecrypt(ciphertext, devnetBeacon().sign(t.revealRound!));
    expect(Buffer.from(payload.subarray(1, 33))).toEqual(Buffer.from(validator.publicKey));
    expect(() => timelockDecrypt(ciphertext, devnetBeacon().sign(t.revealRound! + 1n))).toThrow(TimelockError);
    const rowBefore = (await st.weights(netuid)).get(0);
    devnet.newBlock(24); // past the next epoch boundary and into the reveal epoch
    const rowAfter = (await st.weights(netuid)).get(0);
    expect(rowAfter).not.toEqual(rowBefore);
    expect(rowAfter).toEqual([
      [1, 65535],
      [2, 65535],
    ]);

    devnet.newBlock(101);
    const h = await st.setWeights(validator, netuid, [1, 2], [0.25, 0.75], { commitReveal: 'hash' });
    expect(h.mode).toBe('hash-commit');
    expect(h.salt).toHaveLength(8);
    const early = await failure(st.revealWeights(validator, netuid, h.uids, h.weights, h.salt!, h.versionKey));
    expect(early.error).toBe('RevealTooEarly');
    devnet.newBlock(11);
    const revealed = await st.revealWeights(validator, netuid, h.uids, h.weights, h.salt!, h.versionKey);
    expect(revealed.events.some((e) => e.name === 'WeightsRevealed')).toBe(true);
    expect((await st.weights(netuid)).get(0)).toEqual(h.uids.map((u, i) => [u, h.weights[i]]));
  });

  it('computes the drand round Python targets', () => {
    // current_epoch = (100 + 1 + 1) // 11 = 9; reveal epoch 10; first reveal block 10·11 − 2 = 108; target 111;
    // secs = 11·12 = 132; round = floor((now + 132 − genesis) / 3)
    const now = 1_800_000_000_000;
    expect(revealRoundFor(100, 1, 0, 10, 1, now)).toBe(BigInt(Math.floor((1_800_000_000 + 132 - 1692803367) / 3)));
  });
});

describe('nonces', () => {
  it('gives concurrent sends of one signer consecutive nonces', async () => {
    const start = (await st.query.system.account(charlie.ss58Address)).nonce;
    const receipts = await Promise.all(Array.from({ length: 20 }, () => st.transfer(charlie, bob.ss58Address, TAO)));
    expect(receipts.map((r) => r.nonce).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => start + i));
    expect((await st.query.system.account(charlie.ss58Address)).nonce).toBe(start + 20);
  });

  it('recovers when another client used the nonce it expected', async () => {
    await st.transfer(charlie, bob.ss58Address, TAO); // the manager now expects nonce k+1
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const api = await st.api();
    // Someone else (another process with the same key) sends with nonce k+1 first.
    const other = api.tx.balances!.transferKeepAlive!(bob.ss58Address, TAO);
    await other.signAsync(keyring.addFromUri('//Charlie'), { nonce: -1 });
    await st.rpc('author_submitExtrinsic', [other.toHex()]);
    const r = await st.transfer(charlie, bob.ss58Address, TAO);
    expect(r.blockHash).toMatch(/^0x/);
    expect((await st.query.system.account(charlie.ss58Address)).nonce).toBe(r.nonce + 1);
  });
});
