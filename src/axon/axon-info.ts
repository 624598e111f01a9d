/**
 * The axon terminal info a handler sees, filled as Python's preprocess does: version, uuid, a nanosecond nonce,
 * status 100 and the axon's signature over `{nonce}.{dendrite hotkey}.{axon hotkey}.{uuid}`.
 */
import { type Keypair, sign } from '../keys/index.js';
import type { Synapse } from '../synapse/index.js';
import { axonSigningMessage } from '../wire/index.js';

const PREPROCESS_FIELDS = ['version', 'uuid', 'nonce', 'signature'] as const;

/**
 * Fills `synapse.axon` for the blacklist, priority and handler to see. The signature is made only if something reads
 * it. Returns the function that puts the fields back as they came, since Python's reply (built from the body) does
 * not carry them.
 */
export function preprocessAxonInfo(
  synapse: Synapse,
  axon: { keypair: Keypair; uuid: string; version: number },
): () => void {
  const a = synapse.axon;
  const before = PREPROCESS_FIELDS.map((k) => a[k]);
  const nonce = BigInt(Date.now()) * 1_000_000n;
  const hotkey = axon.keypair.ss58Address;
  a.version = axon.version;
  a.uuid = axon.uuid;
  a.nonce = nonce;
  a.status_code = 100;
  let signature: string | null | undefined;
  Object.defineProperty(a, 'signature', {
    configurable: true,
    enumerable: true,
    get: () =>
      (signature ??= sign(axon.keypair, axonSigningMessage(nonce, synapse.dendrite.hotkey, hotkey, axon.uuid))),
    set: (v: string | null) => {
      signature = v;
    },
  });
  return () => {
    Object.defineProperty(a, 'signature', { value: null, writable: true, enumerable: true, configurable: true });
    PREPROCESS_FIELDS.forEach((k, i) => {
      (a as unknown as Record<string, unknown>)[k] = before[i];
    });
    if (a.status_code === 100) a.status_code = null;
  };
}
