/**
 * An SN19-style subnet: miners sell throughput. Each declares a volume per task (the Capacity synapse); validators
 * check a fraction of it with synthetic requests, count what was served against what was declared, and weight by
 * quality × speed × volume with cubed shares. Validators also forward real users' requests (organic traffic).
 */
import type { CapacityTask } from 'subnetkit/epoch';
import { defineSynapse, t } from 'subnetkit/synapse';

/** A chat request: the miner returns `reply`. Here "chat" is a stand-in model anyone can check: the reply is the prompt reversed. */
export class Chat extends defineSynapse({
  name: 'Chat',
  fields: { task: t.str(), prompt: t.str(), reply: t.str().optional() },
  requiredHashFields: ['task', 'prompt'],
}) {}

/** The reference answer a validator checks replies against. */
export const reference = (prompt: string) => [...prompt].reverse().join('');

/** This subnet's tasks (per hour; work is measured in characters). */
export const TASKS: Record<string, CapacityTask> = {
  'chat-small': {
    maxCapacity: 200_000,
    weight: 0.6,
    conversion: 400,
    speed: { overhead: 0.05, mean: 0.0005, variance: 40 },
  },
  'chat-large': {
    maxCapacity: 100_000,
    weight: 0.4,
    conversion: 800,
    speed: { overhead: 0.05, mean: 0.001, variance: 20 },
  },
};

/** A prompt of `n` characters. */
export function prompt(n: number): string {
  const words = ['subnet', 'miner', 'validator', 'stake', 'weights', 'epoch', 'axon', 'dendrite'];
  let s = '';
  while (s.length < n) s += `${words[Math.floor(Math.random() * words.length)]} `;
  return s.slice(0, n);
}
