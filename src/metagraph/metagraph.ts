/** The Metagraph value: typed arrays per uid, with Python bittensor's names and aliases. */
import { intToIp } from '../axon/index.js';
import { ss58Of, type NeuronColumns } from './decode.js';

/** An axon as the metagraph holds it: AxonInfo with the IP decoded and its keys. */
export interface AxonEndpoint {
  /** IPv4 or IPv6 text; `0.0.0.0` when never served. */
  ip: string;
  /** Port (0 when never served). */
  port: number;
  /** 4 or 6. */
  ipType: number;
  /** Protocol number. */
  protocol: number;
  /** Version. */
  version: number;
  /** Free byte (subnetkit capability bits). */
  placeholder1: number;
  /** Free byte. */
  placeholder2: number;
  /** Block of the last `serve_axon`. */
  block: number;
  /** Hotkey SS58. */
  hotkey: string;
  /** Coldkey SS58. */
  coldkey: string;
  /** Whether it has announced an endpoint. */
  isServing: boolean;
}

/** The per-uid stakes a sync takes from `SubnetState`, in rao. */
export interface SubnetStakes {
  /** Alpha stake per uid. */
  alphaStake: bigint[];
  /** TAO (root) stake per uid, unweighted. */
  taoStake: bigint[];
  /** Total stake per uid. */
  totalStake: bigint[];
}

/**
 * `ROOT_TAO_STAKE_WEIGHT`: Python scales `tao_stake` by 0.18 in the metagraph.
 *
 * @example
 * ```ts
 * const rawTaoStake = mg.TS[uid] / ROOT_TAO_STAKE_WEIGHT;
 * ```
 */
export const ROOT_TAO_STAKE_WEIGHT = 0.18;

/**
 * A subnet's state at one block. Arrays are indexed by uid. Python's dtypes: u16 scores as float32 in [0, 1],
 * balances in TAO as float64 (Python's float32 loses rao), full sync adds `weights` (row-normalised) and `bonds`
 * (raw u16) as flat row-major n×n Float32Arrays.
 */
export interface Metagraph {
  /** Subnet. */
  readonly netuid: number;
  /** Network (as given to the client). */
  readonly network: string;
  /** Block the sync read. */
  readonly block: number;
  /** Hash of that block. */
  readonly blockHash: string;
  /** Number of neurons. */
  readonly n: number;
  /** Whether weights and bonds were left out. */
  readonly lite: boolean;
  /** Uids. */
  readonly uids: Uint16Array;
  /** Hotkeys (SS58). */
  readonly hotkeys: string[];
  /** Coldkeys (SS58). */
  readonly coldkeys: string[];
  /** Axons. */
  readonly axons: AxonEndpoint[];
  /** 1 when active. */
  readonly active: Uint8Array;
  /** 1 when the uid holds a validator permit. */
  readonly validatorPermit: Uint8Array;
  /** Block of each uid's last weights (or commit). */
  readonly lastUpdate: Float64Array;
  /** Incentive in [0, 1]. */
  readonly incentive: Float32Array;
  /** Consensus in [0, 1]. */
  readonly consensus: Float32Array;
  /** Dividends in [0, 1]. */
  readonly dividends: Float32Array;
  /** Validator trust in [0, 1]. */
  readonly validatorTrust: Float32Array;
  /** Emission per epoch, in TAO (alpha). */
  readonly emission: Float64Array;
  /** Total stake (`SubnetState.total_stake`), in TAO. */
  readonly stake: Float64Array;
  /** Alpha stake, in TAO units. */
  readonly alphaStake: Float64Array;
  /** TAO stake × 0.18, as Python weights it. */
  readonly taoStake: Float64Array;
  /** Full sync: n×n weights, each row normalised to sum 1 (row-major); null when lite. */
  readonly weights: Float32Array | null;
  /** Full sync: n×n raw u16 bonds (row-major); null when lite. */
  readonly bonds: Float32Array | null;
  /** Alias of `stake`. */
  readonly S: Float64Array;
  /** Alias of `alphaStake`. */
  readonly AS: Float64Array;
  /** Alias of `taoStake`. */
  readonly TS: Float64Array;
  /** Alias of `incentive`. */
  readonly I: Float32Array;
  /** Alias of `emission`. */
  readonly E: Float64Array;
  /** Alias of `consensus`. */
  readonly C: Float32Array;
  /** Alias of `validatorTrust`. */
  readonly Tv: Float32Array;
  /** Alias of `dividends`. */
  readonly D: Float32Array;
  /** Alias of `weights`. */
  readonly W: Float32Array | null;
  /** Alias of `bonds`. */
  readonly B: Float32Array | null;
  /** The uid of a hotkey, or undefined. */
  uidOf(hotkey: string): number | undefined;
}

/** The data fields of a {@link Metagraph} (what save/load carry). */
export type MetagraphData = Omit<Metagraph, 'S' | 'AS' | 'TS' | 'I' | 'E' | 'C' | 'Tv' | 'D' | 'W' | 'B' | 'uidOf'>;

