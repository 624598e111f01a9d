/**
 * An OpenAI-compatible HTTP server over any adapter: `/v1/models`, `/v1/completions` (token-id or text prompts,
 * logprobs with `echo`, streaming) and `/v1/chat/completions` (streaming), so an ONNX model can be served as an
 * endpoint that vLLM clients, and subnetkit's own OpenAI adapter, can use.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InferenceError } from '../errors.js';
import type { InferenceAdapter } from '../types.js';
import type { Tokenizer } from '../tokenizer.js';
import { createRng } from '../models/random.js';

/** Options of {@link createOpenAIServer}. */
export interface OpenAIServerOptions {
  /** The model behind the endpoint. */
  adapter: InferenceAdapter;
  /** Turns text prompts into ids and ids into text. */
  tokenizer: Tokenizer;
  /** Model name listed and echoed (default `subnetkit`). */
  modelName?: string;
  /** Largest request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Largest `max_tokens` (default 1024). */
  maxTokens?: number;
  /** Largest `logprobs` (default 20, as OpenAI). */
  maxLogprobs?: number;
}

/** A running server. */
export interface OpenAIServer {
  /** Starts listening; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
  /** The node:http server. */
  readonly server: Server;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage, cap: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > cap) throw new HttpError(413, `body exceeds ${cap} bytes`);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > cap) throw new HttpError(413, `body exceeds ${cap} bytes`);
    chunks.push(c);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function intField(body: Record<string, unknown>, name: string, def: number, min: number, max: number): number {
  const v = body[name] ?? def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new HttpError(400, `${name} must be an integer in [${min}, ${max}]`);
  return v;
}

/**
 * Creates the server (not yet listening).
 *
 * @example
 * ```ts
 * const server = createOpenAIServer({ adapter, tokenizer: await loadGpt2Tokenizer() });
 * const url = await server.listen(8000);
 * ```
 */
