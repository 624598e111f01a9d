/** Public types of the dendrite: targets, transports, options and the client interface. */
import type { Keypair } from '../keys/index.js';
import type { StreamingSynapse, Synapse } from '../synapse/index.js';

/** Where to send a synapse: an AxonInfo or anything with ip, port and hotkey. */
export interface AxonTarget {
  /** IPv4 or IPv6 address. */
  ip: string;
  /** TCP port. */
  port: number;
  /** The axon's hotkey (SS58): the request is signed for it. */
  hotkey: string;
  /** subnetkit capability bits from AxonInfo (1 = sessions, 2 = gRPC, 4 = stream); read by the `auto` transport. */
  placeholder1?: number;
  /** gRPC port offset from AxonInfo. */
  placeholder2?: number;
  /** The axon's gRPC port, when known. */
  grpcPort?: number;
}

/**
 * How a dendrite reaches an axon:
 * - `http`: Python-compatible HTTP/1.1, every request signed with sr25519 (works with every axon);
 * - `session`: HTTP/1.1 to a subnetkit axon, one signed X25519 handshake, then an HMAC per request;
 * - `stream`: one multiplexed TCP connection to a subnetkit axon (an HTTP/1.1 upgrade, then binary frames), with
 *   the same session and HMACs: the fastest path, several times `session`'s request rate;
 * - `grpc`: gRPC to a subnetkit axon (tensors as raw bytes), authenticated by the same session;
 * - `auto`: `stream`, `grpc` or `session` when the target's AxonInfo advertises them (in that order), else `http`.
 */
export type Transport = 'http' | 'session' | 'stream' | 'grpc' | 'auto';

/** Options of a call. */
export interface CallOptions {
  /** Seconds for connect + send + read (default 12). */
  timeout?: number;
  /** Overrides the dendrite's transport for this call. */
  transport?: Transport;
}

/** Options of `createDendrite`. */
export interface DendriteOptions {
  /** The hotkey that signs requests. */
  keypair: Keypair;
  /** The IP this dendrite reports in `dendrite.ip` (default '127.0.0.1'; never looked up on the network). */
  externalIp?: string;
  /** Keep-alive connections per axon for the HTTP paths, opened on demand (default 32); `stream` uses one. */
  connectionsPerAxon?: number;
  /** Largest response body accepted, in bytes (default 64 MiB). */
  maxResponseBytes?: number;
  /** Require axons to sign their responses (see `signResponses` on the axon); unsigned ones fail with 401. */
  requireSignedResponses?: boolean;
  /** Version reported in `dendrite.version` (default 10002000). */
  version?: number;
  /** Default transport (default `http`, which every axon speaks). */
  transport?: Transport;
  /**
   * Worker threads that sign requests on the `http` path while calls overlap (default 1 when the machine has more
   * than one core, else 0). A lone call always signs inline; 0 signs everything inline.
   */
  signWorkers?: number;
}

/** The handle `createDendrite` returns. */
export interface Dendrite {
  /** This dendrite's uuid (part of every signed message). */
  readonly uuid: string;
  /** The hotkey address requests are signed with. */
  readonly hotkey: string;
  /**
   * Signs and sends one synapse; resolves to the same synapse with the response applied. Network failures and axons
   * that do not serve (0.0.0.0, port 0) give a failed reply, never a rejection; a malformed target throws
   * `DENDRITE_INVALID_TARGET`.
   */
  call<S extends Synapse>(target: AxonTarget, synapse: S, opts?: CallOptions): Promise<S>;
  /**
   * Sends a copy of `synapse` to every target at once; one synapse per target, in order. A target that serves no
   * axon (0.0.0.0, port 0) or cannot be called gets a failed reply (503), as in Python; nothing throws but a closed
   * dendrite.
   */
  forward<S extends Synapse>(targets: readonly AxonTarget[], synapse: S, opts?: CallOptions): Promise<S[]>;
  /** Calls a streaming synapse: yields each chunk, then the synapse itself. */
  stream<S extends StreamingSynapse>(target: AxonTarget, synapse: S, opts?: CallOptions): AsyncGenerator<unknown>;
  /** Closes every pooled connection. */
  close(): Promise<void>;
}
