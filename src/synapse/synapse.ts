/**
 * The `Synapse` base class: the request/response object that travels between a dendrite and an axon, wire-compatible
 * with Python bittensor 10.x (body JSON, headers, body hash).
 */
import { createHash } from 'node:crypto';
import { SynapseError } from './errors.js';
import { Field, t, type AnyField, type FieldCodec, type FieldInit, type FieldMap, type FieldValues } from './fields.js';
import { parseJson, type JsonValue } from './json.js';
import { pythonFloatRepr } from './python-repr.js';
import { TerminalInfo, terminalField, type TerminalField } from './terminal-info.js';

/** The base fields every synapse has, in Python's `model_dump()` order. */
const BASE_FIELDS: Record<BaseFieldName, AnyField> = {
  name: t.str().optional(),
  timeout: t.float().default(12.0),
  total_size: t.int().default(0),
  header_size: t.int().default(0),
  dendrite: terminalField,
  axon: terminalField,
  computed_body_hash: t.str().default(''),
};
const BASE_NAMES = Object.keys(BASE_FIELDS);

/** Names of the base fields every synapse carries. */
export type BaseFieldName =
  | 'name'
  | 'timeout'
  | 'total_size'
  | 'header_size'
  | 'dendrite'
  | 'axon'
  | 'computed_body_hash';

/**
 * SHA3-256 hex digest of a UTF-8 string (bittensor's `get_hash`).
 *
 * @example
 * ```ts
 * sha3Hex(''); // 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'
 * ```
 */
export function sha3Hex(text: string): string {
  return createHash('sha3-256').update(text, 'utf8').digest('hex');
}

/** Optional base-field values accepted by every synapse constructor. */
export interface SynapseInit {
  /** Seconds (default 12.0); null means the default. */
  timeout?: number | null;
  /** Informational size (default 0). */
  total_size?: number;
  /** Informational size (default 0). */
  header_size?: number;
  /** The calling end's terminal info. */
  dendrite?: TerminalInfo | Partial<Record<TerminalField, unknown>>;
  /** The serving end's terminal info. */
  axon?: TerminalInfo | Partial<Record<TerminalField, unknown>>;
  /** The body hash received in headers (frozen after construction). */
  computed_body_hash?: string;
  /** Ignored: the name is always the class's {@link Synapse.synapseName}. */
  name?: string | null;
}

/** Headers as received: a plain record (node:http) or anything iterable as `[name, value]` pairs (fetch `Headers`). */
export type HeaderInput = Record<string, string | string[] | undefined> | Iterable<[string, string]>;

/** Limits applied by {@link Synapse.fromHeaders}. */
export interface FromHeadersOptions {
  /** Largest total size of all header names and values, in bytes (default 64 KiB). */
  maxHeaderBytes?: number;
}

/** Statics shared by every synapse class; `S` is the instance type. */
export interface SynapseClass<S extends Synapse = Synapse, Init = Record<string, unknown>> {
  // biome-ignore lint/complexity/noBannedTypes: `{} extends Init` asks whether every field of Init is optional
  new (...args: {} extends Init ? [init?: Init] : [init: Init]): S;
  /** The instance prototype. */
  readonly prototype: S;
  /** The route and `name` of this synapse (Python: the class name). */
  readonly synapseName: string;
  /** The subclass fields, after the base fields. */
  readonly fields: FieldMap;
  /** The fields whose Python `str()` digests make up the body hash, in order. */
  readonly requiredHashFields: readonly string[];
  /** See {@link Synapse.fromJSON}. */
  fromJSON(input: string | JsonValue): S;
  /** See {@link Synapse.fromHeaders}. */
  fromHeaders(headers: HeaderInput, options?: FromHeadersOptions): S;
}

type Statics = { synapseName: string; fields: FieldMap; requiredHashFields: readonly string[] };

/**
 * The request/response object of the bittensor protocol. Subclass it with {@link defineSynapse} to add typed fields;
 * the base carries `name`, `timeout` (12.0), `total_size`, `header_size`, the `dendrite` and `axon` terminal info and
 * the frozen `computed_body_hash`, exactly as Python's pydantic model does.
 *
 * @example
 * ```ts
 * import { Synapse } from 'subnetkit/synapse';
 * const ping = new Synapse();
 * ping.toJSON();   // '{"name":"Synapse","timeout":12.0,"total_size":0,…,"computed_body_hash":""}'
 * ping.bodyHash;   // 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'
 * ```
 */
