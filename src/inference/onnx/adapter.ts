/**
 * The ONNX adapter: a thin layer over the model (model.ts), the worker pool (worker-pool.ts: onnxruntime-node in
 * worker threads, providers tried in order) and the micro-batcher (batcher.ts), with top-k selected inside the graph
 * (surgery.ts) so only k ids and values per position leave the device.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { checkK, toTokenBatch } from '../batch.js';
import { InferenceError } from '../errors.js';
import { generateWith } from '../generate.js';
import type {
  InferenceAdapter,
  LogitsOptions,
  LogitsResult,
  Positions,
  TokenInput,
  TopkOptions,
  TopkResult,
} from '../types.js';
import { type Batcher, createBatcher } from './batcher.js';
import { loadModel, variantParts } from './model.js';
import { blockedTopkLimit } from './surgery.js';
import { createWorkerPool } from './worker-pool.js';
import type { ProviderAttempt } from './worker-protocol.js';

export type { ProviderAttempt } from './worker-protocol.js';

/** Execution providers onnxruntime-node may offer. */
export type ExecutionProviderName = 'cuda' | 'tensorrt' | 'webgpu' | 'dml' | 'coreml' | 'cpu';

/** Options of {@link createOnnxAdapter}. */
export interface OnnxAdapterOptions {
  /** Path of an ONNX causal LM, or its bytes. Input `input_ids` int64 [batch, sequence]; output logits [batch, sequence, vocab]. */
  model: string | Uint8Array;
  /** Providers to try, in order (default `['cuda', 'webgpu', 'cpu']`). */
  providers?: readonly ExecutionProviderName[];
  /** Worker threads (default: 1 on a GPU provider, which runs serialized; one per 8 cores on CPU). */
  workers?: number;
  /** Threads per session on CPU (default: the cores but one, divided among the workers). */
  intraOpThreads?: number;
  /** Most rows merged into one run by micro-batching (default 32). */
  maxBatch?: number;
  /** Top-k graph: `exact`, `blocked` (see appendTopk) or `auto` (default: blocked off CPU when k allows). */
  topkMethod?: 'auto' | 'exact' | 'blocked';
  /** Logits output name, when the model has several candidates. */
  logitsOutput?: string;
  /** Longest sequence the model takes (read from metadata `subnetkit.context_length` when present). */
  contextLength?: number;
  /** Name shown in `adapter.name`. */
  name?: string;
}

/** Counters of an {@link OnnxAdapter}. */
export interface OnnxAdapterStats {
  /** Session runs executed. */
  runs: number;
  /** Rows served by those runs. */
  rows: number;
  /** Requests waiting for a worker. */
  queued: number;
}

/** The ONNX adapter: an {@link InferenceAdapter} plus what started and how busy it is. */
export interface OnnxAdapter extends InferenceAdapter {
  /** Providers tried at start, in order. */
  readonly attempts: readonly ProviderAttempt[];
  /** Worker threads in the pool. */
  readonly workers: number;
  /** Runs executed and rows served since start (rows / runs is the achieved micro-batch). */
  stats(): OnnxAdapterStats;
}

/**
 * Starts an ONNX adapter. Resolves once a session has started on the first provider that works.
 *
 * @example
 * ```ts
 * const adapter = await createOnnxAdapter({ model: 'gpt.onnx', providers: ['webgpu', 'cpu'] });
 * console.log(adapter.provider); // 'webgpu' on a GPU machine, 'cpu' elsewhere
 * const top = await adapter.topk([[464, 3290, 318]], { k: 20 });
 * await adapter.close();
 * ```
 */
