/**
 * A whole subnet on your machine, offline, in one process: the embedded devnet, a validator and two miners.
 *
 *   npm run demo
 *
 * 1. `createSubtensor({ network: 'devnet' })` starts a devnet (finney's metadata, localnet genesis) and connects
 *    the chain client to it. Alice creates subnet 2 with her validator hotkey, starts emission and stakes 100 TAO.
 * 2. Two miners register with burned TAO, start real HTTP axons and announce them on chain with serve_axon.
 * 3. The validator syncs the metagraph, queries each served axon through a signed dendrite, scores the answers,
 *    and sets weights (processed and converted to u16 as Python does).
 * 4. Blocks pass; the Yuma Consensus epoch runs; incentive, dividends and stake move.
 */
import { createAxon } from 'subnetkit/axon';
import { createDendrite } from 'subnetkit/dendrite';
import { TAO } from 'subnetkit/devnet';
import { cryptoReady, keypairFromUri } from 'subnetkit/keys';
import { createMetagraphTracker } from 'subnetkit/metagraph';
import { createSubtensor } from 'subnetkit/subtensor';
import { defineSynapse, t } from 'subnetkit/synapse';

// The subnet's protocol: add two numbers.
const Sum = defineSynapse({
  name: 'Sum',
  fields: { a: t.int(), b: t.int(), total: t.int().optional() },
  requiredHashFields: ['a', 'b'],
});

const log = (s: string) => process.stdout.write(`${s}\n`);
await cryptoReady();
// network: 'devnet' starts the embedded chain in this process; 'finney', 'test' or a URL connect to a real one.
const st = await createSubtensor({ network: 'devnet' });
log(`devnet: ${st.url}`);
const alice = keypairFromUri('//Alice');
const bob = keypairFromUri('//Bob');
const validatorHot = keypairFromUri('//Alice//validator');
const minerHots = [keypairFromUri('//Bob//honest'), keypairFromUri('//Bob//lazy')];

log('1. subnet');
const { netuid } = await st.registerNetwork(alice, validatorHot.ss58Address);
log(`  ✓ register_network: subnet ${netuid} (lock 1000 TAO)`);
await st.startCall(alice, netuid);
log('  ✓ start_call');
await st.addStake(alice, validatorHot.ss58Address, netuid, 100n * TAO);
log('  ✓ add_stake 100 TAO on the validator');

log('2. miners');
const axons = [];
for (const [i, hot] of minerHots.entries()) {
  const { uid } = await st.burnedRegister(bob, netuid, hot.ss58Address);
  const axon = createAxon({ keypair: hot, port: 0, host: '127.0.0.1' });
  axon.attach(Sum, (s) => {
    s.total = i === 0 ? s.a + s.b : 42; // the lazy miner always answers 42
    return s;
  });
  await axon.start();
  axons.push(axon);
  const info = axon.info();
  await st.serveAxon(hot, netuid, { ip: info.ip, port: info.port, version: info.version, protocol: info.protocol });
  log(`  ✓ miner ${i + 1}: burned_register → uid ${uid}, serve_axon ${info.ip}:${info.port}`);
}

log('3. validator');
const metagraph = createMetagraphTracker(st, { netuid });
const mg = await metagraph.sync();
const dendrite = createDendrite({ keypair: validatorHot });
const uids: number[] = [];
const scores: number[] = [];
for (const axon of mg.axons) {
  if (!axon.isServing) continue; // the validator itself serves nothing
  let correct = 0;
  for (let q = 0; q < 5; q++) {
    const a = Math.floor(Math.random() * 1000);
    const b = Math.floor(Math.random() * 1000);
    const reply = await dendrite.call(axon, new Sum({ a, b }), { timeout: 5 });
    if (reply.isSuccess && reply.total === a + b) correct++;
  }
  const uid = mg.uidOf(axon.hotkey)!;
  log(`  uid ${uid} at ${axon.ip}:${axon.port}: ${correct}/5 correct`);
  uids.push(uid);
  scores.push(correct);
}
const sent = await st.setWeights(validatorHot, netuid, uids, scores);
log(`  ✓ set_weights ${JSON.stringify(sent.uids)} → ${JSON.stringify(sent.weights)} (u16, as Python converts them)`);

log('4. epochs');
const before = await metagraph.sync();
st.devnet!.newBlock(25);
const after = await metagraph.sync();
log(`  epochs run: ${await st.query.subtensorModule.subnetEpochIndex(netuid)}`);
log(
  `  incentive: ${JSON.stringify(Array.from(after.I, (x) => +x.toFixed(3)))}   dividends: ${JSON.stringify(Array.from(after.D, (x) => +x.toFixed(3)))}`,
);
for (const [i, h] of minerHots.entries()) {
  const uid = after.uidOf(h.ss58Address)!;
  log(`  miner ${i + 1} (${i === 0 ? 'honest' : 'lazy'}) earned ${(after.S[uid]! - before.S[uid]!).toFixed(3)} alpha`);
}
await dendrite.close();
await Promise.all(axons.map((a) => a.stop()));
await st.close();
log('done');
