/**
 * Lanes: the connections a dendrite keeps to one axon for signed (Python-compatible) requests. Each lane is one
 * keep-alive connection carrying one request at a time, under a uuid of its own.
 *
 * Why: a Python axon accepts a nonce only if it is above the last one it processed for the same `hotkey:uuid`. Over a
 * pool of connections, two requests signed in order can arrive out of order, and the later-signed one, arriving first,
 * makes the other "too old". A lane signs its request only once it holds the connection, and sends nothing else
 * until the reply is read, so for each uuid the axon sees nonces in the order they were signed, at any concurrency.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'undici';
import type { Deadline } from './deadline.js';

/** One connection and the uuid its requests are signed under. */
export interface Lane {
  readonly client: Client;
  readonly uuid: string;
}

/** The lanes to one origin. */
export interface LaneSet {
  /** Waits for a free lane (opening one while under `max`); rejects with the deadline's reason if it passes first. */
  acquire(deadline?: Deadline): Promise<Lane>;
  /** Gives a lane back; `broken` drops its connection (after an error mid-request). */
  release(lane: Lane, broken?: boolean): void;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** Lanes to `origin`, at most `max` at once. */
export function createLanes(origin: string, max: number): LaneSet {
  const idle: Lane[] = [];
  const all = new Set<Lane>();
  const waiting: ((lane: Lane) => void)[] = [];
  const open = (): Lane => {
    const lane = { client: new Client(origin, { pipelining: 1, keepAliveTimeout: 30_000 }), uuid: randomUUID() };
    all.add(lane);
    return lane;
  };
  return {
    acquire(deadline) {
      const lane = idle.pop() ?? (all.size < max ? open() : null);
      if (lane) return Promise.resolve(lane);
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        // A waiter whose deadline passes leaves the queue; one already handed a lane goes on (its exchange then
        // ends at once on the passed deadline).
        deadline?.whenExpired((reason) => {
          const at = waiting.indexOf(resolve);
          if (at < 0) return;
          waiting.splice(at, 1);
          reject(reason);
        });
      });
    },
    release(lane, broken = false) {
      let next = lane;
      if (broken) {
        all.delete(lane);
        void lane.client.destroy().catch(() => {});
        if (!waiting.length) return;
        next = open();
      }
      const waiter = waiting.shift();
      if (waiter) waiter(next);
      else idle.push(next);
    },
    async close() {
      await Promise.all([...all].map((l) => l.client.close().catch(() => l.client.destroy())));
      all.clear();
      idle.length = 0;
    },
  };
}
