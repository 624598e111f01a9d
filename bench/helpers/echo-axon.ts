/** The echo axon that `bench -- axon` and `bench/helpers/profile-axon.ts` measure: limits open, gRPC on. */
import { type Axon, createAxon } from '../../src/axon/index.js';
import type { Keypair } from '../../src/keys/index.js';
import { Echo } from './priority-axon-synapse.js';

export function createEchoAxon(keypair: Keypair): Axon {
  return createAxon({
    keypair,
    port: 0,
    host: '127.0.0.1',
    rateLimit: { perIp: false, perHotkey: false },
    priority: { maxConcurrent: 256, maxQueue: 4096 },
    maxBodyBytes: 8 * 1024 * 1024,
    grpc: { port: 0 },
  }).attach(Echo, (s) => {
    s.reply = s.text;
    return s;
  });
}
