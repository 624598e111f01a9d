import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendTopk,
  buildGptModel,
  createOnnxAdapter,
  createPhraseTable,
  createSyntheticSource,
  encodeModelForTest,
  InferenceError,
  loadGpt2Tokenizer,
  ngramToOnnx,
  residualMass,
  tokenizersEquivalent,
  trainNgram,
  type NgramModel,
  type OnnxAdapter,
  type Tokenizer,
  type TopkResult,
} from '../helpers/inference-fixtures.js';
import { gptReferenceForward } from '../helpers/gpt-reference.js';
import { thrownCode, thrownCodeSync } from '../helpers/helpers.js';

/** The first 300,000 characters of tiny shakespeare (public domain), kept in the repository for the tests. */
const CORPUS = 'test/fixtures/tinyshakespeare-300k.txt';
let gpt2: Tokenizer;
let corpusTokens: number[] = [];
let bigram: NgramModel;
let ngramAdapter: OnnxAdapter;

beforeAll(async () => {
  gpt2 = await loadGpt2Tokenizer();
  corpusTokens = gpt2.encode(readFileSync(CORPUS, 'utf8'));
  if (corpusTokens.length < 80_012)
    throw new Error(`the corpus fixture holds ${corpusTokens.length} tokens, the tests need 80,012`);
  bigram = trainNgram([corpusTokens.slice(0, 50_000)], { order: 2, vocabSize: 50257, contexts: 256, columns: 1024 });
  ngramAdapter = await createOnnxAdapter({ model: ngramToOnnx(bigram), providers: ['cpu'] });
});

afterAll(async () => {
  await ngramAdapter?.close();
});

