import { existsSync, readFileSync } from 'node:fs';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAO, startDevnet, type Devnet } from '../../src/devnet/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import {
  MetagraphError,
  createMetagraphTracker,
  diffMetagraphs,
  loadMetagraph,
  saveMetagraph,
  syncMetagraph,
  type MetagraphDiff,
} from '../../src/metagraph/index.js';
import { decodeNeurons } from '../../src/metagraph/decode.js';
import { createSubtensor, type Subtensor } from '../../src/subtensor/index.js';
import { thrownCode } from '../helpers/helpers.js';

const FIXTURE = 'test/fixtures/finney-metadata-spec424.scale';
const alice = keypairFromUri('//Alice');
const bob = keypairFromUri('//Bob');
const validator = keypairFromUri('//Alice//validator');
const miner = (i: number) => keypairFromUri(`//Bob//miner${i}`);

let devnet: Devnet;
let st: Subtensor;
const netuid = 2;

beforeAll(async () => {
  await cryptoReady();
  devnet = await startDevnet({ port: 0, tempo: 10 });
  st = await createSubtensor({ network: devnet.url });
  await st.registerNetwork(alice, validator.ss58Address);
  await st.startCall(alice, netuid);
  await st.addStake(alice, validator.ss58Address, netuid, 50n * TAO);
  for (let i = 1; i <= 3; i++) {
    await st.burnedRegister(bob, netuid, miner(i).ss58Address);
    await st.serveAxon(miner(i), netuid, { ip: `192.168.1.${i}`, port: 9000 + i });
  }
  await st.setWeights(validator, netuid, [1, 2, 3], [0.5, 0.3, 0.2]);
  devnet.newBlock(25);
});

afterAll(async () => {
  await st?.close();
  await devnet?.close();
});

describe('runtime-API decoding', () => {
  it('decodes neurons exactly as @polkadot/types does with the finney metadata', async () => {
    if (!existsSync(FIXTURE)) throw new Error(`fixture missing: ${FIXTURE}`);
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, readFileSync(FIXTURE));
    const empty = { extrinsic: {}, payload: {} };
    registry.setMetadata(metadata, undefined, {
      SudoTransactionExtension: empty,
      CheckShieldedTxValidity: empty,
      SubtensorTransactionExtension: empty,
      DrandPriority: empty,
    });
    const api = metadata.asV16.apis.find((a) => a.name.toString() === 'NeuronInfoRuntimeApi')!;
    for (const [method, full] of [
      ['get_neurons_lite', false],
      ['get_neurons', true],
    ] as const) {
      const bytes = await st.stateCall('neuronInfoRuntimeApi', full ? 'getNeurons' : 'getNeuronsLite', [netuid]);
      const out = api.methods.find((m) => m.name.toString() === method)!.output;
      const ref = registry.createType(registry.createLookupType(out), bytes).toJSON() as Record<string, any>[];
      const c = decodeNeurons(bytes, full);
      expect(c.n).toBe(ref.length);
      ref.forEach((r, i) => {
        expect(u8aToHex(c.hotkeys[i])).toBe(u8aToHex(decodeAddress(r.hotkey)));
        expect(u8aToHex(c.coldkeys[i])).toBe(u8aToHex(decodeAddress(r.coldkey)));
        expect(c.uids[i]).toBe(r.uid);
        expect(c.active[i]).toBe(r.active ? 1 : 0);
        expect([
          c.axonIp[i],
          c.axonPort[i],
          c.axonIpType[i],
          c.axonProtocol[i],
          c.axonVersion[i],
          c.axonBlock[i],
        ]).toEqual([
          BigInt(r.axonInfo.ip),
          r.axonInfo.port,
          r.axonInfo.ipType,
          r.axonInfo.protocol,
          r.axonInfo.version,
          Number(r.axonInfo.block),
        ]);
        expect(c.stakeRao[i]).toBe(r.stake.reduce((s: bigint, [, v]: [string, number]) => s + BigInt(v), 0n));
        expect([
          c.rank[i],
          c.incentive[i],
          c.consensus[i],
          c.trust[i],
          c.validatorTrust[i],
          c.dividends[i],
          c.pruningScore[i],
        ]).toEqual([r.rank, r.incentive, r.consensus, r.trust, r.validatorTrust, r.dividends, r.pruningScore]);
        expect(c.emissionRao[i]).toBe(BigInt(r.emission));
        expect(c.lastUpdate[i]).toBe(Number(r.lastUpdate));
        expect(c.validatorPermit[i]).toBe(r.validatorPermit ? 1 : 0);
        if (full) {
          expect(Array.from(c.weights![i]!)).toEqual(r.weights.flat());
          expect(Array.from(c.bonds![i]!)).toEqual(r.bonds.flat());
        }
      });
    }
  });

  it('refuses truncated or inflated neuron data with METAGRAPH_DECODE_FAILED', async () => {
    const bytes = await st.stateCall('neuronInfoRuntimeApi', 'getNeuronsLite', [netuid]);
    for (const bad of [
      bytes.subarray(0, bytes.length - 3),
      Uint8Array.from([...bytes, 0]),
      Uint8Array.from([0xff, 0xff, 0xff, 0x7f]),
      new Uint8Array([4, 1, 2]),
    ]) {
      expect(() => decodeNeurons(bad, false)).toThrow(MetagraphError);
    }
  });
});

