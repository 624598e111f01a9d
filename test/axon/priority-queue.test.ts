/** The priority gate: bounded concurrency, highest priority first (FIFO among equals), a bounded queue, deadlines. */
import { describe, expect, it } from 'vitest';
import { AxonError, createPriorityGate } from '../../src/axon/index.js';
import { thrownCodeSync } from '../helpers/helpers.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('createPriorityGate', () => {
  it('runs up to maxConcurrent at once and admits waiters highest priority first, oldest first among equals', async () => {
    const gate = createPriorityGate({ maxConcurrent: 1, maxQueue: 10 });
    const first = await gate.acquire(0, 1000);
    const order: string[] = [];
    const wait = (name: string, priority: number) =>
      gate.acquire(priority, 1000).then((release) => {
        order.push(name);
        release();
      });
    const all = Promise.all([wait('low', 1), wait('high-a', 5), wait('mid', 3), wait('high-b', 5)]);
    await tick();
    expect(gate.stats()).toEqual({ running: 1, queued: 4 });
    first();
    await all;
    expect(order).toEqual(['high-a', 'high-b', 'mid', 'low']);
    expect(gate.stats()).toEqual({ running: 0, queued: 0 });
  });

  it('a release is idempotent: calling it twice frees one slot', async () => {
    const gate = createPriorityGate({ maxConcurrent: 2 });
    const a = await gate.acquire(0, 1000);
    await gate.acquire(0, 1000);
    a();
    a();
    expect(gate.stats().running).toBe(1);
  });

  it('a full queue turns away the lowest priority: the newcomer if it is lowest, else the lowest waiter', async () => {
    const gate = createPriorityGate({ maxConcurrent: 1, maxQueue: 1 });
    const hold = await gate.acquire(0, 1000);
    const low = gate.acquire(1, 1000);
    await expect(gate.acquire(1, 1000)).rejects.toBe('queue_full'); // not above the waiter
    const high = gate.acquire(9, 1000);
    await expect(low).rejects.toBe('queue_full'); // displaced by a higher priority
    hold();
    (await high)();
  });

  it('a wait past its deadline ends in a timeout and leaves the queue', async () => {
    const gate = createPriorityGate({ maxConcurrent: 1 });
    const hold = await gate.acquire(0, 1000);
    await expect(gate.acquire(0, 20)).rejects.toBe('timeout');
    expect(gate.stats().queued).toBe(0);
    hold();
  });

  it('counts a priority that is not a finite number as 0, and refuses impossible shapes', async () => {
    const gate = createPriorityGate({ maxConcurrent: 1 });
    const hold = await gate.acquire(0, 1000);
    const order: string[] = [];
    const nan = gate.acquire(Number.NaN, 1000).then((r) => {
      order.push('nan');
      r();
    });
    const one = gate.acquire(1, 1000).then((r) => {
      order.push('one');
      r();
    });
    hold();
    await Promise.all([nan, one]);
    expect(order).toEqual(['one', 'nan']);
    expect(thrownCodeSync(AxonError, () => createPriorityGate({ maxConcurrent: 0 }))).toBe('AXON_INVALID_CONFIG');
    expect(thrownCodeSync(AxonError, () => createPriorityGate({ maxQueue: 1.5 }))).toBe('AXON_INVALID_CONFIG');
  });
});
