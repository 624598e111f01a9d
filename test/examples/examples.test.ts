/**
 * The examples, run as a user runs them: each miner and validator its own process (from source, through tsx),
 * against a devnet, stopped by signal. Each must reach weights on chain; the text client must stream text; the
 * SN19-style validator must answer an organic chat request through a miner.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAO, startDevnet, type Devnet } from '../../src/devnet/index.js';
import { createSyntheticSource, loadGpt2Tokenizer, ngramToOnnx, trainNgram } from '../../src/inference/index.js';
import { createWallet, cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { createSubtensor, type Subtensor } from '../../src/subtensor/index.js';

interface Proc {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

function run(script: string, args: string[]): Proc {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.re.test(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  return {
    proc,
    lines,
    exited,
    waitFor(re, timeoutMs = 45_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${re} from ${script}:\n${lines.slice(-15).join('\n')}`)),
          timeoutMs,
        );
        exited.then((c) => reject(new Error(`${script} exited ${c} before ${re}:\n${lines.slice(-15).join('\n')}`)));
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

let devnet: Devnet;
let st: Subtensor;
let dir: string;

/** A subnet with a staked validator wallet and a miner wallet registered; returns the flags the neurons share. */
async function subnet(tag: string): Promise<{ netuid: number; common: string[] }> {
  const v = (await createWallet({ name: `${tag}-v`, path: dir }).createNewHotkey()).keypair;
  const m = (await createWallet({ name: `${tag}-m`, path: dir }).createNewHotkey()).keypair;
  const alice = keypairFromUri('//Alice');
  const { netuid } = await st.registerNetwork(alice, v.ss58Address);
  await st.startCall(alice, netuid);
  await st.addStake(alice, v.ss58Address, netuid, 10n * TAO);
  await st.burnedRegister(keypairFromUri('//Bob'), netuid, m.ss58Address);
  return {
    netuid,
    common: [
      '--netuid',
      String(netuid),
      '--subtensor.network',
      devnet.url,
      '--wallet.path',
      dir,
      '--logging.format',
      'json',
      '--neuron.full_path',
      join(dir, tag),
    ],
  };
}

beforeAll(async () => {
  await cryptoReady();
  devnet = await startDevnet({ port: 0, tempo: 10, sealing: 100, weightsRateLimit: 0 });
  st = await createSubtensor({ network: devnet.url });
  dir = mkdtempSync(join(tmpdir(), 'subnetkit-examples-'));
});

afterAll(async () => {
  await st?.close();
  await devnet?.close();
});

async function stopAll(...procs: Proc[]) {
  for (const p of procs) p.proc.kill('SIGTERM');
  return Promise.all(procs.map((p) => p.exited));
}

describe('examples', () => {
  it('template: the smallest subnet reaches weights on chain, and both processes stop cleanly', async () => {
    const { netuid, common } = await subnet('tpl');
    const miner = run('examples/template/miner.ts', [
      ...common,
      '--wallet.name',
      'tpl-m',
      '--axon.ip',
      '127.0.0.1',
      '--axon.port',
      '0',
    ]);
    await miner.waitFor(/"msg":"miner serving"/);
    const validator = run('examples/template/validator.ts', [
      ...common,
      '--wallet.name',
      'tpl-v',
      '--neuron.timeout',
      '2',
    ]);
    const line = await validator.waitFor(/"msg":"weights set"/);
    expect(JSON.parse(line).weights).toEqual([65535]); // one miner, answering right
    expect((await st.weights(netuid)).get(0)).toEqual([[1, 65535]]);
    expect(await stopAll(validator, miner)).toEqual([0, 0]);
  }, 90_000);

  it('sn19-style: capacities, synthetic checks, and an organic /v1/chat/completions answered by a miner', async () => {
    const { common } = await subnet('sn19');
    const miner = run('examples/sn19-style/miner.ts', [
      ...common,
      '--wallet.name',
      'sn19-m',
      '--axon.ip',
      '127.0.0.1',
      '--axon.port',
      '0',
      '--capacity.ms_per_char',
      '0.01',
    ]);
    await miner.waitFor(/"msg":"miner serving"/);
    const validator = run('examples/sn19-style/validator.ts', [
      ...common,
      '--wallet.name',
      'sn19-v',
      '--neuron.timeout',
      '5',
      '--organic.port',
      '0',
    ]);
    const port = JSON.parse(await validator.waitFor(/organic endpoint/)).port as number;
    await validator.waitFor(/"msg":"weights set"/);
    const r = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello subnet' }] }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { choices: { message: { content: string } }[]; subnet: { uid: number } };
    expect(body.choices[0]!.message.content).toBe('tenbus olleh');
    expect(body.subnet.uid).toBe(1);
    const bad = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(await stopAll(validator, miner)).toEqual([0, 0]);
  }, 90_000);

  it('text-prompting: an ONNX miner built here, the v3 validator, and a client that streams text', async () => {
    const tokenizer = await loadGpt2Tokenizer();
    const source = createSyntheticSource(tokenizer, { seed: 1 });
    const model = join(dir, 'trigram.onnx');
    writeFileSync(
      model,
      ngramToOnnx(
        trainNgram([source.sample(50_000)], {
          order: 3,
          vocabSize: 50257,
          contexts: 64,
          pairContexts: 512,
          columns: 64,
          alpha: 0.01,
        }),
      ),
    );
    const { netuid, common } = await subnet('text');
    const miner = run('examples/text-prompting/miner.ts', [
      ...common,
      '--wallet.name',
      'text-m',
      '--axon.ip',
      '127.0.0.1',
      '--axon.port',
      '0',
      '--model.path',
      model,
    ]);
    await miner.waitFor(/"msg":"miner serving"/, 60_000);
    const validator = run('examples/text-prompting/validator.ts', [
      ...common,
      '--wallet.name',
      'text-v',
      '--neuron.timeout',
      '10',
      '--data.topk',
      '16',
    ]);
    const line = await validator.waitFor(/"msg":"weights set"/, 60_000);
    expect(JSON.parse(line).weights).toEqual([65535]);
    const client = run('examples/text-prompting/client.ts', [
      '--netuid',
      String(netuid),
      '--subtensor.network',
      devnet.url,
      '--max-tokens',
      '8',
      'the',
    ]);
    const clientCode = await client.exited;
    expect(clientCode, client.lines.join('\n')).toBe(0);
    expect(client.lines.join('\n')).toMatch(/^uid 1 \(incentive [\d.]+\): the( \w+)+/m);
    expect(await stopAll(validator, miner)).toEqual([0, 0]);
  }, 120_000);
});
