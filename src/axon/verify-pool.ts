/**
 * sr25519 verification in worker threads, batched: the event loop only hashes and routes, and the signature math
 * runs on the other cores. Each worker loads @polkadot/wasm-crypto itself.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { publicKeyOf } from '../keys/index.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const wasm = require(workerData.wasmPath);
wasm.waitReady().then(() => {
  parentPort.on('message', (batch) => {
    const out = new Uint8Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const [msg, sig, pk] = batch[i];
      try { out[i] = wasm.sr25519Verify(sig, msg, pk) ? 1 : 0; } catch { out[i] = 0; }
    }
    parentPort.postMessage(out);
  });
  parentPort.postMessage('ready');
});
`;

interface Job {
  msg: Uint8Array;
  sig: Uint8Array;
  pk: Uint8Array;
  resolve: (ok: boolean) => void;
}

/** A pool of verification workers. */
export interface VerifyPool {
  /** Verifies one sr25519 signature (`0x` hex) by an SS58 address; false for malformed input. */
  verify(message: string, signature: string, address: string): Promise<boolean>;
  /** Ends the workers. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Starts `size` verification workers.
 *
 * @example
 * ```ts
 * const pool = await createVerifyPool(1);
 * await pool.verify(message, signature, hotkey); // true / false
 * ```
 */
export async function createVerifyPool(size: number): Promise<VerifyPool> {
  const wasmPath = createRequire(import.meta.url).resolve('@polkadot/wasm-crypto');
  const workers = await Promise.all(
    Array.from({ length: Math.max(1, size) }, async () => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { wasmPath } });
      await new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
      });
      w.unref();
      return { w, inflight: [] as Job[][], pending: [] as Job[] };
    }),
  );
  for (const slot of workers) {
    slot.w.on('message', (out: Uint8Array) => {
      const batch = slot.inflight.shift();
      batch?.forEach((job, i) => {
        job.resolve(out[i] === 1);
      });
    });
    slot.w.on('error', () => {
      for (const batch of slot.inflight.splice(0)) for (const job of batch) job.resolve(false);
    });
  }
  const keys = new Map<string, Uint8Array>();
  let next = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (const slot of workers) {
      if (slot.pending.length === 0) continue;
      const batch = slot.pending.splice(0);
      slot.inflight.push(batch);
      slot.w.postMessage(batch.map((j) => [j.msg, j.sig, j.pk]));
    }
  };
  return {
    verify(message, signature, address) {
      if (!/^0x[0-9a-fA-F]{128}$/.test(signature)) return Promise.resolve(false);
      let pk = keys.get(address);
      if (!pk) {
        try {
          pk = publicKeyOf(address);
        } catch {
          return Promise.resolve(false);
        }
        if (keys.size > 10_000) keys.clear();
        keys.set(address, pk);
      }
      const sig = Buffer.from(signature.slice(2), 'hex');
      return new Promise((resolve) => {
        const slot = workers[next++ % workers.length]!;
        slot.pending.push({ msg: encoder.encode(message), sig, pk: pk!, resolve });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      await Promise.all(workers.map((s) => s.w.terminate()));
    },
  };
}
