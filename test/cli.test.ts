import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('subnetkit CLI', () => {
  it('answers unknown commands and bad flags with usage and exit code 2', async () => {
    const a = io();
    expect(await runCli(['nope'], a.io)).toBe(2);
    expect(a.err.join('\n')).toMatch(/unknown command: nope/);
    const b = io();
    expect(await runCli(['devnet', '--port', '99999'], b.io)).toBe(2);
    expect(b.err.join('\n')).toMatch(/--port/);
    const c = io();
    expect(await runCli(['devnet', '--sealing', '3'], c.io)).toBe(2);
    const d = io();
    expect(await runCli(['devnet', '--bogus'], d.io)).toBe(2);
    const e = io();
    expect(await runCli([], e.io)).toBe(0);
    expect(e.err.join('\n')).toMatch(/usage: subnetkit/);
  });

  it('starts a devnet, prints its endpoint and the dev accounts, and stops it', async () => {
    const a = io();
    let stop: (() => Promise<void>) | undefined;
    expect(await runCli(['devnet', '--port', '0'], a.io, (s) => (stop = s))).toBe(0);
    expect(a.out[0]).toMatch(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    expect(a.out.join('\n')).toMatch(/\/\/Alice\s+5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\s+1,000,000 TAO/);
    expect(stop).toBeTypeOf('function');
    await stop!();
  });
});
