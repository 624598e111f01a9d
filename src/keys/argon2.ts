/**
 * btwallet's keyfile key derivation: Argon2i v1.3, ops 8, 512 MiB, one lane, a fixed salt, 32 bytes. It costs about
 * ten seconds by design, so it runs in a worker thread and never blocks the event loop.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { KeysError } from './errors.js';

/**
 * btwallet's fixed NaCl salt (`b"\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1"`).
 *
 * @example
 * ```ts
 * NACL_SALT.length; // 16
 * ```
 */
export const NACL_SALT = new Uint8Array([
  0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
]);

// Runs as an eval'd CommonJS worker: it loads hash-wasm from the path the parent resolved.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { argon2i } = require(workerData.hashWasm);
argon2i({
  password: workerData.password,
  salt: workerData.salt,
  iterations: 8,
  parallelism: 1,
  memorySize: 524288,
  hashLength: 32,
  outputType: 'binary',
}).then((key) => parentPort.postMessage({ key }), (err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;

let hashWasmPath: string | undefined;

/**
 * Derives the 32-byte secretbox key for a keyfile password, in a worker thread (≈10 s, 512 MiB).
 *
 * @example
 * ```ts
 * const key = await deriveKeyfileKey('bittensor-test-password');
 * // reuse it for several keyfiles: decryptKeyfileData(data, { key })
 * ```
 */
export async function deriveKeyfileKey(password: string): Promise<Uint8Array> {
  if (typeof password !== 'string' || password.length === 0)
    throw new KeysError('KEYFILE_NEEDS_PASSWORD', 'a non-empty password is required');
  hashWasmPath ??= createRequire(import.meta.url).resolve('hash-wasm');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { hashWasm: hashWasmPath, password: new TextEncoder().encode(password), salt: NACL_SALT },
  });
  try {
    const result = await new Promise<{ key?: Uint8Array; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`argon2 worker exited with code ${code}`)));
    });
    if (!result.key) throw new Error(result.error ?? 'no key');
    return new Uint8Array(result.key);
  } catch (cause) {
    throw new KeysError('KEYFILE_CORRUPT', `key derivation failed: ${(cause as Error).message}`, { cause });
  } finally {
    void worker.terminate();
  }
}