export function createOpenAIServer(options: OpenAIServerOptions): OpenAIServer {
  const { adapter, tokenizer } = options;
  if (!adapter || typeof adapter.topk !== 'function')
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'options.adapter must be an InferenceAdapter');
  if (!tokenizer || typeof tokenizer.encode !== 'function')
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'options.tokenizer must be a Tokenizer');
  const modelName = options.modelName ?? 'subnetkit';
  const cap = options.maxBodyBytes ?? 1 << 20;
  const maxTokens = options.maxTokens ?? 1024;
  const maxLogprobs = options.maxLogprobs ?? 20;
  let seq = 0;
  const id = (p: string) => `${p}-${Date.now().toString(36)}${(seq++).toString(36)}`;

  function promptIds(prompt: unknown): number[] {
    let ids: number[];
    if (typeof prompt === 'string') ids = tokenizer.encode(prompt);
    else if (Array.isArray(prompt) && prompt.every((x) => typeof x === 'number')) ids = prompt as number[];
    else if (Array.isArray(prompt) && prompt.length === 1) return promptIds(prompt[0]);
    else throw new HttpError(400, 'prompt must be a string or an array of token ids');
    if (ids.length === 0) throw new HttpError(400, 'prompt is empty');
    for (const t of ids)
      if (!Number.isInteger(t) || t < 0 || t >= adapter.vocabSize)
        throw new HttpError(400, `token id ${t} is outside [0, ${adapter.vocabSize})`);
    return ids;
  }

  interface Step {
    token: number;
    logprob: number;
    top: [number, number][];
  }

  /** Generates step by step, keeping each step's top-k for logprobs. */
  async function* steps(
    prompt: number[],
    n: number,
    temperature: number,
    k: number,
    seed: number,
    signal: AbortSignal,
  ): AsyncGenerator<Step> {
    const rng = createRng(seed);
    const tokens = [...prompt];
    for (let i = 0; i < n; i++) {
      if (signal.aborted) return;
      const kk = Math.max(k, temperature > 0 ? 50 : 1);
      const r = await adapter.topk([tokens], { k: Math.min(kk, adapter.vocabSize), positions: 'last' });
      let j = 0;
      if (temperature > 0) {
        let total = 0;
        const w = Array.from(r.logprobs, (lp) => Math.exp((lp - r.logprobs[0]!) / temperature));
        for (const x of w) total += x;
        let u = rng() * total;
        for (j = 0; j < w.length - 1; j++) if ((u -= w[j]!) <= 0) break;
      }
      const token = r.ids[j]!;
      const top: [number, number][] = [];
      for (let q = 0; q < Math.min(k, r.k); q++) top.push([r.ids[q]!, r.logprobs[q]!]);
      yield { token, logprob: r.logprobs[j]!, top };
      if (tokenizer.eosId !== undefined && token === tokenizer.eosId) return;
      tokens.push(token);
    }
  }

  const tokenKey = (t: number, asIds: boolean) => (asIds ? `token_id:${t}` : tokenizer.decode([t]));

  async function completions(body: Record<string, unknown>, res: ServerResponse, signal: AbortSignal) {
    const prompt = promptIds(body.prompt);
    const n = intField(body, 'max_tokens', 16, 0, maxTokens);
    const lp =
      body.logprobs === null || body.logprobs === undefined ? null : intField(body, 'logprobs', 0, 0, maxLogprobs);
    const temperature = Number(body.temperature ?? 1);
    if (!Number.isFinite(temperature) || temperature < 0 || temperature > 2)
      throw new HttpError(400, 'temperature must be in [0, 2]');
    const echo = body.echo === true;
    const asIds = body.return_tokens_as_token_ids === true;
    const seed = typeof body.seed === 'number' ? body.seed : 0;
    const stream = body.stream === true;
    const cid = id('cmpl');
    const created = Math.floor(Date.now() / 1000);
    const tokens: string[] = [];
    const tokenLogprobs: (number | null)[] = [];
    const tops: (Record<string, number> | null)[] = [];
    if (echo && lp !== null) {
      const r = await adapter.topk([prompt], { k: Math.max(1, lp), positions: 'all' });
      const full = await adapter.logits([prompt], { positions: 'all' }).catch(() => null);
      prompt.forEach((t, i) => {
        tokens.push(tokenKey(t, asIds));
        if (i === 0) {
          tokenLogprobs.push(null);
          tops.push(null);
          return;
        }
        const base = (i - 1) * r.k;
        const top: Record<string, number> = {};
        for (let q = 0; q < lp; q++) top[tokenKey(r.ids[base + q]!, asIds)] = r.logprobs[base + q]!;
        tops.push(top);
        tokenLogprobs.push(
          full ? logSoftmaxAt(full.data, (i - 1) * full.vocab, full.vocab, t) : (top[tokenKey(t, asIds)] ?? null),
        );
      });
    }
    let text = echo ? tokenizer.decode(prompt) : '';
    let finish = 'length';
    let generated = 0;
    if (stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
      const done: number[] = [];
      let emitted = '';
      for await (const s of steps(prompt, n, temperature, lp ?? 0, seed, signal)) {
        generated++;
        if (s.token === tokenizer.eosId) {
          finish = 'stop';
          break;
        }
        done.push(s.token);
        const all = tokenizer.decode(done);
        const piece = all.endsWith('\uFFFD') ? '' : all.slice(emitted.length);
        if (piece) emitted = all;
        send({
          id: cid,
          object: 'text_completion',
          created,
          model: modelName,
          choices: [
            {
              index: 0,
              text: piece,
              finish_reason: null,
              logprobs:
                lp === null
                  ? null
                  : {
                      tokens: [tokenKey(s.token, asIds)],
                      token_logprobs: [s.logprob],
                      top_logprobs: [Object.fromEntries(s.top.map(([t, v]) => [tokenKey(t, asIds), v]))],
                    },
            },
          ],
        });
      }
      send({
        id: cid,
        object: 'text_completion',
        created,
        model: modelName,
        choices: [{ index: 0, text: '', finish_reason: finish, logprobs: null }],
      });
      res.end('data: [DONE]\n\n');
      return;
    }
    const out: number[] = [];
    for await (const s of steps(prompt, n, temperature, lp ?? 0, seed, signal)) {
      generated++;
      if (s.token === tokenizer.eosId) {
        finish = 'stop';
        break;
      }
      out.push(s.token);
      tokens.push(tokenKey(s.token, asIds));
      tokenLogprobs.push(s.logprob);
      tops.push(Object.fromEntries(s.top.map(([t, v]) => [tokenKey(t, asIds), v])));
    }
    text += tokenizer.decode(out);
    json(res, 200, {
      id: cid,
      object: 'text_completion',
      created,
      model: modelName,
      choices: [
        {
          index: 0,
          text,
          finish_reason: finish,
          logprobs: lp === null ? null : { tokens, token_logprobs: tokenLogprobs, top_logprobs: tops },
        },
      ],
      usage: { prompt_tokens: prompt.length, completion_tokens: generated, total_tokens: prompt.length + generated },
    });
  }

  async function chat(body: Record<string, unknown>, res: ServerResponse, signal: AbortSignal) {
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0)
      throw new HttpError(400, 'messages must be a non-empty array');
    let rendered = '';
    for (const m of messages as { role?: unknown; content?: unknown }[]) {
      if (!m || typeof m.content !== 'string' || !['system', 'user', 'assistant'].includes(m.role as string))
        throw new HttpError(400, 'each message needs a role (system, user, assistant) and string content');
      rendered += `${m.role}: ${m.content}\n`;
    }
    rendered += 'assistant:';
    const prompt = promptIds(rendered);
    const n = intField(body, 'max_tokens', 256, 1, maxTokens);
    const temperature = Number(body.temperature ?? 1);
    if (!Number.isFinite(temperature) || temperature < 0 || temperature > 2)
      throw new HttpError(400, 'temperature must be in [0, 2]');
    const cid = id('chatcmpl');
    const created = Math.floor(Date.now() / 1000);
    const stream = body.stream === true;
    if (stream)
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
    const send = (delta: Record<string, string>, finish: string | null) =>
      res.write(
        `data: ${JSON.stringify({ id: cid, object: 'chat.completion.chunk', created, model: modelName, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
      );
    if (stream) send({ role: 'assistant' }, null);
    const out: number[] = [];
    let emitted = '';
    let finish = 'length';
    for await (const s of steps(prompt, n, temperature, 0, typeof body.seed === 'number' ? body.seed : 0, signal)) {
      if (s.token === tokenizer.eosId) {
        finish = 'stop';
        break;
      }
      out.push(s.token);
      const all = tokenizer.decode(out);
      if (stream && !all.endsWith('\uFFFD') && all.length > emitted.length) {
        send({ content: all.slice(emitted.length) }, null);
        emitted = all;
      }
    }
    if (stream) {
      send({}, finish);
      res.end('data: [DONE]\n\n');
      return;
    }
    json(res, 200, {
      id: cid,
      object: 'chat.completion',
      created,
      model: modelName,
      choices: [{ index: 0, message: { role: 'assistant', content: tokenizer.decode(out) }, finish_reason: finish }],
      usage: { prompt_tokens: prompt.length, completion_tokens: out.length, total_tokens: prompt.length + out.length },
    });
  }

  const sockets = new Set<import('node:net').Socket>();
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 120_000 }, (req, res) => {
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    (async () => {
      const url = (req.url ?? '/').split('?')[0];
      if (url === '/v1/models' && req.method === 'GET') {
        return json(res, 200, { object: 'list', data: [{ id: modelName, object: 'model', owned_by: 'subnetkit' }] });
      }
      if (url !== '/v1/completions' && url !== '/v1/chat/completions')
        throw new HttpError(404, `no route ${req.method} ${url}`);
      if (req.method !== 'POST') throw new HttpError(405, 'use POST');
      const body = await readJson(req, cap);
      if (url === '/v1/completions') await completions(body, res, ac.signal);
      else await chat(body, res, ac.signal);
    })().catch((e: unknown) => {
      const status =
        e instanceof HttpError
          ? e.status
          : e instanceof InferenceError && e.code === 'INFERENCE_INVALID_INPUT'
            ? 400
            : 500;
      const message = (e as Error).message ?? String(e);
      if (res.headersSent) res.end();
      else
        json(res, status, {
          error: { message, type: status < 500 ? 'invalid_request_error' : 'server_error', code: status },
        });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const a = server.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${a.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

function logSoftmaxAt(data: Float32Array, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) if (data[offset + i]! > max) max = data[offset + i]!;
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(data[offset + i]! - max);
  return data[offset + token]! - max - Math.log(sum);
}
