/**
 * Caps on open connections, total and per IP, so a client holding sockets open cannot exhaust the axon's file
 * descriptors: at the total cap the connection idle longest makes room; past the per-IP cap new ones are refused.
 */
import type { Socket } from 'node:net';
import { AxonError } from './errors.js';

interface Tracked {
  ip: string;
  /** Requests being answered on it now. */
  active: number;
}

/** Counts connections; `admit` accepts or refuses each new socket (refused ones are destroyed). */
export function createConnectionLimits(
  o: { maxConnections?: number; maxConnectionsPerIp?: number },
  onDrop: (reason: string) => void,
) {
  const max = o.maxConnections ?? 2048;
  const maxPerIp = o.maxConnectionsPerIp ?? 256;
  for (const [name, v] of [
    ['maxConnections', max],
    ['maxConnectionsPerIp', maxPerIp],
  ] as const)
    if (!Number.isInteger(v) || v < 1)
      throw new AxonError('AXON_INVALID_CONFIG', `${name} must be a positive integer, got ${String(v)}`);
  // Insertion order is arrival order, and a socket re-inserted when it goes idle moves to the back: the first idle
  // entry is the one idle longest.
  const open = new Map<Socket, Tracked>();
  const perIp = new Map<string, number>();

  function forget(sock: Socket): void {
    const t = open.get(sock);
    if (!t) return;
    open.delete(sock);
    const n = (perIp.get(t.ip) ?? 1) - 1;
    if (n > 0) perIp.set(t.ip, n);
    else perIp.delete(t.ip);
  }

  return {
    admit(sock: Socket): boolean {
      const ip = sock.remoteAddress ?? '';
      if ((perIp.get(ip) ?? 0) >= maxPerIp) {
        onDrop('too_many_connections_ip');
        sock.destroy();
        return false;
      }
      if (open.size >= max) {
        let idle: Socket | undefined;
        for (const [s, t] of open)
          if (t.active === 0) {
            idle = s;
            break;
          }
        if (!idle) {
          onDrop('too_many_connections');
          sock.destroy();
          return false;
        }
        forget(idle);
        onDrop('idle_connection_closed');
        idle.destroy();
      }
      open.set(sock, { ip, active: 0 });
      perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
      sock.once('close', () => forget(sock));
      return true;
    },
    /** A request started on `sock`. */
    busy(sock: Socket): void {
      const t = open.get(sock);
      if (t) t.active++;
    },
    /** A request on `sock` was answered: once idle, it goes to the back of the eviction order. */
    idle(sock: Socket): void {
      const t = open.get(sock);
      if (!t) return;
      t.active = Math.max(0, t.active - 1);
      if (t.active === 0) {
        open.delete(sock);
        open.set(sock, t);
      }
    },
    size: () => open.size,
  };
}
