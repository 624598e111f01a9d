/** The devnet's storage: SCALE values under their real Substrate keys, read and written through the metadata. */
import type { Codec } from '@polkadot/types/types';
import { compactStripLength, u8aToHex } from '@polkadot/util';
import type { Runtime } from './runtime.js';

type Entry = ((...args: unknown[]) => Uint8Array) & { meta: { type: { isPlain: boolean; asPlain: { toNumber(): number }; asMap: { value: { toNumber(): number } } }; fallback: Uint8Array; modifier: { isOptional: boolean } } };

export interface Storage {
  /** Raw map: hex key → SCALE bytes. */
  readonly map: Map<string, Uint8Array>;
  key(section: string, item: string, ...args: unknown[]): string;
  get(section: string, item: string, ...args: unknown[]): Codec;
  set(section: string, item: string, args: unknown[], value: unknown): void;
  has(section: string, item: string, ...args: unknown[]): boolean;
  remove(section: string, item: string, ...args: unknown[]): void;
  snapshot(): Map<string, Uint8Array>;
}

export function createStorage(rt: Runtime, from?: Map<string, Uint8Array>): Storage {
  const map = new Map(from ?? []);
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
  const key = (section: string, item: string, ...args: unknown[]) => u8aToHex(compactStripLength(entry(section, item)(...args))[1]);
  return {
    map,
    key,
    get(section, item, ...args) {
      const raw = map.get(key(section, item, ...args));
      const e = entry(section, item);
      const t = typeOf(section, item);
      // Optional items read as Option<T>, as polkadot-js presents them.
      if (e.meta.modifier.isOptional) return rt.registry.createType(`Option<${t}>`, raw ? rt.registry.createType(t, raw) : null);
      return rt.registry.createType(t, raw ?? e.meta.fallback);
    },
    set(section, item, args, value) {
      map.set(key(section, item, ...args), rt.registry.createType(typeOf(section, item), value).toU8a());
    },
    has: (section, item, ...args) => map.has(key(section, item, ...args)),
    remove: (section, item, ...args) => void map.delete(key(section, item, ...args)),
    snapshot: () => new Map(map),
  };
}