describe('syncMetagraph', () => {
  it('fills the typed arrays with Python units and aliases', async () => {
    const mg = await syncMetagraph(st, { netuid });
    const neurons = await st.neuronsLite(netuid);
    const state = (await st.subnetState(netuid))!;
    expect(mg.n).toBe(4);
    expect(mg.lite).toBe(true);
    expect(mg.weights).toBeNull();
    expect(Array.from(mg.uids)).toEqual([0, 1, 2, 3]);
    expect(mg.hotkeys).toEqual(neurons.map((n) => n.hotkey));
    neurons.forEach((n, i) => {
      expect(mg.I[i]).toBe(Math.fround(n.incentive / 65535));
      expect(mg.D[i]).toBe(Math.fround(n.dividends / 65535));
      expect(mg.E[i]).toBe(Number(n.emission) / 1e9);
      expect(mg.S[i]).toBe(Number(state.totalStake[i]) / 1e9);
      expect(mg.TS[i]).toBe((Number(state.taoStake[i]) / 1e9) * 0.18);
    });
    expect(mg.I[1]!).toBeGreaterThan(mg.I[3]!);
    expect(mg.D[0]!).toBeGreaterThan(0);
    expect(mg.axons[2]).toMatchObject({
      ip: '192.168.1.2',
      port: 9002,
      isServing: true,
      hotkey: miner(2).ss58Address,
      coldkey: bob.ss58Address,
    });
    expect(mg.axons[0]!.isServing).toBe(false);
    expect(mg.uidOf(miner(3).ss58Address)).toBe(3);
    expect(mg.uidOf(alice.ss58Address)).toBeUndefined();
  });

  it('syncs full (weights row-normalised, bonds raw) and at a past block', async () => {
    const full = await syncMetagraph(st, { netuid, lite: false });
    const row = Array.from(full.W!.subarray(0, 4));
    expect(row[0]).toBe(0);
    expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(row[1]! / row[3]!).toBeCloseTo(0.5 / 0.2, 3);
    expect(full.B!.some((b) => b > 1)).toBe(true); // raw u16
    const past = await syncMetagraph(st, { netuid, block: 3 });
    expect(past.block).toBe(3);
    expect(past.n).toBeLessThan(full.n);
  });

  it('refuses bad arguments and missing subnets', async () => {
    expect(await thrownCode(MetagraphError, syncMetagraph(st, { netuid: -1 }))).toBe('METAGRAPH_INVALID_ARGUMENT');
    expect(await thrownCode(MetagraphError, syncMetagraph(st, { netuid, block: 1e9 }))).toBe(
      'METAGRAPH_INVALID_ARGUMENT',
    );
    expect(await thrownCode(MetagraphError, syncMetagraph(st, { netuid: 99 }))).toBe('METAGRAPH_SUBNET_NOT_FOUND');
  });
});

