/** What a target's AxonInfo says about how to reach it: the transport to use, its gRPC address, whether it serves. */
import { isIP } from 'node:net';
import type { DendriteState } from './state.js';
import type { AxonTarget, CallOptions } from './types.js';

/** The transport of a call: the call's, else the dendrite's; `auto` takes the fastest the axon's capability bits offer. */
export function transportFor(
  state: DendriteState,
  target: AxonTarget,
  opts: CallOptions,
): 'http' | 'session' | 'stream' | 'grpc' {
  const t = opts.transport ?? state.defaultTransport;
  if (t !== 'auto') return t;
  const caps = target.placeholder1 ?? 0;
  if (caps & 4) return 'stream';
  if (caps & 2 && grpcAddress(target)) return 'grpc';
  if (caps & 1) return 'session';
  return 'http';
}

/** `ip:port` of the axon's gRPC listener (from `grpcPort`, or the port offset in placeholder2), or null. */
export function grpcAddress(target: AxonTarget): string | null {
  const port = target.grpcPort ?? (target.placeholder2 ? target.port + target.placeholder2 : 0);
  if (!port) return null;
  return isIP(target.ip) === 6 ? `[${target.ip}]:${port}` : `${target.ip}:${port}`;
}

/** An axon that never served (0.0.0.0, port 0): Python's dendrite fails to connect; so do we, without trying. */
export function isUnserved(target: AxonTarget): boolean {
  return (
    Boolean(target) &&
    typeof target === 'object' &&
    (target.ip === '0.0.0.0' || target.ip === '::' || target.port === 0) &&
    typeof target.hotkey === 'string'
  );
}