export class Synapse {
  /** The route and `name` of this synapse class. Subclasses set their own. */
  static synapseName = 'Synapse';
  /** Typed fields added by the subclass (the base has none beyond its own). */
  static fields: FieldMap = {};
  /** Field names hashed into the body hash, in order. */
  static requiredHashFields: readonly string[] = [];

  /** Always the class's `synapseName` (Python forces `name` to the class name). */
  name!: string;
  /** Seconds the dendrite waits; the axon's nonce window also uses it. */
  timeout!: number;
  /** Informational size, an int string on the wire. */
  total_size!: number;
  /** Informational size, an int string on the wire. */
  header_size!: number;
  /** The calling end: hotkey, nonce, uuid, signature, and after the call its status. */
  dendrite!: TerminalInfo;
  /** The serving end: hotkey, ip, port, and after the call its status. */
  axon!: TerminalInfo;
  #computedBodyHash = '';

  constructor(init: SynapseInit = {}) {
    if (init === null || typeof init !== 'object')
      throw new SynapseError('SYNAPSE_INVALID_FIELD', 'synapse init must be an object');
    const cls = this.constructor as unknown as Statics;
    // Parse everything first, assign after: a bad field leaves no half-built object behind.
    const values: Record<string, unknown> = {};
    const raw = init as Record<string, unknown>;
    const timeout = raw.timeout === null ? undefined : raw.timeout;
    for (const name of BASE_NAMES) {
      const field = (BASE_FIELDS as FieldMap)[name]!;
      values[name] = readField(cls, name, field, name === 'timeout' ? timeout : raw[name]);
    }
    for (const [name, field] of Object.entries(cls.fields)) values[name] = readField(cls, name, field, raw[name]);
    values.name = cls.synapseName;
    this.#computedBodyHash = values.computed_body_hash as string;
    delete values.computed_body_hash;
    Object.assign(this, values);
  }

  /** The header value of the body hash; frozen after construction (assigning throws `SYNAPSE_FROZEN_FIELD`). */
  get computed_body_hash(): string {
    return this.#computedBodyHash;
  }
  /** Always throws `SYNAPSE_FROZEN_FIELD`: the field is frozen, as in Python. */
  set computed_body_hash(_: string) {
    throw new SynapseError('SYNAPSE_FROZEN_FIELD', 'computed_body_hash is frozen; it is set from headers only');
  }

  /**
   * SHA3-256 hex over the SHA3-256 hex digests of Python `str()` of each `requiredHashFields` entry, in order.
   * With no hashed fields it is `sha3_256("")`.
   */
  get bodyHash(): string {
    const cls = this.constructor as unknown as Statics;
    let concat = '';
    for (const name of cls.requiredHashFields)
      concat += sha3Hex(pythonStr(fieldOf(cls, name), (this as Record<string, unknown>)[name]));
    return sha3Hex(concat);
  }
  /** Always throws `SYNAPSE_FROZEN_FIELD`: the hash is derived, as in Python. */
  set bodyHash(_: string) {
    throw new SynapseError(
      'SYNAPSE_FROZEN_FIELD',
      'bodyHash is computed from the hashed fields and cannot be assigned',
    );
  }

  /** True when the dendrite's status code is 200. */
  get isSuccess(): boolean {
    return this.dendrite.status_code === 200;
  }
  /** True when the dendrite's status code is set and not 200. */
  get isFailure(): boolean {
    return this.dendrite.status_code !== 200;
  }
  /** True when the call timed out (408). */
  get isTimeout(): boolean {
    return this.dendrite.status_code === 408;
  }
  /** True when the axon blacklisted the caller (403). */
  get isBlacklist(): boolean {
    return this.dendrite.status_code === 403;
  }
  /** True when the axon could not verify the request (401). */
  get failedVerification(): boolean {
    return this.dendrite.status_code === 401;
  }

