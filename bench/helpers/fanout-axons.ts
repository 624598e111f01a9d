/**
 * The 256 axons of the fan-out benchmark, in a process of their own so the figure is the dendrite's: prints one JSON
 * line with their targets once all listen; stops on SIGTERM.
 *
 *   tsx bench/helpers/fanout-axons.ts <count>
 */
import { createAxon } from '../../src/axon/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { Echo } from './priority-axon-synapse.js';

await cryptoReady();
const count = Number(process.argv[2] ?? 256);
const server = keypairFromUri('//BenchServer');
const axons = await Promise.all(
  Array.from({ length: count }, () =>
    createAxon({
      keypair: server,
      port: 0,
      host: '127.0.0.1',
      rateLimit: { perIp: false, perHotkey: false },
      // The default verify workers: the process's own, one per spare core, shared by all 256 axons.
    })
      .attach(Echo, (s) => s)
      .start(),
  ),
);
process.stdout.write(`${JSON.stringify(axons.map((a) => a.info()))}\n`);
process.once('SIGTERM', () => void Promise.all(axons.map((a) => a.stop())).then(() => process.exit(0)));
