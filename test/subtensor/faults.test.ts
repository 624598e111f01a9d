// Faults between the chain client and a real devnet over a real WebSocket: dropped sockets mid-call and
// mid-subscription, a hung node, a halted chain, sends across reconnects, and 1,000 connect/close cycles.
import { afterEach, describe, expect, it } from 'vitest';
import { TAO, startDevnet, type Devnet } from '../../src/devnet/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { SubtensorError, createSubtensor, openConnectionCount, type Subtensor } from '../../src/subtensor/index.js';
import { thrownCode } from '../helpers/helpers.js';

const alice = keypairFromUri('//Alice');
const bob = keypairFromUri('//Bob');
const open: (Subtensor | Devnet)[] = [];

async function setup(sealing: 'instant' | 'manual' = 'instant', options: Parameters<typeof createSubtensor>[0] = {}) {
  await cryptoReady();
  const devnet = await startDevnet({ port: 0, sealing });
  const st = await createSubtensor({
    network: devnet.url,
    shared: false,
    reconnectBaseMs: 20,
    reconnectMaxMs: 200,
    ...options,
  });
  open.push(st, devnet);
  return { devnet, st };
}

function next<T extends unknown[]>(
  st: Subtensor,
  event: 'connected' | 'disconnected' | 'stale' | 'unresponsive' | 'block',
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    st.events.once(event, ((...args: T) => {
      clearTimeout(t);
      resolve(args);
    }) as never);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

describe('dropped sockets', () => {
  it('fails the call in flight with CONNECTION_LOST, reconnects, and serves the next call', async () => {
    const { devnet, st } = await setup();
    devnet.stall(true);
    const inFlight = st.blockNumber();
    await sleep(20);
    const reconnected = next(st, 'connected');
    devnet.dropConnections();
    devnet.stall(false);
    expect(await thrownCode(SubtensorError, inFlight)).toBe('CONNECTION_LOST');
    await reconnected;
    expect(await st.blockNumber()).toBe(0);
  });

  it('re-subscribes: block events keep coming after a reconnect', async () => {
    const { devnet, st } = await setup();
    await st.api();
    const reconnected = next(st, 'connected');
    devnet.dropConnections();
    await reconnected;
    await sleep(50); // the new subscriptions are made right after the socket opens
    const block = next<[{ number: number }]>(st, 'block');
    devnet.newBlock();
    expect((await block)[0].number).toBe(1);
  });

  it('resolves a send whose block was sealed while the socket was down', async () => {
    const { devnet, st } = await setup('manual');
    const sending = st.transfer(alice, bob.ss58Address, TAO);
    // wait until the pool holds it
    for (let i = 0; i < 100 && (await st.rpc<string[]>('author_pendingExtrinsics')).length === 0; i++) await sleep(10);
    const reconnected = next(st, 'connected');
    devnet.dropConnections();
    devnet.newBlock(); // sealed with nobody listening
    await reconnected;
    const receipt = await sending;
    expect(receipt.blockNumber).toBe(1);
    expect(receipt.events.some((e) => e.name === 'Transfer')).toBe(true);
  });

  it('resends a submission the socket lost before any answer, once, and finds it included', async () => {
    const { devnet, st } = await setup();
    await st.api();
    devnet.stall(true); // the node reads the submission and never answers
    const sending = st.transfer(alice, bob.ss58Address, TAO);
    await sleep(100);
    devnet.dropConnections();
    devnet.stall(false);
    const receipt = await sending;
    expect(receipt.blockNumber).toBe(1);
    expect((await st.query.system.account(alice.ss58Address)).nonce).toBe(1); // sent once, not twice
  });
});

describe('hung nodes and halted chains', () => {
  it('times out requests to a hung node and the watchdog replaces the socket', async () => {
    const { devnet, st } = await setup('instant', {
      requestTimeoutMs: 300,
      watchdog: { staleMs: 200, pingTimeoutMs: 100 },
    });
    devnet.stall(true);
    const unresponsive = next(st, 'unresponsive');
    expect(await thrownCode(SubtensorError, st.blockNumber())).toBe('RPC_TIMEOUT');
    await unresponsive;
    const back = next(st, 'connected');
    devnet.stall(false);
    await back;
    expect(await st.blockNumber()).toBe(0);
  });

  it('reports a halted chain as stale without dropping a healthy socket', async () => {
    const { st } = await setup('manual', { watchdog: { staleMs: 150, pingTimeoutMs: 500 } });
    let unresponsive = false;
    st.events.on('unresponsive', () => (unresponsive = true));
    const [info] = await next<[{ sinceMs: number; bestNumber: number }]>(st, 'stale');
    expect(info.sinceMs).toBeGreaterThanOrEqual(150);
    expect(info.bestNumber).toBe(0);
    expect(unresponsive).toBe(false);
  });

  it('gives up on a send that is never included with TX_TIMEOUT, and on close with CLIENT_CLOSED', async () => {
    const { st } = await setup('manual');
    expect(await thrownCode(SubtensorError, st.transfer(alice, bob.ss58Address, TAO, { timeoutMs: 300 }))).toBe(
      'TX_TIMEOUT',
    );
    const pending = st.transfer(bob, alice.ss58Address, TAO, { timeoutMs: 10_000 });
    await sleep(100);
    await st.close();
    expect(await thrownCode(SubtensorError, pending)).toBe('CLIENT_CLOSED');
  });
});

describe('resources', () => {
  it('leaves no socket or handle open after 1,000 connect/close cycles', async () => {
    await cryptoReady();
    const devnet = await startDevnet({ port: 0 });
    open.push(devnet);
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = { sockets: sockets(), timers: timers() };
    for (let i = 0; i < 1000; i++) {
      const st = await createSubtensor({ network: devnet.url });
      expect(await st.blockNumber()).toBe(0);
      await st.close();
    }
    for (let i = 0; i < 100 && devnet.connectionCount() > 0; i++) await sleep(10);
    await sleep(20);
    expect(devnet.connectionCount()).toBe(0);
    expect(openConnectionCount()).toBe(0);
    expect(sockets()).toBeLessThanOrEqual(before.sockets);
    expect(timers()).toBeLessThanOrEqual(before.timers);
  }, 120_000);
});
