/** The devnet chain's shared shapes: blocks, pooled transactions, decoded calls, and the pool's refusal. */
import type { DevnetNotice } from '../pallets/context.js';

/** A sealed block. */
export interface Block {
  number: number;
  hash: string;
  header: Record<string, unknown>;
  headerCodec: { toJSON(): unknown; hash: { toHex(): string } };
  extrinsics: string[];
  /** The state after this block; dropped for blocks more than 256 behind the best (like a pruning node). */
  state: Map<string, Uint8Array> | undefined;
}

/** A validated transaction waiting for a block. */
export interface PoolTx {
  hex: string;
  hash: string;
  signer: string;
  nonce: number;
  /** The fee charged before dispatch (the rule in fees.ts), and the tip. */
  fee: bigint;
  tip: bigint;
  /** The call, decoded when the block applies it. */
  call(): DecodedCall;
}

/** A call as dispatch sees it. */
export interface DecodedCall {
  section: string;
  method: string;
  args: readonly unknown[];
}

/** Substrate's invalid-transaction error, as author_submit* returns it. */
export class InvalidTransaction extends Error {
  constructor(
    readonly reason: string,
    readonly code = 1010,
  ) {
    super(reason);
  }
}

export interface ChainEvents {
  block: (b: Block) => void;
  notice: (n: DevnetNotice) => void;
}

/** Chain options of the devnet. */
export interface ChainOptions {
  /** Persist the chain in this folder (crash-safe) and resume from it when it holds a chain. */
  data?: string;
  /** Tempo of subnet 1 and of new subnets (default 10). */
  tempo?: number;
  /** Start subnets with commit-reveal on, as finney does (default false on the devnet: plain set_weights works). */
  commitReveal?: boolean;
  /** `WeightsSetRateLimit` of subnet 1 and of new subnets, in blocks (default: finney's 100). */
  weightsRateLimit?: number;
  /** Let serve_axon accept 127.0.0.1 and ::1, which finney refuses (default true: local axons). */
  allowLoopback?: boolean;
  /**
   * Block production: `instant` (default) seals a block as soon as transactions arrive; `manual` seals only on
   * `newBlock()` / `dev_newBlock`; a number seals a block every that many milliseconds, empty or not.
   */
  sealing?: 'instant' | 'manual' | number;
}
