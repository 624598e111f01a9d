/**
 * The header format of a synapse, as Python's `to_headers()` writes it and `from_headers()` reads it: `name`,
 * `timeout`, `bt_header_axon_*` and `bt_header_dendrite_*` terminal info, `bt_header_input_obj_*` base64 JSON dummies
 * of the required fields, `header_size`, `total_size` and `computed_body_hash`.
 */
import { SynapseError } from './errors.js';
import type { AnyField, FieldCodec, FieldMap } from './fields.js';
import { parseJson } from './json.js';
import { pythonFloatRepr } from './python-repr.js';
import { TERMINAL_FIELDS, type TerminalField, TerminalInfo } from './terminal-info.js';

/** Headers as received: a plain record (node:http) or anything iterable as `[name, value]` pairs (fetch `Headers`). */
export type HeaderInput = Record<string, string | string[] | undefined> | Iterable<[string, string]>;

/** Limits applied by {@link Synapse.fromHeaders}. */
export interface FromHeadersOptions {
  /** Largest total size of all header names and values, in bytes (default 64 KiB). */
  maxHeaderBytes?: number;
}

/** What a synapse's headers are written from. */
export interface HeaderParts {
  name: string;
  timeout: number;
  axon: TerminalInfo;
  dendrite: TerminalInfo;
  /** The subclass fields, in wire order. */
  fields: FieldMap;
  /** The synapse, holding each field's current value under its name. */
  values: Record<string, unknown>;
  totalSize: number;
  bodyHash: string;
}

// Each terminal field's header name under both prefixes, and its codec, in header order.
const TERMINAL_HEADERS = (Object.keys(TERMINAL_FIELDS) as TerminalField[]).map((name) => ({
  name,
  axon: `bt_header_axon_${name}`,
  dendrite: `bt_header_dendrite_${name}`,
  codec: TERMINAL_FIELDS[name].codec as FieldCodec<unknown>,
}));

/** Writes the non-null fields of `info` as headers (Python's `str()` of each); the bytes of names and values added. */
function writeTerminal(h: Record<string, string>, info: TerminalInfo, side: 'axon' | 'dendrite'): number {
  let size = 0;
  for (const { name, codec, [side]: header } of TERMINAL_HEADERS) {
    const v = info[name];
    if (v === null) continue;
    const text = typeof v === 'string' ? v : codec.repr(v);
    h[header] = text;
    size += header.length + text.length;
  }
  return size;
}

export function writeHeaders(p: HeaderParts): Record<string, string> {
  const timeout = pythonFloatRepr(p.timeout);
  const h: Record<string, string> = { name: p.name, timeout };
  let size = 4 + p.name.length + 7 + timeout.length;
  size += writeTerminal(h, p.axon, 'axon');
  size += writeTerminal(h, p.dendrite, 'dendrite');
  for (const name in p.fields) {
    const field = p.fields[name] as AnyField;
    const v = p.values[name];
    if (v === undefined || (!field.alwaysPresent && (!field.required || v === null))) continue;
    const key = `bt_header_input_obj_${name}`;
    const value = Buffer.from((field.codec as FieldCodec<unknown>).dummy(v)).toString('base64');
    h[key] = value;
    size += key.length + value.length;
  }
  h.header_size = String(size);
  h.total_size = String(p.totalSize);
  h.computed_body_hash = p.bodyHash;
  return h;
}

/** The constructor input a header set describes, for a synapse class with `fields` named `synapseName`. */
export function readHeaders(
  headers: HeaderInput,
  fields: FieldMap,
  synapseName: string,
  options: FromHeadersOptions = {},
): Record<string, unknown> {
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
      if (!Object.hasOwn(fields, field)) continue; // extra keys are ignored, as in pydantic
      inputs[field] = decodeInputObj(field, value);
    } else if (key === 'timeout' || key === 'header_size' || key === 'total_size' || key === 'computed_body_hash')
      top[key] = value;
  }
  return {
    ...inputs,
    ...top,
    axon: new TerminalInfo(axon, `${synapseName}.axon`),
    dendrite: new TerminalInfo(dendrite, `${synapseName}.dendrite`),
  };
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

/**
 * Merges the terminal info a peer sent as headers into `ends`, as Python's dendrite merges `from_headers()` of an
 * axon's reply: each `bt_header_axon_*` and `bt_header_dendrite_*` value (matched anywhere in the name, as Python
 * does) overwrites that field. Nothing else of the header set is parsed, and a set with any malformed value changes
 * nothing.
 *
 * @returns whether the headers were merged (false: one was malformed)
 * @example
 * ```ts
 * import { Synapse, mergeTerminalHeaders } from 'subnetkit/synapse';
 * const s = new Synapse();
 * mergeTerminalHeaders(s, { bt_header_axon_status_code: '200', bt_header_axon_process_time: '0.01' });
 * s.axon.status_code; // 200
 * ```
 */
export function mergeTerminalHeaders(
  ends: { axon: TerminalInfo; dendrite: TerminalInfo },
  headers: Readonly<Record<string, string>>,
): boolean {
  // Parsed first, assigned after: a malformed value leaves both ends as they were.
  let found: unknown[] | null = null;
  for (const key in headers) {
    let end: TerminalInfo;
    let name: string;
    const a = key.indexOf('bt_header_axon_');
    if (a >= 0) {
      end = ends.axon;
      name = key.slice(a + 15);
    } else {
      const d = key.indexOf('bt_header_dendrite_');
      if (d < 0) continue;
      end = ends.dendrite;
      name = key.slice(d + 19);
    }
    if (!TerminalInfo.isField(name)) continue;
    let value: unknown;
    try {
      value = (TERMINAL_FIELDS[name].codec as FieldCodec<unknown>).parse(headers[key], `headers.${key}`);
    } catch {
      return false;
    }
    if (value !== null && value !== undefined) (found ??= []).push(end, name, value);
  }
  if (found)
    for (let i = 0; i < found.length; i += 3)
      (found[i] as Record<string, unknown>)[found[i + 1] as string] = found[i + 2];
  return true;
}
