/**
 * The stale-block watchdog of a connection: a half-dead socket (no close frame, no answers) is only found by asking.
 * When no block has come for `staleMs`, the node is pinged: an answer means the chain is halted (`stale`, once per
 * halt); no answer means the socket is dead (`unresponsive`), and it is replaced.
 */
import type { EventEmitter } from 'eventemitter3';
import { SubtensorError } from './errors.js';
import type { ResilientProvider } from './provider.js';
import type { SubtensorEvents, WatchdogOptions } from './events.js';

export function startWatchdog(o: {
  provider: ResilientProvider;
  events: EventEmitter<SubtensorEvents>;
  options: WatchdogOptions;
  bestNumber(): number;
  closed(): boolean;
}): { stop(): void } {
  const staleMs = o.options.staleMs ?? 60_000;
  const pingTimeoutMs = o.options.pingTimeoutMs ?? 10_000;
  if (!(staleMs >= 100) || !(pingTimeoutMs >= 10))
    throw new SubtensorError('INVALID_ARGUMENT', 'watchdog.staleMs must be ≥ 100 and pingTimeoutMs ≥ 10');
  let lastSeen = Date.now();
  let pinging = false;
  let staleReported = false;
  o.events.on('block', () => {
    lastSeen = Date.now();
    staleReported = false;
  });
  o.events.on('connected', () => {
    lastSeen = Date.now();
  });
  const check = () => {
    const since = Date.now() - lastSeen;
    if (since < staleMs || pinging || !o.provider.isConnected) return;
    pinging = true;
    o.provider.send('system_health', [], false, pingTimeoutMs).then(
      () => {
        pinging = false;
        if (!staleReported) o.events.emit('stale', { sinceMs: since, bestNumber: o.bestNumber() });
        staleReported = true;
      },
      (e: SubtensorError) => {
        pinging = false;
        if (o.closed() || e.code === 'CLIENT_CLOSED') return;
        o.events.emit('unresponsive', { sinceMs: since, bestNumber: o.bestNumber() });
        lastSeen = Date.now();
        o.provider.forceReconnect();
      },
    );
  };
  const timer = setInterval(check, Math.max(50, Math.min(staleMs / 4, 5_000)));
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
