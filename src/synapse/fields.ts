/**
 * Field types for synapse classes. One declaration gives a field its TypeScript type, its validation (what pydantic
 * would accept), its wire JSON, its Python `repr()` for the body hash, and the dummy value its header carries.
 */
import { SynapseError } from './errors.js';
import { pythonFloatRepr, pythonRepr, pythonStrRepr } from './python-repr.js';
import { stringifyJson, type JsonValue } from './json.js';
import { Tensor } from './tensor.js';

/** How a field's value is checked, written and rendered. */
export interface FieldCodec<T> {
  /** Python-style type name used in error messages, e.g. `list[int]`. */
  readonly typeName: string;
  /** Validates and coerces a value as pydantic's lax mode would; throws `SYNAPSE_INVALID_FIELD`. */
  parse(value: unknown, path: string): T;
  /** JSON text of the value as Python's `json.dumps` would write it (floats keep their `.0`). */
  json(value: T): string;
  /** Python `repr()` of the value as it appears in `model_dump()` (nested models are dicts). */
  repr(value: T): string;
  /** JSON text of `type(value)()`, the dummy that `bt_header_input_obj_*` headers carry. */
  dummy(value: T): string;
}

/**
 * A declared synapse field: a codec, whether it must be given, and its default.
 *
 * @example
 * ```ts
 * const fields = { prompt: t.str(), topk: t.int().default(20), answer: t.str().optional() };
 * ```
 */
export class Field<T, Required extends boolean = boolean> {
  constructor(
    /** The codec that validates, writes and renders the value. */
    readonly codec: FieldCodec<T>,
    /** True when the field has no default (pydantic "required"): its header carries a dummy. */
    readonly required: Required,
    /** Produces a fresh default value; undefined when the field is required. */
    readonly makeDefault?: () => T,
    /**
     * Sent in the headers even when null (as JSON `null`): a field Python declares `Optional[X]` without a default,
     * which pydantic requires to be present, so that a Python axon can build the synapse from the headers.
     */
    readonly alwaysPresent = false,
  ) {}

  /**
   * The same field with a default, which makes it optional at construction.
   *
   * @example
   * ```ts
   * t.int().default(512)
   * ```
   */
  default(value: T | (() => T)): Field<T, false> {
    const make = typeof value === 'function' ? (value as () => T) : () => structuredCopy(value);
    return new Field(this.codec, false, make);
  }

  /**
   * The same field, nullable, defaulting to `null` (Python `Optional[X] = None`).
   *
   * @example
   * ```ts
   * t.tensor().optional()
   * ```
   */
  optional(): Field<T | null, false> {
    return new Field(nullable(this.codec), false, () => null);
  }

  /**
   * The same field, nullable and always present: Python's `Optional[X]` *without* a default, which pydantic
   * requires. It defaults to `null` here, but its header dummy is always sent (JSON `null` when null), so a Python
   * axon can build the synapse from the headers.
   *
   * @example
   * ```ts
   * t.tensor().nullable() // topk_phrases: Optional[torch.FloatTensor]
   * ```
   */
  nullable(): Field<T | null, false> {
    return new Field(nullable(this.codec), false, () => null, true);
  }
}

function structuredCopy<T>(v: T): T {
  return v !== null && typeof v === 'object' && !(v instanceof Tensor) ? (structuredClone(v) as T) : v;
}

/** Any declared field. */
// biome-ignore lint/suspicious/noExplicitAny: a field of any value type
export type AnyField = Field<any, boolean>;
/** A record of declared fields, as passed to `defineSynapse`. */
export type FieldMap = Record<string, AnyField>;
/** The value types of a field map. */
export type FieldValues<F extends FieldMap> = {
  -readonly [K in keyof F]: F[K] extends Field<infer T, boolean> ? T : never;
};
// biome-ignore lint/suspicious/noExplicitAny: matches a field of any value type
type RequiredKeys<F extends FieldMap> = { [K in keyof F]: F[K] extends Field<any, true> ? K : never }[keyof F];
type OptionalKeys<F extends FieldMap> = Exclude<keyof F, RequiredKeys<F>>;
/** What a constructor takes for a field map: required fields must be given, the rest may be. */
export type FieldInit<F extends FieldMap> = { [K in RequiredKeys<F>]: FieldValues<F>[K] } & {
  [K in OptionalKeys<F>]?: FieldValues<F>[K];
};

