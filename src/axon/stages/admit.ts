/**
 * Stage 7, admit: stake-ordered admission through the priority gate, bounded by the synapse's own timeout. The slot is
 * held while the rest runs and released once the reply is built; a stream takes the release with it.
 */
import { pythonFloatRepr } from '../../synapse/index.js';
import type { Stage } from '../compose.js';
import { Reject } from '../exchange.js';
import type { PriorityGate } from '../priority-queue.js';
import type { AxonOptions } from '../types.js';

/** The timeout assumed when a request gives none (Python's default). */
const DEFAULT_TIMEOUT_S = 12;

export function admit(deps: { gate: PriorityGate; stakeOf: AxonOptions['stakeOf'] }): Stage {
  return async (x, next) => {
    const { synapse, ctx } = x;
    let priority = 0;
    if (x.route.hooks.priority) priority = await x.route.hooks.priority(synapse, ctx);
    // Triage looked up the claimed hotkey, which verification has since proved: its stake is not looked up twice.
    else if (x.claimedPriority !== undefined) priority = x.claimedPriority ?? 0;
    else if (deps.stakeOf && ctx.hotkey) priority = Number((await deps.stakeOf(ctx.hotkey)) ?? 0);
    const timeoutS = x.fromHeaders.timeout > 0 ? x.fromHeaders.timeout : DEFAULT_TIMEOUT_S;
    let release: () => void;
    try {
      release = await deps.gate.acquire(priority, timeoutS * 1000 - ctx.elapsedMs());
    } catch (why) {
      if (why === 'timeout')
        throw new Reject(408, `Response timeout after: ${pythonFloatRepr(timeoutS)}s`, 'priority_timeout');
      throw new Reject(503, 'Service unavailable: request queue is full', 'queue_full');
    }
    let out: Awaited<ReturnType<typeof next>>;
    try {
      out = await next();
    } catch (e) {
      release();
      throw e;
    }
    if (out.kind === 'stream') return { ...out, release };
    release();
    return out;
  };
}
