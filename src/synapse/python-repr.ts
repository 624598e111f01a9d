/**
 * Python `str()` / `repr()` renderings of the values a synapse can hold. The body hash is computed over these
 * renderings, so a TypeScript peer must reproduce CPython's output character for character.
 */

/**
 * CPython's `repr(float)`: the shortest digits that round-trip, fixed notation when the decimal exponent is in
 * [-4, 16), otherwise scientific with a signed exponent of at least two digits; always a `.0` on integral values.
 *
 * @example
 * ```ts
 * pythonFloatRepr(1);      // '1.0'
 * pythonFloatRepr(1e-5);   // '1e-05'
 * pythonFloatRepr(1e16);   // '1e+16'
 * ```
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() with no argument yields the shortest round-trip digits, like CPython's dtoa mode 0.
  const exp = x.toExponential();
  const sign = exp.startsWith('-') ? '-' : '';
  const body = sign ? exp.slice(1) : exp;
  const ePos = body.indexOf('e');
  const digits = body.slice(0, ePos).replace('.', '');
  const e10 = Number(body.slice(ePos + 1));
  const decpt = e10 + 1; // position of the decimal point relative to the digit string
  if (decpt <= -4 || decpt > 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ee = Math.abs(e10).toString().padStart(2, '0');
    return `${sign}${mant}e${e10 < 0 ? '-' : '+'}${ee}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

// Characters CPython's str.isprintable() rejects: the Unicode "Other" and "Separator" categories, except ASCII space.
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/**
 * CPython's `repr(str)`: single quotes unless the text holds a single quote and no double quote; backslash escapes
 * for quotes, `\\`, `\n`, `\r`, `\t` and non-printable characters (`\xNN`, `\uNNNN`, `\UNNNNNNNN`).
 *
 * @example
 * ```ts
 * pythonStrRepr('foobar'); // "'foobar'"
 * pythonStrRepr("it's");   // `"it's"`
 * ```
 */
export function pythonStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x7f) out += ch;
    else if (ch !== ' ' && (NON_PRINTABLE.test(ch) || (cp >= 0xd800 && cp <= 0xdfff))) {
      if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/**
 * A JSON-like value rendered as CPython would render the equivalent Python object: integers (safe integers and
 * bigints) as `int`, other numbers as `float`, `null` as `None`, arrays as lists, plain objects as dicts.
 * Typed fields use their declared type instead (a float field holding `1` renders `1.0`).
 *
 * @example
 * ```ts
 * pythonRepr(['foobar', 1, 2.5, null, true]); // "['foobar', 1, 2.5, None, True]"
 * ```
 */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number')
    return Number.isInteger(value) && !Object.is(value, -0) ? value.toFixed(0) : pythonFloatRepr(value);
  if (typeof value === 'string') return pythonStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (ArrayBuffer.isView(value)) return pythonRepr(Array.from(value as unknown as ArrayLike<number>));
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pythonStrRepr(k)}: ${pythonRepr(v)}`,
    );
    return `{${parts.join(', ')}}`;
  }
  throw new TypeError(`cannot render ${typeof value} as a Python value`);
}
