/**
 * Generates src/devnet/chain/metadata.generated.ts from the finney runtime metadata fixture (spec 424, V16):
 *   npx tsx scripts/gen-devnet-metadata.ts [test/fixtures/finney-metadata-spec424.scale] [output path]
 * The devnet serves finney's own types, calls, storage, events and errors for the pallets it implements, so a client
 * built against finney decodes the devnet identically. Pallets and runtime APIs the devnet does not implement are
 * dropped from the lists (their types stay in the lookup, unused). The bytes are stored deflated, as base64.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { deflateSync } from 'fflate';

export const DEVNET_PALLETS = [
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
];
export const DEVNET_APIS = [
  'Core',
  'Metadata',
  'BlockBuilder',
  'TaggedTransactionQueue',
  'AccountNonceApi',
  'TransactionPaymentApi',
  'NeuronInfoRuntimeApi',
  'SubnetInfoRuntimeApi',
  'StakeInfoRuntimeApi',
  'DelegateInfoRuntimeApi',
  'SwapRuntimeApi',
  'SubnetRegistrationRuntimeApi',
];

const path = process.argv[2] ?? 'test/fixtures/finney-metadata-spec424.scale';
const finney = new Metadata(new TypeRegistry(), readFileSync(path));
const json = finney.asV16.toJSON() as { pallets: { name: string }[]; apis: { name: string }[] } & Record<
  string,
  unknown
>;
json.pallets = json.pallets.filter((p) => DEVNET_PALLETS.includes(p.name));
json.apis = json.apis.filter((a) => DEVNET_APIS.includes(a.name));
const devnet = new Metadata(new TypeRegistry(), { magicNumber: 0x6174656d, metadata: { v16: json } } as never);
const bytes = devnet.toU8a();

// The same metadata in the older layouts: V14 (what `state_getMetadata` answers on finney, and what the Python SDK's
// SCALE library decodes) and V15 (what `Metadata_metadata_at_version(15)` answers). The type registry is the same;
// only the outer layout differs: V14 has no runtime APIs and V15 no pallet associated types, view functions or
// deprecation info, and both describe the extrinsic by its signed extensions.
type Json = Record<string, unknown>;
const v16 = json as unknown as Json & {
  lookup: { types: { id: number; type: { path: string[]; params: { name: string; type: number | null }[] } }[] };
  pallets: Json[];
  apis: Json[];
  extrinsic: Json;
  outerEnums: Json;
  custom: Json;
};
const typeByPath = (last: string, prefix = '') =>
  v16.lookup.types.find((t) => t.type.path.at(-1) === last && t.type.path.join('::').startsWith(prefix));
const runtimeType = typeByPath('Runtime')!.id;
const extrinsicType = v16.lookup.types.find(
  (t) => t.type.path.join('::') === 'fp_self_contained::unchecked_extrinsic::UncheckedExtrinsic',
)!;
const extraType = extrinsicType.type.params.find((p) => p.name === 'Extension' || p.name === 'Extra')!.type!;
const ext = v16.extrinsic as {
  addressType: number;
  callType: number;
  signatureType: number;
  transactionExtensions: { identifier: string; type: number; implicit: number }[];
};
const signedExtensions = ext.transactionExtensions.map((e) => ({
  identifier: e.identifier,
  type: e.type,
  additionalSigned: e.implicit,
}));
const strip = (o: unknown): unknown => {
  if (Array.isArray(o)) return o.map(strip);
  if (o && typeof o === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(o)) if (k !== 'deprecationInfo') out[k] = strip(v);
    return out;
  }
  return o;
};
const palletsV14 = v16.pallets.map((p) => {
  const { associatedTypes: _a, viewFunctions: _v, docs: _d, deprecationInfo: _i, ...rest } = p;
  return strip(rest) as Json;
});
const palletsV15 = v16.pallets.map((p, i) => ({ ...palletsV14[i], docs: p.docs }));
const apisV15 = v16.apis.map((a) => {
  const { version: _version, ...rest } = a;
  return strip(rest);
});
const v15 = {
  lookup: v16.lookup,
  pallets: palletsV15,
  extrinsic: {
    version: 4,
    addressType: ext.addressType,
    callType: ext.callType,
    signatureType: ext.signatureType,
    extraType,
    signedExtensions,
  },
  type: runtimeType,
  apis: apisV15,
  outerEnums: v16.outerEnums,
  custom: v16.custom,
};
const v14 = {
  lookup: v16.lookup,
  pallets: palletsV14,
  extrinsic: { type: extrinsicType.id, version: 4, signedExtensions },
  type: runtimeType,
};
const bytesV15 = new Metadata(new TypeRegistry(), { magicNumber: 0x6174656d, metadata: { v15 } } as never).toU8a();
const bytesV14 = new Metadata(new TypeRegistry(), { magicNumber: 0x6174656d, metadata: { v14 } } as never).toU8a();
for (const [v, b] of [
  [14, bytesV14],
  [15, bytesV15],
  [16, bytes],
] as const) {
  const back = new Metadata(new TypeRegistry(), b);
  if (back.version !== v) throw new Error(`V${v} re-decodes as V${back.version}`);
}
const pack = (b: Uint8Array) => Buffer.from(deflateSync(b, { level: 9 })).toString('base64');
writeFileSync(
  process.argv[3] ?? 'src/devnet/chain/metadata.generated.ts',
  `// Generated by scripts/gen-devnet-metadata.ts from finney runtime metadata spec 424 (V16); do not edit.\n` +
    `// Pallets: ${DEVNET_PALLETS.join(', ')}. Runtime APIs: ${DEVNET_APIS.join(', ')}.\n` +
    `/** The metadata as V16 (the devnet's own registry; \`Metadata_metadata_at_version(16)\`), deflated. */\n` +
    `export const DEVNET_METADATA_DEFLATED_BASE64 =\n  '${pack(bytes)}';\n` +
    `export const DEVNET_METADATA_BYTES = ${bytes.length};\n` +
    `/** The same as V15 (\`Metadata_metadata_at_version(15)\`), deflated. */\n` +
    `export const DEVNET_METADATA_V15_DEFLATED_BASE64 =\n  '${pack(bytesV15)}';\n` +
    `/** The same as V14 (\`state_getMetadata\`, \`Metadata_metadata\`), deflated. */\n` +
    `export const DEVNET_METADATA_V14_DEFLATED_BASE64 =\n  '${pack(bytesV14)}';\n`,
);
process.stderr.write(`metadata: V16 ${bytes.length}, V15 ${bytesV15.length}, V14 ${bytesV14.length} bytes\n`);
