/**
 * Stage 2, triage: before the body is read or a signature checked, the claimed caller's stake decides what the axon
 * spends on the request. The claim is the hotkey header (or, for a session request, the hotkey that opened the
 * session). When the axon is busy, requests whose claimed hotkey has no stake are turned away first (503), so a flood
 * from unstaked keys costs a header lookup each; the claimed stake also orders signature verification
 * (stages/verify.ts). Nothing else trusts the claim: the verified stake orders the handlers (stages/admit.ts).
 */
import type { Stage } from '../compose.js';
import { Reject } from '../exchange.js';
import type { SessionStore } from '../session-store.js';
import type { AxonOptions } from '../types.js';
import { SESSION_HEADERS } from '../../wire/index.js';

export interface TriageStageDeps {
  stakeOf: AxonOptions['stakeOf'];
  sessions: SessionStore | null;
  /** Requests in the synapse chain past triage now, this one excluded. */
  busy: () => number;
  /** Above this many, requests from unstaked callers are refused. */
  shedUnstakedAbove: number;
  /** Counts a request in (+1) and out (-1) of the chain. */
  track: (delta: number) => void;
}

export function triage(deps: TriageStageDeps): Stage {
  return async (x, next) => {
    if (deps.stakeOf) {
      const sessionId = x.header(SESSION_HEADERS.id);
      const claimed =
        sessionId !== undefined ? deps.sessions?.hotkeyOf(sessionId) : x.header('bt_header_dendrite_hotkey');
      const stake = claimed ? await deps.stakeOf(claimed) : undefined;
      const priority = stake === undefined ? null : Number(stake);
      x.claimedPriority = priority !== null && Number.isFinite(priority) ? priority : null;
      if (!(x.claimedPriority !== null && x.claimedPriority > 0) && deps.busy() >= deps.shedUnstakedAbove)
        throw new Reject(503, 'Service unavailable: busy, serving staked callers first', 'shed_unstaked');
    }
    deps.track(1);
    try {
      return await next();
    } finally {
      deps.track(-1);
    }
  };
}