  /**
   * The wire JSON body: Python's `model_dump()` order, `null` for None, floats with their `.0`, nonces exact.
   *
   * @example
   * ```ts
   * new Synapse().toJSON().startsWith('{"name":"Synapse","timeout":12.0'); // true
   * ```
   */
  toJSON(): string {
    const cls = this.constructor as unknown as Statics;
    const parts: string[] = [];
    for (const name of BASE_NAMES)
      parts.push(`"${name}":${writeField(cls, name, (BASE_FIELDS as FieldMap)[name]!, this.baseValue(name))}`);
    for (const [name, field] of Object.entries(cls.fields))
      parts.push(`${JSON.stringify(name)}:${writeField(cls, name, field, (this as Record<string, unknown>)[name])}`);
    return `{${parts.join(',')}}`;
  }

  private baseValue(name: string): unknown {
    return name === 'computed_body_hash' ? this.#computedBodyHash : (this as Record<string, unknown>)[name];
  }

  /**
   * The request headers Python's `to_headers()` produces: `name`, `timeout`, `bt_header_axon_*`,
   * `bt_header_dendrite_*`, `bt_header_input_obj_*` dummies for required fields, `header_size`, `total_size`
   * and `computed_body_hash` (the current {@link Synapse.bodyHash}).
   *
   * Pass `options.bodyHash` when it was just computed, to skip hashing large hashed fields twice.
   *
   * @example
   * ```ts
   * new Synapse({ timeout: 5 }).toHeaders().timeout; // '5.0'
   * ```
   */
  toHeaders(options: { bodyHash?: string } = {}): Record<string, string> {
    const cls = this.constructor as unknown as Statics;
    const h: Record<string, string> = { name: cls.synapseName, timeout: pythonFloatRepr(this.timeout) };
    for (const [k, v] of this.axon.toHeaderEntries()) h[`bt_header_axon_${k}`] = v;
    for (const [k, v] of this.dendrite.toHeaderEntries()) h[`bt_header_dendrite_${k}`] = v;
    for (const [name, field] of Object.entries(cls.fields)) {
      const v = (this as Record<string, unknown>)[name];
      if (v === undefined || (!field.alwaysPresent && (!field.required || v === null))) continue;
      h[`bt_header_input_obj_${name}`] = Buffer.from((field.codec as FieldCodec<unknown>).dummy(v)).toString('base64');
    }
    let size = 0;
    for (const [k, v] of Object.entries(h)) size += k.length + v.length;
    h.header_size = String(size);
    h.total_size = String(this.total_size);
    h.computed_body_hash = options.bodyHash ?? this.bodyHash;
    return h;
  }

  /**
   * Plain values of every field, base fields first (TerminalInfo and Tensor instances are kept as objects).
   *
   * @example
   * ```ts
   * new Synapse().modelDump().timeout; // 12
   * ```
   */
  modelDump(): Record<string, unknown> {
    const cls = this.constructor as unknown as Statics;
    const out: Record<string, unknown> = {};
    for (const name of BASE_NAMES) out[name] = this.baseValue(name);
    for (const name of Object.keys(cls.fields)) out[name] = (this as Record<string, unknown>)[name];
    return out;
  }

  /**
   * A deep copy (Python's `model_copy()`), e.g. one per axon when fanning out.
   *
   * @example
   * ```ts
   * const perAxon = axons.map(() => synapse.copy());
   * ```
   */
  copy(): this {
    const Cls = this.constructor as new (init: Record<string, unknown>) => this;
    return new Cls(this.modelDump());
  }

  /**
   * What a dendrite returns when asked to deserialize; the base returns the synapse itself. Override it to return
   * the useful payload, as Python subclasses do.
   *
   * @example
   * ```ts
   * class Echo extends EchoBase { override deserialize() { return this.reply; } }
   * ```
   */
  deserialize(): unknown {
    return this;
  }

