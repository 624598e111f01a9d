/**
 * Stake-ordered admission: at most `maxConcurrent` handlers run; the rest wait in a queue served highest priority
 * first (FIFO among equals). A full queue turns away the lowest priority, and a wait past the request's deadline
 * ends in a timeout.
 */

import { AxonError } from './errors.js';

/** Why a request was not admitted. */
export type AdmissionRejection = 'queue_full' | 'timeout';

interface Waiter {
  priority: number;
  seq: number;
  resolve: (release: () => void) => void;
  reject: (why: AdmissionRejection) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Occupancy of a priority gate. */
export interface GateStats {
  /** Slots in use. */
  running: number;
  /** Requests waiting. */
  queued: number;
}

/** A priority-ordered concurrency gate. */
export interface PriorityGate {
  /** Waits for a slot; rejects with 'queue_full' or 'timeout'. Resolves to the slot's release function. */
  acquire(priority: number, timeoutMs: number): Promise<() => void>;
  /** Handlers running and requests waiting now. */
  stats(): GateStats;
}

/** Options of {@link createPriorityGate}. */
export interface PriorityGateOptions {
  /** Handlers running at once (default 64). */
  maxConcurrent?: number;
  /** Requests waiting at most (default 1024). */
  maxQueue?: number;
  /**
   * An axon option: with `stakeOf` set, once this many requests are in flight, requests whose claimed hotkey has no
   * stake are refused (503) before their body is read or their signature checked (default 16).
   */
  shedUnstakedAbove?: number;
}

/**
 * A concurrency gate ordered by priority.
 *
 * @example
 * ```ts
 * const gate = createPriorityGate({ maxConcurrent: 8 });
 * const release = await gate.acquire(stake, 12_000);
 * try { await handle(); } finally { release(); }
 * ```
 */
export function createPriorityGate(options: PriorityGateOptions = {}): PriorityGate {
  const maxConcurrent = options.maxConcurrent ?? 64;
  const maxQueue = options.maxQueue ?? 1024;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1 || !Number.isInteger(maxQueue) || maxQueue < 0)
    throw new AxonError(
      'AXON_INVALID_CONFIG',
      `priority needs an integer maxConcurrent >= 1 and maxQueue >= 0, got ${maxConcurrent} and ${maxQueue}`,
    );
  let running = 0;
  let seq = 0;
  const queue: Waiter[] = []; // kept sorted: highest priority first, then oldest

  const release = () => {
    running--;
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      running++;
      next.resolve(once(release));
    }
  };

  function once(fn: () => void): () => void {
    let done = false;
    return () => {
      if (!done) {
        done = true;
        fn();
      }
    };
  }

  return {
    /** Waits for a slot; rejects with 'queue_full' or 'timeout'. Resolves to the slot's release function. */
    acquire(priorityIn: number, timeoutMs: number): Promise<() => void> {
      // A priority hook that returns garbage must not corrupt the order: NaN and the like count as 0.
      const priority = Number.isFinite(priorityIn) ? priorityIn : 0;
      if (running < maxConcurrent && queue.length === 0) {
        running++;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve, reject) => {
        const w: Waiter = { priority, seq: seq++, resolve, reject, timer: undefined };
        if (queue.length >= maxQueue) {
          const lowest = queue[queue.length - 1]!;
          if (lowest.priority >= priority) return reject('queue_full');
          queue.pop();
          clearTimeout(lowest.timer);
          lowest.reject('queue_full');
        }
        // Insert after every waiter of higher or equal priority.
        let lo = 0;
        let hi = queue.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (queue[mid]!.priority >= priority) lo = mid + 1;
          else hi = mid;
        }
        queue.splice(lo, 0, w);
        w.timer = setTimeout(
          () => {
            const i = queue.indexOf(w);
            if (i >= 0) queue.splice(i, 1);
            reject('timeout');
          },
          Math.max(0, timeoutMs),
        );
      });
    },
    /** Requests running and waiting now. */
    stats: () => ({ running, queued: queue.length }),
  };
}
