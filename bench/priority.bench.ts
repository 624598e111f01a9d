/**
 * Stake priority under attack: the top-stake caller's latency while unstaked hotkeys flood the axon, as a ratio to
 * its latency on an idle axon, measured side by side in one run.
 *
 * The axon, the flood and the top caller are three processes (the axon's signature checks run in its worker
 * thread). The top caller keeps one signed request in flight; each flood keeps ten times as many in flight
 * (`FLOOD_FACTOR`), from unstaked hotkeys: `signed` (valid signatures), `garbage` (random signatures) and `session`
 * (the HMAC fast path). Per-IP and per-hotkey rate limits are off: a real flood comes from many addresses and keys,
 * and the point is what ordering alone guarantees. Figures: `top_stake_p99_ratio_<kind>_flood` (goal ≤ 2).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createDendrite } from '../src/dendrite/index.js';
import { cryptoReady, keypairFromUri } from '../src/keys/index.js';
import { Echo } from './helpers/priority-axon-synapse.js';
import type { BenchReport } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));
const FLOOD_FACTOR = 10;
const SAMPLES = 1000;
/** The floods run: each kind at the goal's factor, then at a saturating ×64 for the record. */
const FLOODS = (['signed', 'garbage', 'session'] as const).flatMap((kind) =>
  [FLOOD_FACTOR, 64].map((factor) => [kind, factor] as const),
);

function child(script: string, args: string[]): { proc: ChildProcess; line: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'helpers', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = new Promise<string>((resolve) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
  });
  return { proc, line };
}

async function stop(c: { proc: ChildProcess }): Promise<string> {
  const out = new Promise<string>((resolve) => {
    let text = '';
    c.proc.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
    });
    c.proc.once('exit', () => resolve(text.trim()));
  });
  c.proc.kill('SIGTERM');
  return out;
}

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

export async function run(): Promise<BenchReport> {
  await cryptoReady();
  const axon = child('priority-axon.ts', []);
  const port = Number(/port (\d+)/.exec(await axon.line)![1]);
  const target = { ip: '127.0.0.1', port, hotkey: keypairFromUri('//PriorityAxon').ss58Address };
  const top = createDendrite({ keypair: keypairFromUri('//PriorityTop') });
  const measure = async (): Promise<{ p50: number; p99: number; failed: number }> => {
    const lat: number[] = [];
    let failed = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      const r = await top.call(target, new Echo({ text: 'top' }), { timeout: 12 });
      lat.push(performance.now() - t0);
      if (r.dendrite.status_code !== 200) failed++;
    }
    return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), failed };
  };
  for (let i = 0; i < 100; i++) await top.call(target, new Echo({ text: 'warm' }), { timeout: 12 });
  const idle = await measure();
  const table: BenchReport['table'] = [
    { case: 'idle', 'top p50 ms': round(idle.p50), 'top p99 ms': round(idle.p99), 'p99 ratio': 1, failed: idle.failed },
  ];
  const figures: BenchReport['figures'] = { top_idle_p99_ms: round(idle.p99) };
  for (const [kind, factor] of FLOODS) {
    const flood = child('priority-flood.ts', [kind, String(port), String(factor)]);
    await new Promise((r) => setTimeout(r, 1500)); // the flood up to speed
    const t0 = performance.now();
    const m = await measure();
    const seconds = (performance.now() - t0) / 1000;
    const sent = Number(/sent (\d+)/.exec(await stop(flood))?.[1] ?? 0);
    const ratio = round(m.p99 / idle.p99);
    figures[`top_stake_p99_ratio_${kind}_flood${factor === FLOOD_FACTOR ? '' : `_x${factor}`}`] = ratio;
    table.push({
      case: `${kind} flood ×${factor}`,
      'top p50 ms': round(m.p50),
      'top p99 ms': round(m.p99),
      'p99 ratio': ratio,
      failed: m.failed,
      'flood req/s': Math.round(sent / (seconds + 1.5)),
    });
  }
  await top.close();
  await stop(axon);
  return {
    table,
    figures,
    notes: [
      `top caller: 1 signed request in flight, ${SAMPLES} samples; each flood: ${FLOOD_FACTOR} (the goal) or 64 in flight from unstaked hotkeys, rate limits off`,
      'p99 ratio = the top caller’s p99 under the flood / its p99 on the idle axon, in the same run',
    ],
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
