/** An optional deflate wrapper (fflate) with a hard cap on the inflated size, so a small bomb cannot exhaust memory. */
import { Deflate, Inflate } from 'fflate';
import { CodecError } from './errors.js';

/**
 * Raw-deflates bytes (level 1–9, default 6).
 *
 * @example
 * ```ts
 * const small = deflateBytes(encodeTopk(batch));
 * ```
 */
export function deflateBytes(
  bytes: Uint8Array,
  options: { level?: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 } = {},
): Uint8Array {
  const chunks: Uint8Array[] = [];
  const d = new Deflate({ level: options.level ?? 6 }, (chunk) => chunks.push(chunk));
  d.push(bytes, true);
  return concat(chunks);
}

/**
 * Inflates raw-deflate bytes, refusing output beyond `maxOutputBytes` (default 64 MiB).
 *
 * @throws {@link CodecError} `CODEC_MALFORMED` on corrupt input, `CODEC_TOO_LARGE` past the cap.
 * @example
 * ```ts
 * const bytes = inflateBytes(small, { maxOutputBytes: 1 << 20 });
 * ```
 */
export function inflateBytes(bytes: Uint8Array, options: { maxOutputBytes?: number } = {}): Uint8Array {
  const max = options.maxOutputBytes ?? 64 * 1024 * 1024;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inf = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > max) throw new CodecError('CODEC_TOO_LARGE', `inflated size exceeds ${max} bytes`);
    chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    // Feed in slices so the cap is checked as output grows, not after a whole-buffer inflate.
    const slice = 64 * 1024;
    for (let i = 0; i < bytes.length; i += slice) inf.push(bytes.subarray(i, i + slice), i + slice >= bytes.length);
    if (bytes.length === 0) inf.push(bytes, true);
  } catch (cause) {
    if (cause instanceof CodecError) throw cause;
    throw new CodecError('CODEC_MALFORMED', `corrupt deflate stream: ${(cause as Error).message}`, { cause });
  }
  if (!ended) throw new CodecError('CODEC_MALFORMED', 'deflate stream is truncated');
  return concat(chunks);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
