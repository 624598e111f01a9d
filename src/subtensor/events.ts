/** What a chain client tells: heads, reconnects, stale chains and dead sockets, and the watchdog settings. */

/** A block header as JSON-RPC carries it. */
export interface RawHeader {
  /** Parent block hash. */
  parentHash: string;
  /** Block number, hex. */
  number: string;
  /** State root. */
  stateRoot: string;
  /** Extrinsics root. */
  extrinsicsRoot: string;
  /** Digest logs. */
  digest: unknown;
}

/** A reconnect about to be tried. */
export interface ReconnectInfo {
  /** Attempt number since the last open socket (1 = first). */
  attempt: number;
  /** Delay before it, in ms (backoff with jitter). */
  delayMs: number;
}

/** A chain that makes no blocks, or a node that does not answer. */
export interface StaleInfo {
  /** Time since the last block (or since the socket opened), in ms. */
  sinceMs: number;
  /** The last best block number seen (-1 when none). */
  bestNumber: number;
}

/** A block header as the node sends it, with its number parsed. */
export interface Head {
  /** Block number. */
  number: number;
  /** The header JSON from the node. */
  raw: RawHeader;
  /** When it arrived (ms since epoch). */
  at: number;
}

/** Watchdog settings: a best block older than `staleMs` makes the client ping the node; a failed ping reconnects. */
export interface WatchdogOptions {
  /** A best block older than this (ms) is stale (default 60,000: five finney blocks). */
  staleMs?: number;
  /** Timeout of the liveness ping (default 10,000 ms). */
  pingTimeoutMs?: number;
}

/** Events of the chain client. */
export interface SubtensorEvents {
  /** The socket is open (first time and after each reconnect). */
  connected: [];
  /** The socket dropped; the client reconnects by itself. */
  disconnected: [];
  /** A reconnect is scheduled. */
  reconnecting: [info: ReconnectInfo];
  /** A new best block. */
  block: [head: Head];
  /** A new finalized block. */
  finalized: [head: Head];
  /** No new block for `sinceMs`, but the node answers: the chain (or the devnet's sealing) is halted. */
  stale: [info: StaleInfo];
  /** The node did not answer the watchdog's ping; the socket is being replaced. */
  unresponsive: [info: StaleInfo];
}
