/**
 * The `subnetkit` command as a user runs it: real processes against a devnet, `--json` parsed, exit codes checked,
 * wallets written by the CLI read back by the keys module.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAO, startDevnet, type Devnet } from '../../src/devnet/index.js';
import {
  createWallet,
  cryptoReady,
  keypairFromUri,
  passwordToEnvironmentValue,
  envVarNameForKeyfile,
} from '../../src/keys/index.js';
import { createSubtensor, type Subtensor } from '../../src/subtensor/index.js';
import { runCli } from '../../src/cli/index.js';
import { json, runSubnetkit, startSubnetkit } from '../helpers/spawn-cli.js';

/**
 * The same command in this process (the CLI's code path without the process start, about 2 s cheaper): most steps
 * run this way; the ones about processes (exit codes, stderr, signals, env) are spawned.
 */
async function inproc<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...args, '--json'], { out: (l) => out.push(l), err: (l) => err.push(l) });
  if (code !== 0) throw new Error(`subnetkit ${args.join(' ')} exited ${code}\n${err.join('\n')}`);
  return JSON.parse(out.join('\n')) as T;
}

let devnet: Devnet;
let st: Subtensor;
let dir: string;
const chain = () => ['--subtensor.network', devnet.url];

beforeAll(async () => {
  await cryptoReady();
  devnet = await startDevnet({ port: 0, tempo: 10, weightsRateLimit: 0 });
  st = await createSubtensor({ network: devnet.url });
  dir = mkdtempSync(join(tmpdir(), 'subnetkit-cli-'));
});

afterAll(async () => {
  await st?.close();
  await devnet?.close();
});

describe('subnetkit wallet', () => {
  it('creates wallets that the keys module (and so btwallet) reads back, encrypted or not', async () => {
    const w = ['--wallet.path', dir, '--wallet.name', 'owner', '--wallet.hotkey', 'hk'];
    const created = await json<{
      coldkey: { address: string; mnemonic: string; encrypted: boolean };
      hotkey: { address: string };
    }>(['wallet', 'create', ...w, '--no-use-password']);
    expect(created.coldkey.encrypted).toBe(false);
    const wallet = createWallet({ name: 'owner', hotkey: 'hk', path: dir });
    expect((await wallet.getColdkey()).ss58Address).toBe(created.coldkey.address);
    expect((await wallet.getHotkey()).ss58Address).toBe(created.hotkey.address);
    // Again: refused without --overwrite (exit 2, one line).
    const again = await runSubnetkit(['wallet', 'create', ...w, '--no-use-password']);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/exists/);
    // An encrypted coldkey, its password given the way btwallet reads it (BT_PW_<path>).
    const sealed = createWallet({ name: 'sealed', path: dir });
    const env = {
      [envVarNameForKeyfile(sealed.coldkeyPath)]: passwordToEnvironmentValue(
        envVarNameForKeyfile(sealed.coldkeyPath),
        'correct horse 1',
      ),
    };
    const enc = await json<{ coldkey: { address: string; encrypted: boolean } }>(
      ['wallet', 'create', '--wallet.path', dir, '--wallet.name', 'sealed'],
      env,
    );
    expect(enc.coldkey.encrypted).toBe(true);
    expect((await sealed.getColdkey('correct horse 1')).ss58Address).toBe(enc.coldkey.address);
    // Without a password source and with --no-prompt: a usage error, nothing written.
    const noPw = await runSubnetkit(['wallet', 'create', '--wallet.path', dir, '--wallet.name', 'nopw', '--no-prompt']);
    expect(noPw.code).toBe(2);
    expect(noPw.stderr).toMatch(/password is needed/);
    // Restoring a hotkey from its mnemonic gives the same address; the list shows it.
    const hot = await inproc<{ address: string; mnemonic: string }>([
      'wallet',
      'new-hotkey',
      '--wallet.path',
      dir,
      '--wallet.name',
      'owner',
      '--wallet.hotkey',
      'second',
    ]);
    const regen = await inproc<{ address: string }>([
      'wallet',
      'regen-hotkey',
      '--wallet.path',
      dir,
      '--wallet.name',
      'owner',
      '--wallet.hotkey',
      'restored',
      '--mnemonic',
      hot.mnemonic,
    ]);
    expect(regen.address).toBe(hot.address);
    const list = await json<{
      wallets: { name: string; coldkey: string; hotkeys: { name: string; address: string }[] }[];
    }>(['wallet', 'list', '--wallet.path', dir]); // spawned
    const owner = list.wallets.find((x) => x.name === 'owner')!;
    expect(owner.coldkey).toBe(created.coldkey.address);
    expect(owner.hotkeys.map((h) => h.name)).toEqual(['hk', 'restored', 'second']);
  }, 60_000);
});

