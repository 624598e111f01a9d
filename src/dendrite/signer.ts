/**
 * Signing the requests of the signed (Python-compatible) path. A lone call signs inline, so its latency pays no hop
 * to another thread. Once calls overlap (a fan-out, a loaded client), signatures go to a signing worker in batches,
 * and the event loop keeps sending and reading while the curve math runs on another core.
 */
import { availableParallelism } from 'node:os';
import { type Sr25519Workers, acquireSr25519Workers } from '../internal/sr25519-workers.js';
import { type Keypair, sign } from '../keys/index.js';

/** Signs request messages for one hotkey. */
export interface RequestSigner {
  /** The `0x` hex signature of `message`; `overlapping` says other signed calls are in flight. */
  sign(message: string, overlapping: boolean): string | Promise<string>;
  /** Ends the signing worker, if one was started. */
  close(): Promise<void>;
}

/** Default signing workers (shared with the process's axons): one when there is a core to spare. */
export function defaultSignWorkers(): number {
  return availableParallelism() > 1 ? 1 : 0;
}

export function createRequestSigner(keypair: Keypair, workerCount: number): RequestSigner {
  const keys = { publicKey: keypair.publicKey, secretKey: keypair.secretKey! };
  let workers: Sr25519Workers | null = null;
  let starting: Promise<unknown> | null = null;
  let closed = false;
  const start = () => {
    starting = acquireSr25519Workers(workerCount).then(
      (w) => {
        if (closed) void w.release();
        else workers = w;
      },
      () => undefined, // no worker (a sandbox without threads, say): every signature stays inline
    );
  };
  return {
    sign(message, overlapping) {
      if (overlapping && workers)
        return workers
          .sign(keys, message)
          .then((sig) => `0x${Buffer.from(sig.buffer, sig.byteOffset, 64).toString('hex')}`);
      if (overlapping && !starting && workerCount > 0 && !closed) start();
      return sign(keypair, message);
    },
    async close() {
      closed = true;
      await starting;
      await workers?.release();
      workers = null;
    },
  };
}
