/**
 * Step 3, query: the `query` hook's plan (a synapse, or a synapse with context and its own uids), then one copy of
 * the request per uid through the dendrite, `concurrency` at a time; a target that cannot be called fails alone.
 */
import type { AxonTarget, Dendrite } from '../dendrite/index.js';
import type { Metagraph } from '../metagraph/index.js';
import type { Synapse } from '../synapse/index.js';
import { EpochError } from './errors.js';
import type { QueryPlan } from './types.js';

const isSynapse = <S extends Synapse>(x: unknown): x is S =>
  typeof (x as S)?.copy === 'function' && typeof (x as S)?.toJSON === 'function';

/** The request, its context and the uids to send it to (a plan's own uids, limited to the ones selected). */
export function readPlan<S extends Synapse, C>(
  plan: QueryPlan<S, C>,
  selected: number[],
): { request: S; context: C; uids: number[] } {
  const request = isSynapse<S>(plan) ? plan : plan?.synapse;
  if (!isSynapse<S>(request))
    throw new EpochError('EPOCH_QUERY_FAILED', 'the query hook must return a synapse or { synapse }');
  if (isSynapse<S>(plan)) return { request, context: undefined as C, uids: selected };
  return {
    request,
    context: plan.context as C,
    uids: plan.uids ? plan.uids.filter((u) => selected.includes(u)) : selected,
  };
}

export async function fanOut<S extends Synapse>(
  dendrite: Dendrite,
  request: S,
  uids: number[],
  metagraph: Metagraph,
  o: { timeout: number; concurrency: number },
): Promise<S[]> {
  const out: S[] = new Array(uids.length);
  let next = 0;
  const worker = async () => {
    while (next < uids.length) {
      const i = next++;
      const axon = metagraph.axons[uids[i]!]!;
      const copy = request.copy();
      try {
        out[i] = await dendrite.call(axon as AxonTarget, copy, { timeout: o.timeout });
      } catch (e) {
        copy.dendrite.status_code = 503;
        copy.dendrite.status_message = `not called: ${(e as Error).message}`;
        out[i] = copy;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, uids.length) }, worker));
  return out;
}
