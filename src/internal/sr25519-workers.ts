/**
 * sr25519 signing and verification in worker threads, shared by every axon and dendrite of the process, batched:
 * every job queued while a worker is busy goes to it as one packed, transferred buffer when it answers.
 *
 * Why shared and batched: each postMessage costs the event loop 30–40 µs on a small VM (the wake-up of the other
 * thread), more than packing a hundred jobs. One pool per process keeps an axon's verifications and a dendrite's
 * signatures in the same batches, and 256 axons in one process on one or two workers instead of 256.
 *
 * A verification that finds every worker idle runs on the event loop instead, one per turn (see `idle`).
 *
 * Each worker loads @polkadot/wasm-crypto itself. A worker that dies takes no job with it: its jobs, and every later
 * one, run on the event loop instead (the same WASM, or pure JS until it is ready).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { signRaw, verifyRaw } from '../keys/crypto-backend.js';

// A batch, per job: u8 op (1 sign, 2 verify), u32 message length, the message, then for sign the u32 id of a key
// registered before, for verify 64 signature bytes and 32 public-key bytes.
// The reply: 64 bytes per job, a signature (all zero when signing failed) or, for verify, 1 or 0 in the first byte.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const wasm = require(workerData.wasmPath);
const keys = new Map();
wasm.waitReady().then(() => {
  parentPort.on('message', (m) => {
    if (m.op === 'key') { keys.set(m.id, m); return; }
    const { buf, n } = m;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const out = new Uint8Array(n * 64);
    let o = 0;
    for (let i = 0; i < n; i++) {
      const op = buf[o];
      const len = view.getUint32(o + 1);
      const msg = buf.subarray(o + 5, o + 5 + len);
      const at = o + 5 + len;
      o = at + (op === 1 ? 4 : 96); // the next job's offset, before anything here can throw
      try {
        if (op === 1) {
          const key = keys.get(view.getUint32(at));
          out.set(wasm.sr25519Sign(key.publicKey, key.secretKey, msg), i * 64);
        } else {
          out[i * 64] = wasm.sr25519Verify(buf.subarray(at, at + 64), msg, buf.subarray(at + 64, at + 96)) ? 1 : 0;
        }
      } catch {}
    }
    parentPort.postMessage(out, [out.buffer]);
  });
  parentPort.postMessage('ready');
});
`;

const SIGN = 1;
const VERIFY = 2;
/** Batches a worker may hold at once: two, so one is packed and posted while the other is worked on. */
const MAX_BATCHES_IN_FLIGHT = 2;
/**
 * Jobs per batch at most (a few milliseconds of curve math): a fan-out's 256 signatures come back 16 at a time, so
 * the first requests are on the wire while the rest are signed, instead of all of them waiting for the last.
 */
const MAX_JOBS_PER_BATCH = 16;

