/**
 * Generates src/subtensor/bindings.generated.ts, the typed bindings of the chain client, from the finney runtime
 * metadata fixture (spec 424, V16):
 *   npx tsx scripts/gen-subtensor-bindings.ts [test/fixtures/finney-metadata-spec424.scale] [output path]
 *
 * For the pallets and runtime APIs a subnet needs it writes plain TypeScript types: storage (keys and value), calls
 * (arguments), events (data), errors (names), constants and runtime-API methods (parameters and result). Values are
 * what `toPlain` in src/subtensor/plain.ts makes of a decoded codec: u8–u32 → number, u64 and wider → bigint,
 * AccountId → SS58 string, byte vectors → Uint8Array, Option → T | null, structs → camelCase objects, enums → the
 * variant name (unit) or `{ Variant: data }`. Inputs are looser (a u64 takes a number too, an AccountId its bytes).
 *
 * We write our own generator because @polkadot/typegen crashes on `Vec<Compact<u16>>` in the tx augmentation, and
 * because plain values (not codec classes) are what a caller wants to hold in a metagraph or a test.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Metadata, TypeRegistry } from '@polkadot/types';
import type { SiType } from '@polkadot/types/interfaces';
import { stringCamelCase } from '@polkadot/util';

export const BOUND_PALLETS = [
  'System',
  'Balances',
  'TransactionPayment',
  'SubtensorModule',
  'Sudo',
  'Commitments',
  'AdminUtils',
  'Drand',
  'Swap',
];
export const BOUND_APIS = [
  'AccountNonceApi',
  'NeuronInfoRuntimeApi',
  'SubnetInfoRuntimeApi',
  'StakeInfoRuntimeApi',
  'DelegateInfoRuntimeApi',
  'SubnetRegistrationRuntimeApi',
  'SwapRuntimeApi',
];

const path = process.argv[2] ?? 'test/fixtures/finney-metadata-spec424.scale';
const registry = new TypeRegistry();
const metadata = new Metadata(registry, readFileSync(path));
registry.setMetadata(metadata);
const lookup = registry.lookup;
const v16 = metadata.asV16;

type Mode = 'out' | 'in';
const named = new Map<string, string>(); // interface name -> body (out mode)
const namedIn = new Map<string, string>();
const nameOf = new Map<number, string>();

const BIG = new Set(['u64', 'u128', 'u256', 'i64', 'i128', 'i256']);
const SMALL = new Set(['u8', 'u16', 'u32', 'i8', 'i16', 'i32']);

function prim(p: string, mode: Mode): string {
  if (p === 'Bool') return 'boolean';
  if (p === 'Str' || p === 'Char') return 'string';
  const l = p.toLowerCase();
  if (SMALL.has(l)) return 'number';
  if (BIG.has(l)) return mode === 'out' ? 'bigint' : 'bigint | number';
  return 'unknown';
}

function isU8(id: number): boolean {
  const t = lookup.getSiType(id);
  return t.def.isPrimitive && t.def.asPrimitive.type === 'U8';
}

function pathOf(t: SiType): string[] {
  return t.path.map((p) => p.toString());
}

function typeName(id: number): string | null {
  if (nameOf.has(id)) return nameOf.get(id)!;
  const def = lookup.getTypeDef(id);
  const n = def.lookupName;
  if (!n) return null;
  nameOf.set(id, n);
  return n;
}

type Field = {
  name: { isSome: boolean; unwrap(): { toString(): string } };
  type: { toNumber(): number };
  typeName: { isSome: boolean; unwrap(): { toString(): string } };
  docs: { toString(): string }[];
};

/** A one-line doc comment: the metadata's docs, else the on-chain type name, else `fallback`. */
function note(f: Partial<Pick<Field, 'docs' | 'typeName'>>, fallback: string): string {
  const text = (f.docs ?? [])
    .map((l) => l.toString().trim())
    .filter(Boolean)
    .join(' ');
  const t = text || (f.typeName?.isSome ? `On chain: \`${f.typeName.unwrap().toString()}\`.` : fallback);
  return `\n  /** ${t.replace(/\*\//g, '*\\/')} */\n  `;
}

