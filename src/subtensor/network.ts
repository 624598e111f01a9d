/** Network names → endpoints, as Python bittensor resolves them (`settings.py`). */
import { SubtensorError } from './errors.js';

/**
 * The named networks; anything else is taken as a URL or a host.
 *
 * @example
 * ```ts
 * const st = await createSubtensor({ network: NETWORKS.test });
 * ```
 */
export const NETWORKS = {
  /** Mainnet. */
  finney: 'wss://entrypoint-finney.opentensor.ai:443',
  /** Testnet. */
  test: 'wss://test.finney.opentensor.ai:443',
  /** Mainnet archive node (historical state). */
  archive: 'wss://archive.chain.opentensor.ai:443',
  /** A node on this machine. */
  local: 'ws://127.0.0.1:9944',
} as const;

/** A network name, `devnet` (the embedded chain, started in this process) or a `ws://`/`wss://` URL or bare host. */
export type Network = keyof typeof NETWORKS | 'devnet' | (string & {});

/**
 * The WebSocket endpoint of a network: a name from {@link NETWORKS}, a URL, or a bare `host:port` (`ws://` is
 * prepended, as Python does). `local` honours `BT_SUBTENSOR_CHAIN_ENDPOINT`.
 *
 * @example
 * ```ts
 * resolveEndpoint('finney'); // 'wss://entrypoint-finney.opentensor.ai:443'
 * resolveEndpoint('10.0.0.5:9944'); // 'ws://10.0.0.5:9944'
 * ```
 */
export function resolveEndpoint(network: string): string {
  if (typeof network !== 'string' || network.trim() === '')
    throw new SubtensorError('INVALID_ARGUMENT', 'network must be a name or a URL');
  const n = network.trim();
  if (n === 'local') return process.env.BT_SUBTENSOR_CHAIN_ENDPOINT || NETWORKS.local;
  if (n in NETWORKS) return NETWORKS[n as keyof typeof NETWORKS];
  if (/^wss?:\/\//i.test(n)) {
    try {
      new URL(n);
    } catch {
      throw new SubtensorError('INVALID_ARGUMENT', `not a valid URL: ${n}`);
    }
    return n;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(n))
    throw new SubtensorError('INVALID_ARGUMENT', `only ws:// and wss:// endpoints are supported, got ${n}`);
  if (/^[\w.-]+(:\d{1,5})?$/.test(n) || /^\[[0-9a-f:]+\](:\d{1,5})?$/i.test(n)) return `ws://${n}`;
  throw new SubtensorError(
    'INVALID_ARGUMENT',
    `unknown network '${n}': use finney, test, archive, local, devnet or a ws:// URL`,
  );
}
