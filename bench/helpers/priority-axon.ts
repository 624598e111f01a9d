/**
 * The axon of the priority benchmark, in a process of its own: one Echo route, the top caller staked, everyone else
 * unknown (no stake). Prints `port <n>` once listening; stops on SIGTERM.
 */
import { createAxon } from '../../src/axon/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { Echo } from './priority-axon-synapse.js';

await cryptoReady();
const top = keypairFromUri('//PriorityTop').ss58Address;
const axon = createAxon({
  keypair: keypairFromUri('//PriorityAxon'),
  port: 0,
  host: '127.0.0.1',
  // Rate limits off: the benchmark measures ordering under load, not the buckets.
  rateLimit: { perIp: false, perHotkey: false },
  stakeOf: (hotkey) => (hotkey === top ? 1_000_000 : undefined),
});
axon.attach(Echo, (s) => {
  s.reply = s.text;
  return s;
});
await axon.start();
process.stdout.write(`port ${axon.port}\n`);
process.once('SIGTERM', () => void axon.stop().then(() => process.exit(0)));
