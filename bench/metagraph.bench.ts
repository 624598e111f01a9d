/**
 * Metagraph sync at n = 256 from the devnet over a real WebSocket, lite and full, side by side with the raw
 * ceiling (the same two `state_call`s, bytes only, no decoding) and with the @polkadot/api path a TS user would
 * otherwise write (`api.call.*` decoded by the codec classes).
 */
import { TAO, startDevnet } from '../src/devnet/index.js';
import { cryptoReady, keypairFromUri } from '../src/keys/index.js';
import { createMetagraphTracker, loadMetagraph, saveMetagraph, syncMetagraph } from '../src/metagraph/index.js';
import { createSubtensor } from '../src/subtensor/index.js';
import type { BenchReport } from './run.js';

const N = 256;
const VALIDATORS = 16;
const RUNS = 25;

async function median(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1]!;
}

export async function run(): Promise<BenchReport> {
  await cryptoReady();
  const devnet = await startDevnet({ port: 0, tempo: 100 });
  const st = await createSubtensor({ network: devnet.url });
  const alice = keypairFromUri('//Alice');
  const hot = Array.from({ length: N }, (_, i) => keypairFromUri(`//Alice//mg${i}`));
  const { netuid } = await st.registerNetwork(alice, hot[0]!.ss58Address);
  await st.startCall(alice, netuid);
  await st.sudo(alice, await st.calls.adminUtils.sudoSetWeightsSetRateLimit({ netuid, weightsSetRateLimit: 0 }));
  // 255 registrations and the validators' stakes without waiting for each: the nonce manager numbers them.
  const none = { wait: 'none' as const };
  await Promise.all(hot.slice(1).map((h) => st.burnedRegister(alice, netuid, h.ss58Address, none)));
  await st.addStake(alice, hot[VALIDATORS - 1]!.ss58Address, netuid, TAO); // waits: everything before it is in
  await Promise.all(
    hot.slice(0, VALIDATORS - 1).map((h, i) => st.addStake(alice, h.ss58Address, netuid, BigInt(10 + i) * TAO, none)),
  );
  await st.transfer(alice, keypairFromUri('//Bob').ss58Address, TAO);
  devnet.newBlock(100);
  const uids = Array.from({ length: N }, (_, i) => i);
  await Promise.all(
    hot.slice(0, VALIDATORS).map((h, v) =>
      st.setWeights(
        h,
        netuid,
        uids,
        uids.map((u) => 1 + ((u * 7919 + v * 104729) % 1000)),
        { wait: 'none', process: false },
      ),
    ),
  );
  devnet.newBlock(101);

  const lite = await syncMetagraph(st, { netuid });
  const full = await syncMetagraph(st, { netuid, lite: false });
  if (lite.n !== N || full.n !== N) throw new Error(`expected ${N} neurons, got ${lite.n}/${full.n}`);
  const rowsSet = Array.from({ length: N }, (_, i) => full.W![i * N + 1]! > 0).filter(Boolean).length;

  const api = await st.api();
  const hash = (await st.blockHash())!;
  const rawLite = await median(() =>
    Promise.all([
      st.rpc('state_call', ['NeuronInfoRuntimeApi_get_neurons_lite', '0x0200', hash]),
      st.rpc('state_call', ['SubnetInfoRuntimeApi_get_subnet_state', '0x0200', hash]),
    ]),
  );
  const rawFull = await median(() =>
    Promise.all([
      st.rpc('state_call', ['NeuronInfoRuntimeApi_get_neurons', '0x0200', hash]),
      st.rpc('state_call', ['SubnetInfoRuntimeApi_get_subnet_state', '0x0200', hash]),
    ]),
  );
  const call = api.call as any;
  const pjsLite = await median(() =>
    Promise.all([call.neuronInfoRuntimeApi.getNeuronsLite(netuid), call.subnetInfoRuntimeApi.getSubnetState(netuid)]),
  );
  const pjsFull = await median(() =>
    Promise.all([call.neuronInfoRuntimeApi.getNeurons(netuid), call.subnetInfoRuntimeApi.getSubnetState(netuid)]),
  );
  const oursLite = await median(() => syncMetagraph(st, { netuid }));
  const oursFull = await median(() => syncMetagraph(st, { netuid, lite: false }));
  const tracker = createMetagraphTracker(st, { netuid });
  await tracker.sync();
  const resyncSame = await median(() => tracker.sync());
  const bytesLite = saveMetagraph(lite);
  const bytesFull = saveMetagraph(full);
  const saveMs = await median(async () => saveMetagraph(full));
  const loadMs = await median(async () => loadMetagraph(bytesFull));
  await st.close();
  await devnet.close();

  const r = (x: number) => +x.toFixed(2);
  const figures = {
    sync_lite_ms_n256: r(oursLite),
    sync_full_ms_n256: r(oursFull),
    raw_lite_ms_n256: r(rawLite),
    raw_full_ms_n256: r(rawFull),
    polkadotjs_lite_ms_n256: r(pjsLite),
    polkadotjs_full_ms_n256: r(pjsFull),
    ratio_lite_vs_raw: r(oursLite / rawLite),
    ratio_full_vs_raw: r(oursFull / rawFull),
    speedup_lite_vs_polkadotjs: r(pjsLite / oursLite),
    speedup_full_vs_polkadotjs: r(pjsFull / oursFull),
    resync_same_block_ms: r(resyncSame),
    saved_bytes_lite: bytesLite.length,
    saved_bytes_full: bytesFull.length,
    save_full_ms: r(saveMs),
    load_full_ms: r(loadMs),
    weight_rows_set: rowsSet,
  };
  return {
    table: [
      {
        case: `syncMetagraph lite, n=${N}`,
        ms: figures.sync_lite_ms_n256,
        'raw state_calls': figures.raw_lite_ms_n256,
        '@polkadot/api call.*': figures.polkadotjs_lite_ms_n256,
      },
      {
        case: `syncMetagraph full, n=${N}, ${rowsSet} weight rows`,
        ms: figures.sync_full_ms_n256,
        'raw state_calls': figures.raw_full_ms_n256,
        '@polkadot/api call.*': figures.polkadotjs_full_ms_n256,
      },
      {
        case: 'tracker resync, block unchanged',
        ms: figures.resync_same_block_ms,
        'raw state_calls': '-',
        '@polkadot/api call.*': '-',
      },
      {
        case: `save full (${bytesFull.length} B) / load full`,
        ms: `${figures.save_full_ms} / ${figures.load_full_ms}`,
        'raw state_calls': '-',
        '@polkadot/api call.*': '-',
      },
    ],
    figures,
    notes: [
      `median of ${RUNS} after 3 warm-ups; client and devnet share one process and its 2 cores`,
      'raw = the same two state_calls (neurons, subnet state) over the same socket, bytes only: the floor a sync cannot go under',
      '@polkadot/api = the same two runtime calls decoded by the codec classes, without building a metagraph',
    ],
  };
}
