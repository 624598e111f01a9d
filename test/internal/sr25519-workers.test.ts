/**
 * The process's sr25519 worker threads: what they sign verifies, what they verify matches the event loop's verdict
 * on valid, forged and malformed input, batches keep their order, and handles given back fall back to the event loop.
 */
import { describe, expect, it } from 'vitest';
import { acquireSr25519Workers } from '../../src/internal/sr25519-workers.js';
import { cryptoReady, keypairFromUri, sign, verify } from '../../src/keys/index.js';

const alice = keypairFromUri('//Alice');
const bob = keypairFromUri('//Bob');
const hex = (sig: Uint8Array) => `0x${Buffer.from(sig).toString('hex')}`;
const keysOf = (k: typeof alice) => ({ publicKey: k.publicKey, secretKey: k.secretKey! });

describe('sr25519 workers', () => {
  it('sign for several keypairs in one batch; every signature verifies on the event loop', async () => {
    await cryptoReady();
    const w = await acquireSr25519Workers(1);
    const jobs = Array.from({ length: 100 }, (_, i) => ({
      key: i % 2 ? bob : alice,
      message: `m${i}.${'é'.repeat(i)}`,
    }));
    const sigs = await Promise.all(jobs.map((j) => w.sign(keysOf(j.key), j.message)));
    await w.release();
    sigs.forEach((sig, i) => {
      expect(sig.length).toBe(64);
      expect(verify(jobs[i]!.message, hex(sig), jobs[i]!.key.ss58Address)).toBe(true);
      expect(verify(jobs[i]!.message, hex(sig), (i % 2 ? alice : bob).ss58Address)).toBe(false);
    });
  });

  it('verify as the event loop does: valid, forged, another signer, malformed hex or key', async () => {
    const w = await acquireSr25519Workers(2);
    const good = sign(alice, 'hello').slice(2);
    const forged = `${good.slice(0, 10)}${good[10] === '0' ? '1' : '0'}${good.slice(11)}`;
    const verdicts = await Promise.all([
      w.verify('hello', good, alice.publicKey),
      w.verify('hellO', good, alice.publicKey),
      w.verify('hello', forged, alice.publicKey),
      w.verify('hello', good, bob.publicKey),
      w.verify('hello', 'zz'.repeat(64), alice.publicKey),
      w.verify('hello', good.slice(2), alice.publicKey),
      w.verify('hello', good, alice.publicKey.subarray(1)),
      w.verify('hello', '00'.repeat(64), new Uint8Array(32)),
    ]);
    await w.release();
    expect(verdicts).toEqual([true, false, false, false, false, false, false, false]);
  });

  it('a handle given back still answers, on the event loop; the others keep the workers', async () => {
    const a = await acquireSr25519Workers(1);
    const b = await acquireSr25519Workers(1);
    await a.release();
    await a.release(); // twice: no effect on b's share
    const good = sign(alice, 'after').slice(2);
    expect(await a.verify('after', good, alice.publicKey)).toBe(true);
    expect(verify('x', hex(await a.sign(keysOf(alice), 'x')), alice.ss58Address)).toBe(true);
    expect(await b.verify('after', good, alice.publicKey)).toBe(true);
    expect(verify('y', hex(await b.sign(keysOf(alice), 'y')), alice.ss58Address)).toBe(true);
    await b.release();
    // Every handle released: the workers are gone and a new one starts them again.
    const c = await acquireSr25519Workers(1);
    expect(await c.verify('after', good, alice.publicKey)).toBe(true);
    await c.release();
  });
});
