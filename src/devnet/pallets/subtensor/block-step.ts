/**
 * The devnet's block step (subtensor's on_initialize): TAO injection, then per subnet the burn decay, its alpha
 * emission, timelocked commits that matured, and the epoch when one is due.
 */
import { revealTimelocked } from './commit-reveal.js';
import { decayBurn, emitAlpha, injectTao } from './emission.js';
import { runEpoch } from './epoch.js';
import type { DispatchContext } from '../context.js';
import { devnetBeacon } from '../drand-beacon.js';
import type { Storage } from '../../storage/storage.js';
import { SUBNET_LIMIT, big, bool, num } from '../../storage/read.js';

/** Runs at the start of every block. Returns the netuids whose epoch ran. */
export function blockStep(s: Storage, block: number, ctxFor?: (signer: string) => DispatchContext): number[] {
  const ran: number[] = [];
  injectTao(s, block);
  // The devnet's beacon stands in for drand: its round at this block is the last one "stored".
  const info = devnetBeacon().info;
  s.set(
    'drand',
    'lastStoredRound',
    [],
    BigInt(Math.max(0, Math.floor((Date.now() / 1000 - info.genesisTime) / info.period) + 1)),
  );
  for (let netuid = 1; netuid < SUBNET_LIMIT; netuid++) {
    if (!bool(s, 'networksAdded', netuid)) continue;
    decayBurn(s, netuid);
    emitAlpha(s, netuid, block);
    const tempo = num(s, 'tempo', netuid);
    const due = tempo > 0 && block - num(s, 'lastEpochBlock', netuid) >= tempo;
    // Timelocked commits mature before the epoch; the epoch index is looked ahead by one when an epoch is due.
    if (ctxFor && bool(s, 'commitRevealWeightsEnabled', netuid))
      revealTimelocked(ctxFor, netuid, num(s, 'subnetEpochIndex', netuid) + (due ? 1 : 0));
    if (due) {
      runEpoch(s, netuid, block, tempo);
      ran.push(netuid);
    } else s.set('subtensorModule', 'blocksSinceLastStep', [netuid], big(s, 'blocksSinceLastStep', netuid) + 1n);
  }
  return ran;
}
