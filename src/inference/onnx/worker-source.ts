/**
 * The source of an ONNX worker thread, run as an eval'd CommonJS script so that it needs no file of its own in the
 * package: it loads onnxruntime-node from the path the parent resolved, owns the sessions of one thread, and answers
 * `load` and `run` messages. `run()` of onnxruntime-node blocks the thread it is called on; here that is this worker,
 * never the event loop.
 */
export const ONNX_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const sessions = new Map();
let provider = workerData.provider || null;

// Always into a plain ArrayBuffer: onnxruntime-node rejects views of a SharedArrayBuffer.
function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function message(e) { return String((e && e.message) || e).slice(0, 2000); }

function open(bytes, ep) {
  const options = { executionProviders: [ep], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  if (workerData.intraOpThreads) options.intraOpNumThreads = workerData.intraOpThreads;
  return ort.InferenceSession.create(bytes, options);
}

async function load(msg) {
  const bytes = concat(msg.parts);
  if (provider) {
    sessions.set(msg.variant, await open(bytes, provider));
    return { provider, attempts: [] };
  }
  const attempts = [];
  for (const ep of workerData.providers) {
    try {
      sessions.set(msg.variant, await open(bytes, ep));
      provider = ep;
      attempts.push({ provider: ep, ok: true });
      const s = sessions.get(msg.variant);
      return { provider, attempts, inputNames: s.inputNames, outputNames: s.outputNames };
    } catch (e) {
      attempts.push({ provider: ep, ok: false, message: message(e) });
    }
  }
  return { error: 'no execution provider could start', attempts };
}

async function run(msg) {
  const s = sessions.get(msg.variant);
  if (!s) return { error: 'variant ' + msg.variant + ' is not loaded' };
  const n = msg.ids.length;
  const ids = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ids[i] = BigInt(msg.ids[i]);
  const feeds = { [msg.inputName]: new ort.Tensor('int64', ids, [msg.batch, msg.length]) };
  if (msg.maskName) feeds[msg.maskName] = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [msg.batch, msg.length]);
  if (msg.k) {
    feeds.subnetkit_topk_k = new ort.Tensor('int64', BigInt64Array.from([BigInt(msg.k)]), [1]);
    const out = await s.run(feeds, ['subnetkit_topk_values', 'subnetkit_topk_indices']);
    const v = out.subnetkit_topk_values;
    const idx = out.subnetkit_topk_indices.data;
    const values = new Float32Array(v.data);
    const idOut = new Int32Array(idx.length);
    for (let i = 0; i < idx.length; i++) idOut[i] = Number(idx[i]);
    return { dims: v.dims, values, ids: idOut, transfer: [values.buffer, idOut.buffer] };
  }
  const out = await s.run(feeds, [msg.outputName]);
  const t = out[msg.outputName];
  const data = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength ? t.data : new Float32Array(t.data);
  return { dims: t.dims, values: data, transfer: [data.buffer] };
}

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    Promise.all([...sessions.values()].map((s) => s.release().catch(() => {}))).then(() => parentPort.close());
    return;
  }
  const work = msg.type === 'load' ? load(msg) : run(msg);
  work.then(
    (res) => {
      const transfer = res.transfer || [];
      delete res.transfer;
      parentPort.postMessage({ id: msg.id, ...res }, transfer);
    },
    (e) => parentPort.postMessage({ id: msg.id, error: message(e) }),
  );
});
`;
