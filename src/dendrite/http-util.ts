/** Small HTTP helpers of the dendrite: target validation, capped body reads, header records. */
import { isIP } from 'node:net';
import { DendriteError } from './errors.js';
import type { AxonTarget } from './types.js';

export class TooLarge extends Error {}

// Targets are usually the same objects call after call (a metagraph's axons): their validated origin is kept, and
// used again only while ip, port and hotkey are unchanged.
const origins = new WeakMap<AxonTarget, { ip: string; port: number; hotkey: string; origin: string }>();

export function origin(t: AxonTarget): string {
  const known = t && typeof t === 'object' ? origins.get(t) : undefined;
  if (known && known.ip === t.ip && known.port === t.port && known.hotkey === t.hotkey) return known.origin;
  const family =
    t && typeof t.ip === 'string' && Number.isInteger(t.port) && t.port > 0 && t.port <= 65535 ? isIP(t.ip) : 0;
  if (!t || family === 0 || typeof t.hotkey !== 'string' || !t.hotkey) {
    throw new DendriteError(
      'DENDRITE_INVALID_TARGET',
      `axon target needs an IP address, a port and a hotkey, got ${JSON.stringify(t)}`,
    );
  }
  const o = family === 6 ? `http://[${t.ip}]:${t.port}` : `http://${t.ip}:${t.port}`;
  origins.set(t, { ip: t.ip, port: t.port, hotkey: t.hotkey, origin: o });
  return o;
}

export async function* capped(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > max) throw new TooLarge(`response exceeds ${max} bytes`);
    yield chunk;
  }
}

/** The body as text, refused past `max` bytes while reading (no generator in between: most replies are one chunk). */
export async function readCapped(body: AsyncIterable<Uint8Array>, max: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > max) throw new TooLarge(`response exceeds ${max} bytes`);
    parts.push(chunk);
  }
  const one = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return Buffer.from(one.buffer, one.byteOffset, one.byteLength).toString('utf8');
}

/** Response headers as one string per name (undici already lowercases names; repeated ones are joined). */
export function headerRecord(h: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const k in h) {
    if (typeof h[k] !== 'string') {
      const out: Record<string, string> = {};
      for (const [name, v] of Object.entries(h))
        if (v !== undefined) out[name.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      return out;
    }
  }
  return h as Record<string, string>;
}
