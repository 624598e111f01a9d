/** Input and output types of the Yuma Consensus epoch. */

/**
 * Sparse rows in CSR form: row i holds `indices[indptr[i]..indptr[i+1]]` with the same slice of `values`. Rows keep
 * the order the chain stored them in (the chain does not sort them, and some steps depend on that order).
 */
export interface SparseRows {
  /** Row offsets, length n + 1. */
  indptr: ArrayLike<number>;
  /** Column (uid) of each cell. */
  indices: ArrayLike<number>;
  /** u16 value of each cell. */
  values: ArrayLike<number>;
}

/** Everything `epoch_mechanism` reads, for one subnet mechanism. Defaults are the chain's. */
export interface YumaInput {
  /** Number of uids (SubnetworkN). */
  n: number;
  /** The block the epoch runs at. */
  currentBlock: number;
  /** Subnet tempo in blocks. */
  tempo: number;
  /** Activity cutoff in blocks (see {@link activityCutoffBlocks}). */
  activityCutoff: number;
  /** LastUpdate per uid. */
  lastUpdate: ArrayLike<number>;
  /** BlockAtRegistration per uid. */
  blockAtRegistration: ArrayLike<number>;
  /** Stake weight per uid in rao (alpha + tao_weight·tao, as integers). */
  stake: ArrayLike<bigint> | ArrayLike<number>;
  /** Stake below this (rao) counts as 0, except the owner's (default 0). */
  stakeThreshold?: bigint;
  /** The previous ValidatorPermit vector (length n, or 0). */
  validatorPermit: ArrayLike<boolean | number>;
  /** MaxAllowedValidators (k of the top-k permits). */
  maxAllowedValidators: number;
  /** Uid of SubnetOwnerHotkey, when registered. */
  ownerUid?: number | null;
  /** Kappa as u16 (default 32767). */
  kappa?: number;
  /** BondsPenalty as u16 (default 65535). */
  bondsPenalty?: number;
  /** BondsMovingAverage (default 900000, α ≈ 0.1). */
  bondsMovingAverage?: number;
  /** Yuma3On (default false). */
  yuma3?: boolean;
  /** LiquidAlphaOn (default false). */
  liquidAlpha?: boolean;
  /** AlphaValues low/high as u16 (default 45875 / 58982). */
  alphaLow?: number;
  /** AlphaValues high as u16 (default 58982). */
  alphaHigh?: number;
  /** AlphaSigmoidSteepness (i16, default 1000). */
  alphaSigmoidSteepness?: number;
  /** When commit-reveal is on: per uid the earliest unexpired commit block (null when it has none). */
  commitBlocks?: ArrayLike<number | null> | null;
  /** The Weights rows (u16 values). */
  weights: SparseRows;
  /** The Bonds rows (u16 values as stored). */
  bonds: SparseRows;
  /** LastMechansimStepBlock (0 means "never": current − tempo is used). */
  lastMechanismStepBlock?: number;
  /** Rao to distribute at this epoch. */
  raoEmission: bigint;
}

/** The same outputs as reals in [0, 1], for inspection. */
export interface YumaReals {
  /** S: normalised stake. */
  stake: Float64Array;
  /** A: normalised active stake of permitted validators. */
  activeStake: Float64Array;
  /** C: consensus per uid. */
  consensus: Float64Array;
  /** I: incentive per uid. */
  incentive: Float64Array;
  /** D: dividends per uid. */
  dividends: Float64Array;
  /** VT: validator trust per uid. */
  validatorTrust: Float64Array;
}

/** What the epoch writes to storage and returns. */
export interface YumaOutput {
  /** Active per uid (1/0). */
  active: Uint8Array;
  /** The new permits (effective next epoch). */
  validatorPermit: Uint8Array;
  /** StakeWeight per uid (u16). */
  stakeWeight: Uint16Array;
  /** Consensus per uid (u16). */
  consensus: Uint16Array;
  /** Incentive per uid (u16). */
  incentive: Uint16Array;
  /** Dividends per uid (u16). */
  dividends: Uint16Array;
  /** ValidatorTrust per uid (u16). */
  validatorTrust: Uint16Array;
  /** Combined rao per uid (the `Emission` storage). */
  emission: BigUint64Array;
  /** Miner (incentive) rao per uid. */
  serverEmission: BigUint64Array;
  /** Validator (dividend) rao per uid. */
  validatorEmission: BigUint64Array;
  /** Bonds rows as stored (u16); empty rows for uids without a new permit. */
  bonds: SparseRows;
  /** The same quantities as reals, for inspection: S, A, C, I, D, VT. */
  real: YumaReals;
}
