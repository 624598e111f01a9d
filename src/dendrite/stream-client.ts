/**
 * The dendrite side of the stream transport (framing: src/wire/stream-frame.ts): one TCP connection per axon, opened
 * with an HTTP/1.1 `Upgrade`, carrying every call to that axon as a frame. Requests are matched to replies by a
 * connection-local id; the requests of one turn of the event loop are written together. A connection that fails or
 * closes fails what it carried (503) and is replaced on the next call.
 */
import { connect, type Socket } from 'node:net';
import { createBatchWriter } from '../internal/batch-writer.js';
import {
  STREAM_PROTOCOL,
  STREAM_ROUTE,
  type DecodedStreamReply,
  createFrameReader,
  decodeStreamReply,
} from '../wire/index.js';

/** A network failure of the stream transport, with the code the dendrite's status mapping knows. */
export class StreamNetworkError extends Error {
  constructor(
    message: string,
    /** `ECONNRESET` (lost connection), `STREAM_REFUSED` (the axon does not speak it) or a socket error's code. */
    readonly code: string,
    /**
     * The axon closed the connection with nothing answered since it was last idle: it closed an idle connection,
     * so it never read this call (see `unanswered` in call.ts).
     */
    readonly unanswered = false,
  ) {
    super(message);
  }
}

/** A call that ran out of time (mapped to 408 like every other transport's timeouts). */
class StreamTimeout extends Error {
  override name = 'TimeoutError';
}

interface Pending {
  resolve(r: DecodedStreamReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** An open stream connection to one axon. */
export interface StreamClient {
  /** False once the connection has failed or been closed. */
  readonly open: boolean;
  /** Sends the frame `build` makes for a fresh request id; resolves to its reply, or rejects after `timeoutMs`. */
  call(build: (id: number) => Buffer, timeoutMs: number): Promise<DecodedStreamReply>;
  close(): void;
}

const MAX_UPGRADE_REPLY = 8192;

/** Connects and upgrades; rejects with a {@link StreamNetworkError} when the axon refuses or cannot be reached. */
export function openStream(ip: string, port: number, maxReplyBytes: number, timeoutMs: number): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: ip, port, noDelay: true });
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new StreamTimeout('stream connect timed out')), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    sock.once('error', (e: NodeJS.ErrnoException) => fail(new StreamNetworkError(e.message, e.code ?? 'ECONNRESET')));
    sock.once('close', () => fail(new StreamNetworkError('connection closed during the stream upgrade', 'ECONNRESET')));
    sock.once('connect', () =>
      sock.write(
        `GET /${STREAM_ROUTE} HTTP/1.1\r\nhost: ${ip}:${port}\r\nconnection: Upgrade\r\nupgrade: ${STREAM_PROTOCOL}\r\n\r\n`,
      ),
    );
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_UPGRADE_REPLY)
          fail(new StreamNetworkError('stream upgrade reply too long', 'STREAM_REFUSED'));
        return;
      }
      if (!/^HTTP\/1\.1 101 /.test(head.toString('latin1', 0, Math.min(end, 64))))
        return fail(new StreamNetworkError('the axon does not speak the stream transport', 'STREAM_REFUSED'));
      clearTimeout(timer);
      sock.removeAllListeners('error');
      sock.removeAllListeners('close');
      sock.removeListener('data', onHead);
      resolve(serve(sock, maxReplyBytes, head.subarray(end + 4)));
    };
    sock.on('data', onHead);
  });
}

/** Resolves the pending calls whose replies are in `frames`; false when a frame does not decode. */
function dispatch(frames: Buffer[], pending: Map<number, Pending>, settle: (id: number, p: Pending) => void): boolean {
  for (const f of frames) {
    let r: DecodedStreamReply;
    try {
      r = decodeStreamReply(f);
    } catch {
      return false;
    }
    const p = pending.get(r.id);
    if (!p) continue; // timed out meanwhile
    settle(r.id, p);
    p.resolve(r);
  }
  return true;
}

function serve(sock: Socket, maxReplyBytes: number, rest: Buffer): StreamClient {
  const pending = new Map<number, Pending>();
  const read = createFrameReader(maxReplyBytes + 1024);
  const send = createBatchWriter(sock);
  let nextId = 1;
  let open = true;
  // Whether a call has been settled (answered, or timed out: counted too, to stay on the safe side) since the
  // connection last went from idle to busy.
  let answeredSinceIdle = false;

  const shut = (e: Error) => {
    if (!open) return;
    open = false;
    sock.destroy();
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    pending.clear();
  };
  // An idle connection does not keep the process alive; one with calls in flight does.
  const settle = (id: number, p: Pending) => {
    answeredSinceIdle = true;
    pending.delete(id);
    clearTimeout(p.timer);
    if (pending.size === 0) sock.unref();
  };
  const onData = (chunk: Buffer) => {
    let ok: boolean;
    try {
      ok = dispatch(read(chunk), pending, settle);
    } catch {
      ok = false; // a frame longer than the limit
    }
    if (!ok) shut(new StreamNetworkError('the axon sent a malformed frame', 'ECONNRESET'));
  };
  sock.on('data', onData);
  sock.on('error', (e: NodeJS.ErrnoException) =>
    shut(new StreamNetworkError(e.message, e.code ?? 'ECONNRESET', !answeredSinceIdle)),
  );
  sock.on('close', () => shut(new StreamNetworkError('stream connection closed', 'ECONNRESET', !answeredSinceIdle)));
  sock.unref();
  if (rest.length > 0) onData(rest);

  return {
    get open() {
      return open;
    },
    call(build, timeoutMs) {
      if (!open) return Promise.reject(new StreamNetworkError('stream connection closed', 'ECONNRESET'));
      const id = nextId;
      nextId = nextId >= 0xffffffff ? 1 : nextId + 1;
      const frame = build(id);
      return new Promise<DecodedStreamReply>((resolve, reject) => {
        const p: Pending = {
          resolve,
          reject,
          timer: setTimeout(() => {
            settle(id, p);
            reject(new StreamTimeout(`no reply within ${timeoutMs} ms`));
          }, timeoutMs),
        };
        if (pending.size === 0) {
          sock.ref();
          answeredSinceIdle = false;
        }
        pending.set(id, p);
        send(frame);
      });
    },
    close: () => shut(new StreamNetworkError('dendrite closed', 'ECONNRESET')),
  };
}
