/**
 * Decoded codecs → plain values, the shapes `bindings.generated.ts` declares: u8–u32 → number, wider → bigint,
 * AccountId → SS58, bytes → Uint8Array, Option → value | null, structs → camelCase objects, enums → the variant name
 * (unit variants) or `{ Variant: data }`, Result → `{ ok }` / `{ err }`.
 *
 * Codecs are recognised by their type description (`toRawType()`) and their shape, never with `instanceof`: an
 * application can hold a second copy of `@polkadot/types` (a bundler, a nested install), and its classes are not
 * ours.
 */
import type { Codec } from '@polkadot/types-codec/types';

/** The parts of a codec this module reads, whichever copy of @polkadot/types made it. */
type AnyCodec = Codec & {
  toRawType(): string;
  isSome?: boolean;
  unwrap?: () => Codec;
  toBigInt?: () => bigint;
  toNumber?: () => number;
  bitLength?: () => number;
  isTrue?: boolean;
  isOk?: boolean;
  asOk?: Codec;
  asErr?: Codec;
  isBasic?: boolean;
  type?: string;
  value?: Codec;
};

const INT = /^[ui](8|16|32|64|128|256)$/;

/**
 * Converts a decoded @polkadot/types codec to the plain value the generated bindings describe.
 *
 * @example
 * ```ts
 * const api = await st.api();
 * const info = toPlain(await api.query.system.account(address)); // { nonce: number, data: { free: bigint, … } }
 * ```
 */
export function toPlain(codec: Codec): unknown {
  const c = codec as AnyCodec;
  const raw = typeof c.toRawType === 'function' ? c.toRawType() : '';
  if (raw === 'AccountId' || raw === 'AccountId32' || raw === 'AccountId20') return c.toString();
  if (raw.startsWith('Option<')) return c.isSome ? toPlain(c.unwrap!()) : null;
  if (raw.startsWith('Compact<')) return toPlain(c.unwrap!());
  if (
    INT.test(raw) ||
    (typeof c.toBigInt === 'function' && typeof c.bitLength === 'function' && typeof c.toNumber === 'function')
  ) {
    const bits = Number(/\d+/.exec(raw)?.[0] ?? c.bitLength!());
    return bits <= 32 ? c.toNumber!() : c.toBigInt!();
  }
  if (raw === 'bool') return Boolean(c.isTrue);
  if (raw === 'Text' || raw === 'Str' || raw === 'String') return c.toString();
  if (raw === 'Null') return null;
  if (c instanceof Uint8Array) return c.toU8a(true).slice(); // Bytes, [u8; N], H256, BitVec: the raw bytes
  if (raw.startsWith('Result<') && typeof c.isOk === 'boolean')
    return c.isOk ? { ok: toPlain(c.asOk!) } : { err: toPlain(c.asErr!) };
  if (typeof c.isBasic === 'boolean' && typeof c.type === 'string')
    return c.isBasic ? c.type : { [c.type]: toPlain(c.value!) };
  if (c instanceof Map) {
    if (raw.startsWith('BTreeMap<') || raw.startsWith('HashMap<'))
      return [...c.entries()].map(([k, v]) => [toPlain(k as Codec), toPlain(v as Codec)]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of c.entries()) out[String(k)] = toPlain(v as Codec);
    return out;
  }
  if (Array.isArray(c)) return Array.from(c as unknown as Codec[], (x) => toPlain(x));
  return c.toJSON();
}