describe('n-gram models', () => {
  it('predicts exactly the smoothed counts (bigram, from the corpus)', async () => {
    const seq = corpusTokens.slice(0, 50_000);
    // Independent count of one context's next tokens.
    const ctx = bigram.columns[0]!; // the most frequent token has its own row
    const next = new Map<number, number>();
    let total = 0;
    for (let i = 0; i < seq.length - 1; i++) {
      if (seq[i] === ctx) {
        next.set(seq[i + 1]!, (next.get(seq[i + 1]!) ?? 0) + 1);
        total++;
      }
    }
    const uni = new Map<number, number>();
    for (const t of seq) uni.set(t, (uni.get(t) ?? 0) + 1);
    const u = (t: number) => ((uni.get(t) ?? 0) + 1) / (seq.length + 50257);
    const r = await ngramAdapter.topk([[ctx]], { k: 10 });
    for (let j = 0; j < 10; j++) {
      const id = r.ids[j]!;
      const expected = Math.log(((next.get(id) ?? 0) + u(id)) / (total + 1));
      expect(r.logprobs[j]).toBeCloseTo(expected, 3);
    }
    // The most frequent follower is ranked first.
    const best = [...next.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    expect(r.ids[0]).toBe(best);
  });

  it('the ONNX trigram equals the model at every position, and its distributions sum to 1', async () => {
    const tri = trainNgram([corpusTokens.slice(0, 80_000)], {
      order: 3,
      vocabSize: 50257,
      contexts: 256,
      pairContexts: 512,
      columns: 1024,
    });
    const adapter = await createOnnxAdapter({ model: ngramToOnnx(tri), providers: ['cpu'] });
    try {
      const ctx = corpusTokens.slice(60_000, 60_012);
      const r = await adapter.topk([ctx], { k: 5, positions: 'all' });
      expect(r.positions).toBe(ctx.length);
      for (let p = 0; p < ctx.length; p++) {
        for (let j = 0; j < 5; j++)
          expect(r.logprobs[p * 5 + j]).toBeCloseTo(tri.logprob(ctx.slice(0, p + 1), r.ids[p * 5 + j]!), 3);
      }
      const l = await adapter.logits([ctx]);
      let s = 0;
      for (const x of l.data) s += Math.exp(x);
      expect(s).toBeCloseTo(1, 4);
    } finally {
      await adapter.close();
    }
  });

  it('trained on the synthetic source, a trigram approaches the known truth and beats a bigram', () => {
    const source = createSyntheticSource(gpt2, { seed: 11, words: 24 });
    const train = source.sample(500_000);
    const held = Array.from(source.sample(20_000, 999));
    const models = [2, 3].map((order) =>
      trainNgram([train], {
        order: order as 2 | 3,
        vocabSize: 50257,
        contexts: 64,
        pairContexts: 1024,
        columns: 64,
        alpha: 0.01,
      }),
    );
    const ce = (m: NgramModel) => {
      let h = 0;
      for (let i = 2; i < held.length; i++) h -= m.logprob(held.slice(i - 2, i), held[i]!);
      return h / (held.length - 2);
    };
    let truth = 0;
    for (let i = 2; i < held.length; i++) truth -= Math.log(source.probability(held.slice(i - 2, i), held[i]!));
    truth /= held.length - 2;
    const [bi, tri] = models.map(ce) as [number, number];
    expect(tri).toBeLessThan(bi);
    expect(tri - truth).toBeGreaterThan(0);
    expect(tri - truth).toBeLessThan(0.05);
  });
});

describe('GPT-style model', () => {
  const config = { vocabSize: 97, contextLength: 16, layers: 2, heads: 2, width: 16, seed: 5 };

  it('ONNX forward equals a plain TypeScript reference', async () => {
    const { model, weights } = buildGptModel(config);
    const adapter = await createOnnxAdapter({ model, providers: ['cpu'] });
    try {
      const ids = [3, 14, 15, 92, 65, 35, 89, 79];
      const out = await adapter.logits([ids], { positions: 'all' });
      const ref = gptReferenceForward(config, weights, ids);
      let maxErr = 0;
      for (let t = 0; t < ids.length; t++)
        for (let v = 0; v < config.vocabSize; v++)
          maxErr = Math.max(maxErr, Math.abs(out.data[t * config.vocabSize + v]! - ref[t]![v]!));
      expect(maxErr).toBeLessThan(1e-3);
      const last = await adapter.logits([ids]);
      expect(Array.from(last.data)).toEqual(Array.from(out.data.subarray((ids.length - 1) * config.vocabSize)));
    } finally {
      await adapter.close();
    }
  });

  it('blocked top-k on the device equals exact top-k and the log-softmax of the full logits', async () => {
    const { model } = buildGptModel({ vocabSize: 5000, contextLength: 32, layers: 1, heads: 2, width: 32, seed: 9 });
    const exact = await createOnnxAdapter({ model, providers: ['cpu'], topkMethod: 'exact' });
    const blocked = await createOnnxAdapter({ model, providers: ['cpu'], topkMethod: 'blocked' });
    try {
      const rows = [
        [1, 2, 3, 4],
        [4000, 17, 256, 4999],
      ];
      for (const positions of ['last', 'all'] as const) {
        const a = await exact.topk(rows, { k: 20, positions });
        const b = await blocked.topk(rows, { k: 20, positions });
        expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
        expect(Array.from(b.logprobs)).toEqual(Array.from(a.logprobs));
      }
      const full = await exact.logits(rows);
      const top = await exact.topk(rows, { k: 3 });
      for (let b = 0; b < 2; b++) {
        const row = full.data.subarray(b * 5000, (b + 1) * 5000);
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
        const order = Array.from(row.keys()).sort((x, y) => row[y]! - row[x]!);
        for (let j = 0; j < 3; j++) {
          expect(top.ids[b * 3 + j]).toBe(order[j]);
          expect(top.logprobs[b * 3 + j]).toBeCloseTo(row[order[j]!]! - lse, 4);
        }
        expect(residualMass(top, b)).toBeGreaterThan(0);
      }
    } finally {
      await Promise.all([exact.close(), blocked.close()]);
    }
  });

  it('keeps the event loop responsive (< 20 ms lag) while inference runs', async () => {
    const { model } = buildGptModel({ vocabSize: 50257, contextLength: 128, layers: 4, heads: 4, width: 256, seed: 2 });
    const adapter = await createOnnxAdapter({ model, providers: ['cpu'] });
    try {
      await adapter.topk([[1, 2, 3]], { k: 20 }); // loads the top-k graph
      let maxLag = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxLag = Math.max(maxLag, now - last - 5);
        last = now;
      }, 5);
      const started = performance.now();
      const rows = Array.from({ length: 4 }, (_, b) =>
        Array.from({ length: 96 }, (_, i) => (b * 1000 + i * 37) % 50257),
      );
      let runs = 0;
      while (performance.now() - started < 1500) {
        await Promise.all([adapter.topk(rows, { k: 20, positions: 'all' }), adapter.topk(rows, { k: 20 })]);
        runs++;
      }
      clearInterval(timer);
      expect(runs).toBeGreaterThan(0);
      expect(maxLag).toBeLessThan(20);
    } finally {
      await adapter.close();
    }
  });
});

