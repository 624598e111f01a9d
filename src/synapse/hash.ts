/** The digest bittensor hashes bodies with. */
import * as nodeCrypto from 'node:crypto';

// The one-shot `crypto.hash` (Node 20.12+) skips building a Hash object: about a microsecond less per digest, and
// every request hashes its body at both ends.
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/**
 * SHA3-256 hex digest of a UTF-8 string (bittensor's `get_hash`).
 *
 * @example
 * ```ts
 * sha3Hex(''); // 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'
 * ```
 */
export function sha3Hex(text: string): string {
  if (oneShot) return oneShot('sha3-256', text, 'hex');
  return nodeCrypto.createHash('sha3-256').update(text, 'utf8').digest('hex');
}
