/** AdminUtils setters on the devnet: root through Sudo, owner setters by the subnet owner, BadOrigin otherwise. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '../../../src/devnet/index.js';
import { bob, owner, ownerHot, alice, openDevnetApi, sendWith, type Signer, subnetStory } from '../fixture.js';

let devnet: Devnet;
let api: any;
const send = (tx: any, signer: Signer = alice, options: Record<string, unknown> = {}) =>
  sendWith(api, tx, signer, options);

beforeAll(async () => {
  ({ devnet, api } = await openDevnetApi());
  await subnetStory(api, devnet, ['network', 'miners']);
});

afterAll(async () => {
  await api?.disconnect();
  await devnet?.close();
});

describe('devnet AdminUtils and Sudo', () => {
  it('AdminUtils: root setters through Sudo, owner setters by the subnet owner, BadOrigin otherwise', async () => {
    const admin = (api.tx as any).adminUtils;
    const q = (api.query as any).subtensorModule;
    const r = await send((api.tx as any).sudo.sudo(admin.sudoSetWeightsSetRateLimit(2, 0)), alice);
    expect(r.error).toBeNull();
    expect(r.events).toEqual(['subtensorModule.WeightsSetRateLimitSet', 'sudo.Sudid', 'system.ExtrinsicSuccess']);
    expect((await q.weightsSetRateLimit(2)).toNumber()).toBe(0);
    // With no rate limit the owner can set weights again right away.
    expect((await send((api.tx as any).subtensorModule.setWeights(2, [1], [1], 0), ownerHot)).error).toBeNull();
    // Root-only by the owner: BadOrigin. Owner setter by the owner: fine. By someone else: BadOrigin.
    expect((await send(admin.sudoSetTempo(2, 20), owner)).error).toBe('BadOrigin');
    expect((await send(admin.sudoSetCommitRevealWeightsEnabled(2, true), owner)).error).toBeNull();
    expect((await send(admin.sudoSetCommitRevealWeightsEnabled(2, false), bob)).error).toBe('BadOrigin');
    expect((await send((api.tx as any).subtensorModule.setWeights(2, [1], [1], 0), ownerHot)).error).toBe(
      'subtensorModule.CommitRevealEnabled',
    );
    // Sudo from a non-sudo account fails the extrinsic; a failing inner call is reported in Sudid only.
    expect((await send((api.tx as any).sudo.sudo(admin.sudoSetTempo(2, 20)), bob)).error).toBe('sudo.RequireSudo');
    const inner = await send((api.tx as any).sudo.sudo(admin.sudoSetTempo(99, 20)), alice);
    expect(inner.error).toBeNull();
    expect(inner.events).toEqual(['sudo.Sudid', 'system.ExtrinsicSuccess']);
    const ok = await send((api.tx as any).sudo.sudo(admin.sudoSetTempo(2, 20)), alice);
    expect(ok.events).toContain('subtensorModule.TempoSet');
    expect((await q.tempo(2)).toNumber()).toBe(20);
  });
});
