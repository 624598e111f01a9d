/** Small HTTP helpers of the dendrite: target validation, capped body reads, header records. */
import { isIP } from 'node:net';
import { DendriteError } from './errors.js';
import type { AxonTarget } from './types.js';

export class TooLarge extends Error {}

export function origin(t: AxonTarget): string {
  if (
    !t ||
    typeof t.ip !== 'string' ||
    !isIP(t.ip) ||
    !Number.isInteger(t.port) ||
    t.port <= 0 ||
    t.port > 65535 ||
    typeof t.hotkey !== 'string' ||
    !t.hotkey
  ) {
    throw new DendriteError(
      'DENDRITE_INVALID_TARGET',
      `axon target needs an IP address, a port and a hotkey, got ${JSON.stringify(t)}`,
    );
  }
  return isIP(t.ip) === 6 ? `http://[${t.ip}]:${t.port}` : `http://${t.ip}:${t.port}`;
}

export async function* capped(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > max) throw new TooLarge(`response exceeds ${max} bytes`);
    yield chunk;
  }
}

export async function readCapped(body: AsyncIterable<Uint8Array>, max: number): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of capped(body, max)) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

export function headerRecord(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
