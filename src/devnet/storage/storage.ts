/** The devnet's storage: SCALE values under their real Substrate keys, read and written through the metadata. */
import type { Codec } from '@polkadot/types/types';
import { compactStripLength, u8aToHex } from '@polkadot/util';
import type { Runtime } from '../chain/runtime.js';

type Entry = ((...args: unknown[]) => Uint8Array) & {
  meta: {
    type: { isPlain: boolean; asPlain: { toNumber(): number }; asMap: { value: { toNumber(): number } } };
    fallback: Uint8Array;
    modifier: { isOptional: boolean };
  };
};

export interface Storage {
  /** Raw map: hex key → SCALE bytes. */
  readonly map: Map<string, Uint8Array>;
  key(section: string, item: string, ...args: unknown[]): string;
  get(section: string, item: string, ...args: unknown[]): Codec;
  set(section: string, item: string, args: unknown[], value: unknown): void;
  has(section: string, item: string, ...args: unknown[]): boolean;
  remove(section: string, item: string, ...args: unknown[]): void;
  snapshot(): Map<string, Uint8Array>;
  /** The stored SCALE bytes, or the item's default bytes when absent (for hot paths that decode by hand). */
  raw(section: string, item: string, ...args: unknown[]): Uint8Array;
  /** Stores SCALE bytes as they are. */
  setRaw(section: string, item: string, args: unknown[], bytes: Uint8Array): void;
  /** Starts recording the previous value of every key written, so that {@link Storage.rollback} can undo them. */
  checkpoint(): void;
  /** Undoes every write since the last checkpoint. */
  rollback(): void;
  /** Stops recording (keeps the writes). */
  commit(): void;
}

/** Storage keys by runtime: every storage view of a chain (each block's, each runtime call's) shares them. */
const keyCaches = new WeakMap<Runtime, Map<string, string>>();

export function createStorage(rt: Runtime, from?: Map<string, Uint8Array>): Storage {
  // over 80 lines by design: the map, the journal for rollback and the key cache are one state that get, set, iterate
  // and rollback all use.
  const map = new Map(from ?? []);
  let journal: Map<string, Uint8Array | undefined> | null = null;
  const record = (k: string) => {
    if (journal && !journal.has(k)) journal.set(k, map.get(k));
  };
  const types = new Map<string, string>();
  function entry(section: string, item: string): Entry {
    const e = (rt.decorated.query as unknown as Record<string, Record<string, Entry>>)[section]?.[item];
    if (!e) throw new Error(`no storage ${section}.${item}`);
    return e;
  }
  function typeOf(section: string, item: string): string {
    const k = `${section}.${item}`;
    let t = types.get(k);
    if (!t) {
      const e = entry(section, item);
      const id = e.meta.type.isPlain ? e.meta.type.asPlain.toNumber() : e.meta.type.asMap.value.toNumber();
      t = rt.registry.createLookupType(id);
      types.set(k, t);
    }
    return t;
  }
  const hashKey = (section: string, item: string, args: unknown[]) =>
    u8aToHex(compactStripLength(entry(section, item)(...args))[1]);
  // Building a key through polkadot-js costs ≈ 0.1 ms (codec objects, then the hashers); the hot paths ask for the
  // same few keys again and again, so keys whose arguments are plain numbers, bigints or strings are remembered.
  let keyCache = keyCaches.get(rt);
  if (!keyCache) keyCaches.set(rt, (keyCache = new Map()));
  const cache = keyCache;
  const key = (section: string, item: string, ...args: unknown[]) => {
    let memo = `${section}.${item}`;
    for (const a of args) {
      const t = typeof a;
      if (t !== 'number' && t !== 'string' && t !== 'bigint') return hashKey(section, item, args);
      memo += `|${t[0]}${String(a)}`;
    }
    let k = cache.get(memo);
    if (k === undefined) {
      k = hashKey(section, item, args);
      if (cache.size >= 200_000) cache.clear();
      cache.set(memo, k);
    }
    return k;
  };
  return {
    map,
    key,
    get(section, item, ...args) {
      const raw = map.get(key(section, item, ...args));
      const e = entry(section, item);
      const t = typeOf(section, item);
      // Optional items read as Option<T>, as polkadot-js presents them.
      if (e.meta.modifier.isOptional)
        return rt.registry.createType(`Option<${t}>`, raw ? rt.registry.createType(t, raw) : null);
      return rt.registry.createType(t, raw ?? e.meta.fallback);
    },
    set(section, item, args, value) {
      const k = key(section, item, ...args);
      record(k);
      map.set(k, rt.registry.createType(typeOf(section, item), value).toU8a());
    },
    raw(section, item, ...args) {
      return map.get(key(section, item, ...args)) ?? entry(section, item).meta.fallback;
    },
    setRaw(section, item, args, bytes) {
      const k = key(section, item, ...args);
      record(k);
      map.set(k, bytes);
    },
    has: (section, item, ...args) => map.has(key(section, item, ...args)),
    remove: (section, item, ...args) => {
      const k = key(section, item, ...args);
      record(k);
      map.delete(k);
    },
    snapshot: () => new Map(map),
    checkpoint() {
      journal = new Map();
    },
    rollback() {
      if (journal) for (const [k, v] of journal) v === undefined ? map.delete(k) : map.set(k, v);
      journal = null;
    },
    commit() {
      journal = null;
    },
  };
}
