/**
 * sr25519 verification in worker threads, batched: the event loop only hashes and routes, and the signature math
 * runs on the other cores. The workers are the process's, shared with its other axons and dendrites (see
 * src/internal/sr25519-workers.ts).
 */
import { acquireSr25519Workers } from '../internal/sr25519-workers.js';
import { publicKeyOf } from '../keys/index.js';

/** A pool of verification workers. */
export interface VerifyPool {
  /** Verifies one sr25519 signature (`0x` hex) by an SS58 address; false for malformed input. */
  verify(message: string, signature: string, address: string): Promise<boolean>;
  /** Ends the workers. */
  close(): Promise<void>;
}

/**
 * Verification on the process's sr25519 workers, starting them (or adding some, to reach `size`) if needed;
 * `close` gives this pool's share back, and the last one closed ends them.
 *
 * @example
 * ```ts
 * const pool = await createVerifyPool(1);
 * await pool.verify(message, signature, hotkey); // true / false
 * ```
 */
export async function createVerifyPool(size: number): Promise<VerifyPool> {
  const workers = await acquireSr25519Workers(size);
  return {
    verify(message, signature, address) {
      if (signature.length !== 130 || !signature.startsWith('0x')) return Promise.resolve(false);
      let pk: Uint8Array;
      try {
        pk = publicKeyOf(address);
      } catch {
        return Promise.resolve(false);
      }
      return workers.verify(message, signature.slice(2), pk);
    },
    close: () => workers.release(),
  };
}
