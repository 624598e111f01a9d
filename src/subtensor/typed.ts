/**
 * The typed doors over the generated bindings: storage reads, storage maps, constants, runtime-API calls and call
 * builders, each keyed `pallet.item` as in @polkadot/api and returning the plain values `bindings.generated.ts`
 * declares. Reads go straight to the transport (one `state_getStorage` / `state_call` each, with its timeout) and
 * are decoded with the chain's own metadata.
 */
import type { ApiPromise } from '@polkadot/api';
import type { Registry } from '@polkadot/types/types';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { StorageEntryMetadataLatest } from '@polkadot/types/interfaces';
import { hexToU8a, stringCamelCase, u8aConcat, u8aToHex } from '@polkadot/util';
import type { CallTypes, ConstTypes, RuntimeApiTypes, StorageTypes } from './bindings.generated.js';
import type { Connection } from './connection.js';
import { SubtensorError } from './errors.js';
import { toPlain } from './plain.js';

type KeysOf<T> = T extends { keys: infer K extends unknown[] } ? K : never;
type ValueOf<T> = T extends { value: infer V } ? V : never;
type ParamsOf<T> = T extends { params: infer P extends unknown[] } ? P : never;
type ResultOf<T> = T extends { result: infer R } ? R : never;

/** Typed storage reads: `query.subtensorModule.tempo(netuid)`. */
export type TypedQuery = {
  [P in keyof StorageTypes]: {
    [S in keyof StorageTypes[P]]: (...keys: KeysOf<StorageTypes[P][S]>) => Promise<ValueOf<StorageTypes[P][S]>>;
  };
};

/** Typed storage-map listings: `entries.subtensorModule.axons(netuid)` → `[keys, value][]`. */
export type TypedEntries = {
  [P in keyof StorageTypes]: {
    [S in keyof StorageTypes[P]]: (
      ...partialKeys: unknown[]
    ) => Promise<[KeysOf<StorageTypes[P][S]>, ValueOf<StorageTypes[P][S]>][]>;
  };
};

/** Typed constants: `consts.balances.existentialDeposit()`. */
export type TypedConsts = { [P in keyof ConstTypes]: { [C in keyof ConstTypes[P]]: () => Promise<ConstTypes[P][C]> } };

/** Typed runtime-API calls: `call.neuronInfoRuntimeApi.getNeuronsLite(netuid)`. */
export type TypedCalls = {
  [A in keyof RuntimeApiTypes]: {
    [M in keyof RuntimeApiTypes[A]]: (
      ...params: ParamsOf<RuntimeApiTypes[A][M]>
    ) => Promise<ResultOf<RuntimeApiTypes[A][M]>>;
  };
};

/** Typed call builders: `calls.subtensorModule.setWeights({ netuid, dests, weights, versionKey })`. */
export type TypedCallBuilders = {
  [P in keyof CallTypes]: {
    [C in keyof CallTypes[P]]: (args: CallTypes[P][C]) => Promise<SubmittableExtrinsic<'promise'>>;
  };
};

function nested<T>(make: (outer: string, inner: string) => unknown): T {
  return new Proxy({} as Record<string, unknown>, {
    get(cache, outer) {
      if (typeof outer !== 'string') return undefined;
      cache[outer] ??= new Proxy({} as Record<string, unknown>, {
        get(c2, inner) {
          if (typeof inner !== 'string') return undefined;
          c2[inner] ??= make(outer, inner);
          return c2[inner];
        },
      });
      return cache[outer];
    },
  }) as T;
}

/** A type's name for a message: `Option<PalletSubtensorRpcInfoDynamicInfo>` rather than `Lookup664`. */
function readableType(registry: Registry, type: string): string {
  if (!/^Lookup\d+$/.test(type)) return type;
  try {
    const def = registry.lookup.getTypeDef(type as `Lookup${number}`);
    return def.lookupName ?? def.type;
  } catch {
    return type;
  }
}

/**
 * Decodes `bytes` as `type`, and insists that the type used every byte: bytes of another runtime's layout (an older
 * struct with fewer fields) must be an error that names the type, not a value decoded from part of them.
 */
