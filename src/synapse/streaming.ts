/**
 * Streaming synapses: the axon answers with a `text/event-stream` body of chunks (status 200, synapse headers), and
 * the dendrite yields each chunk as it arrives, then the final synapse. Chunk framing is the subnet's own choice, as in
 * Python; the defaults here carry UTF-8 text.
 */
import { type DefineSynapseOptions, type SynapseWith, defineSynapse } from './define.js';
import { Synapse, type SynapseClass, type SynapseInit } from './synapse.js';
import type { FieldInit, FieldMap } from './fields.js';

const decoder = () => new TextDecoder('utf-8');
const encoder = new TextEncoder();

/**
 * Base class of streaming synapses. Override {@link StreamingSynapse.processStreamingResponse} for your chunk
 * framing and {@link StreamingSynapse.extractResponseJson} for the final fields; the defaults yield UTF-8 text chunks
 * and read the final state from the response headers.
 *
 * @example
 * ```ts
 * import { StreamingSynapse, defineSynapse, t } from 'subnetkit/synapse';
 * const Prompt = defineSynapse({ name: 'StreamPrompting', base: StreamingSynapse, fields: { prompt: t.str() } });
 * ```
 */
export class StreamingSynapse extends Synapse {
  static override synapseName = 'StreamingSynapse';

  /**
   * Client side: turns the raw response body into chunks. The default decodes UTF-8 across chunk boundaries and
   * yields each non-empty piece of text.
   */
  async *processStreamingResponse(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
    const dec = decoder();
    for await (const bytes of body) {
      const text = dec.decode(bytes, { stream: true });
      if (text) yield text;
    }
    const tail = dec.decode();
    if (tail) yield tail;
  }

  /**
   * Client side: the fields to merge into the synapse once the stream has ended. The default rebuilds terminal info,
   * timeout and required fields from the response headers, as Python subnets commonly do.
   */
  extractResponseJson(headers: Record<string, string>): Record<string, unknown> {
    // biome-ignore lint/suspicious/noExplicitAny: the subclass constructor, whatever it takes
    const Cls = this.constructor as unknown as SynapseClass<Synapse, any>;
    const fromHeaders = Cls.fromHeaders(headers).modelDump();
    // Required fields in headers are dummies; keep the request's real values.
    for (const [name, field] of Object.entries(Cls.fields)) if (field.required) delete fromHeaders[name];
    return fromHeaders;
  }
}

/** What an axon sends for a streaming synapse: status, headers and a chunked body. */
export interface StreamingResponse {
  /** Always 200, as in Python: failures surface inside the stream or before it starts. */
  readonly status: 200;
  /** `content-type: text/event-stream` plus the synapse's headers. */
  readonly headers: Record<string, string>;
  /** The body, one `Uint8Array` per chunk. */
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * Server side: wraps a chunk source as the response an axon streams (Python's `create_streaming_response`).
 * Strings are sent as UTF-8.
 *
 * @example
 * ```ts
 * const res = createStreamingResponse(synapse, (async function* () { yield 'hello '; yield 'world'; })());
 * ```
 */
export function createStreamingResponse(
  synapse: StreamingSynapse,
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): StreamingResponse {
  async function* body(): AsyncGenerator<Uint8Array> {
    for await (const c of chunks as AsyncIterable<Uint8Array | string>)
      yield typeof c === 'string' ? encoder.encode(c) : c;
  }
  return { status: 200, headers: { ...synapse.toHeaders(), 'content-type': 'text/event-stream' }, body: body() };
}

/**
 * Client side: yields every chunk of a streamed response, then the synapse updated with
 * {@link StreamingSynapse.extractResponseJson} (Python's `call_stream` contract: the final item is the synapse).
 *
 * @example
 * ```ts
 * for await (const item of consumeStreamingResponse(synapse, response)) {
 *   if (item === synapse) console.log('done', synapse.dendrite.status_code);
 *   else process.stdout.write(String(item));
 * }
 * ```
 */
export async function* consumeStreamingResponse<S extends StreamingSynapse>(
  synapse: S,
  response: { headers: Record<string, string>; body: AsyncIterable<Uint8Array> },
): AsyncGenerator<unknown> {
  yield* synapse.processStreamingResponse(response.body);
  const update = synapse.extractResponseJson(response.headers);
  // Validate the whole update on a copy first, so a bad header leaves the synapse untouched.
  const Cls = synapse.constructor as unknown as new (init: Record<string, unknown>) => S;
  const merged = new Cls({ ...synapse.modelDump(), ...update, computed_body_hash: synapse.computed_body_hash });
  for (const [k, v] of Object.entries(merged.modelDump())) {
    if (k !== 'computed_body_hash') (synapse as Record<string, unknown>)[k] = v;
  }
  yield synapse;
}

/**
 * {@link defineSynapse} with {@link StreamingSynapse} as the base.
 *
 * @example
 * ```ts
 * const StreamPrompting = defineStreamingSynapse({ name: 'StreamPrompting', fields: { prompt: t.str() } });
 * ```
 */
export function defineStreamingSynapse<const F extends FieldMap>(
  options: Omit<DefineSynapseOptions<F, StreamingSynapse>, 'base'>,
): SynapseClass<SynapseWith<F, StreamingSynapse>, SynapseInit & FieldInit<F>> {
  return defineSynapse({ ...options, base: StreamingSynapse });
}
