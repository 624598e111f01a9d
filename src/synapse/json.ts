/**
 * JSON that keeps Python's big integers exact. Nonces are nanosecond timestamps (~1.7e18 > 2^53), so the native
 * `JSON.parse` would silently round them. The parser here returns integers outside the safe range as `bigint`;
 * it takes the native fast path whenever the text holds no integer literal long enough to be unsafe.
 */
import { SynapseError } from './errors.js';

/** A parsed JSON value, where integers beyond 2^53 are `bigint`. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 64;
// Fifteen digits are always safe; sixteen or more may not be, so only then is the slow exact path needed.
const LONG_INT = /\d{16,}/;

/**
 * Parses JSON text, keeping integers beyond `Number.MAX_SAFE_INTEGER` exact as `bigint`.
 *
 * @throws {@link SynapseError} `SYNAPSE_INVALID_JSON` on malformed text or nesting deeper than 64.
 * @example
 * ```ts
 * parseJson('{"nonce": 1700000000000000001}'); // { nonce: 1700000000000000001n }
 * ```
 */
export function parseJson(text: string): JsonValue {
  if (!LONG_INT.test(text)) {
    try {
      const v = JSON.parse(text) as JsonValue;
      checkDepth(v, 0);
      return v;
    } catch (cause) {
      if (cause instanceof SynapseError) throw cause;
      throw new SynapseError('SYNAPSE_INVALID_JSON', `invalid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  // Long integers (a nonce, say) are quoted as placeholder strings so the native parser can read the rest; the
  // placeholders are then put back as exact values. Anything unusual takes the exact parser, whose errors are the
  // reference.
  const quoted = quoteLongIntegers(text);
  if (quoted) {
    let v: JsonValue;
    try {
      v = JSON.parse(quoted.text) as JsonValue;
    } catch {
      return new ExactParser(text).parseDocument();
    }
    return restoreLongIntegers(v, quoted.literals, 0);
  }
  return new ExactParser(text).parseDocument();
}

// Each placeholder is a JSON string starting with this escape (U+0000 once parsed): a text that already holds the
// escape is not given placeholders, so no string of its own can be mistaken for one.
const PLACEHOLDER = '\\u0000';

/**
 * The text with each integer literal of 16 digits or more outside strings replaced by a placeholder string
 * (`"\u0000<index>"`), and the literals replaced; null when the text could hold a placeholder of its own (it has
 * the escape) or an integer with a leading zero (invalid: the exact parser reports it).
 */
function quoteLongIntegers(text: string): { text: string; literals: string[] } | null {
  if (text.includes(PLACEHOLDER)) return null;
  const literals: string[] = [];
  let out = '';
  let last = 0;
  const n = text.length;
  const isDigit = (c: number) => c >= 48 && c <= 57;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip the string: its end is the next quote not escaped by an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end < 0) return null; // unterminated: the exact parser says where
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 92) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
      continue;
    }
    if (!isDigit(c) && c !== 45) continue;
    const start = i;
    let j = c === 45 ? i + 1 : i;
    const digitsFrom = j;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    const digits = j - digitsFrom;
    let fraction = false;
    if (text.charCodeAt(j) === 46) {
      fraction = true;
      for (j++; j < n && isDigit(text.charCodeAt(j)); j++);
    }
    if (text.charCodeAt(j) === 101 || text.charCodeAt(j) === 69) {
      fraction = true;
      j++;
      if (text.charCodeAt(j) === 43 || text.charCodeAt(j) === 45) j++;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
    }
    if (digits >= 16 && !fraction) {
      if (text.charCodeAt(digitsFrom) === 48) return null;
      out += `${text.slice(last, start)}"${PLACEHOLDER}${literals.length}"`;
      literals.push(text.slice(start, j));
      last = j;
    }
    i = j - 1;
  }
  return { text: out + text.slice(last), literals };
}

/** Puts the long integers back where their placeholders are, checking the depth on the way. */
function restoreLongIntegers(v: JsonValue, literals: string[], depth: number): JsonValue {
  if (depth > MAX_DEPTH) throw new SynapseError('SYNAPSE_INVALID_JSON', `JSON nested deeper than ${MAX_DEPTH}`);
  if (typeof v === 'string') {
    if (v.charCodeAt(0) !== 0) return v;
    const literal = literals[Number(v.slice(1))]!;
    const num = Number(literal);
    return Number.isSafeInteger(num) ? num : BigInt(literal);
  }
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = restoreLongIntegers(v[i]!, literals, depth + 1);
    return v;
  }
  for (const k of Object.keys(v)) v[k] = restoreLongIntegers(v[k]!, literals, depth + 1);
  return v;
}

function checkDepth(v: JsonValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new SynapseError('SYNAPSE_INVALID_JSON', `JSON nested deeper than ${MAX_DEPTH}`);
  if (v !== null && typeof v === 'object') for (const c of Object.values(v)) checkDepth(c as JsonValue, depth + 1);
}

class ExactParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): JsonValue {
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected trailing characters');
    return v;
  }

  private fail(msg: string): never {
    throw new SynapseError('SYNAPSE_INVALID_JSON', `invalid JSON at offset ${this.i}: ${msg}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH}`);
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.number();
  }

  private literal<T>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    return this.fail(`expected ${word}`);
  }

  private object(depth: number): JsonValue {
    const out: Record<string, JsonValue> = {};
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a string key');
      const k = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      // defineProperty so a "__proto__" key is data, never a prototype switch.
      Object.defineProperty(out, k, {
        value: this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  private array(depth: number): JsonValue {
    const out: JsonValue[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.i;
    const end = this.s.indexOf('"', start + 1);
    if (end < 0) this.fail('unterminated string');
    const raw = this.s.slice(start + 1, end);
    if (!raw.includes('\\')) {
      this.i = end + 1;
      return raw;
    }
    // Escapes present: find the real closing quote, then let the native parser decode the escapes.
    let j = start + 1;
    while (j < this.s.length) {
      const c = this.s[j];
      if (c === '\\') j += 2;
      else if (c === '"') break;
      else j++;
    }
    if (j >= this.s.length) this.fail('unterminated string');
    this.i = j + 1;
    try {
      return JSON.parse(this.s.slice(start, j + 1)) as string;
    } catch {
      return this.fail('bad string escape');
    }
  }

  private number(): JsonValue {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) return this.fail('unexpected character');
    this.i += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  }
}

/**
 * Serialises a value as compact JSON, writing `bigint` as a bare integer literal (as Python's `json` does).
 *
 * @example
 * ```ts
 * stringifyJson({ nonce: 1700000000000000001n }); // '{"nonce":1700000000000000001}'
 * ```
 */
export function stringifyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
      return `{${Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${JSON.stringify(k)}:${stringifyJson(v)}`)
        .join(',')}}`;
    default:
      throw new TypeError(`cannot serialise ${typeof value} as JSON`);
  }
}