const ALIASES: [string, keyof MetagraphData][] = [
  ['S', 'stake'],
  ['AS', 'alphaStake'],
  ['TS', 'taoStake'],
  ['I', 'incentive'],
  ['E', 'emission'],
  ['C', 'consensus'],
  ['Tv', 'validatorTrust'],
  ['D', 'dividends'],
  ['W', 'weights'],
  ['B', 'bonds'],
];

/** Adds the aliases (non-enumerable) and `uidOf` to metagraph data. */
export function withAliases(data: MetagraphData): Metagraph {
  const m = data as Metagraph;
  let index: Map<string, number> | null = null;
  for (const [alias, field] of ALIASES) Object.defineProperty(m, alias, { get: () => m[field], enumerable: false });
  Object.defineProperty(m, 'uidOf', {
    enumerable: false,
    value(hotkey: string) {
      index ??= new Map(m.hotkeys.map((h, i) => [h, m.uids[i]!]));
      return index.get(hotkey);
    },
  });
  return m;
}

const U16 = 65535;
const RAO = 1e9;

function scaled(a: Uint16Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! / U16;
  return out;
}

function tao(a: ArrayLike<bigint>, factor = 1): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (Number(a[i]!) / RAO) * factor;
  return out;
}

/** An axon from the decoded columns, reusing `previous` when nothing changed (incremental resync). */
function axonAt(
  c: NeuronColumns,
  i: number,
  hotkey: string,
  coldkey: string,
  previous: AxonEndpoint | undefined,
): AxonEndpoint {
  const ip = c.axonIp[i]!;
  const ipType = c.axonIpType[i]!;
  const ipText = ip === 0n ? (ipType === 6 ? '::' : '0.0.0.0') : intToIp(ip);
  const p = previous;
  if (
    p &&
    p.hotkey === hotkey &&
    p.coldkey === coldkey &&
    p.ip === ipText &&
    p.port === c.axonPort[i] &&
    p.ipType === ipType &&
    p.protocol === c.axonProtocol[i] &&
    p.version === c.axonVersion[i] &&
    p.block === c.axonBlock[i] &&
    p.placeholder1 === c.axonPlaceholder1[i] &&
    p.placeholder2 === c.axonPlaceholder2[i]
  ) {
    return p;
  }
  return {
    ip: ipText,
    port: c.axonPort[i]!,
    ipType,
    protocol: c.axonProtocol[i]!,
    version: c.axonVersion[i]!,
    placeholder1: c.axonPlaceholder1[i]!,
    placeholder2: c.axonPlaceholder2[i]!,
    block: c.axonBlock[i]!,
    hotkey,
    coldkey,
    isServing: ip !== 0n,
  };
}

/** Builds the dense matrices of a full sync: weights row-normalised, bonds raw. */
function matrices(c: NeuronColumns): { weights: Float32Array; bonds: Float32Array } {
  const n = c.n;
  const weights = new Float32Array(n * n);
  const bonds = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = c.uids[i]!;
    const w = c.weights![i]!;
    let sum = 0;
    for (let k = 1; k < w.length; k += 2) sum += w[k]!;
    for (let k = 0; k < w.length; k += 2) if (w[k]! < n && sum > 0) weights[row * n + w[k]!] = w[k + 1]! / sum;
    const b = c.bonds![i]!;
    for (let k = 0; k < b.length; k += 2) if (b[k]! < n) bonds[row * n + b[k]!] = b[k + 1]!;
  }
  return { weights, bonds };
}

/** Assembles a metagraph from decoded neurons and subnet stakes; `previous` lends unchanged strings and axons. */
export function buildMetagraph(
  c: NeuronColumns,
  stakes: SubnetStakes | null,
  at: { netuid: number; network: string; block: number; blockHash: string; lite: boolean },
  previous?: Metagraph | null,
): Metagraph {
  const hotkeys = new Array<string>(c.n);
  const coldkeys = new Array<string>(c.n);
  const axons = new Array<AxonEndpoint>(c.n);
  for (let i = 0; i < c.n; i++) {
    hotkeys[i] = ss58Of(c.hotkeys[i]!);
    coldkeys[i] = ss58Of(c.coldkeys[i]!);
    axons[i] = axonAt(c, i, hotkeys[i]!, coldkeys[i]!, previous?.axons[c.uids[i]!]);
  }
  const pick = (key: keyof SubnetStakes) =>
    stakes && stakes[key].length === c.n ? stakes[key] : Array.from(c.stakeRao);
  const full = at.lite ? null : matrices(c);
  return withAliases({
    ...at,
    n: c.n,
    uids: c.uids,
    hotkeys,
    coldkeys,
    axons,
    active: c.active,
    validatorPermit: c.validatorPermit,
    lastUpdate: c.lastUpdate,
    incentive: scaled(c.incentive),
    consensus: scaled(c.consensus),
    dividends: scaled(c.dividends),
    validatorTrust: scaled(c.validatorTrust),
    emission: tao(c.emissionRao),
    stake: tao(pick('totalStake')),
    alphaStake: tao(pick('alphaStake')),
    taoStake: tao(
      stakes && stakes.taoStake.length === c.n ? stakes.taoStake : new Array<bigint>(c.n).fill(0n),
      ROOT_TAO_STAKE_WEIGHT,
    ),
    weights: full?.weights ?? null,
    bonds: full?.bonds ?? null,
  });
}
