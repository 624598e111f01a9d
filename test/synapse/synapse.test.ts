import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Synapse,
  SynapseError,
  TerminalInfo,
  Tensor,
  defineSynapse,
  mergeTerminalHeaders,
  parseJson,
  t,
} from '../../src/synapse/index.js';
import { thrownCodeSync } from '../helpers/helpers.js';

// python-wire.md §9.1: required_hash_fields=("a","b","d"), a=1, b=2, d=["foobar"]
const HashVector = defineSynapse({
  name: 'HashVector',
  fields: { a: t.int(), b: t.int(), c: t.int().optional(), d: t.list(t.str()) },
  requiredHashFields: ['a', 'b', 'd'],
});

const Dummy = defineSynapse({
  name: 'Dummy',
  fields: { dummy_input: t.int(), dummy_output: t.int().optional() },
  requiredHashFields: ['dummy_input'],
});

describe('body hash (python-wire.md §1.5, §9)', () => {
  it('reproduces the repo vector ae06397d… for a=1, b=2, d=["foobar"]', () => {
    const s = new HashVector({ a: 1, b: 2, d: ['foobar'] });
    expect(s.bodyHash).toBe('ae06397d08f30f75c91395c59f05c62ac3b62b88250eb78b109213258e6ced0c');
  });

  it('is sha3_256("") = a7ffc6f8… with no hashed fields', () => {
    expect(new Synapse().bodyHash).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
  });

  it('hashes floats, bools, None and nested values with Python str() semantics', () => {
    const Mixed = defineSynapse({
      name: 'Mixed',
      fields: { f: t.float(), g: t.bool(), h: t.str().optional(), m: t.dict(t.list(t.float())) },
      requiredHashFields: ['f', 'g', 'h', 'm'],
    });
    const s = new Mixed({ f: 1, g: true, m: { k: [0.5, 1e-5] } });
    const sha = (x: string) => createHash('sha3-256').update(x).digest('hex');
    expect(s.bodyHash).toBe(sha(sha('1.0') + sha('True') + sha('None') + sha("{'k': [0.5, 1e-05]}")));
  });

  it('changes when a hashed field changes and not when an unhashed one does', () => {
    const s = new Dummy({ dummy_input: 1 });
    const h0 = s.bodyHash;
    s.dummy_output = 7;
    expect(s.bodyHash).toBe(h0);
    s.dummy_input = 2;
    expect(s.bodyHash).not.toBe(h0);
  });

  it('is recomputed after any change, even to 0.0 → -0.0 or inside a list mutated in place', () => {
    const Mixed = defineSynapse({
      name: 'MixedAgain',
      fields: { f: t.float(), d: t.list(t.str()) },
      requiredHashFields: ['f', 'd'],
    });
    const sha = (x: string) => createHash('sha3-256').update(x).digest('hex');
    const s = new Mixed({ f: 0, d: ['a'] });
    expect(s.bodyHash).toBe(sha(sha('0.0') + sha("['a']")));
    s.f = -0;
    expect(s.bodyHash).toBe(sha(sha('-0.0') + sha("['a']")));
    s.d.push('b');
    expect(s.bodyHash).toBe(sha(sha('-0.0') + sha("['a', 'b']")));
  });
});

