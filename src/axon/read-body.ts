/** Reading an HTTP request body with a cap enforced while it arrives (a lying or absent content-length included). */
import type { IncomingMessage } from 'node:http';
import { Reject } from './exchange.js';

export function readBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  const tooLarge = () => new Reject(413, `Request body exceeds ${cap} bytes`, 'body_too_large', true);
  if (Number(req.headers['content-length'] ?? 0) > cap) return Promise.reject(tooLarge());
  // Events rather than an async iterator: one promise per body instead of one per chunk.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        cleanup();
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new Reject(400, `Request aborted by the client: ${e.message}`, 'client_aborted', true));
    };
    const onClose = () => {
      // The client went away mid-body: its refusal, not a server error (nothing can be answered to it anyway).
      if (!req.complete) {
        cleanup();
        reject(new Reject(400, 'Request aborted by the client', 'client_aborted', true));
      }
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