function invalid(path: string, expected: string, got: unknown): never {
  const shown =
    typeof got === 'string' ? JSON.stringify(got.length > 40 ? `${got.slice(0, 40)}…` : got) : describe(got);
  throw new SynapseError('SYNAPSE_INVALID_FIELD', `${path}: expected ${expected}, got ${shown}`);
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'number') return String(v);
  return typeof v;
}

// Characters JSON.stringify escapes in a string: quote, backslash, controls, and surrogates (when lone).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are exactly what is looked for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const INT_TEXT = /^\s*[-+]?\d+\s*$/;
const FLOAT_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$|^\s*[-+]?(inf|infinity|nan)\s*$/i;

const intCodec: FieldCodec<number> = {
  typeName: 'int',
  parse(v, path) {
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER))
      return Number(v);
    if (typeof v === 'string' && INT_TEXT.test(v)) {
      const n = Number(v);
      if (Number.isSafeInteger(n)) return n;
    }
    return invalid(path, 'an int within ±2^53 (use t.bigint() for larger)', v);
  },
  json: (v) => v.toFixed(0),
  repr: (v) => v.toFixed(0),
  dummy: () => '0',
};

const bigintCodec: FieldCodec<bigint> = {
  typeName: 'int',
  parse(v, path) {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    if (typeof v === 'string' && INT_TEXT.test(v)) return BigInt(v.trim());
    return invalid(path, 'an int', v);
  },
  json: (v) => v.toString(),
  repr: (v) => v.toString(),
  dummy: () => '0',
};