describe('JSON body', () => {
  it('matches the bare Synapse default body of the Python tests', () => {
    const nulls =
      '{"status_code":null,"status_message":null,"process_time":null,"ip":null,"port":null,"version":null,"nonce":null,"uuid":null,"hotkey":null,"signature":null}';
    expect(new Synapse().toJSON()).toBe(
      `{"name":"Synapse","timeout":12.0,"total_size":0,"header_size":0,"dendrite":${nulls},"axon":${nulls},"computed_body_hash":""}`,
    );
  });

  it('parses a Python-formatted body (spaces, float timeout) and forces name to the class', () => {
    const s = Dummy.fromJSON('{"name": "Other", "timeout": 3.5, "dummy_input": 4, "extra": [1]}');
    expect(s.name).toBe('Dummy');
    expect(s.timeout).toBe(3.5);
    expect(s.dummy_input).toBe(4);
    expect(s.dummy_output).toBeNull();
  });

  it('keeps nanosecond nonces exact as bigint through parse and serialise', () => {
    const nonce = 1700000000000000123n;
    const s = new Synapse({ dendrite: { nonce, hotkey: '5F', version: 10002000 } });
    const text = s.toJSON();
    expect(text).toContain('"nonce":1700000000000000123');
    const back = Synapse.fromJSON(text);
    expect(back.dendrite.nonce).toBe(nonce);
    expect(parseJson('[18446744073709551615]')).toEqual([18446744073709551615n]);
  });

  it('reads long integers exactly wherever they sit, and only outside strings, fractions and exponents', () => {
    const text =
      '{"nonce": 1700000000000000001, "a": [1, -1700000000000000002, 1.2345678901234567890, 12345678901234567e2],' +
      ' "s": "x 1234567890123456789 \\" 1700000000000000001", "k": {"1234567890123456789": 9007199254740993},' +
      ' "safe": 1000000000000000}';
    expect(parseJson(text)).toEqual({
      nonce: 1700000000000000001n,
      a: [1, -1700000000000000002n, 1.2345678901234567, 1234567890123456800],
      s: 'x 1234567890123456789 " 1700000000000000001',
      k: { '1234567890123456789': 9007199254740993n },
      safe: 1000000000000000,
    });
    // A text with the NUL escape of its own keeps it as text; malformed texts fail as the exact parser says.
    expect(parseJson('{"u": "\\u0000", "v": 1700000000000000001}')).toEqual({ u: '\u0000', v: 1700000000000000001n });
    expect(() => parseJson('{"a": 01234567890123456789}')).toThrow(/invalid JSON at offset 8/);
    expect(() => parseJson('{"x": 1700000000000000001,}')).toThrow(/invalid JSON at offset/);
    expect(() => parseJson(`${'['.repeat(70)}1700000000000000001${']'.repeat(70)}`)).toThrow(/deeper than 64/);
  });

  it('round-trips a custom synapse through JSON', () => {
    const s = new Dummy({ dummy_input: 9, timeout: 2 });
    s.dummy_output = 18;
    const back = Dummy.fromJSON(s.toJSON());
    expect(back.toJSON()).toBe(s.toJSON());
    expect(back.dummy_output).toBe(18);
  });

  it('copy() is deep: terminal info is not shared', () => {
    const s = new Dummy({ dummy_input: 1 });
    const c = s.copy();
    c.dendrite.hotkey = 'changed';
    expect(s.dendrite.hotkey).toBeNull();
    expect(c).toBeInstanceOf(Dummy);
  });
});