describe('subnetkit subnet, stake, weights, axon against the devnet', () => {
  it('creates and starts a subnet, registers, stakes, serves, sets weights, and reads it all back as JSON', async () => {
    const w = ['--wallet.path', dir, '--wallet.name', 'owner', '--wallet.hotkey', 'hk'];
    const cold = await createWallet({ name: 'owner', path: dir }).getColdkeypub();
    await st.transfer(keypairFromUri('//Alice'), cold.ss58Address, 5000n * TAO);
    const bal = await inproc<{ free: string }>(['wallet', 'balance', ...w, ...chain()]);
    expect(BigInt(bal.free)).toBe(5000n * TAO);
    const { netuid } = await json<{ netuid: number }>(['subnet', 'create', ...w, ...chain()]);
    expect(netuid).toBeGreaterThan(1);
    await inproc(['subnet', 'start', ...w, ...chain(), '--netuid', String(netuid)]);
    const list = await inproc<{ subnets: { netuid: number; n: number }[] }>(['subnet', 'list', ...chain()]);
    expect(list.subnets.find((s) => s.netuid === netuid)?.n).toBe(1); // the owner hotkey
    // A second hotkey registers by burning.
    const miner = ['--wallet.path', dir, '--wallet.name', 'owner', '--wallet.hotkey', 'second'];
    const reg = await json<{ uid: number }>(['subnet', 'register', ...miner, ...chain(), '--netuid', String(netuid)]);
    expect(reg.uid).toBe(1);
    // Three writes by three different signers, at once.
    const [, , set] = await Promise.all([
      inproc(['stake', 'add', ...w, ...chain(), '--netuid', String(netuid), '--amount', '100']),
      inproc([
        'axon',
        'serve',
        ...miner,
        ...chain(),
        '--netuid',
        String(netuid),
        '--ip',
        '127.0.0.1',
        '--port',
        '8099',
      ]),
      json<{ mode: string; uids: number[]; weights: number[] }>([
        'weights',
        'set',
        ...w,
        ...chain(),
        '--netuid',
        String(netuid),
        '--uids',
        '0,1',
        '--weights',
        '0.25,0.75',
      ]),
    ]);
    expect(set.mode).toBe('set');
    expect(set.weights).toEqual([21845, 65535]);
    const [stakes, hp, mg, overview] = await Promise.all([
      inproc<{ stakes: { netuid: number; hotkey: string; stake: string }[] }>(['stake', 'list', ...w, ...chain()]),
      inproc<{ hyperparameters: { tempo: number } }>([
        'subnet',
        'hyperparameters',
        ...chain(),
        '--netuid',
        String(netuid),
      ]),
      json<{ n: number; neurons: { uid: number; axon: string | null; stake: number }[] }>([
        'subnet',
        'metagraph',
        ...chain(),
        '--netuid',
        String(netuid),
      ]),
      inproc<{ neurons: { netuid: number; hotkey: string; uid: number }[] }>([
        'wallet',
        'overview',
        ...w,
        ...chain(),
        '--netuid',
        String(netuid),
      ]),
    ]);
    expect(stakes.stakes.some((s) => s.netuid === netuid && BigInt(s.stake) > 0n)).toBe(true);
    expect(hp.hyperparameters.tempo).toBe(10);
    expect(mg.n).toBe(2);
    expect(mg.neurons[1]!.axon).toBe('127.0.0.1:8099');
    expect(mg.neurons[0]!.stake).toBeGreaterThan(0);
    // 'restored' is the same key as 'second', so both show uid 1.
    expect(overview.neurons.map((n) => [n.hotkey, n.uid])).toEqual([
      ['hk', 0],
      ['restored', 1],
      ['second', 1],
    ]);
    // The text form of a read is a table.
    const lines: string[] = [];
    expect(
      await runCli(['subnet', 'metagraph', ...chain(), '--netuid', String(netuid)], {
        out: (l) => lines.push(l),
        err: () => {},
      }),
    ).toBe(0);
    const text = { stdout: lines.join('\n') };
    expect(text.stdout).toMatch(/UID\s+STAKE\s+TRUST\s+CONSENSUS\s+INCENTIVE\s+DIVIDENDS\s+EMISSION/);
  }, 120_000);

  it('reports what goes wrong in one line with a meaningful exit code, never a stack trace', async () => {
    const cases: [string[], number, RegExp][] = [
      [['subnet', 'metagraph', '--netuid', 'x', ...chain()], 2, /--netuid must be an integer/],
      [['subnet', 'metagraph', ...chain()], 2, /required option '--netuid/],
      [
        ['weights', 'set', '--netuid', '1', '--uids', '0,1', '--weights', '1', ...chain()],
        2,
        /--uids has 2 entries but --weights has 1/,
      ],
      [['stake', 'add', '--netuid', '1', '--amount', '-3', ...chain()], 2, /--amount must be a positive amount/],
      [['subnet', 'hyperparameters', '--netuid', '77', ...chain()], 1, /subnet 77 does not exist/],
      [
        [
          'subnet',
          'register',
          '--wallet.path',
          dir,
          '--wallet.name',
          'owner',
          '--wallet.hotkey',
          'hk',
          '--netuid',
          '99',
          ...chain(),
        ],
        1,
        /SubnetNotExists|does not exist/,
      ],
      [['wallet', 'balance', '--wallet.path', dir, '--wallet.name', 'nobody'], 1, /no keyfile/],
      [
        [
          'wallet',
          'balance',
          '--wallet.path',
          dir,
          '--wallet.name',
          'owner',
          '--subtensor.network',
          'ws://127.0.0.1:1',
        ],
        1,
        /cannot reach the chain/,
      ],
      [['frobnicate'], 2, /unknown command/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runSubnetkit(args, { timeoutMs: 60_000 })));
    runs.forEach((r, i) => {
      const [args, code, message] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /); // no stack trace
    });
    const help = await runSubnetkit(['wallet', 'transfer', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--dest <ss58>/);
    const version = await runSubnetkit(['--version']);
    expect(version.stdout.trim()).toBe(
      JSON.parse((await import('node:fs')).readFileSync('package.json', 'utf8')).version,
    );
  }, 90_000);
});

describe('subnetkit devnet as a service', () => {
  it('prints its endpoint and a line per block with extrinsics, refuses a busy port in one line, stops on SIGTERM', async () => {
    const d = await startSubnetkit(['devnet', '--port', '0', '--sealing', '50', '--json'], /"event":"listening"/);
    const info = JSON.parse(d.lines.find((l) => l.includes('"listening"'))!) as {
      url: string;
      sealing: number;
      tempo: number;
      weightsRateLimit: number;
      accounts: { uri: string }[];
    };
    expect(info.sealing).toBe(50);
    expect(info.weightsRateLimit).toBe(0);
    expect(info.accounts.map((a) => a.uri)).toContain('//Alice');
    const c = await createSubtensor({ network: info.url });
    await c.transfer(keypairFromUri('//Alice'), keypairFromUri('//Bob').ss58Address, TAO);
    await c.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(d.lines.some((l) => /"event":"block".*balances\.transferKeepAlive/.test(l))).toBe(true);
    const port = new URL(info.url).port;
    const busy = await runSubnetkit(['devnet', '--port', port]);
    expect(busy.code).toBe(1);
    expect(busy.stderr.trim()).toMatch(/^error: port \d+ on 127\.0\.0\.1 is already in use/);
    d.proc.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  }, 60_000);
});
