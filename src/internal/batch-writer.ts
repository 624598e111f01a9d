/**
 * Writes frames to a socket in batches: everything queued during one turn of the event loop (the replies or
 * requests that its microtasks produce) goes out as one vectored write, instead of one syscall per frame.
 */
import type { Socket } from 'node:net';

/** Queues `frame` for the socket's next batch. */
export type SendFrame = (frame: Buffer) => void;

/** A batching writer for `sock`; `afterFlush` runs after each batch (for backpressure checks). */
export function createBatchWriter(sock: Socket, afterFlush: () => void = () => undefined): SendFrame {
  let queued: Buffer[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const out = queued;
    queued = [];
    if (sock.destroyed || out.length === 0) return;
    if (out.length === 1) sock.write(out[0]!);
    else {
      sock.cork();
      for (const b of out) sock.write(b);
      sock.uncork();
    }
    afterFlush();
  };
  return (frame) => {
    queued.push(frame);
    if (!scheduled) {
      scheduled = true;
      // After the current microtasks: every frame they queue joins this batch.
      process.nextTick(flush);
    }
  };
}