function fieldsType(fields: Field[], mode: Mode, seen: Set<number>): string {
  if (fields.length === 0) return 'null';
  if (fields.every((f) => f.name.isSome)) {
    return `{ ${fields.map((f) => `${note(f, f.name.unwrap().toString())}${stringCamelCase(f.name.unwrap().toString())}: ${ts(f.type.toNumber(), mode, seen)}`).join('; ')} }`;
  }
  if (fields.length === 1) return ts(fields[0]!.type.toNumber(), mode, seen);
  return `[${fields.map((f) => ts(f.type.toNumber(), mode, seen)).join(', ')}]`;
}

/** The TypeScript type of lookup type `id`. */
function ts(id: number, mode: Mode, seen = new Set<number>()): string {
  const t = lookup.getSiType(id);
  const p = pathOf(t);
  const last = p[p.length - 1];
  if (last === 'AccountId32') return mode === 'out' ? 'string' : 'string | Uint8Array';
  if (last === 'RuntimeCall' || (last === 'Call' && p[0] !== 'pallet_subtensor')) return 'unknown';
  if (seen.has(id)) return 'unknown';
  const d = t.def;
  if (d.isPrimitive) return prim(d.asPrimitive.type, mode);
  if (d.isCompact) return ts(d.asCompact.type.toNumber(), mode, seen);
  if (d.isBitSequence) return 'Uint8Array';
  if (d.isSequence || d.isArray) {
    const inner = d.isSequence ? d.asSequence.type.toNumber() : d.asArray.type.toNumber();
    if (isU8(inner)) return mode === 'out' ? 'Uint8Array' : 'Uint8Array | string';
    const s = ts(inner, mode, seen);
    return /[|&]/.test(s) ? `(${s})[]` : `${s}[]`;
  }
  if (d.isTuple) {
    const items = d.asTuple.map((x) => ts(x.toNumber(), mode, seen));
    return items.length === 0 ? 'null' : `[${items.join(', ')}]`;
  }
  const next = new Set(seen).add(id);
  if (d.isComposite) {
    const fields = d.asComposite.fields;
    const body = fieldsType(fields as never, mode, next);
    // Structs with names get an interface so hovering shows something readable; newtypes stay inline.
    if (fields.length > 1 || (fields.length === 1 && fields[0]!.name.isSome)) {
      const n = typeName(id);
      if (n) {
        const store = mode === 'out' ? named : namedIn;
        const iname = mode === 'out' ? n : `${n}In`;
        if (!store.has(iname)) {
          store.set(iname, '');
          store.set(iname, body);
        }
        return iname;
      }
    }
    return body;
  }
  if (d.isVariant) {
    const variants = d.asVariant.variants;
    if (last === 'Option' && variants.length === 2) {
      const inner = ts(variants[1]!.fields[0]!.type.toNumber(), mode, next);
      return mode === 'out' ? `${inner} | null` : `${inner} | null | undefined`;
    }
    if (last === 'Result' && variants.length === 2) {
      return `{ \n  /** Success. */\n  ok: ${fieldsType(variants[0]!.fields as never, mode, next)} } | { \n  /** Failure. */\n  err: ${fieldsType(variants[1]!.fields as never, mode, next)} }`;
    }
    if (variants.length === 0) return 'never';
    return variants
      .map((v) =>
        v.fields.length === 0
          ? `'${v.name.toString()}'`
          : `{ ${note(v as never, `Variant ${v.name.toString()}.`)}${v.name.toString()}: ${fieldsType(v.fields as never, mode, next)} }`,
      )
      .join(' | ');
  }
  return 'unknown';
}