describe('save and load', () => {
  it('round-trips lite and full metagraphs exactly', async () => {
    for (const lite of [true, false]) {
      const mg = await syncMetagraph(st, { netuid, lite });
      const back = loadMetagraph(saveMetagraph(mg));
      for (const k of ['netuid', 'network', 'block', 'blockHash', 'n', 'lite', 'hotkeys', 'coldkeys', 'axons'] as const)
        expect(back[k]).toEqual(mg[k]);
      for (const k of [
        'uids',
        'stake',
        'alphaStake',
        'taoStake',
        'incentive',
        'dividends',
        'consensus',
        'validatorTrust',
        'emission',
        'active',
        'validatorPermit',
        'lastUpdate',
      ] as const) {
        expect(Array.from(back[k])).toEqual(Array.from(mg[k]));
      }
      expect(back.W === null ? null : Array.from(back.W)).toEqual(mg.W === null ? null : Array.from(mg.W));
      expect(back.S).toBe(back.stake);
      expect(back.uidOf(miner(1).ss58Address)).toBe(1);
    }
  });

  it('refuses altered, truncated or foreign bytes with METAGRAPH_BAD_FILE', async () => {
    const bytes = saveMetagraph(await syncMetagraph(st, { netuid }));
    const flipped = bytes.slice();
    flipped[40]! ^= 1;
    for (const bad of [
      flipped,
      bytes.subarray(0, bytes.length - 1),
      new Uint8Array(100),
      new TextEncoder().encode('{"n":1}'),
    ]) {
      expect(() => loadMetagraph(bad)).toThrow(MetagraphError);
    }
  });
});

describe('resync, diff and events', () => {
  it('emits registrations, deregistrations and axon moves, and reuses what did not change', async () => {
    const tracker = createMetagraphTracker(st, { netuid });
    const first = await tracker.sync();
    expect(await tracker.sync()).toBe(first); // same block: nothing re-read
    const seen: string[] = [];
    tracker.events.on('registered', ({ uid }) => seen.push(`+${uid}`));
    tracker.events.on('deregistered', ({ uid }) => seen.push(`-${uid}`));
    tracker.events.on('axonChanged', ({ uid, after }) => seen.push(`~${uid}:${after.port}`));

    // A full subnet prunes a uid for the newcomer; and miner 2 moves its axon.
    await st.send(await st.calls.adminUtils.sudoSetMaxAllowedUids({ netuid, maxAllowedUids: 4 }), alice);
    await st.send(await st.calls.adminUtils.sudoSetImmunityPeriod({ netuid, immunityPeriod: 0 }), alice);
    devnet.newBlock(60);
    await st.serveAxon(miner(2), netuid, { ip: '192.168.1.2', port: 9102 });
    const pruned = await st.burnedRegister(bob, netuid, miner(9).ss58Address);
    let diff: MetagraphDiff | null = null;
    tracker.events.once('synced', (_m, d) => (diff = d));
    const second = await tracker.sync();
    expect(seen).toContain(`+${pruned.uid}`);
    expect(seen).toContain(`-${pruned.uid}`);
    if (pruned.uid !== 2) expect(seen).toContain('~2:9102');
    expect(diff).toEqual(diffMetagraphs(first, second));
    expect(second.hotkeys[pruned.uid]).toBe(miner(9).ss58Address);
    // untouched axons are the same objects as before
    const untouched = [1, 3].filter((u) => u !== pruned.uid);
    for (const u of untouched) expect(second.axons[u]).toBe(first.axons[u]);
  });
});
