/**
 * The stream transport's framing: one long-lived TCP connection per dendrite–axon pair, opened with an HTTP/1.1
 * `Upgrade` on the axon's own port, then length-prefixed binary frames in both directions. Requests are multiplexed:
 * each carries a connection-local id that its reply echoes, so replies may come back in any order.
 *
 * Authentication is the session protocol's (src/wire/session.ts): every request frame carries its session id,
 * sequence number and HMAC-SHA256 over `seq|route|body`; every successful reply the HMAC over `res|seq|status|body`.
 * What the HTTP session path spends on headers, a request object and a socket write per message is spent here on a
 * fixed 66-byte header, and the writes of one turn of the event loop go out as one.
 *
 * Request frame (big-endian):  u32 length of the rest | u8 kind = 1 | u8 flags | u32 id | u64 seq | u32 timeout ms |
 *                              16 B session id | 32 B MAC | u8 route length | route (ASCII) | body
 * Reply frame:                 u32 length of the rest | u8 kind = 2 | u8 flags | u32 id | u16 status | 32 B MAC |
 *                              body (the synapse JSON; `{"message": …}` when refused)
 */
import { WireError } from './errors.js';

/**
 * The `Upgrade` token of the stream transport, and the path its upgrade request goes to.
 *
 * @example
 * ```ts
 * socket.write(`GET /${STREAM_ROUTE} HTTP/1.1\r\nhost: ${ip}\r\nconnection: Upgrade\r\nupgrade: ${STREAM_PROTOCOL}\r\n\r\n`);
 * ```
 */
export const STREAM_PROTOCOL = 'subnetkit-stream/1';

/**
 * Path of the stream transport's upgrade request (see {@link STREAM_PROTOCOL}).
 *
 * @example
 * ```ts
 * if (req.url === `/${STREAM_ROUTE}` && req.headers.upgrade === STREAM_PROTOCOL) acceptStream(req.socket);
 * ```
 */
export const STREAM_ROUTE = '_subnetkit_stream';

/**
 * Reply flag: the axon does not know the session (a new handshake can cure it).
 *
 * @example
 * ```ts
 * if (reply.status === 401 && reply.flags & STREAM_FLAG_SESSION_ERROR) await handshakeAgain();
 * ```
 */
export const STREAM_FLAG_SESSION_ERROR = 1;

const KIND_REQUEST = 1;
const KIND_REPLY = 2;
const REQUEST_FIXED = 1 + 1 + 4 + 8 + 4 + 16 + 32 + 1;
const REPLY_FIXED = 1 + 1 + 4 + 2 + 32;

/** A request frame's fields. */
export interface StreamRequest {
  /** Connection-local id, echoed by the reply (0 … 2^32 − 1). */
  id: number;
  /** The session's sequence number for this request. */
  seq: bigint;
  /** How long the caller waits, in milliseconds. */
  timeoutMs: number;
  /** The session id, 16 bytes. */
  session: Uint8Array;
  /** HMAC-SHA256 of `seq|route|body` under the session key, 32 bytes. */
  mac: Uint8Array;
  /** The synapse name. */
  route: string;
  /** The synapse body (text is written as UTF-8 straight into the frame). */
  body: Uint8Array | string;
}

/** A reply frame's fields. */
export interface StreamReply {
  /** The id of the request answered. */
  id: number;
  /** {@link STREAM_FLAG_SESSION_ERROR} or 0. */
  flags: number;
  /** HTTP-like status (200, 401, 403, 429, …). */
  status: number;
  /** HMAC-SHA256 of `res|seq|status|body`, 32 bytes (zeros on a refusal, which is not authenticated). */
  mac: Uint8Array;
  /** The reply body (text is written as UTF-8 straight into the frame). */
  body: Uint8Array | string;
}

/** A request frame as decoded: its body is bytes, a view into the frame. */
export type DecodedStreamRequest = Omit<StreamRequest, 'body'> & {
  /** The request body, a view into the frame. */
  body: Buffer;
};

/** A reply frame as decoded: its body is bytes, a view into the frame. */
export type DecodedStreamReply = Omit<StreamReply, 'body'> & {
  /** The reply body, a view into the frame. */
  body: Buffer;
};

/**
 * Encodes a request frame, length prefix included.
 *
 * @throws {@link WireError} `WIRE_FRAME_INVALID` for a route that is not 1–255 printable ASCII characters, a session
 *   id that is not 16 bytes, a MAC that is not 32 bytes, or a sequence number outside u64.
 * @example
 * ```ts
 * socket.write(encodeStreamRequest({ id: 1, seq: 1n, timeoutMs: 12_000, session, mac, route: 'Echo', body }));
 * ```
 */
