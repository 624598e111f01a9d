/**
 * What every dispatchable sees, and how it fails: the dispatch context and the module errors, in a file of their own
 * so that the pallets and the dispatcher that routes to them do not import each other.
 */
import type { TypeRegistry } from '@polkadot/types';
import type { Storage } from '../storage/storage.js';

export interface DispatchContext {
  registry: TypeRegistry;
  storage: Storage;
  signer: string;
  /** The number of the block being built. */
  block: number;
  /** Tempo given to new subnets. */
  tempo: number;
  /** Whether new subnets start with commit-reveal on (the devnet's `commitReveal` option; off by default). */
  commitReveal: boolean;
  /** `WeightsSetRateLimit` given to new subnets (undefined: finney's default, 100). */
  weightsRateLimit?: number;
  /** Whether serve_axon accepts loopback IPs (finney refuses them; the devnet allows them by default). */
  allowLoopback: boolean;
  /** True inside Sudo.sudo: the call runs with the root origin. */
  root?: boolean;
  deposit(event: Record<string, unknown>): void;
  /** Tells the devnet's operator something the chain itself has no event for (a commit it cannot open). */
  notice?(notice: DevnetNotice): void;
}

/** Something the devnet reports to whoever runs it: a log line, not a chain event. */
export type DevnetNotice = TimelockNotice | StoreNotice;

/** The block store (`data` option) could not write a block: it was not sealed, and sealing resumes once it can. */
export interface StoreNotice {
  /** What happened. */
  kind: 'store-failed';
  /** The block that could not be written. */
  block: number;
  /** One line for the operator (the file and the system's reason, e.g. no space left on the device). */
  message: string;
}

/** A CRv4 commit the devnet cannot open. */
export interface TimelockNotice {
  /** What happened: `timelock-unopened` for a CRv4 commit encrypted to another beacon. */
  kind: 'timelock-unopened';
  /** Block. */
  block: number;
  /** Subnet. */
  netuid: number;
  /** The committing hotkey. */
  hotkey: string;
  /** What the commit said its round was. */
  round: string;
  /** One line for the operator. */
  message: string;
}

/** A call argument as @polkadot/types decodes it; each pallet reads it through the accessor its type has. */
export type CallArg = {
  toNumber(): number;
  toBigInt(): bigint;
  toString(): string;
  toJSON(): unknown;
  toU8a(): Uint8Array;
  toHex?(): string;
  isTrue?: boolean;
};

/** A dispatch error as System.ExtrinsicFailed carries it. */
export class DispatchFailure extends Error {
  constructor(readonly error: Record<string, unknown>) {
    super(JSON.stringify(error));
  }
}

/** The module error `pallet::name` as DispatchError::Module. */
export function moduleError(registry: TypeRegistry, pallet: string, name: string): DispatchFailure {
  const meta = registry.metadata.pallets.find((p) => p.name.toString() === pallet);
  if (!meta || meta.errors.isNone) return new DispatchFailure({ Other: null });
  const errorType = registry.lookup.getSiType(meta.errors.unwrap().type);
  const index = errorType.def.asVariant.variants.findIndex((v) => v.name.toString() === name);
  if (index < 0) return new DispatchFailure({ Other: null });
  return new DispatchFailure({
    Module: { index: meta.index.toNumber(), error: `0x${index.toString(16).padStart(2, '0')}000000` },
  });
}

/** A SubtensorModule module error. */
export const fail = (ctx: Pick<DispatchContext, 'registry'>, name: string) =>
  moduleError(ctx.registry, 'SubtensorModule', name);
