import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAxon, type Axon } from '../../src/axon/index.js';
import { unravelTopkTokenPhrases } from '../../src/codec/index.js';
import { createDendrite, type Dendrite } from '../../src/dendrite/index.js';
import {
  createOnnxAdapter,
  createOpenAIAdapter,
  createOpenAIServer,
  createSyntheticSource,
  InferenceError,
  loadGpt2Tokenizer,
  ngramToOnnx,
  TextStream,
  textCausalLMHandler,
  textCausalLMNextHandler,
  textSeq2SeqHandler,
  textStreamHandler,
  trainNgram,
  type OnnxAdapter,
  type OpenAIServer,
  type Tokenizer,
} from '../../src/inference/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { Tensor, TextCausalLM, TextCausalLMNext, TextSeq2Seq } from '../../src/synapse/index.js';
import { thrownCode } from '../helpers/helpers.js';

let tok: Tokenizer;
let adapter: OnnxAdapter;
let tokens: Int32Array;
let axon: Axon;
let dendrite: Dendrite;
let server: OpenAIServer;
let baseURL: string;

beforeAll(async () => {
  await cryptoReady();
  tok = await loadGpt2Tokenizer();
  const source = createSyntheticSource(tok, { seed: 4 });
  tokens = source.sample(50_000);
  adapter = await createOnnxAdapter({
    model: ngramToOnnx(trainNgram([tokens], { order: 3, vocabSize: 50257, contexts: 64, columns: 64 })),
    providers: ['cpu'],
  });
  axon = createAxon({ keypair: keypairFromUri('//MinerHot'), port: 0, host: '127.0.0.1' });
  axon
    .attach(TextCausalLMNext, textCausalLMNextHandler(adapter))
    .attach(TextCausalLM, textCausalLMHandler(adapter, { maxTopk: 64 }))
    .attach(TextSeq2Seq, textSeq2SeqHandler(adapter, { maxGenerate: 8 }))
    .attach(TextStream, textStreamHandler(adapter, tok));
  await axon.start();
  dendrite = createDendrite({ keypair: keypairFromUri('//Validator') });
  server = createOpenAIServer({ adapter, tokenizer: tok, modelName: 'ngram3' });
  baseURL = await server.listen(0);
});

afterAll(async () => {
  await dendrite?.close();
  await axon?.stop();
  await server?.close();
  await adapter?.close();
});

const rows = () => [Array.from(tokens.subarray(100, 108)), Array.from(tokens.subarray(200, 208))];
const int64 = (r: number[][]) =>
  Tensor.fromArray(BigInt64Array.from(r.flat().map(BigInt)), { shape: [r.length, r[0]!.length] });

describe('miner handlers over a real axon and dendrite', () => {
  it("TextCausalLMNext: compact phrases whose probabilities are the model's, plus the floor", async () => {
    const res = await dendrite.call(axon.info(), new TextCausalLMNext({ text_inputs: int64(rows()), topk: 8 }), {
      timeout: 10,
    });
    expect(res.dendrite.status_code).toBe(200);
    res.checkResponse();
    const tp = unravelTopkTokenPhrases(res.topk_phrases!.toArray() as Float32Array, 8);
    expect(tp.batch).toBe(2);
    const direct = await adapter.topk(rows(), { k: 8 });
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < 8; j++) {
        expect(tp.phrases[b * 8 + j]).toEqual([direct.ids[b * 8 + j]]);
        expect(tp.probs[b * 8 + j]).toBeCloseTo(Math.exp(direct.logprobs[b * 8 + j]!), 6);
      }
      let mass = 0;
      for (let j = 0; j < 8; j++) mass += tp.probs[b * 8 + j]!;
      expect(tp.floors[b]).toBeCloseTo((1 - mass) / (50257 - 8), 10);
    }
  });

  it('TextCausalLM: [B, S, 2k] probabilities then ids at every position', async () => {
    const res = await dendrite.call(axon.info(), new TextCausalLM({ text_inputs: int64(rows()), topk: 4 }), {
      timeout: 10,
    });
    expect(res.dendrite.status_code).toBe(200);
    res.checkResponse();
    expect(res.logits!.shape).toEqual([2, 8, 8]);
    const v = res.logits!.toArray() as Float32Array;
    const direct = await adapter.topk(rows(), { k: 4, positions: 'all' });
    expect(v[4]).toBe(direct.ids[0]);
    expect(v[0]).toBeCloseTo(Math.exp(direct.logprobs[0]!), 6);
  });

  it("rejects a topk above the miner's limit with an error status, and keeps serving", async () => {
    const res = await dendrite.call(axon.info(), new TextCausalLM({ text_inputs: int64(rows()), topk: 1000 }), {
      timeout: 10,
    });
    expect(res.dendrite.status_code).toBeGreaterThanOrEqual(400);
    const ok = await dendrite.call(axon.info(), new TextCausalLM({ text_inputs: int64(rows()), topk: 2 }), {
      timeout: 10,
    });
    expect(ok.dendrite.status_code).toBe(200);
  });

  it('TextSeq2Seq: greedy generations, capped by the miner', async () => {
    const res = await dendrite.call(axon.info(), new TextSeq2Seq({ text_prompt: int64(rows()), num_to_generate: 32 }), {
      timeout: 10,
    });
    expect(res.dendrite.status_code).toBe(200);
    expect(res.generations!.shape).toEqual([2, 8]);
    const expected: number[] = [];
    for await (const t of adapter.generate(rows()[0]!, { maxTokens: 8 })) expected.push(t);
    expect(Array.from((res.generations!.toArray() as BigInt64Array).slice(0, 8), Number)).toEqual(expected);
  });

  it('TextStream: text streamed chunk by chunk equals the decoded generation', async () => {
    const prompt = tok.decode(Array.from(tokens.subarray(10, 20)));
    const chunks: string[] = [];
    for await (const x of dendrite.stream(axon.info(), new TextStream({ prompt, max_tokens: 6 }), { timeout: 10 }))
      if (typeof x === 'string') chunks.push(x);
    const ids: number[] = [];
    for await (const t of adapter.generate(tok.encode(prompt), { maxTokens: 6, stop: [50256] })) ids.push(t);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(tok.decode(ids));
  });
});

