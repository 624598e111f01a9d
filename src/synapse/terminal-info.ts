/**
 * `TerminalInfo`: who is at each end of a request (the dendrite and the axon), in Python's field order.
 */
import { Field, t, type FieldCodec } from './fields.js';
import { SynapseError } from './errors.js';

/** TerminalInfo's fields, in Python's `model_dump()` and header order. */
// biome-ignore lint/suspicious/noExplicitAny: the fields hold strings, numbers and bigints
export const TERMINAL_FIELDS: Record<TerminalField, Field<any, false>> = {
  status_code: t.int().optional(),
  status_message: t.str().optional(),
  process_time: t.float().optional(),
  ip: t.str().optional(),
  port: t.int().optional(),
  version: t.int().optional(),
  nonce: t.bigint().optional(),
  uuid: t.str().optional(),
  hotkey: t.str().optional(),
  signature: t.str().optional(),
};

/** The names of TerminalInfo's fields. */
export type TerminalField =
  | 'status_code'
  | 'status_message'
  | 'process_time'
  | 'ip'
  | 'port'
  | 'version'
  | 'nonce'
  | 'uuid'
  | 'hotkey'
  | 'signature';
const NAMES = Object.keys(TERMINAL_FIELDS) as TerminalField[];
// Each field's codec and its JSON key, in order, for the writers below.
const WRITE_PLAN = NAMES.map((k, i) => ({
  name: k,
  codec: TERMINAL_FIELDS[k].codec as FieldCodec<unknown>,
  key: `${i === 0 ? '' : ','}"${k}":`,
}));

/** Plain values of a TerminalInfo (all nullable). */
export type TerminalInfoValues = Pick<TerminalInfo, TerminalField>;

/**
 * One end of a request: status, timing, address, version, nonce, uuid, hotkey and signature. All fields default to
 * `null`; `nonce` is a nanosecond timestamp held as `bigint`.
 *
 * @example
 * ```ts
 * import { TerminalInfo } from 'subnetkit/synapse';
 * const d = new TerminalInfo({ hotkey: '5Grwva…', nonce: 1700000000000000000n, version: 10002000 });
 * d.toJSON(); // '{"status_code":null,…,"nonce":1700000000000000000,…}'
 * ```
 */
export class TerminalInfo implements TerminalInfoValues {
  /** HTTP-like status of this end (200 success, 401 unverified, 403 blacklisted, 408 timeout, …). */
  status_code: number | null = null;
  /** Human-readable status. */
  status_message: string | null = null;
  /** Seconds the axon spent processing (float). */
  process_time: number | null = null;
  /** IP address of this end. */
  ip: string | null = null;
  /** Port of this end. */
  port: number | null = null;
  /** bittensor version as an int (10.2.0 → 10002000). */
  version: number | null = null;
  /** Nanosecond timestamp nonce (exact as bigint). */
  nonce: bigint | null = null;
  /** Per-instance uuid of the dendrite or axon. */
  uuid: string | null = null;
  /** SS58 hotkey of this end. */
  hotkey: string | null = null;
  /** `0x` + hex sr25519 signature. */
  signature: string | null = null;

  /** Validates and copies `init`; unknown keys are ignored (as pydantic does). */
  constructor(init: Partial<Record<TerminalField, unknown>> = {}, path = 'TerminalInfo') {
    if (init === null || typeof init !== 'object' || Array.isArray(init)) {
      throw new SynapseError('SYNAPSE_INVALID_FIELD', `${path}: expected a TerminalInfo object`);
    }
    // Parse everything first, assign after: a bad field leaves nothing half-set.
    let parsed: unknown[] | undefined;
    for (let i = 0; i < NAMES.length; i++) {
      const k = NAMES[i]!;
      const v = init[k];
      if (v === undefined || v === null) continue;
      parsed ??= new Array(NAMES.length);
      parsed[i] = TERMINAL_FIELDS[k].codec.parse(v, `${path}.${k}`);
    }
    if (parsed)
      for (let i = 0; i < NAMES.length; i++)
        if (parsed[i] !== undefined) (this as Record<string, unknown>)[NAMES[i]!] = parsed[i];
  }

  /**
   * The wire JSON, every field in order, `null` included.
   *
   * @example
   * ```ts
   * new TerminalInfo().toJSON(); // '{"status_code":null,"status_message":null,…,"signature":null}'
   * ```
   */
  toJSON(): string {
    let out = '{';
    for (const { name, codec, key } of WRITE_PLAN) out += `${key}${codec.json(this[name])}`;
    return `${out}}`;
  }

  /**
   * Python's `repr()` of the `model_dump()` dict.
   *
   * @example
   * ```ts
   * new TerminalInfo({ port: 8091 }).pythonRepr(); // "{'status_code': None, …, 'port': 8091, …}"
   * ```
   */
  pythonRepr(): string {
    return `{${NAMES.map((k) => `'${k}': ${(TERMINAL_FIELDS[k].codec as FieldCodec<unknown>).repr(this[k])}`).join(', ')}}`;
  }

  /**
   * Header values for the non-null fields, rendered as Python's `str()`.
   *
   * @example
   * ```ts
   * new TerminalInfo({ port: 8091 }).toHeaderEntries(); // [['port', '8091']]
   * ```
   */
  toHeaderEntries(): Array<[TerminalField, string]> {
    const out: Array<[TerminalField, string]> = [];
    for (const k of NAMES) {
      const v = this[k];
      if (v === null) continue;
      out.push([k, typeof v === 'string' ? v : (TERMINAL_FIELDS[k].codec as FieldCodec<unknown>).repr(v)]);
    }
    return out;
  }

  /**
   * A copy, so that one synapse's terminal info can be reused without aliasing.
   *
   * @example
   * ```ts
   * const copy = info.clone();
   * ```
   */
  clone(): TerminalInfo {
    return Object.assign(Object.create(TerminalInfo.prototype) as TerminalInfo, this);
  }

  /** True when `name` is one of TerminalInfo's fields. */
  static isField(name: string): name is TerminalField {
    return Object.hasOwn(TERMINAL_FIELDS, name);
  }
}

/** Field codec for a nested TerminalInfo (the synapse's `dendrite` and `axon`). */
export const terminalCodec: FieldCodec<TerminalInfo> = {
  typeName: 'TerminalInfo',
  parse: (v, path) => (v instanceof TerminalInfo ? v.clone() : new TerminalInfo(v as Record<string, unknown>, path)),
  json: (v) => v.toJSON(),
  repr: (v) => v.pythonRepr(),
  dummy: () => '{}',
};

/** A field holding a TerminalInfo, defaulting to an empty one. */
export const terminalField = new Field(terminalCodec, false, () => new TerminalInfo());
