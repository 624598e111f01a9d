/**
 * The `Synapse` base class: the request/response object that travels between a dendrite and an axon, wire-compatible
 * with Python bittensor 10.x (body JSON, headers, body hash).
 */
import { SynapseError } from './errors.js';
import { t, type AnyField, type FieldCodec, type FieldMap } from './fields.js';
import { sha3Hex } from './hash.js';
import { type FromHeadersOptions, type HeaderInput, readHeaders, writeHeaders } from './headers.js';
import { parseJson, type JsonValue } from './json.js';
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

/** Whether `name` is one of the base fields (a subclass may not redeclare it). */
export const isBaseField = (name: string): boolean => Object.hasOwn(BASE_FIELDS, name);

/** Names of the base fields every synapse carries. */
export type BaseFieldName =
  | 'name'
  | 'timeout'
  | 'total_size'
  | 'header_size'
  | 'dendrite'
  | 'axon'
  | 'computed_body_hash';

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

export type Statics = { synapseName: string; fields: FieldMap; requiredHashFields: readonly string[] };

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
  /** The last body hash and the primitive values it was computed from. */
  #hashMemo: { values: unknown[]; hash: string } | undefined = undefined;

  constructor(init: SynapseInit = {}) {
    if (init === null || typeof init !== 'object')
      throw new SynapseError('SYNAPSE_INVALID_FIELD', 'synapse init must be an object');
    const cls = this.constructor as unknown as Statics;
    const plan = planOf(cls);
    // Parse everything first, assign after: a bad field leaves no half-built object behind.
    const values: unknown[] = new Array(plan.length);
    const raw = init as Record<string, unknown>;
    for (let i = 0; i < plan.length; i++) {
      const { name, field } = plan[i]!;
      const given = raw[name];
      values[i] = readField(cls, name, field, name === 'timeout' && given === null ? undefined : given);
    }
    for (let i = 0; i < plan.length; i++) {
      const name = plan[i]!.name;
      if (name === 'computed_body_hash') this.#computedBodyHash = values[i] as string;
      else (this as Record<string, unknown>)[name] = name === 'name' ? cls.synapseName : values[i];
    }
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
    const names = cls.requiredHashFields;
    const fields = this as Record<string, unknown>;
    // A synapse is often hashed twice with the same values (an axon checks the request's hash, then writes the
    // reply's): when every hashed value is a primitive (immutable) and is the same as last time, so is the hash.
    const memo = this.#hashMemo;
    if (memo && memo.values.length === names.length && memo.values.every((v, i) => Object.is(v, fields[names[i]!])))
      return memo.hash;
    let concat = '';
    let primitive = true;
    const values: unknown[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const v = fields[name];
      values[i] = v;
      if ((v !== null && typeof v === 'object') || typeof v === 'function') primitive = false;
      concat += sha3Hex(pythonStr(fieldOf(cls, name), v));
    }
    const hash = sha3Hex(concat);
    this.#hashMemo = primitive ? { values, hash } : undefined;
    return hash;
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
    const plan = planOf(cls);
    let out = '{';
    for (let i = 0; i < plan.length; i++) {
      const { name, field, key } = plan[i]!;
      out += `${i === 0 ? '' : ','}${key}${writeField(cls, name, field, this.fieldValue(name))}`;
    }
    return `${out}}`;
  }

  /** A field's current value (the frozen body hash lives in a private slot). */
  private fieldValue(name: string): unknown {
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
    return writeHeaders({
      name: cls.synapseName,
      timeout: this.timeout,
      axon: this.axon,
      dendrite: this.dendrite,
      fields: cls.fields,
      values: this as unknown as Record<string, unknown>,
      totalSize: this.total_size,
      bodyHash: options.bodyHash ?? this.bodyHash,
    });
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
    for (const name of BASE_NAMES) out[name] = this.fieldValue(name);
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
    return new (this as unknown as new (init: unknown) => S)(
      readHeaders(headers, this.fields, this.synapseName, options),
    );
  }
}

/** One field of a class's wire order: its name, declaration and `"name":` JSON key. */
interface PlannedField {
  name: string;
  field: AnyField;
  key: string;
}

// The field order of each class, computed once per class (and again if its `fields` object is replaced).
const plans = new WeakMap<object, { fields: FieldMap; plan: PlannedField[] }>();

/** The base fields then the subclass fields, in Python's `model_dump()` order. */
function planOf(cls: Statics): PlannedField[] {
  const cached = plans.get(cls);
  if (cached && cached.fields === cls.fields) return cached.plan;
  const plan: PlannedField[] = [];
  for (const name of BASE_NAMES) plan.push({ name, field: (BASE_FIELDS as FieldMap)[name]!, key: `"${name}":` });
  for (const [name, field] of Object.entries(cls.fields)) plan.push({ name, field, key: `${JSON.stringify(name)}:` });
  plans.set(cls, { fields: cls.fields, plan });
  return plan;
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
  // Terminal info is written as it is (validating it would only copy it).
  if (field === terminalField && value instanceof TerminalInfo) return value.toJSON();
  // Validate on the way out too: a value assigned after construction must still be what the field declares.
  const checked = field.codec.parse(value, `${cls.synapseName}.${name}`);
  return field.codec.json(checked);
}

function pythonStr(field: AnyField, value: unknown): string {
  // str() of a str is the text itself; every other type renders as its repr.
  return typeof value === 'string' ? value : (field.codec as FieldCodec<unknown>).repr(value);
}