const floatCodec: FieldCodec<number> = {
  typeName: 'float',
  parse(v, path) {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string' && FLOAT_TEXT.test(v)) {
      const s = v.trim().toLowerCase().replace(/^\+/, '');
      if (s.endsWith('nan')) return NaN;
      if (s.includes('inf')) return s.startsWith('-') ? -Infinity : Infinity;
      return Number(s);
    }
    return invalid(path, 'a float', v);
  },
  json: (v) => (Number.isFinite(v) ? pythonFloatRepr(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'),
  repr: pythonFloatRepr,
  dummy: () => '0.0',
};

const strCodec: FieldCodec<string> = {
  typeName: 'str',
  parse: (v, path) => (typeof v === 'string' ? v : invalid(path, 'a str', v)),
  // Most text needs no escaping: a quick test spares JSON.stringify's escaping pass (same output either way).
  json: (v) => (NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`),
  repr: pythonStrRepr,
  dummy: () => '""',
};

const TRUE_TEXT = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_TEXT = new Set(['false', '0', 'no', 'off', 'f', 'n']);
const boolCodec: FieldCodec<boolean> = {
  typeName: 'bool',
  parse(v, path) {
    if (typeof v === 'boolean') return v;
    if (v === 0 || v === 1) return v === 1;
    if (typeof v === 'string') {
      const s = v.toLowerCase();
      if (TRUE_TEXT.has(s)) return true;
      if (FALSE_TEXT.has(s)) return false;
    }
    return invalid(path, 'a bool', v);
  },
  json: (v) => (v ? 'true' : 'false'),
  repr: (v) => (v ? 'True' : 'False'),
  dummy: () => 'false',
};

const anyCodec: FieldCodec<JsonValue> = {
  typeName: 'Any',
  parse(v, path) {
    if (v === undefined) return invalid(path, 'a JSON value', v);
    return v as JsonValue;
  },
  json: stringifyJson,
  repr: pythonRepr,
  dummy(v) {
    if (Array.isArray(v)) return '[]';
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return '""';
      case 'boolean':
        return 'false';
      case 'number':
        return Number.isInteger(v) ? '0' : '0.0';
      case 'bigint':
        return '0';
      default:
        return '{}';
    }
  },
};

const tensorCodec: FieldCodec<Tensor> = {
  typeName: 'Tensor',
  parse(v, path) {
    if (v instanceof Tensor) return v;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      try {
        return Tensor.parse(v as Record<string, unknown>);
      } catch (cause) {
        throw new SynapseError('SYNAPSE_INVALID_FIELD', `${path}: ${(cause as Error).message}`, { cause });
      }
    }
    return invalid(path, 'a Tensor {buffer, dtype, shape}', v);
  },
  json: (v) => v.toJSON(),
  repr: (v) => v.pythonRepr(),
  dummy: () => '{}',
};

function nullable<T>(inner: FieldCodec<T>): FieldCodec<T | null> {
  return {
    typeName: `Optional[${inner.typeName}]`,
    parse: (v, path) => (v === null || v === undefined ? null : inner.parse(v, path)),
    json: (v) => (v === null ? 'null' : inner.json(v)),
    repr: (v) => (v === null ? 'None' : inner.repr(v)),
    dummy: (v) => (v === null ? 'null' : inner.dummy(v)),
  };
}

function listCodec<T>(inner: FieldCodec<T>): FieldCodec<T[]> {
  return {
    typeName: `list[${inner.typeName}]`,
    parse(v, path) {
      if (!Array.isArray(v)) return invalid(path, `a list[${inner.typeName}]`, v);
      return v.map((x, i) => inner.parse(x, `${path}[${i}]`));
    },
    json: (v) => `[${v.map((x) => inner.json(x)).join(',')}]`,
    repr: (v) => `[${v.map((x) => inner.repr(x)).join(', ')}]`,
    dummy: () => '[]',
  };
}

function dictCodec<T>(inner: FieldCodec<T>): FieldCodec<Record<string, T>> {
  return {
    typeName: `dict[str, ${inner.typeName}]`,
    parse(v, path) {
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        return invalid(path, `a dict[str, ${inner.typeName}]`, v);
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) {
        Object.defineProperty(out, k, {
          value: inner.parse(x, `${path}.${k}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    },
    json: (v) =>
      `{${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}:${inner.json(x)}`)
        .join(',')}}`,
    repr: (v) =>
      `{${Object.entries(v)
        .map(([k, x]) => `${pythonStrRepr(k)}: ${inner.repr(x)}`)
        .join(', ')}}`,
    dummy: () => '{}',
  };
}

/**
 * Field type constructors for {@link defineSynapse}. Each returns a required field; chain `.default(v)` or
 * `.optional()` to make it optional.
 *
 * @example
 * ```ts
 * import { defineSynapse, t } from 'subnetkit/synapse';
 * const Echo = defineSynapse({
 *   name: 'Echo',
 *   fields: { text: t.str(), repeat: t.int().default(1), reply: t.list(t.str()).optional() },
 *   requiredHashFields: ['text'],
 * });
 * ```
 */
export const t = {
  /** Python `int` held as a JS number; values beyond ±2^53 are rejected (use `bigint`). */
  int: () => new Field(intCodec, true),
  /** Python `int` held as a JS `bigint` (e.g. nanosecond nonces). */
  bigint: () => new Field(bigintCodec, true),
  /** Python `float`; written and hashed as Python writes floats (`12.0`, `1e-05`). */
  float: () => new Field(floatCodec, true),
  /** Python `str`. */
  str: () => new Field(strCodec, true),
  /** Python `bool`. */
  bool: () => new Field(boolCodec, true),
  /** Python `list[X]`. */
  list: <T>(item: Field<T, boolean>) => new Field(listCodec(item.codec), true),
  /** Python `dict[str, X]`. */
  dict: <T>(value: Field<T, boolean>) => new Field(dictCodec(value.codec), true),
  /** A bittensor `Tensor` (base64 msgpack-numpy buffer, dtype, shape). */
  tensor: () => new Field(tensorCodec, true),
  /** Any JSON value; integers hash as Python ints, other numbers as floats. */
  any: () => new Field(anyCodec, true),
};
