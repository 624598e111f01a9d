/** The OpenAI server's HTTP pieces: typed refusals, JSON bodies read under a cap, field checks, replies and SSE. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A refusal with its HTTP status (400s for the client's mistakes). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readJson(req: IncomingMessage, cap: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > cap) throw new HttpError(413, `body exceeds ${cap} bytes`);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > cap) throw new HttpError(413, `body exceeds ${cap} bytes`);
    chunks.push(c);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

export function intField(body: Record<string, unknown>, name: string, def: number, min: number, max: number): number {
  const v = body[name] ?? def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new HttpError(400, `${name} must be an integer in [${min}, ${max}]`);
  return v;
}

/** `temperature` in [0, 2] (default 1). */
export function temperatureField(body: Record<string, unknown>): number {
  const temperature = Number(body.temperature ?? 1);
  if (!Number.isFinite(temperature) || temperature < 0 || temperature > 2)
    throw new HttpError(400, 'temperature must be in [0, 2]');
  return temperature;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

/** Starts a server-sent event stream; returns how to send an event and how to finish with `[DONE]`. */
export function openEventStream(res: ServerResponse): { send(event: unknown): void; done(): void } {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  return {
    send: (event) => res.write(`data: ${JSON.stringify(event)}\n\n`),
    done: () => res.end('data: [DONE]\n\n'),
  };
}
