/**
 * `subnetkit demo`: a whole subnet on this machine, every part its own process. It starts a devnet, creates a subnet,
 * registers two validators and four miners of known quality, starts them with the Python-style flags, prints a table
 * per epoch (uid, label, score, weight, incentive, dividends, emission), writes an HTML report with a plot of
 * incentive per miner over the epochs, stops everything by signal, and exits 0 only if the best miner ends with the
 * highest incentive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createWallet, cryptoReady, keypairFromUri, type Keypair } from '../../keys/index.js';
import type { Subtensor } from '../../subtensor/index.js';
import { CliError } from '../errors.js';
import { table, type CliIO } from '../io.js';
import { QUALITIES, type Quality } from './protocol.js';
import { renderReport, type EpochRow } from './report.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Epochs to watch after the first weights (default 6). */
  epochs: number;
  /** Blocks per epoch (default 10). */
  tempo: number;
  /** Milliseconds per block (default 250). */
  sealingMs: number;
  /** Validators (1 or 2, default 2). */
  validators: number;
  /** Folder for wallets, logs, state and the report (default: a new temp folder). */
  out?: string;
  /** The CLI script that starts the child processes (default: this process's script). */
  bin: string;
  /** Give up after this many seconds (default 150). */
  timeLimit: number;
}

