/**
 * createDendrite: a dendrite's state (state.ts) and its operations — call over one of three paths (call.ts,
 * call-http.ts, call-grpc.ts), fan-out, stream (stream.ts) and close.
 */
import type { StreamingSynapse, Synapse, SynapseClass } from '../synapse/index.js';
import { type CallPath, runCall } from './call.js';
import { grpcCall } from './call-grpc.js';
import { sessionHttp, signedHttp } from './call-http.js';
import { streamCall as streamPath } from './call-stream.js';
import { DendriteError } from './errors.js';
import { origin } from './http-util.js';
import { assertOpen, closeState, createDendriteState } from './state.js';
import { fail } from './status.js';
import { streamCall } from './stream.js';
import { isUnserved, transportFor } from './target.js';
import type { AxonTarget, CallOptions, Dendrite, DendriteOptions } from './types.js';

const PATHS: Record<'http' | 'session' | 'stream' | 'grpc', CallPath> = {
  http: signedHttp,
  session: sessionHttp,
  stream: streamPath,
  grpc: grpcCall,
};

/**
 * Creates a dendrite. Calls never throw for network or protocol failures; read `synapse.dendrite.status_code`.
 *
 * @example
 * ```ts
 * import { createDendrite } from 'subnetkit/dendrite';
 * const dendrite = createDendrite({ keypair: hotkey });
 * const reply = await dendrite.call(axon.info(), new Dummy({ dummy_input: 2 }), { timeout: 5 });
 * if (reply.isSuccess) console.log(reply.dummy_output);
 * await dendrite.close();
 * ```
 */
export function createDendrite(options: DendriteOptions): Dendrite {
  const state = createDendriteState(options);

  async function call<S extends Synapse>(target: AxonTarget, synapse: S, opts: CallOptions = {}): Promise<S> {
    assertOpen(state);
    if (isUnserved(target)) {
      const name = (synapse.constructor as SynapseClass).synapseName;
      const message = `Service unavailable at ${target.ip}:${target.port}/${name}: the axon is not serving`;
      return fail(synapse, 503, message, performance.now());
    }
    origin(target);
    return runCall(state, PATHS[transportFor(state, target, opts)], target, synapse, opts.timeout ?? 12);
  }

  return {
    uuid: state.uuid,
    hotkey: state.keypair.ss58Address,
    call,
    forward<S extends Synapse>(targets: readonly AxonTarget[], synapse: S, opts: CallOptions = {}): Promise<S[]> {
      // As Python's: one reply per target, a failed one for a target that cannot be called; only a closed dendrite throws.
      return Promise.all(
        targets.map((t) => {
          const copy = synapse.copy();
          return call(t, copy, opts).catch((e) => {
            if (e instanceof DendriteError && (e.code === 'DENDRITE_CLOSED' || e.code === 'DENDRITE_GRPC_MISSING'))
              throw e;
            return fail(copy, 503, `Service unavailable: ${(e as Error).message}`, performance.now());
          });
        }),
      );
    },
    stream: <S extends StreamingSynapse>(target: AxonTarget, synapse: S, opts?: CallOptions) =>
      streamCall(state, target, synapse, opts),
    close: () => closeState(state),
  };
}