function doc(lines: { toString(): string }[], indent: string, fallback: string): string {
  const text =
    lines
      .map((l) => l.toString().trim())
      .filter(Boolean)
      .join(' ')
      .replace(/\*\//g, '*\\/') || fallback;
  return `${indent}/** ${text} */\n`;
}

const out: string[] = [];
const pallets = v16.pallets.filter((p) => BOUND_PALLETS.includes(p.name.toString()));

// Storage
out.push(
  '/** Storage items of the bound pallets: the key tuple and the decoded value (`Default` items never read as null). */',
);
out.push('export interface StorageTypes {');
for (const p of pallets) {
  if (p.storage.isNone) continue;
  out.push(`  /** ${p.name.toString()} storage. */`);
  out.push(`  ${stringCamelCase(p.name.toString())}: {`);
  for (const it of p.storage.unwrap().items) {
    let keys = '[]';
    let value: number;
    if (it.type.isPlain) value = it.type.asPlain.toNumber();
    else {
      const m = it.type.asMap;
      value = m.value.toNumber();
      const keyId = m.key.toNumber();
      const kt = lookup.getSiType(keyId);
      if (m.hashers.length > 1 && kt.def.isTuple)
        keys = `[${kt.def.asTuple.map((x) => ts(x.toNumber(), 'in')).join(', ')}]`;
      else keys = `[${ts(keyId, 'in')}]`;
    }
    const v = ts(value, 'out');
    const optional = it.modifier.isOptional ? ' | null' : '';
    out.push(
      doc(it.docs, '    ', `\`${p.name.toString()}.${it.name.toString()}\`.`) +
        `    ${stringCamelCase(it.name.toString())}: {\n      /** The key tuple. */\n      keys: ${keys};\n      /** The decoded value. */\n      value: ${v}${optional} };`,
    );
  }
  out.push('  };');
}
out.push('}\n');

// Constants
out.push('/** Constants of the bound pallets. */');
out.push('export interface ConstTypes {');
for (const p of pallets) {
  if (p.constants.length === 0) continue;
  out.push(`  /** ${p.name.toString()} constants. */`);
  out.push(`  ${stringCamelCase(p.name.toString())}: {`);
  for (const c of p.constants)
    out.push(
      doc(c.docs, '    ', `\`${p.name.toString()}.${c.name.toString()}\`.`) +
        `    ${stringCamelCase(c.name.toString())}: ${ts(c.type.toNumber(), 'out')};`,
    );
  out.push('  };');
}
out.push('}\n');

// Calls
out.push('/** Calls of the bound pallets and their arguments, as named in the metadata (camelCase). */');
out.push('export interface CallTypes {');
for (const p of pallets) {
  if (p.calls.isNone) continue;
  out.push(`  /** ${p.name.toString()} calls. */`);
  out.push(`  ${stringCamelCase(p.name.toString())}: {`);
  for (const v of lookup.getSiType(p.calls.unwrap().type).def.asVariant.variants) {
    const args = v.fields.map(
      (f) =>
        `${note(f as never, f.name.unwrap().toString())}${stringCamelCase(f.name.unwrap().toString())}: ${ts(f.type.toNumber(), 'in')}`,
    );
    out.push(
      doc(v.docs, '    ', `\`${p.name.toString()}.${v.name.toString()}\`.`) +
        `    ${stringCamelCase(v.name.toString())}: { ${args.join('; ')}${args.length ? ' ' : ''}};`,
    );
  }
  out.push('  };');
}
out.push('}\n');

// Call indices: [pallet index, call index], for conformance checks and for callers that build calls by hand.
out.push(
  '/**\n * `[pallet index, call index]` of every bound call.\n *\n * @example\n * ```ts\n * CALL_INDICES.subtensorModule.setWeights; // [7, 0]\n * ```\n */',
);
out.push('export const CALL_INDICES = {');
for (const p of pallets) {
  if (p.calls.isNone) continue;
  const vs = lookup.getSiType(p.calls.unwrap().type).def.asVariant.variants;
  out.push(`  /** ${p.name.toString()}. */`);
  out.push(
    `  ${stringCamelCase(p.name.toString())}: { ${vs.map((v) => `\n    /** \`${v.name.toString()}\` */\n    ${stringCamelCase(v.name.toString())}: [${p.index.toNumber()}, ${v.index.toNumber()}]`).join(', ')} },`,
  );
}
out.push('} as const;\n');

// Events
out.push('/** Events of the bound pallets and their data (a tuple, or an object when the fields are named). */');
out.push('export interface EventTypes {');
for (const p of pallets) {
  if (p.events.isNone) continue;
  out.push(`  /** ${p.name.toString()} events. */`);
  out.push(`  ${stringCamelCase(p.name.toString())}: {`);
  for (const v of lookup.getSiType(p.events.unwrap().type).def.asVariant.variants) {
    const f = v.fields;
    let data: string;
    if (f.length === 0) data = '[]';
    else if (f.every((x) => x.name.isSome))
      data = `{ ${f.map((x) => `${note(x as never, x.name.unwrap().toString())}${stringCamelCase(x.name.unwrap().toString())}: ${ts(x.type.toNumber(), 'out')}`).join('; ')} }`;
    else data = `[${f.map((x) => ts(x.type.toNumber(), 'out')).join(', ')}]`;
    out.push(
      `${doc(v.docs, '    ', `\`${p.name.toString()}.${v.name.toString()}\`.`)}    ${v.name.toString()}: ${data};`,
    );
  }
  out.push('  };');
}
out.push('}\n');

// Errors
out.push('/** Module error names of the bound pallets. */');
out.push('export interface ErrorNames {');
for (const p of pallets) {
  if (p.errors.isNone) continue;
  const names = lookup.getSiType(p.errors.unwrap().type).def.asVariant.variants.map((v) => `'${v.name.toString()}'`);
  out.push(`  /** ${p.name.toString()} errors. */`);
  out.push(`  ${stringCamelCase(p.name.toString())}: ${names.join(' | ')};`);
}
out.push('}\n');

// Runtime APIs
out.push('/** Runtime APIs a subnet uses: the parameters and the decoded result of each method. */');
out.push('export interface RuntimeApiTypes {');
for (const api of v16.apis.filter((a) => BOUND_APIS.includes(a.name.toString()))) {
  out.push(`  /** ${api.name.toString()}. */`);
  out.push(`  ${stringCamelCase(api.name.toString())}: {`);
  for (const m of api.methods) {
    const params = m.inputs.map((i) => `${stringCamelCase(i.name.toString())}: ${ts(i.type.toNumber(), 'in')}`);
    out.push(
      doc(m.docs, '    ', `\`${api.name.toString()}_${m.name.toString()}\`.`) +
        `    ${stringCamelCase(m.name.toString())}: {\n      /** Parameters. */\n      params: [${params.join(', ')}];\n      /** Decoded result. */\n      result: ${ts(m.output.toNumber(), 'out')} };`,
    );
  }
  out.push('  };');
}
out.push('}\n');

