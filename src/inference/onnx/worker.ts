/**
 * An ONNX worker thread: it loads onnxruntime-node from the path the parent resolved, owns the sessions of one
 * thread, and answers `load` and `run` messages (worker-protocol.ts). `run()` of onnxruntime-node blocks the thread it
 * is called on; here that is this worker, never the event loop. Built as its own entry (dist/inference/onnx-worker.js).
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadRequest, RunRequest, WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.js';

/** The part of onnxruntime-node's API this worker uses. */
interface OrtTensor {
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>, outputs: string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(bytes: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: BigInt64Array, dims: number[]) => unknown;
}

const setup = workerData as WorkerSetup;
const ort = createRequire(import.meta.url)(setup.ortPath) as Ort;
const sessions = new Map<string, OrtSession>();
let provider = setup.provider;
const port = parentPort!;

/** Always into a plain ArrayBuffer: onnxruntime-node rejects views of a SharedArrayBuffer. */
function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const messageOf = (e: unknown) => String((e as Error)?.message ?? e).slice(0, 2000);

function open(bytes: Uint8Array, ep: string): Promise<OrtSession> {
  const options: Record<string, unknown> = {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
  if (setup.intraOpThreads) options.intraOpNumThreads = setup.intraOpThreads;
  return ort.InferenceSession.create(bytes, options);
}

async function load(msg: LoadRequest): Promise<Omit<WorkerReply, 'id'>> {
  const bytes = concat(msg.parts);
  if (provider) {
    sessions.set(msg.variant, await open(bytes, provider));
    return { provider, attempts: [] };
  }
  const attempts: NonNullable<WorkerReply['attempts']> = [];
  for (const ep of setup.providers) {
    try {
      const s = await open(bytes, ep);
      sessions.set(msg.variant, s);
      provider = ep;
      attempts.push({ provider: ep, ok: true });
      return { provider, attempts, inputNames: s.inputNames, outputNames: s.outputNames };
    } catch (e) {
      attempts.push({ provider: ep, ok: false, message: messageOf(e) });
    }
  }
  return { error: 'no execution provider could start', attempts };
}

type Answer = Omit<WorkerReply, 'id'> & { transfer?: ArrayBuffer[] };

async function run(msg: RunRequest): Promise<Answer> {
  const s = sessions.get(msg.variant);
  if (!s) return { error: `variant ${msg.variant} is not loaded` };
  const n = msg.ids.length;
  const ids = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ids[i] = BigInt(msg.ids[i]!);
  const shape = [msg.batch, msg.length];
  const feeds: Record<string, unknown> = { [msg.inputName]: new ort.Tensor('int64', ids, shape) };
  if (msg.maskName) feeds[msg.maskName] = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), shape);
  if (msg.k) {
    feeds.subnetkit_topk_k = new ort.Tensor('int64', BigInt64Array.from([BigInt(msg.k)]), [1]);
    const out = await s.run(feeds, ['subnetkit_topk_values', 'subnetkit_topk_indices']);
    const v = out.subnetkit_topk_values!;
    const idx = out.subnetkit_topk_indices!.data as BigInt64Array;
    const values = new Float32Array(v.data as Float32Array);
    const idOut = new Int32Array(idx.length);
    for (let i = 0; i < idx.length; i++) idOut[i] = Number(idx[i]);
    return { dims: [...v.dims], values, ids: idOut, transfer: [values.buffer, idOut.buffer] };
  }
  const t = out1(await s.run(feeds, [msg.outputName]), msg.outputName);
  const raw = t.data as Float32Array;
  // Transfer the buffer when the tensor owns all of it; else copy the view into a buffer of its own.
  const data = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : new Float32Array(raw);
  return { dims: [...t.dims], values: data, transfer: [data.buffer as ArrayBuffer] };
}

function out1(outputs: Record<string, OrtTensor>, name: string): OrtTensor {
  const t = outputs[name];
  if (!t) throw new Error(`the model returned no ${name}`);
  return t;
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'close') {
    void Promise.all([...sessions.values()].map((s) => s.release().catch(() => undefined))).then(() => port.close());
    return;
  }
  const work: Promise<Answer> = msg.type === 'load' ? load(msg) : run(msg);
  work.then(
    ({ transfer, ...res }) => port.postMessage({ id: msg.id, ...res }, transfer ?? []),
    (e) => port.postMessage({ id: msg.id, error: messageOf(e) }),
  );
});