  /**
   * Builds a synapse of this class from its JSON body (text or already-parsed object). Unknown keys are ignored;
   * `name` is forced to the class name; nonces stay exact.
   *
   * @throws {@link SynapseError} `SYNAPSE_INVALID_JSON`, `SYNAPSE_INVALID_FIELD` or `SYNAPSE_MISSING_FIELD`.
   * @example
   * ```ts
   * const s = Synapse.fromJSON('{"timeout": 3.0, "dendrite": {"nonce": 1700000000000000001}}');
   * s.dendrite.nonce; // 1700000000000000001n
   * ```
   */
  // biome-ignore lint/suspicious/noExplicitAny: called on any subclass, whatever its constructor takes
  static fromJSON<S extends Synapse>(this: SynapseClass<S, any>, input: string | JsonValue): S {
    const value = typeof input === 'string' ? parseJson(input) : input;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new SynapseError('SYNAPSE_INVALID_JSON', `${this.synapseName} body must be a JSON object`);
    }
    return new (this as unknown as new (init: unknown) => S)(value);
  }

  /**
   * Builds a synapse of this class from request headers alone, as Python's `from_headers` does: terminal info from
   * `bt_header_axon_*` / `bt_header_dendrite_*`, required fields from their `bt_header_input_obj_*` dummies, and
   * `timeout`, `header_size`, `total_size`, `computed_body_hash`. Header names match case-insensitively.
   *
   * @throws {@link SynapseError} `SYNAPSE_HEADERS_TOO_LARGE`, `SYNAPSE_INVALID_HEADER`, `SYNAPSE_INVALID_FIELD`,
   *   `SYNAPSE_MISSING_FIELD`.
   * @example
   * ```ts
   * const received = Synapse.fromHeaders(new Synapse({ timeout: 5 }).toHeaders());
   * received.timeout; // 5
   * ```
   */
  static fromHeaders<S extends Synapse>(
    // biome-ignore lint/suspicious/noExplicitAny: called on any subclass, whatever its constructor takes
    this: SynapseClass<S, any>,
    headers: HeaderInput,
    options: FromHeadersOptions = {},
  ): S {
    const max = options.maxHeaderBytes ?? 64 * 1024;
    const axon: Record<string, string> = {};
    const dendrite: Record<string, string> = {};
    const inputs: Record<string, unknown> = {};
    const top: Record<string, string> = {};
    let size = 0;
    for (const [rawKey, rawValue] of headerEntries(headers)) {
      const key = rawKey.toLowerCase();
      const value = Array.isArray(rawValue) ? rawValue.join(', ') : rawValue;
      if (value === undefined) continue;
      size += key.length + value.length;
      if (size > max) throw new SynapseError('SYNAPSE_HEADERS_TOO_LARGE', `headers exceed ${max} bytes`);
      if (key.includes('bt_header_axon_')) assignTerminal(axon, key.slice(key.indexOf('bt_header_axon_') + 15), value);
      else if (key.includes('bt_header_dendrite_'))
        assignTerminal(dendrite, key.slice(key.indexOf('bt_header_dendrite_') + 19), value);
      else if (key.includes('bt_header_input_obj_')) {
        const field = key.slice(key.indexOf('bt_header_input_obj_') + 20);
        if (!Object.hasOwn(this.fields, field)) continue; // extra keys are ignored, as in pydantic
        inputs[field] = decodeInputObj(field, value);
      } else if (key === 'timeout' || key === 'header_size' || key === 'total_size' || key === 'computed_body_hash')
        top[key] = value;
    }
    return new (this as unknown as new (init: unknown) => S)({
      ...inputs,
      ...top,
      axon: new TerminalInfo(axon, `${this.synapseName}.axon`),
      dendrite: new TerminalInfo(dendrite, `${this.synapseName}.dendrite`),
    });
  }
}

function headerEntries(headers: HeaderInput): Iterable<[string, string | string[] | undefined]> {
  if (headers !== null && typeof headers === 'object' && Symbol.iterator in headers)
    return headers as Iterable<[string, string]>;
  if (headers === null || typeof headers !== 'object')
    throw new SynapseError('SYNAPSE_INVALID_HEADER', 'headers must be an object');
  return Object.entries(headers);
}

function assignTerminal(target: Record<string, string>, field: string, value: string): void {
  if (TerminalInfo.isField(field)) target[field] = value;
}

function decodeInputObj(field: string, value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed)) {
    throw new SynapseError('SYNAPSE_INVALID_HEADER', `bt_header_input_obj_${field} is not valid base64`);
  }
  try {
    return parseJson(Buffer.from(trimmed, 'base64').toString('utf8'));
  } catch (cause) {
    throw new SynapseError('SYNAPSE_INVALID_HEADER', `bt_header_input_obj_${field} does not hold JSON`, { cause });
  }
}

