/**
 * The chain client's transport against a hostile node, over a real WebSocket: notifications for subscription ids
 * nobody asked for are held only within a bound (the oldest ids dropped first), not without limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ResilientProvider } from '../../src/subtensor/provider.js';

let server: WebSocketServer;
let url: string;
const FLOOD = 50_000;

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  server.on('connection', (ws) => {
    ws.on('message', (data) => {
      const req = JSON.parse(data.toString()) as { id: number; method: string; params: string[] };
      if (req.method === 'flood') {
        // A notification for every id from s0 to s49999, none of them asked for, then the answer.
        for (let i = 0; i < FLOOD; i++)
          ws.send(
            JSON.stringify({
              jsonrpc: '2.0',
              method: 'chain_newHead',
              params: { subscription: `s${i}`, result: { number: `0x${i.toString(16)}`, pad: 'x'.repeat(200) } },
            }),
          );
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, result: 'done' }));
        return;
      }
      // chain_subscribeNewHeads answers with the id the test asks for.
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, result: req.params[0] }));
    });
  });
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('transport bounds', () => {
  it('holds early notifications for the most recent ids only; the oldest of a flood are dropped', async () => {
    const provider = new ResilientProvider(url);
    await provider.connect();
    await provider.send('flood', []);
    const got = async (id: string) => {
      const seen: unknown[] = [];
      await provider.subscribe('chain_newHead', 'chain_subscribeNewHeads', [id], (_e, r) => seen.push(r));
      return seen;
    };
    expect(await got(`s${FLOOD - 1}`)).toHaveLength(1); // recent: delivered on subscribe, as before
    expect(await got('s5')).toHaveLength(0); // one of the first 49,744: dropped, not held forever
    await provider.disconnect();
  });
});
