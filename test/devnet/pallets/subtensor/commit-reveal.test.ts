/** CRv2 hash commit-reveal on the devnet: the spec vector, reveal windows, mismatches and expiry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '../../../../src/devnet/index.js';
import { owner, ownerHot, alice, openDevnetApi, sendWith, type Signer, subnetStory } from '../../fixture.js';

let devnet: Devnet;
let api: any;
const send = (tx: any, signer: Signer = alice, options: Record<string, unknown> = {}) =>
  sendWith(api, tx, signer, options);

beforeAll(async () => {
  ({ devnet, api } = await openDevnetApi());
  await subnetStory(api, devnet, ['network', 'miners', 'admin', 'stake']);
});

afterAll(async () => {
  await api?.disconnect();
  await devnet?.close();
});

describe('devnet SubtensorModule: commit-reveal', () => {
  it('CRv2: the commit hash matches the spec vector; reveal exactly one epoch later, not before, not after', async () => {
    const { weightCommitHash } = await import('../../../../src/devnet/pallets/subtensor/commit-reveal.js');
    expect(
      weightCommitHash(
        { registry: api.registry },
        '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX',
        1,
        [0, 1],
        [65535, 32768],
        [1, 2, 3, 4, 5, 6, 7, 8],
        10002000n,
      ),
    ).toBe('0x533019ca9865ab8c82f60aa2c46134fd9a9d643fcd4c2ab9ab2b322985b0c87a');
    const st = (api.tx as any).subtensorModule;
    const q = (api.query as any).subtensorModule;
    const salt = [9, 8, 7];
    const hash = weightCommitHash({ registry: api.registry }, ownerHot.address, 2, [1, 2], [100, 50], salt, 0n);
    expect((await send(st.commitWeights(2, hash), ownerHot)).error).toBe('subtensorModule.CommitRevealDisabled');
    expect((await send((api.tx as any).adminUtils.sudoSetCommitRevealWeightsEnabled(2, true), owner)).error).toBeNull();
    const c = await send(st.commitWeights(2, hash), ownerHot);
    expect(c.events).toEqual(['subtensorModule.WeightsCommitted', 'system.ExtrinsicSuccess']);
    expect((await send(st.revealWeights(2, [1, 2], [100, 50], salt, 0), ownerHot)).error).toBe(
      'subtensorModule.RevealTooEarly',
    );
    const epoch = (await q.subnetEpochIndex(2)).toNumber();
    while ((await q.subnetEpochIndex(2)).toNumber() === epoch) devnet.newBlock(1);
    expect((await send(st.revealWeights(2, [1, 2], [100, 51], salt, 0), ownerHot)).error).toBe(
      'subtensorModule.InvalidRevealCommitHashNotMatch',
    );
    const r = await send(st.revealWeights(2, [1, 2], [100, 50], salt, 0), ownerHot);
    expect(r.events).toEqual([
      'subtensorModule.WeightsSet',
      'subtensorModule.WeightsRevealed',
      'system.ExtrinsicSuccess',
    ]);
    expect((await q.weights(2, 0)).toJSON()).toEqual([
      [1, 65535],
      [2, 32768],
    ]);
    expect((await send(st.revealWeights(2, [1, 2], [100, 50], salt, 0), ownerHot)).error).toBe(
      'subtensorModule.NoWeightsCommitFound',
    );
    // A commit left for two epochs has expired.
    const late = weightCommitHash({ registry: api.registry }, ownerHot.address, 2, [1], [1], salt, 0n);
    expect((await send(st.commitWeights(2, late), ownerHot)).error).toBeNull();
    const e0 = (await q.subnetEpochIndex(2)).toNumber();
    while ((await q.subnetEpochIndex(2)).toNumber() < e0 + 2) devnet.newBlock(1);
    expect((await send(st.revealWeights(2, [1], [1], salt, 0), ownerHot)).error).toBe(
      'subtensorModule.ExpiredWeightCommit',
    );
  });
});
