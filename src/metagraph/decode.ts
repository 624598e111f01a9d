/**
 * `Vec<NeuronInfoLite>` / `Vec<NeuronInfo>` straight from the runtime API's SCALE bytes into columns. Every metagraph
 * sync reads these, and going through the codec classes costs more than the network round trip at n = 256, so this
 * decoder walks the bytes once. Its layout is checked field by field against @polkadot/types decoding with the
 * finney metadata in the tests.
 */
import { encodeAddress } from '@polkadot/util-crypto';
import { MetagraphError } from './errors.js';

/** The columns of a neuron list, one entry per neuron in uid order of the answer. */
export interface NeuronColumns {
  n: number;
  hotkeys: Uint8Array[];
  coldkeys: Uint8Array[];
  uids: Uint16Array;
  active: Uint8Array;
  axonBlock: Float64Array;
  axonVersion: Uint32Array;
  axonIp: bigint[];
  axonPort: Uint16Array;
  axonIpType: Uint8Array;
  axonProtocol: Uint8Array;
  axonPlaceholder1: Uint8Array;
  axonPlaceholder2: Uint8Array;
  /** Sum of the per-coldkey stakes, in rao. */
  stakeRao: BigUint64Array;
  emissionRao: BigUint64Array;
  incentive: Uint16Array;
  consensus: Uint16Array;
  trust: Uint16Array;
  validatorTrust: Uint16Array;
  dividends: Uint16Array;
  rank: Uint16Array;
  lastUpdate: Float64Array;
  validatorPermit: Uint8Array;
  pruningScore: Uint16Array;
  /** Full neurons only: per neuron, flat [dest, value, dest, value, …]. */
  weights: Uint16Array[] | null;
  bonds: Uint16Array[] | null;
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  need(k: number): void {
    if (this.pos + k > this.b.length)
      throw new MetagraphError(
        'METAGRAPH_DECODE_FAILED',
        `neuron data ends early at byte ${this.pos} (needs ${k} more of ${this.b.length})`,
      );
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }
  bytes(k: number): Uint8Array {
    this.need(k);
    const out = this.b.subarray(this.pos, this.pos + k);
    this.pos += k;
    return out;
  }
  uintLE(k: number): bigint {
    this.need(k);
    let v = 0n;
    for (let i = k - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.b[this.pos + i]!);
    this.pos += k;
    return v;
  }
  u16(): number {
    this.need(2);
    const v = this.b[this.pos]! | (this.b[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.b;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }
  /** A compact as a JS number (values above 2^53 lose precision: use compactBig). */
  compact(): number {
    const first = this.u8();
    const mode = first & 3;
    if (mode === 0) return first >> 2;
    if (mode === 1) return ((first | (this.u8() << 8)) >>> 2) & 0x3fff;
    if (mode === 2) {
      this.pos--;
      return this.u32() >>> 2;
    }
    return Number(this.bigTail(first));
  }
  compactBig(): bigint {
    const first = this.b[this.pos];
    if (first === undefined) this.need(1);
    if ((first! & 3) !== 3) return BigInt(this.compact());
    this.pos++;
    return this.bigTail(first!);
  }
  bigTail(first: number): bigint {
    const len = (first >> 2) + 4;
    if (len > 16) throw new MetagraphError('METAGRAPH_DECODE_FAILED', `compact of ${len} bytes at byte ${this.pos}`);
    return this.uintLE(len);
  }
  bool(): number {
    const v = this.u8();
    if (v > 1) throw new MetagraphError('METAGRAPH_DECODE_FAILED', `bad bool ${v} at byte ${this.pos - 1}`);
    return v;
  }
}

function pairs(r: Reader): Uint16Array {
  const len = r.compact();
  if (len > 65536) throw new MetagraphError('METAGRAPH_DECODE_FAILED', `a weights row of ${len} entries`);
  const out = new Uint16Array(len * 2);
  for (let i = 0; i < len * 2; i++) out[i] = r.compact();
  return out;
}

/** Decodes `Vec<NeuronInfoLite>` (full = false) or `Vec<NeuronInfo>` (full = true) from `bytes`. */
export function decodeNeurons(bytes: Uint8Array, full: boolean): NeuronColumns {
  const r = new Reader(bytes);
  const n = r.compact();
  if (n > 65536 || n * 100 > bytes.length)
    throw new MetagraphError('METAGRAPH_DECODE_FAILED', `a neuron list claims ${n} neurons in ${bytes.length} bytes`);
  const c: NeuronColumns = {
    n,
    hotkeys: new Array(n),
    coldkeys: new Array(n),
    uids: new Uint16Array(n),
    active: new Uint8Array(n),
    axonBlock: new Float64Array(n),
    axonVersion: new Uint32Array(n),
    axonIp: new Array(n),
    axonPort: new Uint16Array(n),
    axonIpType: new Uint8Array(n),
    axonProtocol: new Uint8Array(n),
    axonPlaceholder1: new Uint8Array(n),
    axonPlaceholder2: new Uint8Array(n),
    stakeRao: new BigUint64Array(n),
    emissionRao: new BigUint64Array(n),
    incentive: new Uint16Array(n),
    consensus: new Uint16Array(n),
    trust: new Uint16Array(n),
    validatorTrust: new Uint16Array(n),
    dividends: new Uint16Array(n),
    rank: new Uint16Array(n),
    lastUpdate: new Float64Array(n),
    validatorPermit: new Uint8Array(n),
    pruningScore: new Uint16Array(n),
    weights: full ? new Array(n) : null,
    bonds: full ? new Array(n) : null,
  };
  for (let i = 0; i < n; i++) {
    c.hotkeys[i] = r.bytes(32);
    c.coldkeys[i] = r.bytes(32);
    c.uids[i] = r.compact();
    r.compact(); // netuid
    c.active[i] = r.bool();
    c.axonBlock[i] = Number(r.uintLE(8));
    c.axonVersion[i] = r.u32();
    c.axonIp[i] = r.uintLE(16);
    c.axonPort[i] = r.u16();
    c.axonIpType[i] = r.u8();
    c.axonProtocol[i] = r.u8();
    c.axonPlaceholder1[i] = r.u8();
    c.axonPlaceholder2[i] = r.u8();
    r.bytes(8 + 4 + 16 + 2 + 1); // prometheus_info
    const stakes = r.compact();
    let total = 0n;
    for (let k = 0; k < stakes; k++) {
      r.bytes(32);
      total += r.compactBig();
    }
    c.stakeRao[i] = total & 0xffffffffffffffffn;
    c.rank[i] = r.compact();
    c.emissionRao[i] = r.compactBig();
    c.incentive[i] = r.compact();
    c.consensus[i] = r.compact();
    c.trust[i] = r.compact();
    c.validatorTrust[i] = r.compact();
    c.dividends[i] = r.compact();
    c.lastUpdate[i] = Number(r.compactBig());
    c.validatorPermit[i] = r.bool();
    if (full) {
      c.weights![i] = pairs(r);
      c.bonds![i] = pairs(r);
    }
    c.pruningScore[i] = r.compact();
  }
  if (r.pos !== bytes.length)
    throw new MetagraphError('METAGRAPH_DECODE_FAILED', `${bytes.length - r.pos} bytes left after ${n} neurons`);
  return c;
}

const ss58Cache = new Map<string, string>();

/** SS58 (prefix 42) of a 32-byte public key, memoised: a metagraph re-encodes the same keys every sync. */
export function ss58Of(key: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < key.length; i++) hex += key[i]!.toString(16).padStart(2, '0');
  let s = ss58Cache.get(hex);
  if (s === undefined) {
    s = encodeAddress(key, 42);
    if (ss58Cache.size > 100_000) ss58Cache.clear();
    ss58Cache.set(hex, s);
  }
  return s;
}
