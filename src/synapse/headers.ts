/**
 * The header format of a synapse, as Python's `to_headers()` writes it and `from_headers()` reads it: `name`,
 * `timeout`, `bt_header_axon_*` and `bt_header_dendrite_*` terminal info, `bt_header_input_obj_*` base64 JSON dummies
 * of the required fields, `header_size`, `total_size` and `computed_body_hash`.
 */
import { SynapseError } from './errors.js';
import type { AnyField, FieldCodec, FieldMap } from './fields.js';
import { parseJson } from './json.js';
import { pythonFloatRepr } from './python-repr.js';
import { TerminalInfo } from './terminal-info.js';

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
  /** The subclass fields with their current values, in wire order. */
  inputs: Iterable<[name: string, field: AnyField, value: unknown]>;
  totalSize: number;
  bodyHash: string;
}

export function writeHeaders(p: HeaderParts): Record<string, string> {
  const h: Record<string, string> = { name: p.name, timeout: pythonFloatRepr(p.timeout) };
  for (const [k, v] of p.axon.toHeaderEntries()) h[`bt_header_axon_${k}`] = v;
  for (const [k, v] of p.dendrite.toHeaderEntries()) h[`bt_header_dendrite_${k}`] = v;
  for (const [name, field, v] of p.inputs) {
    if (v === undefined || (!field.alwaysPresent && (!field.required || v === null))) continue;
    h[`bt_header_input_obj_${name}`] = Buffer.from((field.codec as FieldCodec<unknown>).dummy(v)).toString('base64');
  }
  let size = 0;
  for (const [k, v] of Object.entries(h)) size += k.length + v.length;
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
