/**
 * Starting one ONNX worker thread. In the package the worker is the built `onnx-worker.js` beside the inference code;
 * when subnetkit itself runs from its TypeScript sources (its own tests), worker.ts is started through tsx.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InferenceError } from '../errors.js';
import type { WorkerSetup } from './worker-protocol.js';

/** Where the built worker can be, from the file this code was bundled into (an entry or a shared chunk of dist/). */
const BUILT_CANDIDATES = ['onnx-worker.js', 'inference/onnx-worker.js', '../inference/onnx-worker.js'];

function fromSource(here: string, setup: WorkerSetup): Worker {
  const source = pathToFileURL(join(dirname(here), 'worker.ts')).href;
  // tsx's ESM API sits beside its CommonJS one; the worker registers it, then imports the TypeScript worker.
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const boot = `import { register } from ${JSON.stringify(pathToFileURL(api).href)}; register(); await import(${JSON.stringify(source)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: setup });
}

export function startWorkerThread(setup: WorkerSetup): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return fromSource(here, setup);
  const script = BUILT_CANDIDATES.map((c) => join(dirname(here), c)).find((p) => existsSync(p));
  if (!script)
    throw new InferenceError(
      'INFERENCE_RUNTIME_MISSING',
      `the ONNX worker script (onnx-worker.js) is missing beside ${here}: reinstall subnetkit`,
    );
  return new Worker(script, { workerData: setup });
}