/** The public and secret key of a signing keypair (polkadot.js form). */
export interface SigningKeys {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

type Job =
  | { op: typeof SIGN; message: string; keyId: number; keys: SigningKeys; resolve: (sig: Uint8Array) => void }
  | {
      op: typeof VERIFY;
      message: string;
      /** The 64 signature bytes as hex, without `0x`. */
      signatureHex: string;
      publicKey: Uint8Array;
      resolve: (ok: boolean) => void;
    };

interface Slot {
  worker: Worker;
  /** Batches sent and not yet answered, oldest first (a worker answers in order). */
  inflight: Job[][];
  pending: Job[];
  dead: boolean;
}

/** Runs one job on the event loop: the fallback when no worker can take it. */
function runInline(job: Job): void {
  const msg = Buffer.from(job.message);
  if (job.op === SIGN) job.resolve(signRaw(job.keys.publicKey, job.keys.secretKey, msg));
  else job.resolve(verifyRaw(msg, Buffer.from(job.signatureHex, 'hex'), job.publicKey));
}

/** Packs a batch into one buffer of its own (transferable: never a slice of Node's shared pool). */
function pack(jobs: Job[]): Buffer {
  let size = 0;
  for (const j of jobs) size += 5 + Buffer.byteLength(j.message) + (j.op === SIGN ? 4 : 96);
  const buf = Buffer.allocUnsafeSlow(size);
  let o = 0;
  for (const j of jobs) {
    buf[o] = j.op;
    const len = buf.write(j.message, o + 5);
    buf.writeUInt32BE(len, o + 1);
    o += 5 + len;
    if (j.op === SIGN) {
      buf.writeUInt32BE(j.keyId, o);
      o += 4;
    } else {
      buf.write(j.signatureHex, o, 64, 'hex');
      buf.set(j.publicKey, o + 64);
      o += 96;
    }
  }
  return buf;
}

/** A handle on the process's sr25519 workers. */
export interface Sr25519Workers {
  /** True when a valid signature of `message` by `publicKey`; false for any malformed input. */
  verify(message: string, signatureHex: string, publicKey: Uint8Array): Promise<boolean>;
  /** The 64-byte signature of `message` with `keys`. */
  sign(keys: SigningKeys, message: string): Promise<Uint8Array>;
  /** Gives the handle back; the last one given back ends the workers. Later jobs on it run on the event loop. */
  release(): Promise<void>;
}

interface Shared {
  slots: Slot[];
  refs: number;
  /** Key ids by public key (the keypair's own array, so a signature costs no lookup by value), registered with
   * every worker on first use. */
  keyIds: WeakMap<Uint8Array, number>;
  registered: { id: number; publicKey: Uint8Array; secretKey: Uint8Array }[];
  scheduled: boolean;
  /** A verification ran on the event loop in this turn (see `idle`). */
  inlineThisTurn: boolean;
  /** Workers being added, one after another, so two acquirers at once do not both add them. */
  growing: Promise<void>;
}

let shared: Shared | null = null;
let wasmPath: string | undefined;

/** Posts the next batch of a worker's waiting jobs (at most MAX_JOBS_PER_BATCH of them). */
function send(slot: Slot): void {
  if (slot.dead || slot.pending.length === 0) return;
  const jobs = slot.pending.splice(0, MAX_JOBS_PER_BATCH);
  const buf = pack(jobs);
  slot.inflight.push(jobs);
  slot.worker.postMessage({ op: 'batch', buf, n: jobs.length }, [buf.buffer as ArrayBuffer]);
}

function retire(slot: Slot): void {
  if (slot.dead) return;
  slot.dead = true;
  for (const batch of slot.inflight.splice(0)) for (const job of batch) runInline(job);
  for (const job of slot.pending.splice(0)) runInline(job);
}

/** Starts one more worker and adds it to the pool, with every key registered so far. */
async function startSlot(pool: Shared): Promise<void> {
  wasmPath ??= createRequire(import.meta.url).resolve('@polkadot/wasm-crypto');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { wasmPath } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.unref();
  const slot: Slot = { worker, inflight: [], pending: [], dead: false };
  // Keys and the pool's list in the same turn: a key registered later is posted to this worker by keyIdOf.
  for (const key of pool.registered) worker.postMessage({ op: 'key', ...key });
  pool.slots.push(slot);
  worker.on('message', (out: Uint8Array) => {
    const batch = slot.inflight.shift();
    if (!batch) return;
    for (let i = 0; i < batch.length; i++) {
      const job = batch[i]!;
      if (job.op === VERIFY) job.resolve(out[i * 64] === 1);
      else {
        const sig = out.subarray(i * 64, i * 64 + 64);
        if (sig.some((b) => b !== 0)) job.resolve(sig);
        else runInline(job);
      }
    }
    while (slot.inflight.length < MAX_BATCHES_IN_FLIGHT && slot.pending.length > 0 && !slot.dead) send(slot);
  });
  worker.on('error', () => retire(slot));
  worker.on('exit', () => retire(slot));
}

function flush(pool: Shared): void {
  pool.scheduled = false;
  for (const slot of pool.slots)
    while (slot.inflight.length < MAX_BATCHES_IN_FLIGHT && slot.pending.length > 0 && !slot.dead) send(slot);
}

function enqueue(pool: Shared, job: Job): void {
  let slot: Slot | undefined;
  // The idlest live worker: fewest batches in flight, then fewest jobs waiting.
  for (const s of pool.slots) {
    if (s.dead) continue;
    if (!slot || s.inflight.length + s.pending.length < slot.inflight.length + slot.pending.length) slot = s;
  }
  if (!slot) {
    runInline(job);
    return;
  }
  slot.pending.push(job);
  if (!pool.scheduled) {
    pool.scheduled = true;
    setImmediate(flush, pool);
  }
}

/**
 * Nothing queued or in flight anywhere. A verification then runs on the event loop: waking an idle worker costs
 * more latency (0.6–0.8 ms here) than the verification itself, and under load the workers are busy, so checks go
 * to them. Measured: one call at a time went from 1.4–2.0 to 0.8–1.1 ms at p50; 32 at a time did not change.
 */
function idle(pool: Shared): boolean {
  return (
    !pool.inlineThisTurn &&
    !pool.scheduled &&
    pool.slots.every((s) => s.inflight.length === 0 && s.pending.length === 0)
  );
}

function keyIdOf(pool: Shared, keys: SigningKeys): number {
  let id = pool.keyIds.get(keys.publicKey);
  if (id === undefined) {
    id = pool.registered.length;
    const key = { id, publicKey: keys.publicKey, secretKey: keys.secretKey };
    pool.registered.push(key);
    pool.keyIds.set(keys.publicKey, id);
    for (const s of pool.slots) if (!s.dead) s.worker.postMessage({ op: 'key', ...key });
  }
  return id;
}

/**
 * A handle on the process's sr25519 workers, starting them on first use, or adding some to reach `size`.
 *
 * @example
 * ```ts
 * const workers = await acquireSr25519Workers(1);
 * const signature = await workers.sign(keypair as SigningKeys, 'hello');
 * await workers.release();
 * ```
 */
export async function acquireSr25519Workers(size: number): Promise<Sr25519Workers> {
  const pool: Shared = (shared ??= {
    slots: [],
    refs: 0,
    keyIds: new WeakMap(),
    registered: [],
    scheduled: false,
    inlineThisTurn: false,
    growing: Promise.resolve(),
  });
  pool.refs++;
  const grow = async () => {
    while (pool.slots.filter((s) => !s.dead).length < Math.max(1, size)) await startSlot(pool);
  };
  pool.growing = pool.growing.then(grow, grow);
  try {
    await pool.growing;
  } catch (e) {
    pool.refs--;
    throw e;
  }
  let released = false;
  return {
    verify(message, signatureHex, publicKey) {
      if (publicKey.length !== 32 || !/^[0-9a-fA-F]{128}$/.test(signatureHex)) return Promise.resolve(false);
      return new Promise((resolve) => {
        const job: Job = { op: VERIFY, message, signatureHex, publicKey, resolve };
        if (released) runInline(job);
        else if (idle(pool)) {
          // One per turn of the event loop: the rest of a burst goes to the workers.
          pool.inlineThisTurn = true;
          setImmediate(() => {
            pool.inlineThisTurn = false;
          });
          runInline(job);
        } else enqueue(pool, job);
      });
    },
    sign(keys, message) {
      return new Promise((resolve) => {
        const job: Job = { op: SIGN, message, keys, keyId: released ? -1 : keyIdOf(pool, keys), resolve };
        if (released) runInline(job);
        else enqueue(pool, job);
      });
    },
    async release() {
      if (released) return;
      released = true;
      if (--pool.refs > 0) return;
      if (shared === pool) shared = null;
      // Jobs still queued or in flight finish on the event loop.
      const slots = pool.slots.splice(0);
      for (const slot of slots) retire(slot);
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
