/** The devnet's genesis, like subtensor's localnet: funded dev accounts, Alice as sudo, and subnet 1. */
import { keypairFromUri } from '../../keys/index.js';
import { initSubnet, seedPool } from '../pallets/subtensor/registration.js';
import type { Storage } from '../storage/storage.js';
import type { ChainOptions } from './types.js';

/**
 * One TAO in rao.
 *
 * @example
 * ```ts
 * api.tx.balances.transferKeepAlive(bob, 5n * TAO);
 * ```
 */
export const TAO = 1_000_000_000n;

/** A funded development account of the genesis. */
export interface DevAccount {
  /** Its dev URI name (`//Alice` is `Alice`). */
  name: string;
  /** SS58 address (prefix 42). */
  address: string;
  /** Free balance at genesis, in rao. */
  free: bigint;
}

export function devAccounts(): DevAccount[] {
  const big = ['Alice', 'Bob', 'Charlie'].map((n) => ({
    name: n,
    address: keypairFromUri(`//${n}`).ss58Address,
    free: 1_000_000n * TAO,
  }));
  const small = ['Dave', 'Eve', 'Ferdie'].map((n) => ({
    name: n,
    address: keypairFromUri(`//${n}`).ss58Address,
    free: 2_000n * TAO,
  }));
  return [...big, ...small];
}

/** Writes the genesis state into an empty storage. */
export function writeGenesis(storage: Storage, options: ChainOptions): void {
  let issuance = 0n;
  for (const a of devAccounts()) {
    storage.set('system', 'account', [a.address], {
      nonce: 0,
      consumers: 0,
      providers: 1,
      sufficients: 0,
      data: { free: a.free, reserved: 0, frozen: 0, flags: 0n },
    });
    issuance += a.free;
  }
  storage.set('balances', 'totalIssuance', [], issuance);
  storage.set('subtensorModule', 'totalIssuance', [], issuance); // what the TAO block emission halves on
  storage.set('sudo', 'key', [], devAccounts()[0]!.address);
  storage.set('subtensorModule', 'networksAdded', [0], true);
  storage.set('subtensorModule', 'totalNetworks', [], 2);
  // Subnet 1 as localnet creates it (owned by Alice here; localnet's owner is the all-zero account).
  initSubnet(
    { storage },
    1,
    devAccounts()[0]!.address,
    devAccounts()[0]!.address,
    0,
    options.tempo ?? 10,
    options.commitReveal ?? false,
    options.weightsRateLimit,
  );
  seedPool({ storage }, 1, 10n * TAO); // localnet: 10 TAO / 10 alpha
}
