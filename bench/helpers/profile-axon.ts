/**
 * One axon ↔ dendrite load in one process, for `node --cpu-prof`: `tsx bench/helpers/profile-axon.ts <http|session|grpc> [bytes] [seconds]`.
 */
import { procCpuMs } from './proc-cpu.js';
import { createDendrite } from '../../src/dendrite/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { createEchoAxon } from './echo-axon.js';
import { Echo } from './priority-axon-synapse.js';

await cryptoReady();
const transport = (process.argv[2] ?? 'http') as 'http' | 'session' | 'stream' | 'grpc';
const size = Number(process.argv[3] ?? 1000);
const seconds = Number(process.argv[4] ?? 4);
const axon = createEchoAxon(keypairFromUri('//BenchServer'));
await axon.start();
const d = createDendrite({ keypair: keypairFromUri('//BenchClient'), connectionsPerAxon: 32, transport });
const target = axon.info();
const payload = 'y'.repeat(size);
let count = 0;
const end = performance.now() + seconds * 1000;
const elu0 = performance.eventLoopUtilization();
// The main thread's own CPU time (Linux, clock ticks of 10 ms): unlike wall time, not inflated by a noisy neighbour.
const mainCpuMs = () => procCpuMs(`self/task/${process.pid}`);
const cpu0 = mainCpuMs();
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (performance.now() < end) {
      const r = await d.call(target, new Echo({ text: payload }), { timeout: 30 });
      if (!r.isSuccess) throw new Error(String(r.dendrite.status_message));
      count++;
    }
  }),
);
// The event loop's busy time per round trip (both ends share it): steadier than req/s on a noisy machine.
const busyUs = (performance.eventLoopUtilization(elu0).active * 1000) / count;
const cpuUs = ((mainCpuMs() - cpu0) * 1000) / count;
process.stdout.write(
  `${transport} ${size} B: ${Math.round(count / seconds)} req/s, event loop busy ${busyUs.toFixed(0)} µs, main thread CPU ${cpuUs.toFixed(0)} µs per round trip\n`,
);
await d.close();
await axon.stop();