describe('OpenAI-compatible server and client', () => {
  it('lists the model and answers /v1/completions with logprobs like vLLM', async () => {
    const models = (await (await fetch(`${baseURL}/v1/models`)).json()) as any;
    expect(models.data[0].id).toBe('ngram3');
    const prompt = Array.from(tokens.subarray(0, 6));
    const res = await fetch(`${baseURL}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ngram3', prompt, max_tokens: 3, temperature: 0, logprobs: 2 }),
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.object).toBe('text_completion');
    expect(body.choices[0].logprobs.tokens.length).toBe(3);
    expect(body.usage).toEqual({ prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
    const direct = await adapter.topk([prompt], { k: 2 });
    expect(body.choices[0].logprobs.token_logprobs[0]).toBeCloseTo(direct.logprobs[0]!, 5);
  });

  it('the client adapter reads the same top-k as the model, last and all positions', async () => {
    const client = createOpenAIAdapter({ baseURL, model: 'ngram3' });
    const r = rows();
    for (const positions of ['last', 'all'] as const) {
      const viaHttp = await client.topk(r, { k: 5, positions });
      const direct = await adapter.topk(r, { k: 5, positions });
      expect(viaHttp.positions).toBe(direct.positions);
      expect(Array.from(viaHttp.ids)).toEqual(Array.from(direct.ids));
      viaHttp.logprobs.forEach((lp, i) => {
        expect(lp).toBeCloseTo(direct.logprobs[i]!, 5);
      });
    }
    expect(await thrownCode(InferenceError, client.logits(r))).toBe('INFERENCE_UNSUPPORTED');
  });

  it('streams generation and chat over server-sent events', async () => {
    const client = createOpenAIAdapter({ baseURL, model: 'ngram3' });
    const prompt = Array.from(tokens.subarray(30, 36));
    const streamed: number[] = [];
    for await (const t of client.generate(prompt, { maxTokens: 5 })) streamed.push(t);
    const direct: number[] = [];
    for await (const t of adapter.generate(prompt, { maxTokens: 5 })) direct.push(t);
    expect(streamed).toEqual(direct);
    const pieces: string[] = [];
    for await (const p of client.chat([{ role: 'user', content: 'the people' }], { maxTokens: 4 })) pieces.push(p);
    expect(pieces.length).toBeGreaterThan(0);
    expect(pieces.join('').length).toBeGreaterThan(0);
  });

  it('maps server errors, timeouts and bad arguments to typed errors', async () => {
    const client = createOpenAIAdapter({ baseURL, model: 'ngram3' });
    expect(await thrownCode(InferenceError, client.topk([[1, 2]], { k: 50 }))).toBe('INFERENCE_UPSTREAM'); // logprobs above the server's 20
    const bad = await fetch(`${baseURL}/v1/completions`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.message).toMatch(/JSON/);
    expect((await fetch(`${baseURL}/v1/nothing`)).status).toBe(404);
    const big = await fetch(`${baseURL}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'x'.repeat(2 << 20) }),
    }).catch(() => null);
    if (big) expect(big.status).toBe(413);
    const hang = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const slow = createOpenAIAdapter({
      baseURL: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`,
      model: 'm',
      timeoutMs: 300,
    });
    expect(await thrownCode(InferenceError, slow.topk([[1]], { k: 1 }))).toBe('INFERENCE_TIMEOUT');
    hang.closeAllConnections();
    hang.close();
    const down = createOpenAIAdapter({ baseURL: 'http://127.0.0.1:1', model: 'm' });
    expect(await thrownCode(InferenceError, down.topk([[1]], { k: 1 }))).toBe('INFERENCE_UPSTREAM');
    expect(() => createOpenAIAdapter({ baseURL: 'ftp://x', model: 'm' })).toThrow(InferenceError);
    const ok = await client.topk([[1, 2]], { k: 2 });
    expect(ok.k).toBe(2);
  });
});