export function encodeStreamRequest(r: StreamRequest): Buffer {
  // Every field has a fixed place: a wrong-sized one would shift or leave unwritten bytes in the frame.
  if (typeof r.route !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(r.route))
    throw new WireError('WIRE_FRAME_INVALID', 'stream request route must be 1–255 printable ASCII characters');
  if (r.session?.length !== 16 || r.mac?.length !== 32)
    throw new WireError('WIRE_FRAME_INVALID', 'stream request needs a 16-byte session id and a 32-byte MAC');
  if (typeof r.seq !== 'bigint' || r.seq < 0n || r.seq >= 1n << 64n)
    throw new WireError('WIRE_FRAME_INVALID', 'stream request sequence number must be a u64 bigint');
  const routeLength = r.route.length;
  const bodyLength = typeof r.body === 'string' ? Buffer.byteLength(r.body) : r.body.length;
  const size = 4 + REQUEST_FIXED + routeLength + bodyLength;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(size - 4, 0);
  out[4] = KIND_REQUEST;
  out[5] = 0;
  out.writeUInt32BE(r.id >>> 0, 6);
  out.writeBigUInt64BE(r.seq, 10);
  out.writeUInt32BE(Math.min(0xffffffff, Math.max(0, Math.round(r.timeoutMs))), 18);
  out.set(r.session, 22);
  out.set(r.mac, 38);
  out[70] = routeLength;
  out.write(r.route, 71, 'latin1');
  if (typeof r.body === 'string') out.write(r.body, 71 + routeLength, 'utf8');
  else out.set(r.body, 71 + routeLength);
  return out;
}

/**
 * Encodes a reply frame, length prefix included.
 *
 * @example
 * ```ts
 * socket.write(encodeStreamReply({ id, flags: 0, status: 200, mac, body: Buffer.from(json) }));
 * ```
 */
export function encodeStreamReply(r: StreamReply): Buffer {
  const size = 4 + REPLY_FIXED + (typeof r.body === 'string' ? Buffer.byteLength(r.body) : r.body.length);
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(size - 4, 0);
  out[4] = KIND_REPLY;
  out[5] = r.flags & 0xff;
  out.writeUInt32BE(r.id >>> 0, 6);
  out.writeUInt16BE(r.status & 0xffff, 10);
  out.fill(0, 12, 44);
  out.set(r.mac.subarray(0, 32), 12);
  if (typeof r.body === 'string') out.write(r.body, 44, 'utf8');
  else out.set(r.body, 44);
  return out;
}

/**
 * Decodes the frame that follows a length prefix (`frame` excludes it) as a request.
 *
 * @throws {@link WireError} `WIRE_FRAME_INVALID` when the frame is not a well-formed request.
 * @example
 * ```ts
 * const req = decodeStreamRequest(frame);
 * ```
 */
export function decodeStreamRequest(frame: Buffer): DecodedStreamRequest {
  if (frame.length < REQUEST_FIXED || frame[0] !== KIND_REQUEST)
    throw new WireError('WIRE_FRAME_INVALID', 'not a request frame');
  const routeLength = frame[66]!;
  if (frame.length < REQUEST_FIXED + routeLength)
    throw new WireError('WIRE_FRAME_INVALID', 'request frame shorter than its route');
  return {
    id: frame.readUInt32BE(2),
    seq: frame.readBigUInt64BE(6),
    timeoutMs: frame.readUInt32BE(14),
    session: frame.subarray(18, 34),
    mac: frame.subarray(34, 66),
    route: frame.toString('latin1', 67, 67 + routeLength),
    body: frame.subarray(67 + routeLength),
  };
}

/**
 * Decodes the frame that follows a length prefix (`frame` excludes it) as a reply.
 *
 * @throws {@link WireError} `WIRE_FRAME_INVALID` when the frame is not a well-formed reply.
 * @example
 * ```ts
 * const reply = decodeStreamReply(frame);
 * ```
 */
export function decodeStreamReply(frame: Buffer): DecodedStreamReply {
  if (frame.length < REPLY_FIXED || frame[0] !== KIND_REPLY)
    throw new WireError('WIRE_FRAME_INVALID', 'not a reply frame');
  return {
    flags: frame[1]!,
    id: frame.readUInt32BE(2),
    status: frame.readUInt16BE(6),
    mac: frame.subarray(8, 40),
    body: frame.subarray(40),
  };
}

/**
 * Splits a byte stream into frames (without their length prefix). A frame longer than `maxFrame` throws
 * {@link WireError} `WIRE_FRAME_TOO_LARGE` before it is buffered, so a peer cannot make the reader hold more than that.
 *
 * @example
 * ```ts
 * const read = createFrameReader(64 * 1024 * 1024);
 * socket.on('data', (chunk) => { for (const frame of read(chunk)) handle(frame); });
 * ```
 */
export function createFrameReader(maxFrame: number): (chunk: Buffer) => Buffer[] {
  let chunks: Buffer[] = [];
  let bytes = 0;
  let need = -1; // length of the frame being collected, or -1 while its prefix is incomplete
  return (chunk) => {
    chunks.push(chunk);
    bytes += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (need < 0) {
        if (bytes < 4) break;
        if (chunks[0]!.length < 4) chunks = [Buffer.concat(chunks, bytes)];
        need = chunks[0]!.readUInt32BE(0);
        if (need > maxFrame) throw new WireError('WIRE_FRAME_TOO_LARGE', `frame of ${need} bytes exceeds ${maxFrame}`);
      }
      if (bytes < 4 + need) break;
      // Joined once, when the frame is complete: a large frame arriving in many chunks is copied once, not per chunk.
      const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
      frames.push(buf.subarray(4, 4 + need));
      const rest = buf.subarray(4 + need);
      chunks = rest.length > 0 ? [rest] : [];
      bytes = rest.length;
      need = -1;
    }
    return frames;
  };
}
