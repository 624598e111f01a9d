/**
 * The demo subnet's protocol: a validator asks for the sum of two numbers; miners of four qualities answer. The
 * validator rewards correctness × speed, so the chain should end up paying honest > slow > sloppy > lazy.
 */
import { defineSynapse, t } from '../../synapse/index.js';
import { correctnessScorer } from '../../epoch/index.js';

/** The request: `a + b`; the miner fills `total`. */
export class Sum extends defineSynapse({
  name: 'Sum',
  fields: { a: t.int(), b: t.int(), total: t.int().optional() },
  requiredHashFields: ['a', 'b'],
}) {}

/** How a demo miner answers. */
export type Quality = 'honest' | 'slow' | 'sloppy' | 'lazy';

/** The qualities, best first: the order the chain's incentive should end in. */
export const QUALITIES: readonly Quality[] = ['honest', 'slow', 'sloppy', 'lazy'];

/** A miner's handler for its quality. */
export function sumHandler(quality: Quality) {
  return async (s: Sum): Promise<Sum> => {
    if (quality === 'lazy') {
      s.total = 42; // never does the work
      return s;
    }
    if (quality === 'slow') await new Promise((r) => setTimeout(r, Math.min(s.timeout ?? 12, 12) * 500)); // half the timeout
    s.total = quality === 'sloppy' && Math.random() < 0.5 ? s.a + s.b + 1 : s.a + s.b;
    return s;
  };
}

/** A fresh request. */
export function sumQuery(): Sum {
  return new Sum({ a: Math.floor(Math.random() * 1000), b: Math.floor(Math.random() * 1000) });
}

/** The validator's scorer: 1 for a correct sum, × the latency factor. */
export const sumScorer = correctnessScorer<Sum>((reply, ctx) =>
  reply.total === ctx.request.a + ctx.request.b ? 1 : 0,
);
