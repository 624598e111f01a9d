/**
 * The axon's two stage chains, shared by the HTTP and gRPC listeners:
 *
 *   synapse requests: limits → triage → parse → session → body → verify → blacklist → admit → forward
 *   the session handshake: limits → handshake
 *
 * Each stage is a file in stages/; compose.ts runs them.
 */
import type { EventEmitter } from 'eventemitter3';
import type { Keypair } from '../keys/index.js';
import type { Synapse } from '../synapse/index.js';
import { compose } from './compose.js';
import type { Exchange, Outcome, Route } from './exchange.js';
import type { PriorityGate } from './priority-queue.js';
import type { TokenBuckets } from './rate-limit.js';
import type { SessionStore } from './session-store.js';
import { admit } from './stages/admit.js';
import { blacklist } from './stages/blacklist.js';
import { body } from './stages/body.js';
import { forward } from './stages/forward.js';
import { handshake } from './stages/handshake.js';
import { limits } from './stages/limits.js';
import { parse } from './stages/parse.js';
import { session } from './stages/session.js';
import { triage } from './stages/triage.js';
import { verify } from './stages/verify.js';
import type { AxonEvents, AxonOptions } from './types.js';

/** What the stages of one axon share. */
export interface PipelineDeps {
  options: AxonOptions;
  keypair: Keypair;
  routes: ReadonlyMap<string, Route>;
  maxBody: number;
  maxHeaderCount: number;
  verifier: (s: Synapse) => Promise<string | null>;
  sessions: SessionStore | null;
  perIp: TokenBuckets | null;
  perHotkey: TokenBuckets | null;
  gate: PriorityGate;
  /** Orders signature checks by claimed stake. */
  verifyGate: PriorityGate;
  /** Requests in flight above which unstaked callers are refused (triage). */
  shedUnstakedAbove: number;
  events: EventEmitter<AxonEvents>;
  /** This axon's uuid and version, for the terminal info the hooks and the handler see. */
  uuid: string;
  version: number;
}

/** A stage chain: an arrived request in, an outcome (or a thrown Reject) out. */
export type Pipeline = (x: Exchange) => Promise<Outcome>;

export function createPipelines(d: PipelineDeps): { synapse: Pipeline; handshake: Pipeline } {
  const checkLimits = limits({ perIp: d.perIp, maxHeaderCount: d.maxHeaderCount });
  let inChain = 0;
  return {
    synapse: compose([
      checkLimits,
      triage({
        stakeOf: d.options.stakeOf,
        sessions: d.sessions,
        busy: () => inChain,
        shedUnstakedAbove: d.shedUnstakedAbove,
        track: (delta) => {
          inChain += delta;
        },
      }),
      parse({ routes: d.routes, maxBody: d.maxBody }),
      session({ sessions: d.sessions }),
      body(),
      verify({
        verifier: d.verifier,
        perHotkey: d.perHotkey,
        keypair: d.keypair,
        uuid: d.uuid,
        version: d.version,
        verifyGate: d.verifyGate,
      }),
      blacklist({ blacklist: d.options.blacklist }),
      admit({ gate: d.gate, stakeOf: d.options.stakeOf }),
      forward({ keypair: d.keypair, signResponses: d.options.signResponses ?? false, events: d.events }),
    ]),
    handshake: compose([checkLimits, handshake({ sessions: d.sessions })]),
  };
}
