/**
 * The ONNX adapter: onnxruntime-node sessions in worker threads, a pool sized to the cores, micro-batching of
 * concurrent requests, execution providers tried in order with the one that started reported, and top-k selected
 * inside the graph (see surgery.ts) so only k ids and values per position leave the device.
 */
import { open as openFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { abortError, checkK, toTokenBatch } from '../batch.js';
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
import { ONNX_WORKER_SOURCE } from './worker-source.js';
import { appendTopkParts, blockedTopkLimit, findLogitsOutput, inspectModel } from './surgery.js';

/** Execution providers onnxruntime-node may offer. */
export type ExecutionProviderName = 'cuda' | 'tensorrt' | 'webgpu' | 'dml' | 'coreml' | 'cpu';

/** One provider the adapter tried, and why it did not start when it did not. */
export interface ProviderAttempt {
  /** Provider name. */
  provider: string;
  /** Whether a session started on it. */
  ok: boolean;
  /** The runtime's error when it did not. */
  message?: string;
}

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

interface Job {
  variant: string;
  k: number;
  length: number;
  batch: number;
  ids: Int32Array;
  resolve: (r: { values: Float32Array; ids?: Int32Array; dims: number[] }) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
}

interface Reply {
  id: number;
  error?: string;
  provider?: string;
  attempts?: ProviderAttempt[];
  dims?: number[];
  values?: Float32Array;
  ids?: Int32Array;
}

interface PoolWorker {
  worker: Worker;
  busy: boolean;
  loaded: Map<string, Promise<void>>;
  pending: Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>;
  alive: boolean;
}

/** Replacement workers an adapter starts before it gives up on a worker that keeps dying. */
const MAX_RESPAWNS = 8;

// WebGPU sessions share one device context per process, and concurrent runs on it are undefined behaviour: every
// adapter of this process that runs on WebGPU takes this lock around each run and each session load.
let webgpuTail: Promise<unknown> = Promise.resolve();
function serializedOnWebgpu<T>(provider: string, fn: () => Promise<T>): Promise<T> {
  if (provider !== 'webgpu') return fn();
  const run = webgpuTail.then(fn, fn);
  webgpuTail = run.catch(() => undefined);
  return run;
}

async function readShared(path: string): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw new InferenceError('INFERENCE_BAD_MODEL', `cannot read the model at ${path}`, { cause });
  }
  const view = new Uint8Array(new SharedArrayBuffer(size));
  const fh = await openFile(path, 'r');
  try {
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(view, off, Math.min(size - off, 1 << 26), off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return view;
}

function shared(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const view = new Uint8Array(new SharedArrayBuffer(bytes.length));
  view.set(bytes);
  return view;
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
  const model = typeof options.model === 'string' ? await readShared(options.model) : shared(options.model);
  const summary = inspectModel(model);
  const logits = findLogitsOutput(summary, options.logitsOutput);
  const idsInput = summary.inputs.find((i) => i.name === 'input_ids') ?? summary.inputs[0];
  if (!idsInput) throw new InferenceError('INFERENCE_BAD_MODEL', 'the model has no inputs');
  if (idsInput.elemType !== 7)
    throw new InferenceError(
      'INFERENCE_BAD_MODEL',
      `input ${idsInput.name} must be int64 token ids, the model declares element type ${idsInput.elemType}`,
    );
  const maskInput = summary.inputs.find((i) => i.name === 'attention_mask');
  const others = summary.inputs.filter((i) => i !== idsInput && i !== maskInput);
  if (others.length)
    throw new InferenceError(
      'INFERENCE_BAD_MODEL',
      `the model needs inputs this adapter cannot feed: ${others.map((o) => o.name).join(', ')}`,
    );
  const vocabDim = logits.shape[logits.shape.length - 1];
  const vocabSize = typeof vocabDim === 'number' ? vocabDim : Number(summary.metadata['subnetkit.vocab_size']);
  if (!Number.isInteger(vocabSize) || vocabSize < 2)
    throw new InferenceError(
      'INFERENCE_BAD_MODEL',
      'the vocabulary size is neither in the logits shape nor in the model metadata',
    );
  const contextLength = options.contextLength ?? (Number(summary.metadata['subnetkit.context_length']) || undefined);
  const providers = options.providers ?? ['cuda', 'webgpu', 'cpu'];
  if (!Array.isArray(providers) || providers.length === 0)
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'providers must list at least one execution provider');
  const maxBatch = options.maxBatch ?? 32;
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new InferenceError('INFERENCE_INVALID_INPUT', `maxBatch must be a positive integer, got ${maxBatch}`);
  const cores = availableParallelism();

  const variants = new Map<string, Uint8Array[]>();
  const partsOf = (variant: string): Uint8Array[] => {
    let parts = variants.get(variant);
    if (!parts) {
      if (variant === 'logits') parts = [model];
      else {
        const [, positions, method] = variant.split(':') as [string, Positions, 'exact' | 'blocked'];
        parts = appendTopkParts(model, { positions, method, logitsOutput: logits.name });
      }
      variants.set(variant, parts);
    }
    return parts;
  };

  let nextId = 1;
  let respawns = 0;
  let provider = '';
  let closed = false;
  let runs = 0;
  let rows = 0;
  const pool: PoolWorker[] = [];
  const queue: Job[] = [];
  // CPU: a few workers with several threads each; one big request still gets many cores, and concurrent requests
  // of different shapes run side by side.
  const cpuWorkers = Math.max(1, options.workers ?? Math.floor(cores / 8));
  // One core stays with the event loop: sessions that take every core starve it (measured: 20–34 ms lag spikes).
  const intraOpThreads = options.intraOpThreads ?? Math.max(1, Math.floor((cores - 1) / cpuWorkers));

  const send = (w: PoolWorker, msg: Record<string, unknown>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      w.pending.set(id, { resolve, reject });
      w.worker.postMessage({ ...msg, id });
    });

  const spawn = (probe: boolean): PoolWorker => {
    const worker = new Worker(ONNX_WORKER_SOURCE, {
      eval: true,
      workerData: { ortPath, providers, provider: probe ? null : provider, intraOpThreads },
    });
    const w: PoolWorker = { worker, busy: false, loaded: new Map(), pending: new Map(), alive: true };
    worker.on('message', (r: Reply) => {
      const p = w.pending.get(r.id);
      if (!p) return;
      w.pending.delete(r.id);
      p.resolve(r);
    });
    const fail = (e: Error) => {
      for (const p of w.pending.values()) {
        p.reject(
          closed
            ? new InferenceError('INFERENCE_CLOSED', 'the adapter closed before the request finished')
            : new InferenceError('INFERENCE_RUN_FAILED', `an ONNX worker stopped: ${e.message}`, { cause: e }),
        );
      }
      w.pending.clear();
      if (!w.alive) return;
      w.alive = false;
      const i = pool.indexOf(w);
      // Replace it (variants load again on demand), but not forever: a worker that keeps dying gets no successor
      // after MAX_RESPAWNS, and queued work then fails instead of spinning.
      if (i >= 0 && !closed && respawns < MAX_RESPAWNS) {
        respawns++;
        pool[i] = spawn(false);
        pump();
      } else if (!pool.some((p) => p.alive)) {
        for (const j of queue.splice(0))
          j.reject(
            new InferenceError('INFERENCE_RUN_FAILED', `every ONNX worker stopped (${e.message})`, { cause: e }),
          );
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    return w;
  };

  const ensureLoaded = (w: PoolWorker, variant: string): Promise<void> => {
    let p = w.loaded.get(variant);
    if (!p) {
      p = send(w, { type: 'load', variant, parts: partsOf(variant) }).then((r) => {
        if (r.error)
          throw new InferenceError(
            'INFERENCE_BAD_MODEL',
            `could not load the ${variant} graph on ${provider}: ${r.error}`,
          );
      });
      p.catch(() => w.loaded.delete(variant));
      w.loaded.set(variant, p);
    }
    return p;
  };

  // Start: the first worker probes the providers in order; the rest start directly on the one that worked.
  const first = spawn(true);
  pool.push(first);
  const probe = await send(first, { type: 'load', variant: 'logits', parts: partsOf('logits') }).catch(
    (e: Error) => ({ id: 0, error: e.message }) as Reply,
  );
  const attempts = probe.attempts ?? [];
  if (probe.error || !probe.provider) {
    // Mark it closed first, or the exit handler would start a replacement worker that keeps the process alive.
    closed = true;
    first.alive = false;
    await first.worker.terminate();
    throw new InferenceError(
      'INFERENCE_NO_PROVIDER',
      `no execution provider could start the model: ${attempts.map((a) => `${a.provider}: ${a.message ?? 'failed'}`).join('; ') || probe.error}`,
    );
  }
  provider = probe.provider;
  first.loaded.set('logits', Promise.resolve());
  const gpu = provider !== 'cpu';
  const workers = gpu ? Math.max(1, options.workers ?? 1) : cpuWorkers;
  for (let i = 1; i < workers; i++) pool.push(spawn(false));
  const method = options.topkMethod ?? 'auto';

  function variantFor(k: number, positions: Positions): string {
    const blockedOk = k <= blockedTopkLimit(vocabSize);
    const useBlocked = method === 'blocked' ? blockedOk : method === 'auto' ? blockedOk && gpu : false;
    return `topk:${positions}:${useBlocked ? 'blocked' : 'exact'}`;
  }

  function pump(): void {
    for (const w of pool) {
      if (queue.length === 0) return;
      if (!w.alive || w.busy) continue;
      const head = queue.shift()!;
      const group = [head];
      let batch = head.batch;
      for (let i = 0; i < queue.length && batch < maxBatch; ) {
        const j = queue[i]!;
        if (j.variant === head.variant && j.k === head.k && j.length === head.length && batch + j.batch <= maxBatch) {
          group.push(j);
          batch += j.batch;
          queue.splice(i, 1);
        } else i++;
      }
      void execute(w, group, batch);
    }
  }

  async function execute(w: PoolWorker, group: Job[], batch: number): Promise<void> {
    w.busy = true;
    const head = group[0]!;
    try {
      await serializedOnWebgpu(provider, () => ensureLoaded(w, head.variant));
      const ids = group.length === 1 ? head.ids : new Int32Array(batch * head.length);
      if (group.length > 1) {
        let o = 0;
        for (const j of group) {
          ids.set(j.ids, o);
          o += j.ids.length;
        }
      }
      const r = await serializedOnWebgpu(provider, () =>
        send(w, {
          type: 'run',
          variant: head.variant,
          ids,
          batch,
          length: head.length,
          k: head.k,
          inputName: idsInput!.name,
          maskName: maskInput?.name,
          outputName: logits.name,
        }),
      );
      if (r.error) throw new InferenceError('INFERENCE_RUN_FAILED', `inference failed on ${provider}: ${r.error}`);
      runs++;
      rows += batch;
      const dims = r.dims!;
      const per = r.values!.length / batch;
      let row = 0;
      for (const j of group) {
        const values = r.values!.subarray(row * per, (row + j.batch) * per);
        const idsOut = r.ids?.subarray(row * per, (row + j.batch) * per);
        row += j.batch;
        if (j.signal?.aborted) j.reject(abortError());
        else j.resolve({ values, ...(idsOut ? { ids: idsOut } : {}), dims: [j.batch, ...dims.slice(1)] });
      }
    } catch (e) {
      const err =
        e instanceof InferenceError
          ? e
          : new InferenceError('INFERENCE_RUN_FAILED', String((e as Error).message ?? e), { cause: e });
      for (const j of group) j.reject(err);
    } finally {
      w.busy = false;
      pump();
    }
  }

  function submit(variant: string, k: number, input: TokenInput, signal?: AbortSignal) {
    if (closed) return Promise.reject(new InferenceError('INFERENCE_CLOSED', 'the adapter is closed'));
    if (!pool.some((w) => w.alive))
      return Promise.reject(new InferenceError('INFERENCE_RUN_FAILED', 'every ONNX worker has stopped'));
    let tb;
    try {
      tb = toTokenBatch(input, vocabSize, contextLength);
    } catch (e) {
      return Promise.reject(e);
    }
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<{ values: Float32Array; ids?: Int32Array; dims: number[] }>((resolve, reject) => {
      const onAbort = () => {
        const i = queue.indexOf(job);
        if (i >= 0) queue.splice(i, 1);
        reject(abortError());
      };
      // The listener goes when the job settles: a long-lived signal shared by many requests must not collect them.
      const settle =
        <A extends unknown[]>(fn: (...a: A) => void) =>
        (...a: A) => {
          signal?.removeEventListener('abort', onAbort);
          fn(...a);
        };
      const job: Job = {
        variant,
        k,
        length: tb.length,
        batch: tb.batch,
        ids: tb.ids,
        resolve: settle(resolve),
        reject: settle(reject),
        ...(signal ? { signal } : {}),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(job);
      pump();
    });
  }

  const adapter: OnnxAdapter = {
    name: options.name ?? `onnx:${typeof options.model === 'string' ? options.model : 'bytes'}`,
    get provider() {
      return provider;
    },
    vocabSize,
    attempts,
    workers,
    async topk(input: TokenInput, o: TopkOptions): Promise<TopkResult> {
      const k = checkK(o?.k, vocabSize);
      const positions = o.positions ?? 'last';
      if (positions !== 'last' && positions !== 'all')
        throw new InferenceError(
          'INFERENCE_INVALID_INPUT',
          `positions must be 'last' or 'all', got ${String(positions)}`,
        );
      const r = await submit(variantFor(k, positions), k, input, o.signal);
      const batch = r.dims[0]!;
      return { batch, positions: positions === 'last' ? 1 : r.dims[1]!, k, ids: r.ids!, logprobs: r.values, vocabSize };
    },
    async logits(input: TokenInput, o: LogitsOptions = {}): Promise<LogitsResult> {
      const positions = o.positions ?? 'last';
      if (positions !== 'last' && positions !== 'all')
        throw new InferenceError(
          'INFERENCE_INVALID_INPUT',
          `positions must be 'last' or 'all', got ${String(positions)}`,
        );
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
      for (const j of queue.splice(0))
        j.reject(new InferenceError('INFERENCE_CLOSED', 'the adapter closed before the request ran'));
      await Promise.all(
        pool.map(async (w) => {
          w.alive = false;
          w.worker.postMessage({ type: 'close' });
          const exited = new Promise((r) => w.worker.once('exit', r));
          const t = setTimeout(() => void w.worker.terminate(), 2000);
          await exited;
          clearTimeout(t);
        }),
      );
    },
    stats: () => ({ runs, rows, queued: queue.length }),
  };
  return adapter;
}