interface Child {
  label: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

const TAO = 1_000_000_000n;

function start(bin: string, args: string[], logFile: string, label: string, onLine?: (line: string) => void): Child {
  // execArgv carries loader flags (`--import tsx` when the CLI runs from source) to the children.
  const proc = spawn(process.execPath, [...process.execArgv, bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const log = createWriteStream(logFile);
  for (const stream of [proc.stdout!, proc.stderr!]) {
    const rl = createInterface({ input: stream });
    rl.on('line', (line) => {
      log.write(`${line}\n`);
      onLine?.(line);
    });
  }
  const exited = new Promise<number | null>((r) =>
    proc.on('exit', (code) => {
      log.end();
      r(code);
    }),
  );
  return { label, proc, exited };
}

/** What the demo's steps share: where files go, the processes started, the clock. */
interface DemoRun {
  io: CliIO;
  o: DemoOptions;
  out: string;
  dirs: { wallets: string; logs: string; state: string };
  children: Child[];
  started: number;
}

interface DemoNeuron {
  label: string;
  key: Keypair;
}

interface DemoSubnet {
  netuid: number;
  validators: (DemoNeuron & { hotkeyName: string })[];
  miners: (DemoNeuron & { quality: Quality; uid: number })[];
}

/** Runs the demo; resolves with the exit code. */
export async function runDemo(io: CliIO, o: DemoOptions): Promise<number> {
  await cryptoReady();
  const out = resolve(o.out ?? join(tmpdir(), `subnetkit-demo-${process.pid}-${Date.now()}`));
  const dirs = { wallets: join(out, 'wallets'), logs: join(out, 'logs'), state: join(out, 'state') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const run: DemoRun = { io, o, out, dirs, children: [], started: Date.now() };
  let st: Subtensor | null = null;
  const deadline = setTimeout(() => {
    io.err(`demo: over the ${o.timeLimit} s limit; stopping`);
    for (const c of run.children) c.proc.kill('SIGKILL');
    process.exitCode = 1;
  }, o.timeLimit * 1000);
  deadline.unref();
  try {
    io.out(`subnetkit demo — a local subnet, every part its own process (files in ${out})`);
    const url = await startChain(run);
    io.out(`1. devnet at ${url}: a block every ${o.sealingMs} ms, tempo ${o.tempo}`);
    const { createSubtensor } = await import('../../subtensor/index.js');
    st = await createSubtensor({ network: url });
    const subnet = await createDemoSubnet(run, st);
    io.out(
      `2. subnet ${subnet.netuid}: ${subnet.validators.length} validator(s) staked, ${subnet.miners.length} miners registered (${subnet.miners.map((m) => `${m.label}=uid ${m.uid}`).join(', ')})`,
    );
    const scores = startNeurons(run, subnet, url);
    io.out(
      `3. started ${subnet.miners.length} miner and ${subnet.validators.length} validator processes (logs in ${dirs.logs})`,
    );
    const history = await watchEpochs(run, st, subnet, scores);
    return await finish(run, subnet, history);
  } finally {
    clearTimeout(deadline);
    await st?.close().catch(() => {});
    await stopAll(run.children);
  }
}

/** SIGTERM to every child, SIGKILL to those still up after 8 s; the exit codes, or null when some were killed. */
async function stopAll(children: Child[]): Promise<(number | null)[] | null> {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGTERM');
  const codes = await Promise.race([
    Promise.all(children.map((c) => c.exited)),
    new Promise<null>((r) => setTimeout(() => r(null), 8000)),
  ]);
  if (codes === null) for (const c of children) c.proc.kill('SIGKILL');
  return codes;
}

/** Step 1: the devnet as a child process; resolves with its URL once it listens. */
async function startChain({ o, dirs, children }: DemoRun): Promise<string> {
  const args = ['devnet', '--port', '0', '--json', '--quiet', '--tempo', String(o.tempo)];
  args.push('--sealing', String(o.sealingMs), '--weights-rate-limit', '0');
  const devnet = start(o.bin, args, join(dirs.logs, 'devnet.log'), 'devnet');
  children.push(devnet);
  return new Promise<string>((res, rej) => {
    const rl = createInterface({ input: devnet.proc.stdout! });
    rl.on('line', (l) => {
      try {
        const j = JSON.parse(l) as { event?: string; url?: string };
        if (j.event === 'listening' && j.url) res(j.url);
      } catch {
        // not a JSON line
      }
    });
    devnet.exited.then((c) =>
      rej(
        new CliError('CLI_FAILED', `the devnet exited (${c}) before listening; see ${join(dirs.logs, 'devnet.log')}`),
      ),
    );
  });
}

/** Step 2: wallets on disk (btwallet files) for the neurons' hotkeys, a subnet, stake and registrations. */
async function createDemoSubnet({ o, dirs }: DemoRun, st: Subtensor): Promise<DemoSubnet> {
  const hotkeyOf = async (wallet: string, hotkey: string) =>
    (await createWallet({ name: wallet, hotkey, path: dirs.wallets }).createNewHotkey()).keypair;
  const validators: DemoSubnet['validators'] = [];
  for (let i = 0; i < o.validators; i++)
    validators.push({
      label: `validator-${i + 1}`,
      hotkeyName: `v${i + 1}`,
      key: await hotkeyOf('demo-validator', `v${i + 1}`),
    });
  const miners: DemoSubnet['miners'] = [];
  for (const q of QUALITIES) miners.push({ label: q, quality: q, key: await hotkeyOf('demo-miner', q), uid: -1 });
  // The dev accounts pay: Alice owns the subnet and stakes the validators, Bob registers the miners.
  const alice = keypairFromUri('//Alice');
  const bob = keypairFromUri('//Bob');
  const { netuid } = await st.registerNetwork(alice, validators[0]!.key.ss58Address);
  await st.startCall(alice, netuid);
  for (const [i, v] of validators.entries()) {
    if (i > 0) await st.burnedRegister(alice, netuid, v.key.ss58Address);
    await st.addStake(alice, v.key.ss58Address, netuid, BigInt(100 - 40 * i) * TAO);
  }
  for (const m of miners) m.uid = (await st.burnedRegister(bob, netuid, m.key.ss58Address)).uid;
  return { netuid, validators, miners };
}

/** Step 3: the neurons as processes with Python's flags; the validators' latest scores, by label, as they log them. */
function startNeurons({ o, dirs, children }: DemoRun, subnet: DemoSubnet, url: string): Map<string, number[]> {
  const common = ['--netuid', String(subnet.netuid), '--subtensor.network', url];
  common.push('--wallet.path', dirs.wallets, '--logging.format', 'json');
  for (const m of subnet.miners) {
    const args = ['demo-neuron', 'miner', ...common, '--wallet.name', 'demo-miner', '--wallet.hotkey', m.label];
    args.push('--axon.ip', '127.0.0.1', '--axon.port', '0', '--neuron.sync_interval', '2', '--demo.quality', m.quality);
    children.push(start(o.bin, args, join(dirs.logs, `miner-${m.label}.log`), m.label));
  }
  const scores = new Map<string, number[]>();
  for (const v of subnet.validators) {
    const args = ['demo-neuron', 'validator', ...common, '--wallet.name', 'demo-validator'];
    args.push('--wallet.hotkey', v.hotkeyName, '--logging.debug', '--neuron.timeout', '2');
    args.push('--neuron.sample_size', '8', '--neuron.moving_average_alpha', '0.3', '--neuron.epoch_length', '5');
    args.push('--neuron.full_path', join(dirs.state, v.label));
    const onLine = (line: string) => {
      if (!line.startsWith('{')) return;
      try {
        const j = JSON.parse(line) as { msg?: string; scores?: number[] };
        if (j.msg === 'scores' && Array.isArray(j.scores)) scores.set(v.label, j.scores);
      } catch {
        // a partial line
      }
    };
    children.push(start(o.bin, args, join(dirs.logs, `${v.label}.log`), v.label, onLine));
  }
  return scores;
}

/** Step 4: a table per epoch once the first weights are on chain, until `o.epochs` epochs are seen. */
async function watchEpochs(
  run: DemoRun,
  st: Subtensor,
  subnet: DemoSubnet,
  scores: Map<string, number[]>,
): Promise<EpochRow[]> {
  const { io, o, children, dirs } = run;
  const { netuid, validators, miners } = subnet;
  const { syncMetagraph } = await import('../../metagraph/index.js');
  const history: EpochRow[] = [];
  let lastEpoch = Number(await st.query.subtensorModule.subnetEpochIndex(netuid));
  let weightsSeen = false;
  while (history.length < o.epochs) {
    await new Promise((r) => setTimeout(r, o.sealingMs));
    const dead = children.find((c) => c.proc.exitCode !== null);
    if (dead) throw new CliError('CLI_FAILED', `${dead.label} exited (${dead.proc.exitCode}); see ${dirs.logs}`);
    const epoch = Number(await st.query.subtensorModule.subnetEpochIndex(netuid));
    if (epoch === lastEpoch) continue;
    lastEpoch = epoch;
    const mg = await syncMetagraph(st, { netuid, lite: false });
    const v1 = mg.uidOf(validators[0]!.key.ss58Address)!;
    const row = mg.W!.subarray(v1 * mg.n, (v1 + 1) * mg.n);
    if (!weightsSeen && row.some((x) => x > 0)) weightsSeen = true;
    if (!weightsSeen) continue;
    const v1Scores = scores.get(validators[0]!.label) ?? [];
    const chainOf = (uid: number) => ({ incentive: mg.I[uid]!, dividends: mg.D[uid]!, emission: mg.E[uid]! });
    const rows: Record<string, number | string | null>[] = miners.map((m) => ({
      uid: m.uid,
      label: m.label,
      score: v1Scores[m.uid] ?? 0,
      weight: row[m.uid]!,
      ...chainOf(m.uid),
    }));
    for (const v of validators) {
      const uid = mg.uidOf(v.key.ss58Address)!;
      rows.push({ uid, label: v.label, score: null, weight: null, ...chainOf(uid) });
    }
    history.push({ epoch, block: mg.block, incentive: Object.fromEntries(miners.map((m) => [m.label, mg.I[m.uid]!])) });
    io.out('');
    io.out(`epoch ${epoch} · block #${mg.block} · ${Math.round((Date.now() - run.started) / 1000)} s`);
    for (const l of table(rows, ['uid', 'label', 'score', 'weight', 'incentive', 'dividends', 'emission']))
      io.out(`  ${l}`);
  }
  return history;
}

/** Step 5: the report, a clean stop by signal, and the verdict (0 when the honest miner earns the most). */
async function finish(run: DemoRun, subnet: DemoSubnet, history: EpochRow[]): Promise<number> {
  const { io, o, out } = run;
  const reportPath = join(out, 'demo-report.html');
  const qualities = subnet.miners.map((m) => m.label);
  writeFileSync(reportPath, renderReport({ netuid: subnet.netuid, tempo: o.tempo, qualities, history }));
  const final = history.at(-1)!.incentive;
  const best = QUALITIES.reduce((a, b) => (final[b]! > final[a]! ? b : a));
  const codes = await stopAll(run.children);
  io.out('');
  io.out(`report: ${reportPath}`);
  io.out(`stopped every process by SIGTERM${codes ? ` (exit codes ${codes.join(', ')})` : ' (some had to be killed)'}`);
  const ok = best === 'honest' && (final.honest ?? 0) > (final.lazy ?? 0);
  io.out(
    ok
      ? `done in ${Math.round((Date.now() - run.started) / 1000)} s: the honest miner earns the most incentive (${(final.honest ?? 0).toFixed(3)}), the lazy one ${(final.lazy ?? 0).toFixed(3)}`
      : `FAILED: the ${best} miner ended with the most incentive`,
  );
  return ok ? 0 : 1;
}

export type { Quality };
