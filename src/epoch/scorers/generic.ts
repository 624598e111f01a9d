/**
 * The scorer most custom subnets start from: reward = correctness × a latency factor, computed per reply by a
 * function the subnet writes. A reply the function cannot judge (it throws) earns 0 with the reason.
 */
import type { Synapse } from '../../synapse/index.js';
import type { ScoreContext, Scorer } from '../types.js';

/**
 * 1 for an instant answer, falling linearly to `slowest` (default 0.5) at the timeout: speed matters, correctness
 * more.
 *
 * @example
 * ```ts
 * latencyFactor(3, 12); // 0.875
 * ```
 */
export function latencyFactor(seconds: number | null | undefined, timeout: number, slowest = 0.5): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || !(timeout > 0)) return slowest;
  return 1 - (1 - slowest) * Math.min(Math.max(seconds / timeout, 0), 1);
}

/**
 * `correctness × latencyFactor(seconds, timeout)`, with correctness clamped to [0, 1].
 *
 * @example
 * ```ts
 * correctnessLatencyReward(1, 0.2, 12); // 0.99
 * ```
 */
export function correctnessLatencyReward(
  correctness: number,
  seconds: number | null | undefined,
  timeout: number,
  slowest = 0.5,
): number {
  const c = Number.isFinite(correctness) ? Math.min(Math.max(correctness, 0), 1) : 0;
  return c * latencyFactor(seconds, timeout, slowest);
}

/**
 * Makes a scorer from a per-reply correctness function (0 to 1): each successful reply earns correctness × latency
 * factor, measured from the dendrite's `process_time` against the request's timeout.
 *
 * @example
 * ```ts
 * const score = correctnessScorer<Sum>((reply, ctx) => (reply.total === ctx.request.a + ctx.request.b ? 1 : 0));
 * ```
 */
export function correctnessScorer<S extends Synapse, C = unknown>(
  correctness: (reply: S, ctx: ScoreContext<S, C>) => number,
  options: { slowest?: number; penalty?: number } = {},
): Scorer<S, C> {
  return {
    ...(options.penalty !== undefined ? { penalty: options.penalty } : {}),
    score(ctx) {
      const detail: Record<string, unknown>[] = [];
      const rewards = ctx.responses.map((reply) => {
        if (!reply.isSuccess) {
          detail.push({ reason: 'no reply' });
          return 0;
        }
        try {
          const c = correctness(reply, ctx);
          const r = correctnessLatencyReward(c, reply.dendrite.process_time, reply.timeout ?? 12, options.slowest);
          detail.push({ correctness: c, seconds: reply.dendrite.process_time });
          return r;
        } catch (e) {
          detail.push({ reason: `correctness threw: ${(e as Error)?.message ?? String(e)}` });
          return 0;
        }
      });
      return { rewards, detail };
    },
  };
}
