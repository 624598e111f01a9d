/**
 * Base neurons: the Python-style configuration, the process logger, the miner's blacklist and logging in process,
 * and miner and validator processes started, probed (metrics, health) and stopped by signal.
 */
import { mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDendrite } from '../../src/dendrite/index.js';
import { TAO, startDevnet, type Devnet } from '../../src/devnet/index.js';
import { createWallet, cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import {
  NeuronError,
  createLogger,
  createMiner,
  parseNeuronConfig,
  type NeuronConfig,
} from '../../src/neuron/index.js';
import { createSubtensor, type Subtensor } from '../../src/subtensor/index.js';
import { Sum } from '../../src/cli/demo/protocol.js';
import { startSubnetkit, runSubnetkit } from '../helpers/spawn-cli.js';
import { thrownCodeSync } from '../helpers/helpers.js';

function config(argv: string[], env: Record<string, string> = {}, role: 'miner' | 'validator' = 'miner'): NeuronConfig {
  const p = parseNeuronConfig(argv, { role, env });
  if ('print' in p) throw new Error('unexpected help');
  return p.config;
}

describe('parseNeuronConfig', () => {
  it("reads Python's flag names, then BT_* variables, then a JSON file, then defaults", () => {
    const dir = mkdtempSync(join(tmpdir(), 'subnetkit-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({
        netuid: 7,
        wallet: { name: 'fromfile', hotkey: 'hfile' },
        'axon.port': 9001,
        neuron: { sample_size: 3 },
      }),
    );
    const c = config(
      [
        '--config',
        file,
        '--wallet.name',
        'cli',
        '--axon.external_ip',
        '1.2.3.4',
        '--logging.debug',
        '--neuron.sample_size',
        '5',
      ],
      { BT_WALLET_NAME: 'env', BT_WALLET_HOTKEY: 'henv', BT_SUBTENSOR_NETWORK: 'test' },
      'validator',
    );
    expect(c.wallet.name).toBe('cli'); // flag beats env and file
    expect(c.wallet.hotkey).toBe('henv'); // env beats file
    expect(c.netuid).toBe(7); // file beats default
    expect(c.axon.port).toBe(9001);
    expect(c.axon.externalIp).toBe('1.2.3.4');
    expect(c.subtensor.network).toBe('test');
    expect(c.logging.debug).toBe(true);
    expect(c.neuron.sampleSize).toBe(5);
    expect(c.neuron.movingAverageAlpha).toBe(0.1);
    const d = config([]);
    expect([d.netuid, d.axon.port, d.wallet.name, d.subtensor.network, d.blacklist.forceValidatorPermit]).toEqual([
      1,
      8091,
      'default',
      'finney',
      true,
    ]);
    expect(config(['--blacklist.force_validator_permit', 'false']).blacklist.forceValidatorPermit).toBe(false);
  });

  it('answers bad values with one line that names the flag, variable or file', () => {
    const bad = (argv: string[], env: Record<string, string> = {}) => {
      try {
        config(argv, env);
      } catch (e) {
        expect(e).toBeInstanceOf(NeuronError);
        expect((e as NeuronError).code).toBe('NEURON_INVALID_CONFIG');
        expect((e as Error).message).not.toMatch(/\n/);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad(['--axon.port', 'abc'])).toMatch(/^--axon\.port must be an integer in \[0, 65535\], got "abc"/);
    expect(bad(['--axon.port', '70000'])).toMatch(/--axon\.port/);
    expect(bad(['--netuid', '1.5'])).toMatch(/--netuid/);
    expect(bad([], { BT_AXON_PORT: 'x' })).toMatch(/^BT_AXON_PORT must be/);
    expect(bad(['--logging.format', 'xml'])).toMatch(/one of pretty, json, auto/);
    expect(bad(['--no-such-flag'])).toMatch(/unknown option '--no-such-flag'/);
    expect(bad(['--neuron.sample_size', '3'])).toMatch(/unknown option/); // a validator flag, given to a miner
    expect(bad(['--config', '/nope.json'])).toMatch(/--config \/nope\.json/);
    const p = parseNeuronConfig(['--help'], { role: 'miner' });
    expect('print' in p && p.print).toMatch(/--wallet\.hotkey <value>.*env BT_WALLET_HOTKEY/s);
  });
});

describe('createLogger', () => {
  it('writes JSON lines when piped and readable lines on a terminal, above the level', () => {
    const lines: string[] = [];
    const stream = { write: (l: string) => lines.push(l), isTTY: false };
    const log = createLogger({ level: 'info', stream, bindings: { name: 'miner' } });
    log.debug({ x: 1 }, 'hidden');
    log.info({ port: 8091, err: new NeuronError('NEURON_START_FAILED', 'boom') }, 'axon started');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    expect(j).toMatchObject({
      level: 30,
      name: 'miner',
      port: 8091,
      msg: 'axon started',
      err: { type: 'NeuronError', message: 'boom', code: 'NEURON_START_FAILED' },
    });
    const tty: string[] = [];
    createLogger({ stream: { write: (l: string) => tty.push(l), isTTY: true }, bindings: { name: 'v' } })
      .child({ uid: 3 })
      .warn({ block: 12 }, 'late');
    expect(tty[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} .*WARN.* v late uid=3 block=12\n$/);
  });
});

describe('the miner, in process', () => {
  let devnet: Devnet;
  let st: Subtensor;
  let netuid: number;
  const validator = keypairFromUri('//Alice//nv');
  const minerKey = keypairFromUri('//Bob//nm');
  beforeAll(async () => {
    await cryptoReady();
    devnet = await startDevnet({ port: 0, tempo: 10 });
    st = await createSubtensor({ network: devnet.url });
    ({ netuid } = await st.registerNetwork(keypairFromUri('//Alice'), validator.ss58Address));
    await st.burnedRegister(keypairFromUri('//Bob'), netuid, minerKey.ss58Address);
    await st.startCall(keypairFromUri('//Alice'), netuid);
    devnet.newBlock(12); // an epoch: validator permits are handed out
  });
  afterAll(async () => {
    await st?.close();
    await devnet?.close();
  });

  it('refuses strangers, answers validators, logs a failing handler with the synapse and the caller', async () => {
    const logged: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      stream: { write: (l: string) => logged.push(JSON.parse(l)) },
    });
    const miner = createMiner({
      subtensor: st,
      hotkey: minerKey,
      netuid,
      axon: { port: 0, host: '127.0.0.1' },
      logger,
      metrics: { port: 0 },
    });
    miner.attach(Sum, (s) => {
      if (s.a === 13) throw new Error('unlucky');
      s.total = s.a + s.b;
      return s;
    });
    await miner.start();
    const target = { ip: '127.0.0.1', port: miner.axon.port, hotkey: minerKey.ss58Address };
    const fromValidator = createDendrite({ keypair: validator });
    const fromStranger = createDendrite({ keypair: keypairFromUri('//Mallory') });
    const ok = await fromValidator.call(target, new Sum({ a: 2, b: 3 }));
    expect(ok.total).toBe(5);
    const refused = await fromStranger.call(target, new Sum({ a: 2, b: 3 }));
    expect(refused.dendrite.status_code).toBe(403);
    expect(refused.dendrite.status_message).toMatch(/Unrecognized hotkey/);
    const failed = await fromValidator.call(target, new Sum({ a: 13, b: 3 }));
    expect(failed.dendrite.status_code).toBe(500);
    const err = logged.find((l) => l.level === 50)!;
    expect(err).toMatchObject({
      synapse: 'Sum',
      caller: validator.ss58Address,
      msg: 'handler for Sum failed',
      err: { message: 'unlucky' },
    });
    // The chain has the axon, the metrics count what happened, /health answers.
    expect((await st.axonInfo(netuid, minerKey.ss58Address))?.port).toBe(miner.axon.port);
    const metrics = await (await fetch(`http://127.0.0.1:${miner.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/subnetkit_requests_total\{synapse="Sum",status="200",role="miner",netuid="\d+"\} 1/);
    expect(metrics).toMatch(/subnetkit_rejections_total\{synapse="Sum",reason="blacklisted"/);
    const health = await (await fetch(`http://127.0.0.1:${miner.metricsPort}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', role: 'miner', uid: 1 });
    await fromValidator.close();
    await fromStranger.close();
    await miner.stop();
  });

  it('an unregistered hotkey fails to start with the command that registers it', async () => {
    const m = createMiner({
      subtensor: st,
      hotkey: keypairFromUri('//Bob//unregistered'),
      netuid,
      axon: { port: 0, host: '127.0.0.1' },
    });
    await expect(m.start()).rejects.toThrow(
      /not registered on subnet \d+: register it with `npx subnetkit subnet register --netuid \d+`/,
    );
    expect(thrownCodeSync(NeuronError, () => createMiner({ subtensor: st, hotkey: minerKey, netuid: -1 }))).toBe(
      'NEURON_INVALID_CONFIG',
    );
  });
});

describe('miner and validator processes', () => {
  let devnet: Devnet;
  let st: Subtensor;
  let netuid: number;
  let dir: string;
  beforeAll(async () => {
    await cryptoReady();
    devnet = await startDevnet({ port: 0, tempo: 10, sealing: 100, weightsRateLimit: 0 });
    st = await createSubtensor({ network: devnet.url });
    dir = mkdtempSync(join(tmpdir(), 'subnetkit-neurons-'));
    const v = (await createWallet({ name: 'v', hotkey: 'default', path: dir }).createNewHotkey()).keypair;
    const m = (await createWallet({ name: 'm', hotkey: 'default', path: dir }).createNewHotkey()).keypair;
    const alice = keypairFromUri('//Alice');
    ({ netuid } = await st.registerNetwork(alice, v.ss58Address));
    await st.startCall(alice, netuid);
    await st.addStake(alice, v.ss58Address, netuid, 10n * TAO);
    await st.burnedRegister(keypairFromUri('//Bob'), netuid, m.ss58Address);
  });
  afterAll(async () => {
    await st?.close();
    await devnet?.close();
  });

  it('run with Python flags, serve metrics and health, set weights, stop on SIGTERM with state saved, and resume', async () => {
    const common = [
      '--netuid',
      String(netuid),
      '--subtensor.network',
      devnet.url,
      '--wallet.path',
      dir,
      '--logging.format',
      'json',
    ];
    const miner = await startSubnetkit(
      [
        'demo-neuron',
        'miner',
        ...common,
        '--wallet.name',
        'm',
        '--axon.ip',
        '127.0.0.1',
        '--axon.port',
        '0',
        '--metrics.port',
        '0',
      ],
      /"msg":"miner serving"/,
    );
    const state = join(dir, 'vstate');
    const vArgs = [
      'demo-neuron',
      'validator',
      ...common,
      '--wallet.name',
      'v',
      '--neuron.timeout',
      '2',
      '--neuron.full_path',
      state,
      '--metrics.port',
      '0',
    ];
    const validator = await startSubnetkit(vArgs, /"msg":"weights set"/, { timeoutMs: 40_000 });
    const metricsLine = miner.lines
      .map((l) => JSON.parse(l))
      .find((j) => j.msg === 'metrics at /metrics, health at /health');
    const health = await (await fetch(`http://127.0.0.1:${metricsLine.port}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', role: 'miner', netuid });
    const weights = (await st.weights(netuid)).get(0);
    expect(weights?.length).toBeGreaterThan(0);
    validator.proc.kill('SIGTERM');
    miner.proc.kill('SIGTERM');
    expect(await validator.exited).toBe(0);
    expect(await miner.exited).toBe(0);
    expect(validator.lines.some((l) => l.includes('"msg":"validator stopped; state saved"'))).toBe(true);
    expect(existsSync(join(state, 'state.json'))).toBe(true);
    // Resumes from its state.
    const again = await startSubnetkit(vArgs, /"msg":"validator resumed from its state"/);
    again.proc.kill('SIGINT');
    expect(await again.exited).toBe(0);
  }, 90_000);

  it('a bad flag exits 2 and an unregistered hotkey exits 1, each in one line', async () => {
    const bad = await runSubnetkit(['demo-neuron', 'miner', '--axon.port', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('error: --axon.port must be an integer in [0, 65535], got "nope"');
    await createWallet({ name: 'stranger', path: dir }).createNewHotkey();
    const unreg = await runSubnetkit([
      'demo-neuron',
      'miner',
      '--netuid',
      String(netuid),
      '--subtensor.network',
      devnet.url,
      '--wallet.path',
      dir,
      '--wallet.name',
      'stranger',
      '--logging.format',
      'json',
      '--axon.port',
      '0',
    ]);
    expect(unreg.code).toBe(1);
    const last = JSON.parse(unreg.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ level: 50, code: 'NEURON_NOT_REGISTERED' });
    expect(last.msg).toMatch(/subnetkit subnet register --netuid/);
  }, 60_000);
});
