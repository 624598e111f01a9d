/**
 * The chain client against nodes that are not quite finney spec 424, through a proxy in front of the devnet that
 * rewrites answers: a node that offers metadata V14 only (no runtime APIs described: calls fall back to finney's
 * bundled definitions), and a node whose runtime lays a struct out differently (a typed error naming the type, never
 * a value decoded from part of the bytes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startDevnet, type Devnet } from '../../src/devnet/index.js';
import { cryptoReady } from '../../src/keys/index.js';
import { MetagraphError, syncMetagraph } from '../../src/metagraph/index.js';
import { SubtensorError, createSubtensor } from '../../src/subtensor/index.js';

type Rewrite = (method: string, params: unknown[], result: unknown) => unknown;

/** A WebSocket JSON-RPC proxy to `upstream` that passes every answer through `rewrite`. */
async function proxy(upstream: string, rewrite: Rewrite): Promise<{ url: string; close(): Promise<void> }> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (client) => {
    const up = new WebSocket(upstream);
    const asked = new Map<unknown, { method: string; params: unknown[] }>();
    const queue: string[] = [];
    up.on('open', () => {
      for (const m of queue.splice(0)) up.send(m);
    });
    client.on('message', (d) => {
      const m = JSON.parse(d.toString());
      asked.set(m.id, { method: m.method, params: m.params ?? [] });
      if (up.readyState === WebSocket.OPEN) up.send(d.toString());
      else queue.push(d.toString());
    });
    up.on('message', (d) => {
      const m = JSON.parse(d.toString());
      const q = m.id !== undefined ? asked.get(m.id) : undefined;
      if (q && m.result !== undefined) m.result = rewrite(q.method, q.params, m.result);
      if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(m));
    });
    client.on('close', () => up.close());
    up.on('close', () => client.close());
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => http.close(() => r()));
      }),
  };
}

let devnet: Devnet;
beforeAll(async () => {
  await cryptoReady();
  devnet = await startDevnet({ port: 0, tempo: 10 });
});
afterAll(async () => devnet?.close());

describe('a node that offers metadata V14 only', () => {
  it("runtime API calls fall back to finney's definitions and decode the same", async () => {
    const v14 = await proxy(devnet.url, (method, params, result) => {
      if (method === 'state_call' && params[0] === 'Metadata_metadata_versions') return '0x0438000000'; // [14]
      if (method === 'state_call' && params[0] === 'Metadata_metadata_at_version') return '0x00'; // None
      return result;
    });
    const direct = await createSubtensor({ network: devnet.url, shared: false });
    const old = await createSubtensor({ network: v14.url, shared: false });
    expect((await old.api()).runtimeMetadata.version).toBe(14);
    expect(await old.call.subnetInfoRuntimeApi.getDynamicInfo(1)).toEqual(
      await direct.call.subnetInfoRuntimeApi.getDynamicInfo(1),
    );
    const mg = await syncMetagraph(old, { netuid: 1 });
    expect(mg.n).toBe((await syncMetagraph(direct, { netuid: 1 })).n);
    expect(await old.hyperparameters(1)).toEqual(await direct.hyperparameters(1));
    await old.close();
    await direct.close();
    await v14.close();
  }, 30_000);
});

describe("bytes of another runtime's layout", () => {
  it('are a typed error naming the type, for runtime calls, storage and the metagraph', async () => {
    const other = await proxy(devnet.url, (method, params, result) => {
      // One more byte than spec 424's layouts: what a runtime with an extra field would send.
      if (
        method === 'state_call' &&
        (params[0] === 'SubnetInfoRuntimeApi_get_dynamic_info' || params[0] === 'NeuronInfoRuntimeApi_get_neurons_lite')
      )
        return `${result}00`;
      if (method === 'state_getStorage' && typeof result === 'string') return `${result}00`;
      return result;
    });
    const st = await createSubtensor({ network: other.url, shared: false });
    const call = await st.call.subnetInfoRuntimeApi.getDynamicInfo(1).then(
      () => null,
      (e) => e,
    );
    expect(call).toBeInstanceOf(SubtensorError);
    expect(call.code).toBe('DECODE_FAILED');
    expect(call.message).toMatch(
      /subnetInfoRuntimeApi\.getDynamicInfo: the bytes are not a Option<PalletSubtensorRpcInfoDynamicInfo>.*another runtime version/,
    );
    const read = await st.query.subtensorModule.tempo(1).then(
      () => null,
      (e) => e,
    );
    expect(read?.code).toBe('DECODE_FAILED');
    expect(read.message).toMatch(/subtensorModule\.tempo: the bytes are not a u16/);
    const mg = await syncMetagraph(st, { netuid: 1 }).then(
      () => null,
      (e) => e,
    );
    expect(mg).toBeInstanceOf(MetagraphError);
    expect(mg.code).toBe('METAGRAPH_DECODE_FAILED');
    await st.close();
    await other.close();
  }, 30_000);
});
