/** The devnet's metadata against finney's (spec 424): every pallet and runtime API it serves, item by item. */
import { readFileSync } from 'node:fs';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '../../src/devnet/index.js';
import { openDevnetApi } from './fixture.js';

const FIXTURE = 'test/fixtures/finney-metadata-spec424.scale';
let devnet: Devnet;
let api: any;

beforeAll(async () => {
  ({ devnet, api } = await openDevnetApi());
});

afterAll(async () => {
  await api?.disconnect();
  await devnet?.close();
});

describe('devnet metadata conformance with finney (spec 424)', () => {
  it('matches finney item by item for every pallet and runtime API it serves', () => {
    const finney = new Metadata(new TypeRegistry(), readFileSync(FIXTURE)).asV16.toJSON() as {
      pallets: { name: string }[];
      apis: { name: string }[];
      extrinsic: unknown;
      lookup: unknown;
    };
    const ours = api.runtimeMetadata.asV16.toJSON() as typeof finney;
    expect(ours.pallets.map((p) => p.name)).toEqual([
      'System',
      'Timestamp',
      'Balances',
      'TransactionPayment',
      'SubtensorModule',
      'Sudo',
      'Commitments',
      'AdminUtils',
      'Drand',
      'Swap',
    ]);
    expect(ours.pallets.map((p) => (p as unknown as { index: number }).index)).toEqual([
      0, 2, 5, 6, 7, 12, 18, 19, 26, 28,
    ]);
    for (const p of ours.pallets) expect(p).toEqual(finney.pallets.find((f) => f.name === p.name));
    for (const a of ours.apis) expect(a).toEqual(finney.apis.find((f) => f.name === a.name));
    expect(ours.extrinsic).toEqual(finney.extrinsic);
    expect(ours.lookup).toEqual(finney.lookup);
    // The call the spec gives as an example encodes to the same bytes.
    expect((api.tx as any).subtensorModule.setWeights(1, [0, 1], [65535, 1], 0).method.toHex()).toBe(
      '0x07000100080000010008ffff01000000000000000000',
    );
  });
});
