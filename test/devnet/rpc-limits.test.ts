/**
 * The devnet's JSON-RPC server under hostile messages: batches that would exhaust memory, oversized requests and
 * answers, too much in flight, and a parameter that used to overflow the stack. Each gets the error code a Substrate
 * node (jsonrpsee) gives, and the devnet keeps answering afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDevnet, type Devnet } from '../../src/devnet/index.js';

let devnet: Devnet;
let small: Devnet;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 });
  small = await startDevnet({ port: 0, maxMessageBytes: 4096, maxBatchLength: 8, maxInFlight: 4 });
});

afterAll(async () => {
  await devnet?.close();
  await small?.close();
});

const call = (id: number, method: string, params: unknown[] = []) => ({ jsonrpc: '2.0', id, method, params });

async function post(d: Devnet, body: unknown): Promise<{ status: number; json: any; bytes: number }> {
  const res = await fetch(d.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text), bytes: text.length };
}

async function healthy(d: Devnet): Promise<void> {
  const { json } = await post(d, call(1, 'system_health'));
  expect(json.result).toMatchObject({ isSyncing: false });
}

describe('devnet JSON-RPC limits', () => {
  it('a batch of metadata calls whose answers outgrow the limit gets -32011, not a 150 MB answer', async () => {
    // ~15 KB of request asking for 250 copies of the ~600 KB metadata: the batch that used to exhaust memory.
    const batch = Array.from({ length: 250 }, (_, i) => call(i, 'state_getMetadata'));
    expect(JSON.stringify(batch).length).toBeLessThan(40_000);
    const before = process.memoryUsage().rss;
    const { json, bytes } = await post(devnet, batch);
    expect(json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32011 } });
    expect(bytes).toBeLessThan(1000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 << 20);
    await healthy(devnet);
  });

  it('a batch within the limits is answered in full, in order', async () => {
    const { json } = await post(devnet, [call(1, 'system_health'), call(2, 'chain_getBlockHash', [0])]);
    expect(json.map((r: { id: number }) => r.id)).toEqual([1, 2]);
    expect(json[1].result).toBe(devnet.genesisHash);
  });

  it('a batch longer than maxBatchLength gets -32010 as one error object', async () => {
    const { json } = await post(
      small,
      Array.from({ length: 9 }, (_, i) => call(i, 'system_health')),
    );
    expect(json).toMatchObject({ id: null, error: { code: -32010 } });
    await healthy(small);
  });

  it('more calls in flight on one connection than maxInFlight gets -32009 Server is busy', async () => {
    const ws = new WebSocket(small.url);
    await new Promise((r) => ws.once('open', r));
    const answers: any[] = [];
    ws.on('message', (m) => answers.push(JSON.parse(m.toString())));
    // A batch of 5 on a connection allowed 4 in flight.
    ws.send(JSON.stringify(Array.from({ length: 5 }, (_, i) => call(i, 'system_health'))));
    ws.send(JSON.stringify(Array.from({ length: 4 }, (_, i) => call(10 + i, 'system_health'))));
    await expect.poll(() => answers.length).toBe(2);
    ws.close();
    const busy = answers.find((a) => !Array.isArray(a));
    expect(busy).toMatchObject({ error: { code: -32009, message: 'Server is busy, try again later' } });
    expect(answers.find(Array.isArray)).toHaveLength(4);
  });

  it('a request over maxMessageBytes over HTTP gets 413 with -32007, and the server goes on', async () => {
    const { status, json } = await post(small, call(1, 'state_getStorage', [`0x${'00'.repeat(4096)}`]));
    expect(status).toBe(413);
    expect(json).toMatchObject({ id: null, error: { code: -32007, message: 'Request is too big' } });
    await healthy(small);
  });

  it('a 14 MB malformed hex parameter is -32602 Invalid params (it used to overflow the stack: -32603)', async () => {
    const key = `0x${'ab'.repeat(7_000_000)}zz`;
    const { json } = await post(devnet, call(7, 'state_getStorage', [key]));
    expect(json).toMatchObject({ id: 7, error: { code: -32602 } });
    await healthy(devnet);
  });

  it('the limits are checked when the devnet starts', async () => {
    await expect(startDevnet({ port: 0, maxBatchLength: 0 })).rejects.toMatchObject({ code: 'DEVNET_INVALID_CONFIG' });
    await expect(startDevnet({ port: 0, maxInFlight: 1.5 })).rejects.toMatchObject({ code: 'DEVNET_INVALID_CONFIG' });
  });
});
