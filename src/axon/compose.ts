/**
 * Stages run in order, each deciding whether to call the next: a stage can refuse (throw a Reject), answer itself,
 * or wrap what comes after (admission releases its slot once the rest has answered).
 */
import type { Exchange, Outcome } from './exchange.js';

/** One stage of the axon's pipeline. */
export type Stage = (x: Exchange, next: () => Promise<Outcome>) => Promise<Outcome>;

/** Runs `stages` in order; the last must answer without calling `next`. */
export function compose(stages: readonly Stage[]): (x: Exchange) => Promise<Outcome> {
  return (x) => {
    const run = (i: number): Promise<Outcome> => {
      const stage = stages[i];
      if (!stage) return Promise.reject(new Error('the last stage called next()'));
      return stage(x, () => run(i + 1));
    };
    return run(0);
  };
}
