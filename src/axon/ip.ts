/**
 * IP addresses as the chain stores them in AxonInfo: IPv4 as its big-endian u32 value, IPv6 as its u128 value.
 * Decoding goes by magnitude (≤ 2^32−1 is IPv4), as Python bittensor's netaddr does, so IPv4-mapped IPv6 does not
 * round-trip.
 */
import { isIP } from 'node:net';
import { AxonError } from './errors.js';

const MAX_V4 = 0xffffffffn;
const MAX_V6 = (1n << 128n) - 1n;

function bad(msg: string): never {
  throw new AxonError('AXON_INVALID_IP', msg);
}

/**
 * The chain's integer for an IP address.
 *
 * @example
 * ```ts
 * ipToInt('255.255.255.255'); // 4294967295n
 * ipToInt('::1:0:0');         // 4294967296n
 * ```
 */
export function ipToInt(ip: string): bigint {
  const v = isIP(ip);
  if (v === 4) return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  if (v === 6) {
    let text = ip;
    // A trailing dotted quad (::ffff:1.2.3.4) becomes two hextets.
    const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (quad) {
      const n = ipToInt(quad[1]!);
      text = `${text.slice(0, -quad[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
    return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  }
  return bad(`${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
}

/**
 * The IP address of a chain integer: IPv4 up to 2^32−1, IPv6 above (compressed like netaddr).
 *
 * @throws {@link AxonError} `AXON_INVALID_IP` for negative values or values ≥ 2^128.
 * @example
 * ```ts
 * intToIp(0n);          // '0.0.0.0'
 * intToIp(4294967296n); // '::1:0:0'
 * ```
 */
export function intToIp(value: bigint | number): string {
  const v = typeof value === 'bigint' ? value : BigInt(value);
  if (v < 0n || v > MAX_V6) bad(`IP integer ${v} is outside [0, 2^128)`);
  if (v <= MAX_V4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  // Compress the longest run (length ≥ 2) of zero groups, leftmost on ties.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * 4 or 6 for an IP string, as AxonInfo's `ip_type`.
 *
 * @example
 * ```ts
 * ipVersion('::1'); // 6
 * ```
 */
export function ipVersion(ip: string): 4 | 6 {
  const v = isIP(ip);
  if (v === 0) bad(`${JSON.stringify(ip)} is not an IP address`);
  return v as 4 | 6;
}
