/** The subnet's protocol: a validator sends two numbers, a miner returns their product. */
import { defineSynapse, t } from 'subnetkit/synapse';

export class Multiply extends defineSynapse({
  name: 'Multiply',
  fields: { a: t.int(), b: t.int(), product: t.int().optional() },
  requiredHashFields: ['a', 'b'],
}) {}

/** The reward: 1 for the right product, × a latency factor (1 when instant, 0.5 at the timeout). */
export function reward(request: Multiply, reply: Multiply): number {
  return reply.product === request.a * request.b ? 1 : 0;
}
