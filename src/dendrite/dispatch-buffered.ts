/**
 * One HTTP exchange read whole: the request goes to undici's dispatcher with a handler that collects the reply's
 * chunks as they are parsed. Why not `request()`: it builds a readable stream, an async iterator and their listeners
 * for every reply, and a call reads its reply whole anyway (a fan-out's dendrite pays that 256 times a round).
 */
import type { Dispatcher } from 'undici';
import { TooLarge, headerRecord } from './http-util.js';

/** A whole reply. */
export interface Reply {
  statusCode: number;
  /** One string per header name (lowercase). */
  headers: Record<string, string>;
  /** The body as UTF-8 text. */
  text: string;
}

/**
 * The state of one exchange, as one object with its methods on the prototype: a fan-out keeps hundreds in flight,
 * and a handful of fields costs the garbage collector less than a closure per callback.
 */
class BufferedExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private cancelled: Error | null = null;
  private done = false;
  private statusCode = 0;
  private headers: Record<string, string> = {};
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly resolve: (reply: Reply) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  /** Ends the exchange now; undici is told as soon as the request has started (it is then dropped from the wire). */
  cancel(reason: Error): void {
    if (this.done) return; // the reply is in: nothing left to end
    this.cancelled = reason;
    this.controller?.abort(reason);
    this.settle(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cancelled) controller.abort(this.cancelled);
  }

  onResponseStart(
    _c: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.statusCode = statusCode;
    this.headers = headerRecord(headers);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) this.cancel(new TooLarge(`response exceeds ${this.maxBytes} bytes`));
    else this.parts.push(chunk);
  }

  onResponseEnd(): void {
    this.settle(null);
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    this.settle(error);
  }

  private settle(error: Error | null): void {
    if (this.done) return;
    this.done = true;
    if (error) {
      this.reject(error);
      return;
    }
    const parts = this.parts;
    const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.parts = [];
    this.resolve({ statusCode: this.statusCode, headers: this.headers, text: body.toString('utf8') });
  }
}

/** An exchange on its way: its reply, and what ends it early (the caller's deadline). */
export interface PendingExchange {
  /** Resolves to the whole reply, or rejects with undici's network error, {@link TooLarge}, or the cancel reason. */
  reply: Promise<Reply>;
  /** Ends the exchange with `reason` (later calls, and calls after the reply, do nothing). */
  cancel(reason: Error): void;
}

/** Sends `request` on `dispatcher`; the reply is refused once its body passes `maxBytes` (the rest is not read). */
export function dispatchBuffered(
  dispatcher: Dispatcher,
  request: Dispatcher.DispatchOptions,
  maxBytes: number,
): PendingExchange {
  let exchange!: BufferedExchange;
  const reply = new Promise<Reply>((resolve, reject) => {
    exchange = new BufferedExchange(maxBytes, resolve, reject);
  });
  dispatcher.dispatch(request, exchange);
  return { reply, cancel: (reason) => exchange.cancel(reason) };
}
