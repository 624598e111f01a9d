/**
 * A compact binary form of a metagraph, for caches a validator reloads on restart: a JSON header (identity and
 * axons), then every column as raw little-endian typed-array bytes, then a BLAKE2b-64 checksum of all of it. A
 * 256-uid lite metagraph is about 30 KB, a full one adds 2·n²·4 bytes.
 */
import { u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { publicKeyOf } from '../keys/index.js';
import { ss58Of } from './decode.js';
import { MetagraphError } from './errors.js';
import { withAliases, type AxonEndpoint, type Metagraph, type MetagraphData } from './metagraph.js';

const MAGIC = [0x53, 0x4e, 0x4b, 0x4d, 0x47, 0x01]; // "SNKMG" v1

type Column =
  | 'uids'
  | 'active'
  | 'validatorPermit'
  | 'lastUpdate'
  | 'incentive'
  | 'consensus'
  | 'dividends'
  | 'validatorTrust'
  | 'emission'
  | 'stake'
  | 'alphaStake'
  | 'taoStake';
const COLUMNS: [Column, new (n: number) => ArrayBufferView & ArrayLike<number>][] = [
  ['uids', Uint16Array],
  ['active', Uint8Array],
  ['validatorPermit', Uint8Array],
  ['lastUpdate', Float64Array],
  ['incentive', Float32Array],
  ['consensus', Float32Array],
  ['dividends', Float32Array],
  ['validatorTrust', Float32Array],
  ['emission', Float64Array],
  ['stake', Float64Array],
  ['alphaStake', Float64Array],
  ['taoStake', Float64Array],
];

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Serialises a metagraph to bytes ({@link loadMetagraph} reads them back).
 *
 * @example
 * ```ts
 * await writeFile('mg-1.bin', saveMetagraph(mg));
 * ```
 */
export function saveMetagraph(m: Metagraph): Uint8Array {
  const axons = m.axons.map(({ hotkey: _h, coldkey: _c, ...rest }) => rest);
  const header = new TextEncoder().encode(
    JSON.stringify({
      netuid: m.netuid,
      network: m.network,
      block: m.block,
      blockHash: m.blockHash,
      n: m.n,
      lite: m.lite,
      axons,
    }),
  );
  const parts: Uint8Array[] = [Uint8Array.from(MAGIC), new Uint8Array(new Uint32Array([header.length]).buffer), header];
  for (const k of [m.hotkeys, m.coldkeys]) for (const a of k) parts.push(publicKeyOf(a));
  for (const [name] of COLUMNS) parts.push(bytesOf(m[name]));
  if (!m.lite) parts.push(bytesOf(m.weights!), bytesOf(m.bonds!));
  const body = u8aConcat(...parts);
  return u8aConcat(body, blake2AsU8a(body, 64));
}

function bad(why: string): never {
  throw new MetagraphError('METAGRAPH_BAD_FILE', `not a saved metagraph: ${why}`);
}

/**
 * Reads bytes written by {@link saveMetagraph}; throws `METAGRAPH_BAD_FILE` for anything truncated, altered or of
 * another format.
 *
 * @example
 * ```ts
 * const mg = loadMetagraph(await readFile('mg-1.bin'));
 * ```
 */
export function loadMetagraph(bytes: Uint8Array): Metagraph {
  if (!(bytes instanceof Uint8Array)) bad('expected bytes');
  if (bytes.length < MAGIC.length + 12 || MAGIC.some((b, i) => bytes[i] !== b)) bad('wrong magic');
  const body = bytes.subarray(0, bytes.length - 8);
  const sum = blake2AsU8a(body, 64);
  if (sum.some((b, i) => bytes[body.length + i] !== b)) bad('checksum mismatch');
  let pos = MAGIC.length;
  const take = (k: number) => {
    if (pos + k > body.length) bad('truncated');
    const s = body.slice(pos, pos + k); // a copy: aligned for the typed array views below
    pos += k;
    return s;
  };
  const hlen = new DataView(take(4).buffer).getUint32(0, true);
  let header: {
    netuid: number;
    network: string;
    block: number;
    blockHash: string;
    n: number;
    lite: boolean;
    axons: Omit<AxonEndpoint, 'hotkey' | 'coldkey'>[];
  };
  try {
    header = JSON.parse(new TextDecoder().decode(take(hlen)));
  } catch {
    return bad('header is not JSON');
  }
  const n = header.n;
  if (!Number.isInteger(n) || n < 0 || n > 65536 || !Array.isArray(header.axons) || header.axons.length !== n)
    bad('inconsistent header');
  const keys = () => Array.from({ length: n }, () => ss58Of(take(32)));
  const hotkeys = keys();
  const coldkeys = keys();
  const cols = {} as Record<Column, ArrayLike<number>>;
  for (const [name, Ctor] of COLUMNS) {
    const probe = new Ctor(0) as unknown as { BYTES_PER_ELEMENT: number };
    cols[name] = new (Ctor as unknown as new (b: ArrayBufferLike) => ArrayLike<number>)(
      take(n * probe.BYTES_PER_ELEMENT).buffer,
    );
  }
  const matrix = () => new Float32Array(take(n * n * 4).buffer);
  const weights = header.lite ? null : matrix();
  const bonds = header.lite ? null : matrix();
  if (pos !== body.length) bad(`${body.length - pos} unexpected bytes`);
  const data = {
    netuid: header.netuid,
    network: header.network,
    block: header.block,
    blockHash: header.blockHash,
    n,
    lite: header.lite,
    hotkeys,
    coldkeys,
    axons: header.axons.map((a, i) => ({ ...a, hotkey: hotkeys[i]!, coldkey: coldkeys[i]! })),
    ...cols,
    weights,
    bonds,
  } as unknown as MetagraphData;
  return withAliases(data);
}