function decodeExact(registry: Registry, type: string, bytes: Uint8Array, what: string): unknown {
  const name = readableType(registry, type);
  let codec;
  try {
    codec = registry.createType(type, bytes);
  } catch (e) {
    throw new SubtensorError('DECODE_FAILED', `${what}: the bytes do not decode as ${name}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (codec.encodedLength !== bytes.length) {
    throw new SubtensorError(
      'DECODE_FAILED',
      `${what}: the bytes are not a ${name} (it reads ${codec.encodedLength} of ${bytes.length} bytes): the node runs another runtime version`,
    );
  }
  return toPlain(codec);
}

function entryOf(api: ApiPromise, pallet: string, item: string) {
  const entry = (
    api.query as unknown as Record<string, Record<string, ApiPromise['query']['system']['account']> | undefined>
  )[pallet]?.[item];
  if (!entry)
    throw new SubtensorError('INVALID_ARGUMENT', `no storage item ${pallet}.${item} in this chain's metadata`);
  return entry;
}

function valueType(api: ApiPromise, meta: StorageEntryMetadataLatest): string {
  return api.registry.createLookupType(meta.type.isPlain ? meta.type.asPlain : meta.type.asMap.value);
}

/** Reads one storage value at `at` (best block when absent) and decodes it to a plain value. */
export async function readStorage(
  conn: Connection,
  pallet: string,
  item: string,
  keys: unknown[],
  at?: string,
): Promise<unknown> {
  const api = await conn.api();
  const entry = entryOf(api, pallet, item);
  let key: string;
  try {
    key = entry.key(...(keys as never[]));
  } catch (e) {
    throw new SubtensorError(
      'INVALID_ARGUMENT',
      `${pallet}.${item}: bad key ${String(keys)}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const hex = await conn.rpc<string | null>('state_getStorage', at ? [key, at] : [key]);
  const meta = entry.creator.meta;
  if (hex === null && meta.modifier.isOptional) return null;
  return decodeExact(
    api.registry,
    valueType(api, meta),
    hex === null ? meta.fallback.toU8a(true) : hexToU8a(hex),
    `${pallet}.${item}`,
  );
}

/** Lists a storage map (or the part under `partialKeys`) at `at`: pages of keys, then their values in one call each. */
export async function readEntries(
  conn: Connection,
  pallet: string,
  item: string,
  partialKeys: unknown[],
  at?: string,
): Promise<[unknown[], unknown][]> {
  const api = await conn.api();
  const entry = entryOf(api, pallet, item);
  const prefix = entry.keyPrefix(...(partialKeys as never[]));
  const blockHash = at ?? (await conn.rpc<string>('chain_getBlockHash', []));
  const keys: string[] = [];
  for (let start: string | null = null; ; ) {
    const page: string[] = await conn.rpc<string[]>('state_getKeysPaged', [prefix, 1000, start ?? prefix, blockHash]);
    keys.push(...page);
    if (page.length < 1000) break;
    start = page[page.length - 1]!;
  }
  if (keys.length === 0) return [];
  const type = valueType(api, entry.creator.meta);
  const out: [unknown[], unknown][] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const sets = await conn.rpc<{ changes: [string, string | null][] }[]>('state_queryStorageAt', [
      keys.slice(i, i + 1000),
      blockHash,
    ]);
    for (const [k, v] of sets[0]?.changes ?? []) {
      if (v === null) continue;
      const sk = api.registry.createType('StorageKey', k);
      sk.setMeta(entry.creator.meta, entry.creator.section, entry.creator.method);
      out.push([sk.args.map((a) => toPlain(a)), decodeExact(api.registry, type, hexToU8a(v), `${pallet}.${item}`)]);
    }
  }
  return out;
}

interface ApiMethod {
  rpc: string;
  inputs: string[];
  output: string;
  /** The registry its types belong to: the node's, or finney's bundled one for a node that describes no APIs. */
  registry: Registry;
}

const apiMethodCache = new WeakMap<ApiPromise, Map<string, ApiMethod>>();

function apiMethod(api: ApiPromise, section: string, method: string): ApiMethod | null {
  let map = apiMethodCache.get(api);
  if (!map) {
    map = new Map();
    for (const a of api.runtimeMetadata.asLatest.apis) {
      for (const m of a.methods) {
        map.set(`${stringCamelCase(a.name.toString())}.${stringCamelCase(m.name.toString())}`, {
          rpc: `${a.name.toString()}_${m.name.toString()}`,
          inputs: m.inputs.map((i) => api.registry.createLookupType(i.type)),
          output: api.registry.createLookupType(m.output),
          registry: api.registry,
        });
      }
    }
    apiMethodCache.set(api, map);
  }
  return map.get(`${section}.${method}`) ?? null;
}

/**
 * A runtime API method as finney's own metadata (bundled for the devnet) declares it, for a node that offers only
 * metadata V14, which describes no runtime APIs: the call is made with `state_call` and decoded with finney's types.
 */
async function bundledApiMethod(section: string, method: string): Promise<ApiMethod | null> {
  const { loadRuntime } = await import('../devnet/chain/runtime.js');
  const { registry, metadata } = loadRuntime();
  for (const a of metadata.asV16.apis) {
    if (stringCamelCase(a.name.toString()) !== section) continue;
    for (const m of a.methods) {
      if (stringCamelCase(m.name.toString()) !== method) continue;
      return {
        rpc: `${a.name.toString()}_${m.name.toString()}`,
        inputs: m.inputs.map((i) => registry.createLookupType(i.type)),
        output: registry.createLookupType(m.output),
        registry,
      };
    }
  }
  return null;
}

/** Calls a runtime API method (`state_call`) and returns its raw SCALE output. */
export async function callRuntimeRaw(
  conn: Connection,
  section: string,
  method: string,
  params: unknown[],
  at?: string,
): Promise<{ bytes: string; output: string; api: ApiPromise; registry: Registry }> {
  const api = await conn.api();
  const m =
    apiMethod(api, section, method) ??
    (api.runtimeMetadata.version < 15 ? await bundledApiMethod(section, method) : null);
  if (!m) throw new SubtensorError('INVALID_ARGUMENT', `no runtime API ${section}.${method} in this chain's metadata`);
  if (params.length !== m.inputs.length)
    throw new SubtensorError(
      'INVALID_ARGUMENT',
      `${section}.${method} takes ${m.inputs.length} parameters, got ${params.length}`,
    );
  let data: string;
  try {
    data = u8aToHex(u8aConcat(...m.inputs.map((t, i) => m.registry.createType(t, params[i]).toU8a())));
  } catch (e) {
    throw new SubtensorError('INVALID_ARGUMENT', `${section}.${method}: bad parameters: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const bytes = await conn.rpc<string>('state_call', at ? [m.rpc, data, at] : [m.rpc, data]);
  return { bytes, output: m.output, api, registry: m.registry };
}

/** Calls a runtime API method and decodes its output to a plain value. */
export async function callRuntime(
  conn: Connection,
  section: string,
  method: string,
  params: unknown[],
  at?: string,
): Promise<unknown> {
  const { bytes, output, registry } = await callRuntimeRaw(conn, section, method, params, at);
  return decodeExact(registry, output, hexToU8a(bytes), `${section}.${method}`);
}

/** Builds a call from named arguments (metadata order), as `api.tx.pallet.call(...)` would. */
export async function buildCall(
  conn: Connection,
  pallet: string,
  call: string,
  args: Record<string, unknown>,
): Promise<SubmittableExtrinsic<'promise'>> {
  const api = await conn.api();
  const fn = (
    api.tx as unknown as Record<
      string,
      | Record<
          string,
          ((...a: unknown[]) => SubmittableExtrinsic<'promise'>) & {
            meta: { args: { name: { toString(): string } }[] };
          }
        >
      | undefined
    >
  )[pallet]?.[call];
  if (!fn) throw new SubtensorError('INVALID_ARGUMENT', `no call ${pallet}.${call} in this chain's metadata`);
  if (args === null || typeof args !== 'object')
    throw new SubtensorError('INVALID_ARGUMENT', `${pallet}.${call}: arguments must be an object`);
  const names = fn.meta.args.map((a) => stringCamelCase(a.name.toString()));
  const missing = names.filter((n) => !(n in args));
  if (missing.length) throw new SubtensorError('INVALID_ARGUMENT', `${pallet}.${call}: missing ${missing.join(', ')}`);
  try {
    return fn(...names.map((n) => args[n]));
  } catch (e) {
    throw new SubtensorError('INVALID_ARGUMENT', `${pallet}.${call}: ${(e as Error).message}`, { cause: e });
  }
}

/** The typed doors of a connection (optionally pinned to a block). */
export function typedDoors(conn: Connection, at?: string) {
  return {
    query: nested<TypedQuery>(
      (p, s) =>
        (...keys: unknown[]) =>
          readStorage(conn, p, s, keys, at),
    ),
    entries: nested<TypedEntries>(
      (p, s) =>
        (...keys: unknown[]) =>
          readEntries(conn, p, s, keys, at),
    ),
    call: nested<TypedCalls>(
      (a, m) =>
        (...params: unknown[]) =>
          callRuntime(conn, a, m, params, at),
    ),
  };
}

/** Typed constants of a connection. */
export function typedConsts(conn: Connection): TypedConsts {
  return nested<TypedConsts>((p, c) => async () => {
    const api = await conn.api();
    const v = (api.consts as unknown as Record<string, Record<string, Parameters<typeof toPlain>[0]> | undefined>)[p]?.[
      c
    ];
    if (!v) throw new SubtensorError('INVALID_ARGUMENT', `no constant ${p}.${c} in this chain's metadata`);
    return toPlain(v);
  });
}

/** Typed call builders of a connection. */
export function typedCallBuilders(conn: Connection): TypedCallBuilders {
  return nested<TypedCallBuilders>((p, c) => (args: Record<string, unknown>) => buildCall(conn, p, c, args));
}
