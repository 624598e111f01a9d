/** The digest bittensor hashes bodies with. */
import { createHash } from 'node:crypto';

/**
 * SHA3-256 hex digest of a UTF-8 string (bittensor's `get_hash`).
 *
 * @example
 * ```ts
 * sha3Hex(''); // 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'
 * ```
 */
export function sha3Hex(text: string): string {
  return createHash('sha3-256').update(text, 'utf8').digest('hex');
}
