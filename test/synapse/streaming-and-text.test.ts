import { describe, expect, it } from 'vitest';
import {
  StreamingSynapse,
  SynapseError,
  Tensor,
  TextCausalLM,
  TextCausalLMNext,
  TextLastHiddenState,
  TextSeq2Seq,
  consumeStreamingResponse,
  createStreamingResponse,
  defineStreamingSynapse,
  packHiddenStates,
  t,
  unpackHiddenStates,
} from '../../src/synapse/index.js';

const StreamPrompting = defineStreamingSynapse({
  name: 'StreamPrompting',
  fields: { prompt: t.str(), completion: t.str().default('') },
  requiredHashFields: ['prompt'],
});

function tokens(b: number, s: number): Tensor {
  return Tensor.fromArray(
    new BigInt64Array(b * s).map((_, i) => BigInt(i)),
    { shape: [b, s] },
  );
}

describe('StreamingSynapse', () => {
  it('server yields chunks; client gets every chunk, then the final synapse', async () => {
    const server = new StreamPrompting({ prompt: 'hi' });
    server.axon.status_code = 200;
    server.axon.hotkey = 'AXON';
    const res = createStreamingResponse(server, ['hel', 'lo ', 'wörld']);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');

    const client = new StreamPrompting({ prompt: 'hi' });
    const items: unknown[] = [];
    for await (const item of consumeStreamingResponse(client, res)) items.push(item);
    expect(items.slice(0, -1).join('')).toBe('hello wörld');
    expect(items.at(-1)).toBe(client);
    expect(client.axon.status_code).toBe(200);
    expect(client.axon.hotkey).toBe('AXON');
    expect(client.prompt).toBe('hi'); // the header dummy does not overwrite the real request value
  });

  it('decodes UTF-8 split across chunk boundaries', async () => {
    const bytes = new TextEncoder().encode('ö€');
    const client = new StreamPrompting({ prompt: 'x' });
    async function* body() {
      for (const b of bytes) yield new Uint8Array([b]);
    }
    const got: unknown[] = [];
    for await (const c of client.processStreamingResponse(body())) got.push(c);
    expect(got.join('')).toBe('ö€');
  });

  it('a custom subclass frames its own chunks', async () => {
    class Numbers extends defineStreamingSynapse({ name: 'Numbers', fields: {} }) {
      override async *processStreamingResponse(body: AsyncIterable<Uint8Array>) {
        for await (const b of body) for (const x of b) yield x;
      }
    }
    const n = new Numbers();
    const out: unknown[] = [];
    for await (const x of consumeStreamingResponse(
      n,
      createStreamingResponse(n, [new Uint8Array([1, 2]), new Uint8Array([3])]),
    ))
      out.push(x);
    expect(out).toEqual([1, 2, 3, n]);
    expect(n).toBeInstanceOf(StreamingSynapse);
  });

  it('a bad header at the end leaves the synapse untouched', async () => {
    const client = new StreamPrompting({ prompt: 'x', timeout: 3 });
    const res = { headers: { timeout: 'not-a-number' }, body: (async function* () {})() };
    await expect(async () => {
      for await (const _ of consumeStreamingResponse(client, res)) void _;
    }).rejects.toBeInstanceOf(SynapseError);
    expect(client.timeout).toBe(3);
  });
});

describe('TextLastHiddenState (v3 §2)', () => {
  it('expands the mask to absolute rows and packs/unpacks hidden states', () => {
    const req = new TextLastHiddenState({ text_inputs: tokens(2, 4), mask: [-1, 0] });
    const rows = req.checkRequest();
    expect(rows).toEqual([3, 0, 7, 4]);
    const full = new Float32Array(8 * 1024).map((_, i) => Math.floor(i / 1024));
    const packed = packHiddenStates(full, rows);
    expect(packed.length).toBe(4 * 1024);
    expect(packed[0]).toBe(3);
    const back = unpackHiddenStates(packed, rows, 8);
    expect(back[3 * 1024]).toBe(3);
    expect(back[1 * 1024]).toBe(0); // unmasked rows are zero
    req.hidden_states = Tensor.fromArray(packed, { shape: [4, 1024] });
    expect(() => req.checkResponse()).not.toThrow();
    req.hidden_states = Tensor.fromArray(new Float32Array(2 * 4 * 1024), { shape: [2, 4, 1024] });
    expect(() => req.checkResponse()).toThrow(SynapseError);
  });

  it('rejects bad masks and non-2-D inputs', () => {
    expect(() => new TextLastHiddenState({ text_inputs: tokens(1, 3), mask: [3] }).checkRequest()).toThrow(/outside/);
    expect(() => new TextLastHiddenState({ text_inputs: tokens(1, 3), mask: [2, -1] }).checkRequest()).toThrow(
      /duplicate/,
    );
    const flat = Tensor.fromArray(new BigInt64Array(3));
    expect(() => new TextLastHiddenState({ text_inputs: flat }).checkRequest()).toThrow(/2-D/);
    expect(() =>
      new TextLastHiddenState({ text_inputs: Tensor.fromArray(new Float32Array(4), { shape: [2, 2] }) }).checkRequest(),
    ).toThrow(/int64/);
  });
});

