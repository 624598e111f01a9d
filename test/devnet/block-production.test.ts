/** Block production on the devnet: manual and interval sealing, and the pool refusals around them. */
import { ApiPromise, WsProvider } from '@polkadot/api';
import { describe, expect, it } from 'vitest';
import { TAO, startDevnet } from '../../src/devnet/index.js';
import { alice, bob, keyring, signedExtensions } from './fixture.js';

describe('devnet block production modes', () => {
  it('manual sealing waits for dev_newBlock; interval sealing produces blocks on its own', async () => {
    const manual = await startDevnet({ port: 0, sealing: 'manual' });
    const timed = await startDevnet({ port: 0, sealing: 50 });
    try {
      const m = (await ApiPromise.create({
        provider: new WsProvider(manual.url),
        noInitWarn: true,
        signedExtensions,
      })) as any;
      const tx = m.tx.balances.transferKeepAlive(bob.address, TAO);
      await tx.signAsync(alice);
      await m.rpc.author.submitExtrinsic(tx.toHex());
      await new Promise((r) => setTimeout(r, 50));
      expect(manual.bestNumber()).toBe(0);
      manual.newBlock();
      expect(manual.bestNumber()).toBe(1);
      expect(((await m.query.system.account(alice.address)) as any).nonce.toNumber()).toBe(1);
      // Two transactions of one block from an account the first one empties: the second's fee cannot wrap the
      // balance around; it takes what is left (nothing).
      const spender = keyring.addFromUri('//Spender');
      const fund = m.tx.balances.transferKeepAlive(spender.address, TAO);
      await fund.signAsync(alice, { nonce: 1 });
      await m.rpc.author.submitExtrinsic(fund.toHex());
      manual.newBlock();
      const drain = m.tx.balances.transferAll(bob.address, false);
      await drain.signAsync(spender, { nonce: 0 });
      const again = m.tx.balances.transferKeepAlive(bob.address, 1000n);
      await again.signAsync(spender, { nonce: 1 });
      await m.rpc.author.submitExtrinsic(drain.toHex());
      await m.rpc.author.submitExtrinsic(again.toHex());
      manual.newBlock();
      // The other refusals a pool gives: a mortal era that has died, the same nonce twice, bytes that do not decode.
      // A dead era resolves to a later birth block whose hash was not signed, so, as on Substrate, the proof fails.
      const mortal = m.tx.balances.transferKeepAlive(bob.address, 1n);
      await mortal.signAsync(alice, { nonce: 2, era: 4 });
      manual.newBlock(10);
      await expect(m.rpc.author.submitExtrinsic(mortal.toHex())).rejects.toThrow(/bad signature/);
      const first = m.tx.balances.transferKeepAlive(bob.address, 2n);
      await first.signAsync(alice, { nonce: 2 });
      const twin = m.tx.balances.transferKeepAlive(bob.address, 3n);
      await twin.signAsync(alice, { nonce: 2 });
      await m.rpc.author.submitExtrinsic(first.toHex());
      await expect(m.rpc.author.submitExtrinsic(twin.toHex())).rejects.toThrow(/Priority is too low/);
      const garbage = (await (
        await fetch(manual.httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'author_submitExtrinsic', params: ['0x1234'] }),
        })
      ).json()) as { error: { code: number; message: string } };
      expect(garbage.error.code).toBe(1002);
      expect(garbage.error.message).toBe('Verification Error');
      manual.newBlock();
      const left = ((await m.query.system.account(spender.address)) as any).data.free.toBigInt();
      expect(left).toBeLessThan(TAO);
      expect(((await m.query.system.account(spender.address)) as any).nonce.toNumber()).toBe(2);
      await m.disconnect();
      await new Promise((r) => setTimeout(r, 300));
      expect(timed.bestNumber()).toBeGreaterThanOrEqual(3);
      await expect(startDevnet({ port: 0, sealing: 1 })).rejects.toThrow(/sealing/);
    } finally {
      await Promise.all([manual.close(), timed.close()]);
    }
  });
});