const head: string[] = [
  '// Generated by scripts/gen-subtensor-bindings.ts from finney runtime metadata spec 424 (V16); do not edit.',
  `// Pallets: ${BOUND_PALLETS.join(', ')}. Runtime APIs: ${BOUND_APIS.join(', ')}.`,
  '/* eslint-disable */',
  '',
];
const decls: string[] = [];
for (const [n, body] of [...named].sort(([a], [b]) => a.localeCompare(b)))
  decls.push(`/** \`${n}\` as the chain defines it (decoded). */\nexport type ${n} = ${body};\n`);
for (const [n, body] of [...namedIn].sort(([a], [b]) => a.localeCompare(b)))
  decls.push(`/** \`${n.slice(0, -2)}\` as an argument. */\nexport type ${n} = ${body};\n`);
// Short names for the types a subnet handles every day.
const ALIASES: Record<string, string> = {
  AxonInfo: 'PalletSubtensorAxonInfo',
  PrometheusInfo: 'PalletSubtensorPrometheusInfo',
  NeuronInfoLite: 'PalletSubtensorRpcInfoNeuronInfoNeuronInfoLite',
  NeuronInfo: 'PalletSubtensorRpcInfoNeuronInfo',
  SubnetState: 'PalletSubtensorRpcInfoShowSubnetSubnetState',
  SubnetHyperparams: 'PalletSubtensorRpcInfoSubnetInfoSubnetHyperparamsV2',
  DynamicInfo: 'PalletSubtensorRpcInfoDynamicInfo',
  StakeInfo: 'PalletSubtensorRpcInfoStakeInfo',
  MetagraphInfo: 'PalletSubtensorRpcInfoMetagraph',
};
for (const [alias, target] of Object.entries(ALIASES)) {
  if (!named.has(target)) throw new Error(`alias ${alias}: ${target} is not among the generated types`);
  decls.push(`/** Short name of {@link ${target}}. */\nexport type ${alias} = ${target};\n`);
}
writeFileSync(process.argv[3] ?? 'src/subtensor/bindings.generated.ts', [...head, ...decls, ...out].join('\n'));
process.stderr.write(`bindings: ${named.size} types, ${namedIn.size} input types, ${pallets.length} pallets\n`);
