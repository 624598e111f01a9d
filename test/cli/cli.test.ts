import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { devnetBeacon } from '../../src/devnet/pallets/drand-beacon.js';
import { keypairFromUri } from '../../src/keys/index.js';
import { createSubtensor } from '../../src/subtensor/index.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('subnetkit CLI', () => {
  it('answers unknown commands and bad flags with usage and exit code 2', async () => {
    const a = io();
    expect(await runCli(['nope'], a.io)).toBe(2);
    expect(a.err.join('\n')).toMatch(/unknown command 'nope'/);
    const b = io();
    expect(await runCli(['devnet', '--port', '99999'], b.io)).toBe(2);
    expect(b.err.join('\n')).toMatch(/--port/);
    const c = io();
    expect(await runCli(['devnet', '--sealing', '3'], c.io)).toBe(2);
    const d = io();
    expect(await runCli(['devnet', '--bogus'], d.io)).toBe(2);
    const e = io();
    expect(await runCli([], e.io)).toBe(0);
    expect(e.err.join('\n')).toMatch(/Usage: subnetkit/);
  });

  it('starts a devnet, prints its endpoint and the dev accounts, and stops it', async () => {
    const a = io();
    let stop: (() => Promise<void>) | undefined;
    expect(await runCli(['devnet', '--port', '0'], a.io, (s) => (stop = s))).toBe(0);
    expect(a.out[0]).toMatch(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    expect(a.out.join('\n')).toMatch(/\/\/Alice\s+5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\s+1,000,000 TAO/);
    expect(a.out.join('\n')).toMatch(/commit-reveal on new subnets: off/);
    expect(stop).toBeTypeOf('function');
    await stop!();
  });

  it("--commit-reveal starts new subnets with commit-reveal on and names the devnet's drand beacon", async () => {
    const a = io();
    let stop: (() => Promise<void>) | undefined;
    expect(await runCli(['devnet', '--port', '0', '--commit-reveal'], a.io, (s) => (stop = s))).toBe(0);
    const out = a.out.join('\n');
    expect(out).toMatch(/commit-reveal on new subnets: on/);
    expect(out).toContain(
      `drand beacon for CRv4 commits (RPC dev_drandInfo): ${devnetBeacon().info.publicKey.slice(0, 24)}`,
    );
    const url = /listening on (ws:\/\/\S+)/.exec(a.out[0]!)![1]!;
    const st = await createSubtensor({ network: url });
    try {
      const alice = keypairFromUri('//Alice');
      const created = await st.registerNetwork(alice, keypairFromUri('//Alice//cr-hot').ss58Address);
      expect((await st.commitReveal(created.netuid)).enabled).toBe(true);
    } finally {
      await st.close();
      await stop!();
    }
  });
});
