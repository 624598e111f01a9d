/**
 * The fan-out's dendrite-only rows: 256 bare HTTP peers in another process (fanout-http-echo.ts), first from a bare
 * undici client (the HTTP floor: the same body and header count, no synapse, no signature), then from our dendrite
 * (the Python-compatible signed path). Both processes share this machine's cores, but the peers' work is a bare echo,
 * so what the round adds over the floor is the dendrite's own.
 */
import { Client } from 'undici';
import { type AxonTarget, createDendrite } from '../../src/dendrite/index.js';
import type { Keypair } from '../../src/keys/index.js';
import { Echo } from './priority-axon-synapse.js';

/** Round times (ms, sorted), single-call times (ms, sorted), and this process's CPU per round (ms). */
export interface FanoutTimes {
  rounds: number[];
  single: number[];
  cpuMsPerRound: number;
}

/**
 * Times `rounds` fan-out rounds after `warmup` untimed ones (they connect and warm the JIT at both ends); each timed
 * round is preceded by one single call, for the overhead figure.
 */
export async function timeRounds(
  warmup: number,
  rounds: number,
  round: () => Promise<void>,
  single: (i: number) => Promise<void>,
): Promise<FanoutTimes> {
  for (let i = 0; i < warmup; i++) await round();
  const roundMs: number[] = [];
  const singleMs: number[] = [];
  let cpuUs = 0;
  for (let i = 0; i < rounds; i++) {
    let s = performance.now();
    await single(i);
    singleMs.push(performance.now() - s);
    s = performance.now();
    const cpu = process.cpuUsage();
    await round();
    const used = process.cpuUsage(cpu);
    cpuUs += used.user + used.system;
    roundMs.push(performance.now() - s);
  }
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  return { rounds: sorted(roundMs), single: sorted(singleMs), cpuMsPerRound: cpuUs / rounds / 1000 };
}

/** The HTTP floor and our dendrite against the same 256 bare peers. */
export async function dendriteOnlyFanout(
  ports: number[],
  keypair: Keypair,
  axonHotkey: string,
  text: string,
  warmup: number,
  rounds: number,
): Promise<{ floor: FanoutTimes; ours: FanoutTimes }> {
  const targets: AxonTarget[] = ports.map((port) => ({ ip: '127.0.0.1', port, hotkey: axonHotkey }));
  // The floor sends what our dendrite sends: the same JSON body and a header set of the same size.
  const sample = new Echo({ text });
  const headers: Record<string, string> = { ...sample.toHeaders(), 'content-type': 'application/json' };
  for (const k of ['nonce', 'uuid', 'hotkey', 'signature', 'version', 'ip'])
    headers[`bt_header_dendrite_${k}`] = 'x'.repeat(k === 'signature' ? 130 : 48);
  const body = sample.toJSON();
  const clients = ports.map((p) => new Client(`http://127.0.0.1:${p}`, { pipelining: 1, keepAliveTimeout: 30_000 }));
  const post = async (c: Client) => {
    const r = await c.request({ path: '/Echo', method: 'POST', headers, body });
    await r.body.text();
  };
  const floor = await timeRounds(
    warmup,
    rounds,
    async () => {
      await Promise.all(clients.map(post));
    },
    (i) => post(clients[i % clients.length]!),
  );
  await Promise.all(clients.map((c) => c.close()));
  const fan = createDendrite({ keypair, connectionsPerAxon: 1, transport: 'http' });
  const check = (ok: boolean) => {
    if (!ok) throw new Error('dendrite-only fan-out: a call failed');
  };
  const ours = await timeRounds(
    warmup,
    rounds,
    async () => check((await fan.forward(targets, new Echo({ text }), { timeout: 30 })).every((r) => r.isSuccess)),
    async (i) => check((await fan.call(targets[i % targets.length]!, new Echo({ text }), { timeout: 30 })).isSuccess),
  );
  await fan.close();
  return { floor, ours };
}