export async function createOnnxAdapter(options: OnnxAdapterOptions): Promise<OnnxAdapter> {
  // over 80 lines by design: it loads the runtime and the model, then joins the worker pool and the batcher into the
  // adapter; the work is in worker-pool.ts and batcher.ts.
  let ortPath: string;
  try {
    ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  } catch (cause) {
    throw new InferenceError(
      'INFERENCE_RUNTIME_MISSING',
      'onnxruntime-node is not installed: npm install onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=skip skips its CUDA download)',
      { cause },
    );
  }
  if (options.model === undefined || options.model === null)
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'options.model (a path or bytes) is required');
  const model = await loadModel(options.model, options);
  const { vocabSize, contextLength } = model;
  const providers = options.providers ?? ['cuda', 'webgpu', 'cpu'];
  if (!Array.isArray(providers) || providers.length === 0)
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'providers must list at least one execution provider');
  const maxBatch = options.maxBatch ?? 32;
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new InferenceError('INFERENCE_INVALID_INPUT', `maxBatch must be a positive integer, got ${maxBatch}`);
  const cores = availableParallelism();
  // CPU: a few workers with several threads each; one big request still gets many cores, and concurrent requests
  // of different shapes run side by side.
  const cpuWorkers = Math.max(1, options.workers ?? Math.floor(cores / 8));
  let closed = false;
  let batcher: Batcher | undefined;
  const pool = await createWorkerPool({
    ortPath,
    providers,
    gpuWorkers: Math.max(1, options.workers ?? 1),
    cpuWorkers,
    // One core stays with the event loop: sessions that take every core starve it (measured: 20–34 ms lag spikes).
    intraOpThreads: options.intraOpThreads ?? Math.max(1, Math.floor((cores - 1) / cpuWorkers)),
    partsOf: variantParts(model),
    onReplaced: () => batcher?.pump(),
    onAllStopped: (e) =>
      batcher?.rejectQueued(
        new InferenceError('INFERENCE_RUN_FAILED', `every ONNX worker stopped (${e.message})`, { cause: e }),
      ),
  });
  const runner = createBatcher(() => pool, {
    maxBatch,
    inputName: model.inputName,
    maskName: model.maskName,
    outputName: model.logitsName,
    provider: () => pool.provider,
  });
  batcher = runner;
  const gpu = pool.provider !== 'cpu';
  const method = options.topkMethod ?? 'auto';

  function variantFor(k: number, positions: Positions): string {
    const blockedOk = k <= blockedTopkLimit(vocabSize);
    const useBlocked = method === 'blocked' ? blockedOk : method === 'auto' ? blockedOk && gpu : false;
    return `topk:${positions}:${useBlocked ? 'blocked' : 'exact'}`;
  }

  function submit(variant: string, k: number, input: TokenInput, signal?: AbortSignal) {
    if (closed) return Promise.reject(new InferenceError('INFERENCE_CLOSED', 'the adapter is closed'));
    if (!pool.anyAlive())
      return Promise.reject(new InferenceError('INFERENCE_RUN_FAILED', 'every ONNX worker has stopped'));
    try {
      return runner.submit(variant, k, toTokenBatch(input, vocabSize, contextLength), signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  function checkPositions(positions: unknown): Positions {
    if (positions !== 'last' && positions !== 'all')
      throw new InferenceError(
        'INFERENCE_INVALID_INPUT',
        `positions must be 'last' or 'all', got ${String(positions)}`,
      );
    return positions;
  }

  const adapter: OnnxAdapter = {
    name: options.name ?? `onnx:${typeof options.model === 'string' ? options.model : 'bytes'}`,
    provider: pool.provider,
    vocabSize,
    attempts: pool.attempts,
    workers: pool.size,
    async topk(input: TokenInput, o: TopkOptions): Promise<TopkResult> {
      const k = checkK(o?.k, vocabSize);
      const positions = checkPositions(o.positions ?? 'last');
      const r = await submit(variantFor(k, positions), k, input, o.signal);
      const batch = r.dims[0]!;
      return { batch, positions: positions === 'last' ? 1 : r.dims[1]!, k, ids: r.ids!, logprobs: r.values, vocabSize };
    },
    async logits(input: TokenInput, o: LogitsOptions = {}): Promise<LogitsResult> {
      const positions = checkPositions(o.positions ?? 'last');
      const r = await submit('logits', 0, input, o.signal);
      const [batch, seq] = [r.dims[0]!, r.dims[1]!];
      if (positions === 'all') return { batch, positions: seq, vocab: vocabSize, data: r.values };
      const data = new Float32Array(batch * vocabSize);
      for (let b = 0; b < batch; b++)
        data.set(r.values.subarray(((b + 1) * seq - 1) * vocabSize, (b + 1) * seq * vocabSize), b * vocabSize);
      return { batch, positions: 1, vocab: vocabSize, data };
    },
    generate(prompt, o) {
      return generateWith(adapter, prompt, o, contextLength);
    },
    async close() {
      if (closed) return;
      closed = true;
      runner.rejectQueued(new InferenceError('INFERENCE_CLOSED', 'the adapter closed before the request ran'));
      await pool.close();
    },
    stats: runner.stats,
  };
  return adapter;
}