describe('ONNX adapter', () => {
  it('tries providers in order and reports the one that ran (CUDA absent -> CPU)', async () => {
    const a = await createOnnxAdapter({ model: ngramToOnnx(bigram), providers: ['cuda', 'cpu'] });
    try {
      expect(a.provider).toBe('cpu');
      expect(a.attempts[0]).toMatchObject({ provider: 'cuda', ok: false });
      expect(a.attempts[0]!.message).toBeTruthy();
      expect(a.attempts[1]).toMatchObject({ provider: 'cpu', ok: true });
    } finally {
      await a.close();
    }
    expect(
      await thrownCode(InferenceError, createOnnxAdapter({ model: ngramToOnnx(bigram), providers: ['cuda'] })),
    ).toBe('INFERENCE_NO_PROVIDER');
  });

  it('falls back from WebGPU when it cannot start, and reports WebGPU when it can', async () => {
    const a = await createOnnxAdapter({ model: ngramToOnnx(bigram), providers: ['webgpu', 'cpu'] });
    try {
      if (a.attempts[0]!.ok) expect(a.provider).toBe('webgpu');
      else {
        expect(a.provider).toBe('cpu');
        expect(a.attempts[0]!.message).toMatch(/adapter|vulkan|webgpu/i);
      }
      const r = await a.topk([[11, 12]], { k: 3 });
      expect(r.ids.length).toBe(3);
    } finally {
      await a.close();
    }
  });

  it('merges concurrent requests into batches and returns each caller its own rows', async () => {
    const rows = Array.from({ length: 16 }, (_, i) => [corpusTokens[i * 7]!, corpusTokens[i * 7 + 1]!]);
    const single: TopkResult[] = [];
    for (const r of rows) single.push(await ngramAdapter.topk([r], { k: 4 }));
    const before = ngramAdapter.stats();
    const together = await Promise.all(rows.map((r) => ngramAdapter.topk([r], { k: 4 })));
    const after = ngramAdapter.stats();
    expect(after.rows - before.rows).toBe(16);
    expect(after.runs - before.runs).toBeLessThan(16);
    together.forEach((r, i) => {
      expect(Array.from(r.ids)).toEqual(Array.from(single[i]!.ids));
      // summation order may differ by batch
      r.logprobs.forEach((lp, j) => {
        expect(lp).toBeCloseTo(single[i]!.logprobs[j]!, 4);
      });
    });
  });

  it('rejects bad input with typed errors and keeps serving', async () => {
    const a = ngramAdapter;
    expect(await thrownCode(InferenceError, a.topk([[1, 50257]], { k: 3 }))).toBe('INFERENCE_INVALID_INPUT');
    expect(await thrownCode(InferenceError, a.topk([[1, -1]], { k: 3 }))).toBe('INFERENCE_INVALID_INPUT');
    expect(await thrownCode(InferenceError, a.topk([[1, 2.5]], { k: 3 }))).toBe('INFERENCE_INVALID_INPUT');
    expect(await thrownCode(InferenceError, a.topk([], { k: 3 }))).toBe('INFERENCE_INVALID_INPUT');
    expect(await thrownCode(InferenceError, a.topk([[]], { k: 3 }))).toBe('INFERENCE_INVALID_INPUT');
    expect(await thrownCode(InferenceError, a.topk([[1, 2], [3]], { k: 3 }))).toBe('INFERENCE_INVALID_INPUT');
    expect(
      await thrownCode(
        InferenceError,
        a.topk({ ids: new Float32Array([1, 2]) as never, batch: 1, length: 2 }, { k: 3 }),
      ),
    ).toBe('INFERENCE_INVALID_INPUT');
    expect(await thrownCode(InferenceError, a.topk([[1, 2]], { k: 0 }))).toBe('INFERENCE_INVALID_INPUT');
    expect(await thrownCode(InferenceError, a.topk([[1, 2]], { k: 60_000 }))).toBe('INFERENCE_INVALID_INPUT');
    expect(await thrownCode(InferenceError, a.topk([['a' as never]], { k: 1 }))).toBe('INFERENCE_INVALID_INPUT');
    const ac = new AbortController();
    ac.abort();
    expect(await thrownCode(InferenceError, a.topk([[1]], { k: 1, signal: ac.signal }))).toBe('INFERENCE_ABORTED');
    const ok = await a.topk([[1, 2]], { k: 2 });
    expect(ok.ids.length).toBe(2);
  });

  it('rejects models it cannot serve: wrong input dtype, no logits output, garbage bytes', async () => {
    const floatInput = encodeModelForTest({
      name: 'float_in',
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['logits'] }],
      initializers: [],
      inputs: [{ name: 'x', type: 'float32', shape: ['b', 's', 4] }],
      outputs: [{ name: 'logits', type: 'float32', shape: ['b', 's', 4] }],
    });
    expect(await thrownCode(InferenceError, createOnnxAdapter({ model: floatInput, providers: ['cpu'] }))).toBe(
      'INFERENCE_BAD_MODEL',
    );
    const noLogits = encodeModelForTest({
      name: 'no_logits',
      nodes: [{ op: 'Identity', inputs: ['input_ids'], outputs: ['ids_out'] }],
      initializers: [],
      inputs: [{ name: 'input_ids', type: 'int64', shape: ['b', 's'] }],
      outputs: [{ name: 'ids_out', type: 'int64', shape: ['b', 's'] }],
    });
    expect(await thrownCode(InferenceError, createOnnxAdapter({ model: noLogits, providers: ['cpu'] }))).toBe(
      'INFERENCE_BAD_MODEL',
    );
    expect(thrownCodeSync(InferenceError, () => appendTopk(noLogits, { positions: 'last' }))).toBe(
      'INFERENCE_BAD_MODEL',
    );
    expect(
      await thrownCode(
        InferenceError,
        createOnnxAdapter({ model: new Uint8Array([0x3a, 0xff, 0xff, 0xff]), providers: ['cpu'] }),
      ),
    ).toBe('INFERENCE_BAD_MODEL');
    expect(await thrownCode(InferenceError, createOnnxAdapter({ model: new Uint8Array(0), providers: ['cpu'] }))).toBe(
      'INFERENCE_BAD_MODEL',
    );
    expect(await thrownCode(InferenceError, createOnnxAdapter({ model: '/nonexistent/model.onnx' }))).toBe(
      'INFERENCE_BAD_MODEL',
    );
  });

  it('fails closed requests after close()', async () => {
    const a = await createOnnxAdapter({ model: ngramToOnnx(bigram), providers: ['cpu'] });
    const pending = Promise.all(
      Array.from({ length: 4 }, () =>
        a.topk([[1, 2]], { k: 2 }).then(
          () => 'ok',
          (e: InferenceError) => e.code,
        ),
      ),
    );
    await a.close();
    for (const r of await pending) expect(['ok', 'INFERENCE_CLOSED']).toContain(r);
    expect(await thrownCode(InferenceError, a.topk([[1]], { k: 1 }))).toBe('INFERENCE_CLOSED');
  });

  it('leaves nothing running: a process exits on its own after a failed start and close()', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/adapter-exit.ts'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(out).toContain('closed');
    expect(code).toBe(0);
  });

  it('generates greedily, the same tokens as repeated argmax', async () => {
    const prompt = corpusTokens.slice(0, 4);
    const out: number[] = [];
    for await (const t of ngramAdapter.generate(prompt, { maxTokens: 6 })) out.push(t);
    expect(out.length).toBe(6);
    let ctx = [...prompt];
    for (const t of out) {
      const r = await ngramAdapter.topk([ctx], { k: 1 });
      expect(t).toBe(r.ids[0]);
      ctx = [...ctx, t];
    }
  });
});

