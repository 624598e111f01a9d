/**
 * An OpenAI-compatible HTTP server over any adapter: `/v1/models`, `/v1/completions` (completions.ts) and
 * `/v1/chat/completions` (chat.ts), streaming or not, so an ONNX model can be served as an endpoint that vLLM
 * clients, and subnetkit's own OpenAI adapter, can use.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InferenceError } from '../errors.js';
import type { InferenceAdapter } from '../types.js';
import type { Tokenizer } from '../tokenizer.js';
import { chat } from './chat.js';
import { type EndpointContext, completions } from './completions.js';
import { HttpError, json, readJson } from './http.js';

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
  // over 80 lines by design: one HTTP server whose routes share the adapter, tokenizer and limits; the routes are in
  // completions.ts and chat.ts.
  const { adapter, tokenizer } = options;
  if (!adapter || typeof adapter.topk !== 'function')
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'options.adapter must be an InferenceAdapter');
  if (!tokenizer || typeof tokenizer.encode !== 'function')
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'options.tokenizer must be a Tokenizer');
  const modelName = options.modelName ?? 'subnetkit';
  const cap = options.maxBodyBytes ?? 1 << 20;
  let seq = 0;

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

  const endpoint: EndpointContext = {
    adapter,
    tokenizer,
    modelName,
    maxTokens: options.maxTokens ?? 1024,
    maxLogprobs: options.maxLogprobs ?? 20,
    id: (p) => `${p}-${Date.now().toString(36)}${(seq++).toString(36)}`,
    promptIds,
  };

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
      if (url === '/v1/completions') await completions(endpoint, body, res, ac.signal);
      else await chat(endpoint, body, res, ac.signal);
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
