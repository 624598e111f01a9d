/**
 * Decoded codecs → plain values, the shapes `bindings.generated.ts` declares: u8–u32 → number, wider → bigint,
 * AccountId → SS58, bytes → Uint8Array, Option → value | null, structs → camelCase objects, enums → the variant name
 * (unit variants) or `{ Variant: data }`, Result → `{ ok }` / `{ err }`.
 */
import { GenericAccountId } from '@polkadot/types';
import {
  AbstractArray,
  AbstractInt,
  BitVec,
  Bool,
  BTreeMap,
  Compact,
  Enum,
  Null,
  Option,
  Raw,
  Result,
  Struct,
  Text,
  Tuple,
} from '@polkadot/types-codec';
import type { Codec } from '@polkadot/types-codec/types';

/**
 * Converts a decoded @polkadot/types codec to the plain value the generated bindings describe.
 *
 * @example
 * ```ts
 * const api = await st.api();
 * const info = toPlain(await api.query.system.account(address)); // { nonce: number, data: { free: bigint, … } }
 * ```
 */
export function toPlain(c: Codec): unknown {
  if (c instanceof GenericAccountId) return c.toString();
  if (c instanceof Option) return c.isSome ? toPlain(c.unwrap()) : null;
  if (c instanceof Compact) return toPlain(c.unwrap());
  if (c instanceof AbstractInt) return c.bitLength() <= 32 ? c.toNumber() : c.toBigInt();
  if (c instanceof Bool) return c.isTrue;
  if (c instanceof Text) return c.toString();
  if (c instanceof Null) return null;
  if (c instanceof BitVec || c instanceof Raw) return c.toU8a(true).slice();
  if (c instanceof Result) return c.isOk ? { ok: toPlain(c.asOk) } : { err: toPlain(c.asErr) };
  if (c instanceof Enum) return c.isBasic ? c.type : { [c.type as string]: toPlain(c.value) };
  if (c instanceof Struct) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of c.entries()) out[String(k)] = toPlain(v);
    return out;
  }
  if (c instanceof BTreeMap) return [...c.entries()].map(([k, v]) => [toPlain(k), toPlain(v)]);
  if (c instanceof Tuple || c instanceof AbstractArray) return Array.from(c as unknown as Codec[], (x) => toPlain(x));
  return c.toJSON();
}
