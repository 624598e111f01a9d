/**
 * The pool of ONNX worker threads: the first worker probes the execution providers in order, the rest start on the
 * one that worked; graph variants load on each worker on first use; a worker that dies is replaced (up to a limit)
 * and its pending requests fail with a typed error.
 */
import type { Worker } from 'node:worker_threads';
import { InferenceError } from '../errors.js';
import type { ProviderAttempt, RunRequest, WorkerReply, WorkerSetup } from './worker-protocol.js';
import { startWorkerThread } from './worker-thread.js';

/** Replacement workers a pool starts before it gives up on a worker that keeps dying. */
const MAX_RESPAWNS = 8;

export interface PoolWorker {
  worker: Worker;
  busy: boolean;
  alive: boolean;
  loaded: Map<string, Promise<void>>;
  pending: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>;
}

export interface WorkerPoolOptions {
  ortPath: string;
  providers: readonly string[];
  /** Workers on a GPU provider (default 1: runs there are serialized anyway). */
  gpuWorkers: number;
  /** Workers on CPU. */
  cpuWorkers: number;
  intraOpThreads: number;
  /** The serialized graph of a variant (`logits`, or a top-k variant). */
  partsOf(variant: string): Uint8Array[];
  /** A worker was replaced: queued work can go to it. */
  onReplaced(): void;
  /** No worker is left alive. */
  onAllStopped(e: Error): void;
}

// WebGPU sessions share one device context per process, and concurrent runs on it are undefined behaviour: every
// adapter of this process that runs on WebGPU takes this lock around each run and each session load.
let webgpuTail: Promise<unknown> = Promise.resolve();
function serializedOnWebgpu<T>(provider: string, fn: () => Promise<T>): Promise<T> {
  if (provider !== 'webgpu') return fn();
  const run = webgpuTail.then(fn, fn);
  webgpuTail = run.catch(() => undefined);
  return run;
}

export async function createWorkerPool(o: WorkerPoolOptions) {
  // over 80 lines by design: the workers, their pending requests and the respawn policy are one state that run,
  // respawn and close all use.
  const workers: PoolWorker[] = [];
  let nextId = 1;
  let respawns = 0;
  let provider = '';
  let closed = false;

  const send = (w: PoolWorker, msg: Record<string, unknown>): Promise<WorkerReply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      w.pending.set(id, { resolve, reject });
      w.worker.postMessage({ ...msg, id });
    });

  function spawn(probe: boolean): PoolWorker {
    const setup: WorkerSetup = {
      ortPath: o.ortPath,
      providers: o.providers,
      provider: probe ? null : provider,
      intraOpThreads: o.intraOpThreads,
    };
    const w: PoolWorker = {
      worker: startWorkerThread(setup),
      busy: false,
      alive: true,
      loaded: new Map(),
      pending: new Map(),
    };
    w.worker.on('message', (r: WorkerReply) => {
      const p = w.pending.get(r.id);
      if (!p) return;
      w.pending.delete(r.id);
      p.resolve(r);
    });
    const died = (e: Error) => {
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
      const i = workers.indexOf(w);
      // Replace it (variants load again on demand), but not forever: a worker that keeps dying gets no successor
      // after MAX_RESPAWNS, and queued work then fails instead of spinning.
      if (i >= 0 && !closed && respawns < MAX_RESPAWNS) {
        respawns++;
        workers[i] = spawn(false);
        o.onReplaced();
      } else if (!workers.some((p) => p.alive)) o.onAllStopped(e);
    };
    w.worker.on('error', died);
    w.worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    return w;
  }

  function ensureLoaded(w: PoolWorker, variant: string): Promise<void> {
    let p = w.loaded.get(variant);
    if (!p) {
      p = send(w, { type: 'load', variant, parts: o.partsOf(variant) }).then((r) => {
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
  }

  // Start: the first worker probes the providers in order.
  const first = spawn(true);
  workers.push(first);
  const probe = await send(first, { type: 'load', variant: 'logits', parts: o.partsOf('logits') }).catch(
    (e: Error): WorkerReply => ({ id: 0, error: e.message }),
  );
  const attempts: readonly ProviderAttempt[] = probe.attempts ?? [];
  if (probe.error || !probe.provider) {
    // Mark it closed first, or the exit handler would start a replacement worker that keeps the process alive.
    closed = true;
    first.alive = false;
    await first.worker.terminate();
    const tried = attempts.map((a) => `${a.provider}: ${a.message ?? 'failed'}`).join('; ');
    throw new InferenceError(
      'INFERENCE_NO_PROVIDER',
      `no execution provider could start the model: ${tried || probe.error}`,
    );
  }
  provider = probe.provider;
  first.loaded.set('logits', Promise.resolve());
  const size = provider !== 'cpu' ? o.gpuWorkers : o.cpuWorkers;
  for (let i = 1; i < size; i++) workers.push(spawn(false));

  return {
    provider,
    attempts,
    size,
    /** A worker that is alive and not running anything, if any. */
    idle: (): PoolWorker | undefined => workers.find((w) => w.alive && !w.busy),
    anyAlive: (): boolean => workers.some((w) => w.alive),
    /** Loads the variant on the worker if needed, then runs it (serialized on WebGPU). */
    async run(w: PoolWorker, request: Omit<RunRequest, 'type' | 'id'>): Promise<WorkerReply> {
      await serializedOnWebgpu(provider, () => ensureLoaded(w, request.variant));
      return serializedOnWebgpu(provider, () => send(w, { type: 'run', ...request }));
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all(
        workers.map(async (w) => {
          w.alive = false;
          w.worker.postMessage({ type: 'close' });
          const exited = new Promise((r) => w.worker.once('exit', r));
          const t = setTimeout(() => void w.worker.terminate(), 2000);
          await exited;
          clearTimeout(t);
        }),
      );
    },
  };
}

export type WorkerPool = Awaited<ReturnType<typeof createWorkerPool>>;