describe('headers (python-wire.md §1.3–1.4)', () => {
  it('renders name, Python float timeout, terminal info, input_obj dummies and the body hash', () => {
    const s = new Dummy({ dummy_input: 5, timeout: 12 });
    s.axon.hotkey = 'AXON';
    s.axon.port = 8091;
    s.dendrite.nonce = 1700000000000000000n;
    s.dendrite.process_time = 0.5;
    const h = s.toHeaders();
    expect(h.name).toBe('Dummy');
    expect(h.timeout).toBe('12.0');
    expect(h.bt_header_axon_hotkey).toBe('AXON');
    expect(h.bt_header_axon_port).toBe('8091');
    expect(h.bt_header_dendrite_nonce).toBe('1700000000000000000');
    expect(h.bt_header_dendrite_process_time).toBe('0.5');
    expect(h.bt_header_axon_ip).toBeUndefined();
    expect(Buffer.from(h.bt_header_input_obj_dummy_input!, 'base64').toString()).toBe('0');
    expect(h.bt_header_input_obj_dummy_output).toBeUndefined(); // optional fields have a default: no dummy
    expect(h.computed_body_hash).toBe(s.bodyHash);
    expect(Number.isInteger(Number(h.header_size))).toBe(true);
    expect(Object.keys(h).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('encodes a str dummy as IiI= like Python', () => {
    const S = defineSynapse({ name: 'S', fields: { text: t.str() } });
    expect(new S({ text: 'hello' }).toHeaders().bt_header_input_obj_text).toBe('IiI=');
  });

  it('rebuilds a synapse from headers alone, case-insensitively, with the frozen body hash', () => {
    const s = new Dummy({ dummy_input: 5, timeout: 7.5 });
    s.dendrite.hotkey = 'HOT';
    s.dendrite.nonce = 42n;
    const upper = Object.fromEntries(Object.entries(s.toHeaders()).map(([k, v]) => [k.toUpperCase(), v]));
    const r = Dummy.fromHeaders(upper);
    expect(r.timeout).toBe(7.5);
    expect(r.dendrite.hotkey).toBe('HOT');
    expect(r.dendrite.nonce).toBe(42n);
    expect(r.dummy_input).toBe(0); // the dummy, as in Python
    expect(r.computed_body_hash).toBe(s.bodyHash);
    expect(() => {
      (r as { computed_body_hash: string }).computed_body_hash = 'x';
    }).toThrow(SynapseError);
  });

  it('accepts fetch-style Headers', () => {
    const h = new Headers(new Synapse({ timeout: 3 }).toHeaders());
    expect(Synapse.fromHeaders(h).timeout).toBe(3);
  });
});

describe("mergeTerminalHeaders (a reply's terminal headers, as Python's dendrite merges them)", () => {
  it('overwrites both ends from bt_header_* values anywhere in the name, typed as pydantic casts them', () => {
    const s = new Synapse({ dendrite: { hotkey: 'me', nonce: 5n }, axon: { ip: '1.2.3.4' } });
    const merged = mergeTerminalHeaders(s, {
      bt_header_axon_status_code: '200',
      bt_header_axon_process_time: '0.25',
      'x-bt_header_dendrite_nonce': '1700000000000000001',
      bt_header_axon_unknown: 'ignored',
      bt_header_input_obj_a: 'IiI=',
      other: 'x',
    });
    expect(merged).toBe(true);
    expect(s.axon.status_code).toBe(200);
    expect(s.axon.process_time).toBe(0.25);
    expect(s.axon.ip).toBe('1.2.3.4');
    expect(s.dendrite.nonce).toBe(1700000000000000001n);
    expect(s.dendrite.hotkey).toBe('me');
  });

  it('a set with one malformed value changes neither end', () => {
    const s = new Synapse({ dendrite: { hotkey: 'me' } });
    const before = s.toJSON();
    expect(mergeTerminalHeaders(s, { bt_header_axon_status_code: '200', bt_header_dendrite_port: '1.5' })).toBe(false);
    expect(s.toJSON()).toBe(before);
  });
});

describe('status helpers', () => {
  it('reads the dendrite status code', () => {
    const s = new Synapse({ dendrite: { status_code: 200 } });
    expect([s.isSuccess, s.isFailure, s.isTimeout]).toEqual([true, false, false]);
    expect(new Synapse({ dendrite: { status_code: 408 } }).isTimeout).toBe(true);
    expect(new Synapse({ dendrite: { status_code: 403 } }).isBlacklist).toBe(true);
    expect(new Synapse({ dendrite: { status_code: 401 } }).failedVerification).toBe(true);
  });
});

describe('bad input gives typed errors and changes nothing', () => {
  const code = (fn: () => unknown): string => thrownCodeSync(SynapseError, fn);

  it('rejects wrong types, missing fields and non-numeric ints', () => {
    expect(code(() => Dummy.fromJSON('{"dummy_input": "abc"}'))).toBe('SYNAPSE_INVALID_FIELD');
    expect(code(() => Dummy.fromJSON('{"dummy_input": 1.5}'))).toBe('SYNAPSE_INVALID_FIELD');
    expect(code(() => Dummy.fromJSON('{}'))).toBe('SYNAPSE_MISSING_FIELD');
    expect(code(() => Dummy.fromJSON('{"dummy_input": 1, "timeout": "soon"}'))).toBe('SYNAPSE_INVALID_FIELD');
    expect(code(() => Synapse.fromJSON('{"dendrite": {"nonce": "12.0"}}'))).toBe('SYNAPSE_INVALID_FIELD');
    expect(code(() => Synapse.fromJSON('{"dendrite": 5}'))).toBe('SYNAPSE_INVALID_FIELD');
  });

  it('rejects malformed and hostile JSON', () => {
    expect(code(() => Synapse.fromJSON('{"timeout": 1'))).toBe('SYNAPSE_INVALID_JSON');
    expect(code(() => Synapse.fromJSON('[1]'))).toBe('SYNAPSE_INVALID_JSON');
    expect(code(() => Synapse.fromJSON('['.repeat(100) + ']'.repeat(100)))).toBe('SYNAPSE_INVALID_JSON');
    expect(code(() => parseJson('{"a": 12345678901234567890,}'))).toBe('SYNAPSE_INVALID_JSON');
    const proto = parseJson('{"__proto__": {"polluted": 1}, "n": 12345678901234567890}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it('rejects oversized headers and invalid base64 dummies', () => {
    expect(code(() => Synapse.fromHeaders({ big: 'x'.repeat(70_000) }))).toBe('SYNAPSE_HEADERS_TOO_LARGE');
    expect(code(() => Dummy.fromHeaders({ bt_header_input_obj_dummy_input: '!!!' }))).toBe('SYNAPSE_INVALID_HEADER');
    expect(
      code(() => Dummy.fromHeaders({ bt_header_input_obj_dummy_input: Buffer.from('{').toString('base64') })),
    ).toBe('SYNAPSE_INVALID_HEADER');
    expect(code(() => Synapse.fromHeaders({ bt_header_dendrite_port: '80.5' }))).toBe('SYNAPSE_INVALID_FIELD');
  });

  it('a value assigned with the wrong type fails at serialisation, not silently', () => {
    const s = new Dummy({ dummy_input: 1 });
    (s as unknown as { dummy_input: unknown }).dummy_input = 'nope';
    expect(code(() => s.toJSON())).toBe('SYNAPSE_INVALID_FIELD');
  });

  it('refuses field names that shadow base fields and unknown hash fields', () => {
    expect(code(() => defineSynapse({ name: 'X', fields: { timeout: t.int() } }))).toBe('SYNAPSE_INVALID_FIELD');
    expect(code(() => defineSynapse({ name: 'X', fields: {}, requiredHashFields: ['nope' as never] }))).toBe(
      'SYNAPSE_INVALID_FIELD',
    );
    expect(code(() => defineSynapse({ name: 'bad name', fields: {} }))).toBe('SYNAPSE_INVALID_FIELD');
  });
});

describe('TerminalInfo', () => {
  it('casts header strings like pydantic and rejects float text for ints', () => {
    const ti = new TerminalInfo({ status_code: '200', process_time: '0.25', nonce: '123' });
    expect(ti.status_code).toBe(200);
    expect(ti.process_time).toBe(0.25);
    expect(ti.nonce).toBe(123n);
    expect(() => new TerminalInfo({ version: '12.0' })).toThrow(SynapseError);
  });
});

describe('typed custom synapses', () => {
  it('infers field types for handlers without casts', () => {
    const handler = (s: InstanceType<typeof Dummy>) => {
      s.dummy_output = s.dummy_input * 2;
      return s;
    };
    const out = handler(new Dummy({ dummy_input: 21 }));
    expect(out.dummy_output).toBe(42);
    // @ts-expect-error dummy_input is required at construction
    expect(() => new Dummy({})).toThrow(SynapseError);
  });

  it('supports subclassing a defined synapse to override deserialize', () => {
    class Echo extends defineSynapse({ name: 'Echo', fields: { text: t.str(), reply: t.str().optional() } }) {
      override deserialize() {
        return this.reply;
      }
    }
    const e = Echo.fromJSON('{"text":"hi","reply":"hi!"}');
    expect(e).toBeInstanceOf(Echo);
    expect(e.deserialize()).toBe('hi!');
  });

  it('carries Tensor fields with their Python repr in the hash', () => {
    const WithTensor = defineSynapse({ name: 'WithTensor', fields: { x: t.tensor() }, requiredHashFields: ['x'] });
    const x = Tensor.fromArray(new Float32Array([1, 2, 3]));
    const s = new WithTensor({ x });
    expect(x.pythonRepr()).toBe(
      "{'buffer': 'hcQCbmTDxAR0eXBlozxmNMQEa2luZMQAxAVzaGFwZZEDxARkYXRhxAwAAIA/AAAAQAAAQEA=', 'dtype': 'float32', 'shape': [3]}",
    );
    const back = WithTensor.fromJSON(s.toJSON());
    expect(back.bodyHash).toBe(s.bodyHash);
    expect(Array.from(back.x.toArray() as Float32Array)).toEqual([1, 2, 3]);
  });
});
