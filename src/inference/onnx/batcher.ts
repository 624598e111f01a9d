/**
 * Micro-batching: requests wait in a queue; an idle worker takes the oldest with every queued request of the same
 * graph variant, k and sequence length, up to `maxBatch` rows, runs them as one batch and splits the result back.
 * An aborted request leaves the queue at once (or drops its share of a result already running).
 */
import { abortError } from '../batch.js';
import { InferenceError } from '../errors.js';
import type { PoolWorker, WorkerPool } from './worker-pool.js';

/** One request's raw result: values (logits or top-k log-probs), the top-k ids, and the dims of its rows. */
export interface RawResult {
  values: Float32Array;
  ids?: Int32Array;
  dims: number[];
}

interface Job {
  variant: string;
  k: number;
  length: number;
  batch: number;
  ids: Int32Array;
  resolve: (r: RawResult) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
}

export interface BatcherOptions {
  maxBatch: number;
  /** The model's token-id input, attention-mask input and logits output. */
  inputName: string;
  maskName: string | undefined;
  outputName: string;
  /** Provider name, for messages. */
  provider: () => string;
}

export function createBatcher(pool: () => WorkerPool, o: BatcherOptions) {
  // over 80 lines by design: the queue, the run counters and the flush timer are one state that enqueue, group and
  // flush all use.
  const queue: Job[] = [];
  let runs = 0;
  let rows = 0;

  /** The oldest job and every queued job it can share a run with, up to maxBatch rows. */
  function takeGroup(): { group: Job[]; batch: number } {
    const head = queue.shift()!;
    const group = [head];
    let batch = head.batch;
    for (let i = 0; i < queue.length && batch < o.maxBatch; ) {
      const j = queue[i]!;
      if (j.variant === head.variant && j.k === head.k && j.length === head.length && batch + j.batch <= o.maxBatch) {
        group.push(j);
        batch += j.batch;
        queue.splice(i, 1);
      } else i++;
    }
    return { group, batch };
  }

  function pump(): void {
    for (let w = pool().idle(); w && queue.length > 0; w = pool().idle()) {
      const { group, batch } = takeGroup();
      void execute(w, group, batch);
    }
  }

  async function execute(w: PoolWorker, group: Job[], batch: number): Promise<void> {
    w.busy = true;
    const head = group[0]!;
    try {
      let ids = head.ids;
      if (group.length > 1) {
        ids = new Int32Array(batch * head.length);
        let offset = 0;
        for (const j of group) {
          ids.set(j.ids, offset);
          offset += j.ids.length;
        }
      }
      const r = await pool().run(w, {
        variant: head.variant,
        ids,
        batch,
        length: head.length,
        k: head.k,
        inputName: o.inputName,
        maskName: o.maskName,
        outputName: o.outputName,
      });
      if (r.error) throw new InferenceError('INFERENCE_RUN_FAILED', `inference failed on ${o.provider()}: ${r.error}`);
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

  return {
    /** Queues rows of token ids for a variant; resolves to their share of a batched run. */
    submit(
      variant: string,
      k: number,
      tokens: { ids: Int32Array; batch: number; length: number },
      signal?: AbortSignal,
    ): Promise<RawResult> {
      if (signal?.aborted) return Promise.reject(abortError());
      return new Promise<RawResult>((resolve, reject) => {
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
          length: tokens.length,
          batch: tokens.batch,
          ids: tokens.ids,
          resolve: settle(resolve),
          reject: settle(reject),
          ...(signal ? { signal } : {}),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(job);
        pump();
      });
    },
    pump,
    /** Fails every queued request (the adapter closed, or no worker is left). */
    rejectQueued(e: Error): void {
      for (const j of queue.splice(0)) j.reject(e);
    },
    stats: () => ({ runs, rows, queued: queue.length }),
  };
}

export type Batcher = ReturnType<typeof createBatcher>;