function fieldOf(cls: Statics, name: string): AnyField {
  const f = (BASE_FIELDS as FieldMap)[name] ?? cls.fields[name];
  if (!f) throw new SynapseError('SYNAPSE_MISSING_FIELD', `${cls.synapseName} has no field ${JSON.stringify(name)}`);
  return f;
}

function readField(cls: Statics, name: string, field: AnyField, value: unknown): unknown {
  if (value === undefined) {
    if (field.required) throw new SynapseError('SYNAPSE_MISSING_FIELD', `${cls.synapseName}.${name} is required`);
    return field.makeDefault!();
  }
  return field.codec.parse(value, `${cls.synapseName}.${name}`);
}

function writeField(cls: Statics, name: string, field: AnyField, value: unknown): string {
  // Validate on the way out too: a value assigned after construction must still be what the field declares.
  const checked = field.codec.parse(value, `${cls.synapseName}.${name}`);
  return field.codec.json(checked);
}

function pythonStr(field: AnyField, value: unknown): string {
  // str() of a str is the text itself; every other type renders as its repr.
  return typeof value === 'string' ? value : (field.codec as FieldCodec<unknown>).repr(value);
}

/** The instance type of a synapse defined with fields `F` on base `B`. */
export type SynapseWith<F extends FieldMap, B extends Synapse = Synapse> = B & FieldValues<F>;

/** A synapse class usable as a base of {@link defineSynapse}. */
// biome-ignore lint/suspicious/noExplicitAny: a mixin base must accept any constructor arguments (TS2545)
export type SynapseBase<B extends Synapse> = abstract new (...args: any[]) => B;

/** Options of {@link defineSynapse}. */
export interface DefineSynapseOptions<F extends FieldMap, B extends Synapse> {
  /** The route and `name` (Python: the class name). */
  name: string;
  /** Typed fields, in wire order, after the base fields. */
  fields: F;
  /** Fields hashed into the body hash, in order (base fields allowed). Prefer str and int fields across languages. */
  requiredHashFields?: ReadonlyArray<(keyof F & string) | BaseFieldName>;
  /** A synapse class to extend (default {@link Synapse}), e.g. `StreamingSynapse`. */
  base?: SynapseBase<B>;
}

/**
 * Defines a synapse class with typed fields. The result is a real class (extend it to override `deserialize`),
 * and handlers and dendrite calls infer its field types without casts.
 *
 * @example
 * ```ts
 * import { defineSynapse, t } from 'subnetkit/synapse';
 * const Dummy = defineSynapse({
 *   name: 'Dummy',
 *   fields: { dummy_input: t.int(), dummy_output: t.int().optional() },
 *   requiredHashFields: ['dummy_input'],
 * });
 * const s = new Dummy({ dummy_input: 4 }); // s.dummy_input: number, s.dummy_output: number | null
 * ```
 */
export function defineSynapse<const F extends FieldMap, B extends Synapse = Synapse>(
  options: DefineSynapseOptions<F, B>,
): SynapseClass<SynapseWith<F, B>, SynapseInit & FieldInit<F>> {
  const { name, fields } = options;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SynapseError(
      'SYNAPSE_INVALID_FIELD',
      `synapse name ${JSON.stringify(name)} must be an identifier (it is the URL route)`,
    );
  }
  const Base = (options.base ?? Synapse) as unknown as typeof Synapse;
  const allFields: FieldMap = { ...Base.fields };
  for (const [k, f] of Object.entries(fields)) {
    if (k in BASE_FIELDS) throw new SynapseError('SYNAPSE_INVALID_FIELD', `field ${k} shadows a base Synapse field`);
    if (!(f instanceof Field))
      throw new SynapseError('SYNAPSE_INVALID_FIELD', `field ${k} must be declared with t.*()`);
    allFields[k] = f;
  }
  const hashed = options.requiredHashFields ?? Base.requiredHashFields;
  for (const h of hashed) {
    if (!(h in allFields) && !(h in BASE_FIELDS))
      throw new SynapseError('SYNAPSE_INVALID_FIELD', `requiredHashFields names unknown field ${h}`);
  }
  const Defined = class extends Base {
    static override synapseName = name;
    static override fields = allFields;
    static override requiredHashFields = Object.freeze([...hashed]);
  };
  Object.defineProperty(Defined, 'name', { value: name });
  return Defined as unknown as SynapseClass<SynapseWith<F, B>, SynapseInit & FieldInit<F>>;
}
