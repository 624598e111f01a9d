import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { afterAll, describe, expect, it } from 'vitest';

const EMPTY = { extrinsic: {}, payload: {} };
const dir = mkdtempSync(join(tmpdir(), 'subnetkit-devnet-'));
const children: ChildProcess[] = [];

function startChild(): Promise<{ child: ChildProcess; ws: string; http: string; best: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/devnet-child.ts', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\S+) (\S+) (\d+)/.exec(out);
      if (m) resolve({ child, ws: m[1]!, http: m[2]!, best: Number(m[3]) });
    });
    child.once('exit', (code) => reject(new Error(`devnet child exited with ${code}`)));
  });
}

async function rpc(http: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(http, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('devnet durability (--data)', () => {
  it('loses no acknowledged block and restores the same state after SIGKILL mid-production', async () => {
    const first = await startChild();
    const api = (await ApiPromise.create({
      provider: new WsProvider(first.ws),
      noInitWarn: true,
      signedExtensions: {
        SudoTransactionExtension: EMPTY,
        CheckShieldedTxValidity: EMPTY,
        SubtensorTransactionExtension: EMPTY,
        DrandPriority: EMPTY,
      },
    })) as any;
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob');
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        api.tx.balances
          .transferKeepAlive(bob.address, 1_000_000_000n + BigInt(i))
          .signAndSend(alice, (r: any) => (r.status.isInBlock || r.status.isFinalized) && resolve())
          .catch(reject);
      });
    }
    const keys = [api.query.system.account.key(alice.address), api.query.system.account.key(bob.address)];
    await api.disconnect();
    // Enough blocks for a snapshot (every 512) and a log after it; every dev_newBlock answer is an acknowledgement.
    const acked = new Map<number, string>();
    acked.set(
      Number((await rpc(first.http, 'chain_getHeader')).number),
      await rpc(first.http, 'chain_getFinalizedHead'),
    );
    await rpc(first.http, 'dev_newBlock', [{ count: 520 }]);
    for (let i = 0; i < 40; i++) {
      const hash = await rpc(first.http, 'dev_newBlock', [{ count: 1 }]);
      acked.set(Number((await rpc(first.http, 'chain_getHeader', [hash])).number), hash);
    }
    const lastAcked = Math.max(...acked.keys());
    const values = await Promise.all(keys.map((k) => rpc(first.http, 'state_getStorage', [k])));
    // Kill it while it is producing: a request in flight, then SIGKILL.
    void rpc(first.http, 'dev_newBlock', [{ count: 200 }]).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 30));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startChild();
    expect(second.best).toBeGreaterThanOrEqual(lastAcked);
    for (const [n, hash] of acked) expect(await rpc(second.http, 'chain_getBlockHash', [n])).toBe(hash);
    expect(await Promise.all(keys.map((k) => rpc(second.http, 'state_getStorage', [k])))).toEqual(values);
    // It goes on from where it stopped.
    const next = await rpc(second.http, 'dev_newBlock', [{ count: 1 }]);
    expect(Number((await rpc(second.http, 'chain_getHeader', [next])).number)).toBe(second.best + 1);
    expect((await rpc(second.http, 'chain_getHeader', [next])).parentHash).toBe(
      await rpc(second.http, 'chain_getBlockHash', [second.best]),
    );
    second.child.kill('SIGKILL');
  }, 60_000);
});
