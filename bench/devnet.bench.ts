/**
 * The devnet under load, over a real WebSocket with @polkadot/api: signed set_weights extrinsics accepted per second
 * (64 validators, n = 256), the time to build a block whose epoch runs at n = 256, and get_neurons_lite latency.
 */
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { TAO, startDevnet } from '../src/devnet/index.js';
import WebSocket from 'ws';
import type { BenchReport } from './run.js';

/** A minimal JSON-RPC client over one WebSocket. */
async function rawClient(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id: number; result?: unknown; error?: unknown };
    waiting.get(msg.id)?.(msg.error ? { error: msg.error } : msg.result);
    waiting.delete(msg.id);
  });
  return {
    call: (method: string, params: unknown[]) =>
      new Promise<unknown>((resolve) => {
        waiting.set(++id, resolve);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      }),
    close: () => ws.close(),
  };
}

const EMPTY = { extrinsic: {}, payload: {} };
const N = 256;
const VALIDATORS = 64;

export async function run(): Promise<BenchReport> {
  const devnet = await startDevnet({ port: 0, tempo: 100 });
  const api = (await ApiPromise.create({
    provider: new WsProvider(devnet.url),
    noInitWarn: true,
    signedExtensions: {
      SudoTransactionExtension: EMPTY,
      CheckShieldedTxValidity: EMPTY,
      SubtensorTransactionExtension: EMPTY,
      DrandPriority: EMPTY,
    },
  })) as any;
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice');
  const hot = Array.from({ length: N }, (_, i) => keyring.addFromUri(`//Alice//bench${i}`));
  const st = api.tx.subtensorModule;
  let nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  const submitAll = async (txs: any[]) => {
    const hexes: string[] = [];
    for (const tx of txs) hexes.push((await tx.signAsync(alice, { nonce: nonce++, era: 0 })).toHex());
    await Promise.all(hexes.map((h) => api.rpc.author.submitExtrinsic(h)));
    await new Promise((r) => setTimeout(r, 20));
  };
  // Subnet 2 with 256 uids: the network's owner hotkey is uid 0, then 255 burned registrations.
  await submitAll([st.registerNetwork(hot[0]!.address)]);
  await submitAll([api.tx.sudo.sudo(api.tx.adminUtils.sudoSetWeightsSetRateLimit(2, 0)), st.startCall(2)]);
  for (let i = 1; i < N; i += 64) await submitAll(hot.slice(i, i + 64).map((h) => st.burnedRegister(2, h.address)));
  // Stake the first 64 hotkeys so the epoch gives them permits, then let one epoch run.
  await submitAll(hot.slice(0, VALIDATORS).map((h, i) => st.addStake(h.address, 2, BigInt(10 + i) * TAO)));
  devnet.newBlock(100);
  const permits = ((await api.query.subtensorModule.validatorPermit(2)).toJSON() as boolean[]).filter(Boolean).length;

  // set_weights: every validator weights all 256 uids; signed before the clock starts.
  const rounds = 4;
  const signed: string[] = [];
  const uids = Array.from({ length: N }, (_, i) => i);
  for (let r = 0; r < rounds; r++) {
    for (let v = 0; v < VALIDATORS; v++) {
      const weights = uids.map((u) => 1 + ((u * 7919 + v * 104729 + r) % 65535));
      const n = (await api.rpc.system.accountNextIndex(hot[v]!.address)).toNumber() + r;
      signed.push((await st.setWeights(2, uids, weights, 0).signAsync(hot[v]!, { nonce: n, era: 0 })).toHex());
    }
  }
  // The timed part goes over a plain JSON-RPC WebSocket client, as any client's submissions arrive: what is measured
  // is the devnet's acceptance rate, not polkadot-js re-decoding the hex it is given (which cost more than the devnet).
  const raw = await rawClient(devnet.url);
  const before = devnet.bestNumber();
  const t0 = performance.now();
  const accepted = await Promise.all(signed.map((h) => raw.call('author_submitExtrinsic', [h])));
  if (accepted.some((r) => typeof r !== 'string')) throw new Error('a set_weights extrinsic was rejected');
  // Wait until every one of them is in a block (each new block is read once, as JSON).
  const target = signed.length;
  let included = 0;
  let seen = before;
  while (included < target) {
    while (seen < devnet.bestNumber()) {
      seen++;
      const block = (await raw.call('chain_getBlock', [await raw.call('chain_getBlockHash', [seen])])) as {
        block: { extrinsics: string[] };
      };
      included += block.block.extrinsics.length;
    }
    if (included < target) await new Promise((r) => setTimeout(r, 2));
  }
  const setWeightsSeconds = (performance.now() - t0) / 1000;

  // The block in which subnet 2's epoch runs, at n = 256 with 64 validators' full weight rows.
  const last = (await api.query.subtensorModule.lastEpochBlock(2)).toNumber();
  const due = last + 100 - devnet.bestNumber() - 1;
  if (due > 0) devnet.newBlock(due);
  const e0 = performance.now();
  devnet.newBlock(1);
  const epochMs = performance.now() - e0;
  const epochRan = (await api.query.subtensorModule.lastEpochBlock(2)).toNumber() === devnet.bestNumber();
  const e1 = performance.now();
  devnet.newBlock(1);
  const plainBlockMs = performance.now() - e1;

  // get_neurons_lite over the WebSocket.
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const s = performance.now();
    const lite = await api.call.neuronInfoRuntimeApi.getNeuronsLite(2);
    times.push(performance.now() - s);
    if (lite.length !== N) throw new Error(`expected ${N} neurons, got ${lite.length}`);
  }
  times.sort((a, b) => a - b);
  const liteMs = times[times.length >> 1]!;
  // get_metagraph (the whole subnet in one answer) over the WebSocket.
  const mgTimes: number[] = [];
  for (let i = 0; i < 15; i++) {
    const s = performance.now();
    const mg = (await api.call.subnetInfoRuntimeApi.getMetagraph(2)).unwrap();
    mgTimes.push(performance.now() - s);
    if (mg.hotkeys.length !== N) throw new Error(`expected ${N} hotkeys, got ${mg.hotkeys.length}`);
  }
  mgTimes.sort((a, b) => a - b);
  const metagraphMs = mgTimes[mgTimes.length >> 1]!;
  raw.close();
  await api.disconnect();
  await devnet.close();

  const figures = {
    set_weights_per_sec: Math.round(target / setWeightsSeconds),
    epoch_block_ms_n256: +epochMs.toFixed(1),
    plain_block_ms_n256: +plainBlockMs.toFixed(1),
    neurons_lite_ms_n256: +liteMs.toFixed(1),
    metagraph_info_ms_n256: +metagraphMs.toFixed(1),
    validator_permits: permits,
  };
  return {
    table: [
      {
        case: `set_weights, ${VALIDATORS} validators × ${rounds}, 256 uids each, signed beforehand`,
        value: figures.set_weights_per_sec,
        unit: 'extrinsics/s',
      },
      {
        case: `block with an epoch, n = ${N}${epochRan ? '' : ' (epoch did not run!)'}`,
        value: figures.epoch_block_ms_n256,
        unit: 'ms',
      },
      { case: 'block without an epoch, same state', value: figures.plain_block_ms_n256, unit: 'ms' },
      { case: 'get_neurons_lite(256) over WebSocket, median of 30', value: figures.neurons_lite_ms_n256, unit: 'ms' },
      {
        case: 'get_metagraph(256 uids) over WebSocket, median of 15',
        value: figures.metagraph_info_ms_n256,
        unit: 'ms',
      },
    ],
    figures,
    notes: [
      'one process: @polkadot/api client and devnet share the event loop and the 2 cores',
      'set_weights/s counts from the first submission until the last is in a block: decode, signature and nonce checks, the 13 weight checks, storage, events, sealing; submitted as hex over a plain JSON-RPC WebSocket client in the same process',
    ],
  };
}
