/** The messages between the ONNX worker pool and its worker threads (worker.ts). */

/** One execution provider the worker tried, and why it did not start when it did not. */
export interface ProviderAttempt {
  /** Provider name. */
  provider: string;
  /** Whether a session started on it. */
  ok: boolean;
  /** The runtime's error when it did not. */
  message?: string;
}

/** What a worker is started with. */
export interface WorkerSetup {
  /** The resolved path of onnxruntime-node (the parent resolves it, so the worker loads the same copy). */
  ortPath: string;
  /** Providers to try in order, when `provider` is not fixed yet. */
  providers: readonly string[];
  /** The provider the first worker found; later workers start on it directly. */
  provider: string | null;
  /** Threads per session (CPU). */
  intraOpThreads: number;
}

/** Loads a graph variant (the model as it is, or with a top-k head) from its serialized parts. */
export interface LoadRequest {
  type: 'load';
  id: number;
  variant: string;
  parts: Uint8Array[];
}

/** Runs a variant on a batch of token ids; with `k`, the graph's top-k outputs are read. */
export interface RunRequest {
  type: 'run';
  id: number;
  variant: string;
  ids: Int32Array;
  batch: number;
  length: number;
  k: number;
  inputName: string;
  maskName: string | undefined;
  outputName: string;
}

export type WorkerRequest = LoadRequest | RunRequest | { type: 'close' };

/** A worker's answer to a load or a run (`error` set when it failed). */
export interface WorkerReply {
  id: number;
  error?: string;
  provider?: string;
  attempts?: ProviderAttempt[];
  inputNames?: readonly string[];
  outputNames?: readonly string[];
  dims?: number[];
  values?: Float32Array;
  ids?: Int32Array;
}
