/** What an axon counts and tells: served and refused requests by reason, a latency histogram, and their events. */
import type { EventEmitter } from 'eventemitter3';
import type { Reject } from './exchange.js';
import type { AxonEvents, AxonMetrics, RequestContext } from './types.js';

/** Upper bounds of the latency histogram, in milliseconds. */
const LATENCY_BOUNDS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, Infinity];

export function createAxonReport(events: EventEmitter<AxonEvents>) {
  const metrics: AxonMetrics = {
    served: 0,
    rejected: {},
    latencyMs: Object.fromEntries(LATENCY_BOUNDS.map((b) => [String(b), 0])),
  };
  const countRefusal = (reason: string) => {
    metrics.rejected[reason] = (metrics.rejected[reason] ?? 0) + 1;
  };
  return {
    /** A handler's answer went out. */
    served(route: string, status: number, started: number, ctx: RequestContext): void {
      const ms = performance.now() - started;
      metrics.served++;
      const bound = LATENCY_BOUNDS.find((b) => ms <= b)!;
      metrics.latencyMs[String(bound)]! += 1;
      events.emit('response', { route, status, ms, hotkey: ctx.hotkey });
    },
    /** A request was refused. */
    rejected(r: Reject, route: string, ip: string): void {
      countRefusal(r.reason);
      events.emit('rejected', { route, status: r.status, reason: r.reason, ip });
    },
    /** A connection was dropped before it became a request (malformed HTTP, slow or oversized headers). */
    dropped: countRefusal,
    /** Something failed that no stage expected (the client got a 500). */
    error(e: unknown): void {
      events.emit('error', e);
    },
    snapshot: (): AxonMetrics => structuredClone(metrics),
  };
}

export type AxonReport = ReturnType<typeof createAxonReport>;
