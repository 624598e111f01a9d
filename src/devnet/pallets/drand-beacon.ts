/**
 * The devnet's drand beacon. Finney opens CRv4 commits with drand quicknet's pulses; the devnet has no drand, so it
 * runs a beacon of its own, same scheme, whose key is public (a fixed seed) and whose signatures it makes itself at
 * each reveal epoch. Clients encrypt to it exactly as they encrypt to quicknet (`dev_drandInfo` gives its key).
 */
import { createLocalBeacon, type LocalBeacon } from '../../timelock/index.js';

let beacon: LocalBeacon | null = null;

/** The devnet's beacon (made on first use: deriving its key costs a G2 multiplication). */
export function devnetBeacon(): LocalBeacon {
  beacon ??= createLocalBeacon('subnetkit devnet drand beacon');
  return beacon;
}