describe('TextCausalLM, TextCausalLMNext, TextSeq2Seq shape checks', () => {
  it('TextCausalLM: topk 512 default; response [B, S, 2k]', () => {
    const req = new TextCausalLM({ text_inputs: tokens(2, 3) });
    expect(req.topk).toBe(512);
    req.topk = 2;
    req.logits = Tensor.fromArray(new Float32Array(2 * 3 * 4), { shape: [2, 3, 4] });
    expect(() => req.checkResponse()).not.toThrow();
    req.logits = Tensor.fromArray(new Float32Array(2 * 3 * 5), { shape: [2, 3, 5] });
    expect(() => req.checkResponse()).toThrow(/logits shape/);
  });

  it('TextCausalLMNext: topk 4096 default; 1-D response, long enough, non-negative', () => {
    const req = new TextCausalLMNext({ text_inputs: tokens(1, 3) });
    expect(req.topk).toBe(4096);
    req.topk = 3;
    req.topk_phrases = Tensor.fromArray(new Float32Array([0.5, 320, 0.2, 259, 1334, 0.1, 264, 3.9797827e-6]));
    expect(() => req.checkResponse()).not.toThrow();
    req.topk_phrases = Tensor.fromArray(new Float32Array([0.5, 320, 0.2]));
    expect(() => req.checkResponse()).toThrow(/at least 7/);
    req.topk_phrases = Tensor.fromArray(new Float32Array([0.5, 320, -0.2, 259, 1334, 0.1, 264, 0]));
    expect(() => req.checkResponse()).toThrow(/negative/);
  });

  it('TextSeq2Seq: v3 generation defaults and response bound', () => {
    const req = new TextSeq2Seq({ text_prompt: tokens(2, 3) });
    expect([req.topk, req.num_to_generate, req.num_beams, req.no_repeat_ngram_size, req.top_p, req.max_time]).toEqual([
      50, 256, 5, 2, 0.95, 150,
    ]);
    expect(req.toJSON()).toContain('"max_time":150.0');
    req.generations = Tensor.fromArray(new BigInt64Array(2 * 10), { shape: [2, 10] });
    expect(() => req.checkResponse()).not.toThrow();
    req.num_to_generate = 5;
    expect(() => req.checkResponse()).toThrow(/generations shape/);
    req.temperature = 0;
    expect(() => req.checkRequest()).toThrow(/temperature/);
  });

  it('text synapses round-trip through JSON with their Tensors', () => {
    const req = new TextCausalLMNext({ text_inputs: tokens(1, 2), topk: 7 });
    const back = TextCausalLMNext.fromJSON(req.toJSON());
    expect(back).toBeInstanceOf(TextCausalLMNext);
    expect(back.bodyHash).toBe(req.bodyHash);
    expect(back.topk).toBe(7);
  });
});

describe('nullable fields (Optional[X] without a default)', () => {
  it('are sent in the headers even when null, so a Python axon can build the synapse from them', async () => {
    const { TextCausalLMNext, Tensor, defineSynapse, t } = await import('../../src/synapse/index.js');
    const req = new TextCausalLMNext({
      text_inputs: Tensor.fromArray(new BigInt64Array([1n, 2n]), { shape: [1, 2] }),
      topk: 4,
    });
    const h = req.toHeaders();
    expect(Buffer.from(h.bt_header_input_obj_topk_phrases!, 'base64').toString()).toBe('null');
    // `.optional()` (Optional[X] = None) is not sent when null, as Python's to_headers.
    const S = defineSynapse({ name: 'S', fields: { a: t.str().optional(), b: t.str().nullable() } });
    const sh = new S({}).toHeaders();
    expect(sh.bt_header_input_obj_a).toBeUndefined();
    expect(sh.bt_header_input_obj_b).toBe(Buffer.from('null').toString('base64'));
    expect(S.fromHeaders(sh).b).toBeNull();
    expect(Buffer.from(new S({ b: 'x' }).toHeaders().bt_header_input_obj_b!, 'base64').toString()).toBe('""');
    // Both are always in the body.
    expect(JSON.parse(new S({}).toJSON())).toMatchObject({ a: null, b: null });
  });
});