describe('tokenizer and phrases', () => {
  it('encodes GPT-2 BPE and treats special-token text as text', () => {
    expect(gpt2.encode('Hello world')).toEqual([15496, 995]);
    expect(gpt2.decode([15496, 995])).toBe('Hello world');
    expect(gpt2.encode('<|endoftext|>')).not.toContain(50256);
    expect(gpt2.decode([50256])).toBe('<|endoftext|>');
    expect(() => gpt2.decode([50257])).toThrow(InferenceError);
    // A token holding part of a character decodes to U+FFFD every time: no state leaks between calls.
    expect(gpt2.decode([447])).toBe('\uFFFD');
    expect(gpt2.decode([447])).toBe('\uFFFD');
    expect(gpt2.decode([447, 247])).toBe('\u2019');
  });

  it("maps another tokenizer's tokens to standard phrases, with the equivalence shortcut", () => {
    // A word-level tokenizer that drops whitespace, like BERT: its phrases get a leading space.
    const words = ['hello', 'world', 'subnet', 'tensor'];
    const wordTok: Tokenizer = {
      vocabSize: words.length,
      encode: (s) =>
        s
          .trim()
          .split(/\s+/)
          .map((w) => words.indexOf(w)),
      decode: (ids) => ids.map((i) => words[i]).join(' '),
    };
    const phraseOf = createPhraseTable(wordTok, gpt2);
    expect(phraseOf(0)).toEqual(gpt2.encode(' hello'));
    expect(phraseOf(2)).toEqual(gpt2.encode(' subnet'));
    expect(phraseOf(2).length).toBeGreaterThan(1);
    expect(() => phraseOf(9)).toThrow(InferenceError);
    expect(tokenizersEquivalent(gpt2, gpt2)).toBe(true);
    expect(tokenizersEquivalent(wordTok, gpt2)).toBe(false);
    expect(createPhraseTable(gpt2, gpt2)(464)).toEqual([464]);
  });
});
