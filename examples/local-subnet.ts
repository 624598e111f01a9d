/**
 * A whole subnet on your machine, offline, in one process: the embedded devnet, a validator and two miners.
 *
 *   npm run demo
 *
 * 1. A devnet starts (finney's metadata, localnet genesis). Alice creates subnet 2 with her validator hotkey,
 *    starts emission and stakes 100 TAO on the validator.
 * 2. Two miners register with burned TAO, start real HTTP axons and announce them on chain with serve_axon.
 * 3. The validator reads the metagraph from the chain (NeuronInfoRuntimeApi), queries each miner through a signed
 *    dendrite, scores the answers, and sets weights on chain.
 * 4. Blocks pass; the Yuma Consensus epoch runs; incentive, dividends and stake move.
 */
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { createAxon, intToIp, ipToInt } from 'subnetkit/axon';
import { createDendrite } from 'subnetkit/dendrite';
import { TAO, startDevnet } from 'subnetkit/devnet';
import { cryptoReady, keypairFromUri } from 'subnetkit/keys';
import { defineSynapse, t } from 'subnetkit/synapse';

// The subnet's protocol: add two numbers.
const Sum = defineSynapse({ name: 'Sum', fields: { a: t.int(), b: t.int(), total: t.int().optional() }, requiredHashFields: ['a', 'b'] });

const log = (s: string) => process.stdout.write(`${s}\n`);
await cryptoReady();
const devnet = await startDevnet({ port: 0, tempo: 10 });
log(`devnet: ${devnet.url}`);
const EMPTY = { extrinsic: {}, payload: {} };
const api = (await ApiPromise.create({
  provider: new WsProvider(devnet.url),
  noInitWarn: true,
  signedExtensions: { SudoTransactionExtension: EMPTY, CheckShieldedTxValidity: EMPTY, SubtensorTransactionExtension: EMPTY, DrandPriority: EMPTY },
})) as any; // typed pallet bindings arrive with the subtensor client
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');
const validatorHot = keyring.addFromUri('//Alice//validator');
const minerHots = [keyring.addFromUri('//Bob//honest'), keyring.addFromUri('//Bob//lazy')];

/** Signs, sends and waits for the block; throws on a dispatch error (resolves once, on the first of the two). */
async function send(tx: any, signer: any, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    tx.signAndSend(signer, (res: any) => {
      // InBlock, or Finalized: @polkadot/api may skip InBlock when finality follows at once, as on the devnet.
      if (!res.status.isInBlock && !res.status.isFinalized) return;
      if (res.dispatchError) {
        const m = res.dispatchError.isModule ? api.registry.findMetaError(res.dispatchError.asModule) : null;
        reject(new Error(`${what}: ${m ? `${m.section}.${m.name}` : res.dispatchError.toString()}`));
      } else resolve();
    }).catch(reject);
  });
  log(`  ✓ ${what}`);
}

const st = api.tx.subtensorModule;
log('1. subnet');
await send(st.registerNetwork(validatorHot.address), alice, 'register_network (lock 1000 TAO)');
const netuid = 2;
await send(st.startCall(netuid), alice, 'start_call');
await send(st.addStake(validatorHot.address, netuid, 100n * TAO), alice, 'add_stake 100 TAO on the validator');

log('2. miners');
const axons = [];
for (const [i, hot] of minerHots.entries()) {
  await send(st.burnedRegister(netuid, hot.address), bob, `burned_register miner ${i + 1}`);
  const axon = createAxon({ keypair: keypairFromUri(i === 0 ? '//Bob//honest' : '//Bob//lazy'), port: 0, host: '127.0.0.1' });
  axon.attach(Sum, (s) => {
    s.total = i === 0 ? s.a + s.b : 42; // the lazy miner always answers 42
    return s;
  });
  await axon.start();
  axons.push(axon);
  const info = axon.info();
  await send(st.serveAxon(netuid, info.version, ipToInt(info.ip), info.port, 4, info.protocol, 0, 0), hot, `serve_axon ${info.ip}:${info.port}`);
}

log('3. validator');
const neurons = await api.call.neuronInfoRuntimeApi.getNeuronsLite(netuid);
const dendrite = createDendrite({ keypair: keypairFromUri('//Alice//validator') });
const uids: number[] = [];
const scores: number[] = [];
for (const n of neurons) {
  if (n.axonInfo.port.toNumber() === 0) continue; // the validator itself serves nothing
  const target = { ip: intToIp(n.axonInfo.ip.toBigInt()), port: n.axonInfo.port.toNumber(), hotkey: n.hotkey.toString() };
  let correct = 0;
  for (let q = 0; q < 5; q++) {
    const a = Math.floor(Math.random() * 1000);
    const b = Math.floor(Math.random() * 1000);
    const reply = await dendrite.call(target, new Sum({ a, b }), { timeout: 5 });
    if (reply.isSuccess && reply.total === a + b) correct++;
  }
  log(`  uid ${n.uid.toNumber()} at ${target.ip}:${target.port}: ${correct}/5 correct`);
  uids.push(n.uid.toNumber());
  scores.push(correct);
}
await send(st.setWeights(netuid, uids, scores, 0), validatorHot, `set_weights ${JSON.stringify(uids)} → ${JSON.stringify(scores)}`);

log('4. epochs');
const before = await Promise.all(minerHots.map(async (h) => (await api.query.subtensorModule.totalHotkeyAlpha(h.address, netuid)).toBigInt()));
devnet.newBlock(25);
const incentive = (await api.query.subtensorModule.incentive(netuid)).toJSON() as number[];
const dividends = (await api.query.subtensorModule.dividends(netuid)).toJSON() as number[];
log(`  epochs run: ${(await api.query.subtensorModule.subnetEpochIndex(netuid)).toString()}`);
log(`  incentive: ${JSON.stringify(incentive.map((x) => +(x / 65535).toFixed(3)))}   dividends: ${JSON.stringify(dividends.map((x) => +(x / 65535).toFixed(3)))}`);
for (const [i, h] of minerHots.entries()) {
  const after = (await api.query.subtensorModule.totalHotkeyAlpha(h.address, netuid)).toBigInt();
  log(`  miner ${i + 1} (${i === 0 ? 'honest' : 'lazy'}) earned ${(Number(after - before[i]!) / 1e9).toFixed(3)} alpha`);
}
await dendrite.close();
await Promise.all(axons.map((a) => a.stop()));
await api.disconnect();
await devnet.close();
log('done');
