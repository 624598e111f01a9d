/**
 * Fan-out rounds to 256 peers in another process, for `node --cpu-prof`:
 * `tsx bench/helpers/profile-fanout.ts <http|stream> [rounds] [axons|bare]` prints the p50/p99 round time and both
 * processes' CPU (and each one's main thread). `bare` peers are plain HTTP echoes (fanout-http-echo.ts), so the
 * round is the dendrite's own (signed HTTP only). Env: WARMUP rounds (10), PRINT_ROUNDS, PROFILE_AXONS_DIR.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { procCpuMs } from './proc-cpu.js';
import { createDendrite, type AxonTarget } from '../../src/dendrite/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { Echo } from './priority-axon-synapse.js';

await cryptoReady();
const transport = (process.argv[2] ?? 'stream') as 'http' | 'stream';
const count = Number(process.argv[3] ?? 50);
const here = dirname(fileURLToPath(import.meta.url));
const bare = process.argv[4] === 'bare';
const profileDir = process.env.PROFILE_AXONS_DIR;
const child = spawn(
  process.execPath,
  [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    '--import',
    'tsx',
    join(here, bare ? 'fanout-http-echo.ts' : 'fanout-axons.ts'),
    '256',
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const listed = JSON.parse(
  await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)),
) as AxonTarget[] | number[];
const peerHotkey = keypairFromUri('//BenchServer').ss58Address;
const targets: AxonTarget[] = listed.map((t) =>
  typeof t === 'number' ? { ip: '127.0.0.1', port: t, hotkey: peerHotkey } : t,
);
const fan = createDendrite({ keypair: keypairFromUri('//BenchClient'), connectionsPerAxon: 1, transport });
const text = 'x'.repeat(1000);
for (let i = 0; i < Number(process.env.WARMUP ?? 10); i++)
  await fan.forward(targets, new Echo({ text }), { timeout: 30 }); // connect, then warm the JIT at both ends
const rounds: number[] = [];
// The axons' process's CPU time (Linux: utime + stime in clock ticks of 10 ms), to set beside the dendrite's.
const childCpuMs = () => procCpuMs(String(child.pid));
const childMainCpuMs = () => procCpuMs(`${child.pid}/task/${child.pid}`);
const childCpu0 = childCpuMs();
const childMain0 = childMainCpuMs();
const cpu = process.cpuUsage();
const mainCpuMs = () => procCpuMs(`self/task/${process.pid}`);
const main0 = mainCpuMs();
for (let i = 0; i < count; i++) {
  const s = performance.now();
  const rs = await fan.forward(targets, new Echo({ text }), { timeout: 30 });
  rounds.push(performance.now() - s);
  if (!rs.every((r) => r.isSuccess)) throw new Error('fan-out failure');
}
const used = process.cpuUsage(cpu);
const childUsed = childCpuMs() - childCpu0;
const childMainUsed = childMainCpuMs() - childMain0;
const mainUsed = mainCpuMs() - main0;
const inOrder = [...rounds];
rounds.sort((a, b) => a - b);
const q = (p: number) => rounds[Math.min(rounds.length - 1, Math.floor(p * rounds.length))]!.toFixed(1);
if (process.env.PRINT_ROUNDS) process.stdout.write(`rounds ${inOrder.map((r) => r.toFixed(0)).join(' ')}\n`);
process.stdout.write(
  `${transport}: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, dendrite CPU ${((used.user + used.system) / count / 1000).toFixed(1)} ms/round (main thread ${(mainUsed / count).toFixed(1)}), ${bare ? 'bare peers' : "axons'"} process CPU ${(childUsed / count).toFixed(1)} ms/round (main thread ${(childMainUsed / count).toFixed(1)})\n`,
);
await fan.close();
child.kill('SIGTERM');
