/** The devnet's endpoint: Substrate JSON-RPC over WebSocket and HTTP POST on one port. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createChain } from './chain/chain.js';
import { devAccounts, type DevAccount } from './chain/genesis.js';
import type { ChainOptions } from './chain/types.js';
import type { DevnetNotice } from './pallets/context.js';
import { cryptoReady } from '../keys/index.js';
import { DevnetError } from './errors.js';
import type { RpcConnection } from './rpc/context.js';
import { createRpc } from './rpc/rpc.js';
import { createAnswerer, LIMIT_ERRORS, replyError, type RpcLimits } from './rpc/transport.js';

/** Options of {@link startDevnet}. */
export interface DevnetOptions extends ChainOptions {
  /** Port (default 9944; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Largest JSON-RPC request message (default 16 MiB); larger is `-32007 Request is too big`. */
  maxMessageBytes?: number;
  /** Most calls in one batch (default 256); more is `-32010`. */
  maxBatchLength?: number;
  /** Largest answer, one call's or a batch's together (default 16 MiB); larger is `-32008` / `-32011`. */
  maxResponseBytes?: number;
  /** Most calls a connection may have in flight (default 1024); more is `-32009 Server is busy`. */
  maxInFlight?: number;
}

/** A running devnet. */
export interface Devnet {
  /** `ws://host:port`, for `WsProvider`. */
  readonly url: string;
  /** `http://host:port`, for JSON-RPC over HTTP POST. */
  readonly httpUrl: string;
  /** The funded dev accounts (//Alice … //Ferdie). */
  readonly accounts: readonly DevAccount[];
  /** The genesis block hash. */
  readonly genesisHash: string;
  /** The best (and finalized) block number. */
  bestNumber(): number;
  /** Seals `count` blocks now (default 1), the first with whatever is pending: fast-forward. */
  newBlock(count?: number): void;
  /** Calls `fn` for every sealed block with its number, hash and the calls it holds (`subtensorModule.setWeights`); returns the unsubscribe. */
  onBlock(fn: (block: { number: number; hash: string; calls: string[] }) => void): () => void;
  /** Calls `fn` with what the devnet has to tell its operator (a CRv4 commit it cannot open); returns the unsubscribe. */
  onNotice(fn: (notice: DevnetNotice) => void): () => void;
  /** Number of open WebSocket connections (for leak checks). */
  connectionCount(): number;
  /** Fault injection: drops every WebSocket connection now, without a close handshake (the server keeps running). */
  dropConnections(): void;
  /** Fault injection: while on, requests are read but never answered and no notifications go out (a hung node). */
  stall(on: boolean): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1)
    throw new DevnetError('DEVNET_INVALID_CONFIG', `${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Starts the embedded devnet: a subtensor-compatible chain in this process that `@polkadot/api` (and the
 * subnetkit chain client) talk to as they talk to finney.
 *
 * @example
 * ```ts
 * const devnet = await startDevnet({ port: 0 });
 * const api = await ApiPromise.create({ provider: new WsProvider(devnet.url) });
 * ```
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  // over 80 lines by design: it checks the options, then wires chain, RPC, sockets and sealing that share one
  // lifetime; the parts live in chain/, rpc/ and pallets/.
  const port = options.port ?? 9944;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new DevnetError('DEVNET_INVALID_CONFIG', `port must be in [0, 65535], got ${port}`);
  const maxBytes = options.maxMessageBytes ?? 16 << 20;
  const sealing = options.sealing ?? 'instant';
  if (
    sealing !== 'instant' &&
    sealing !== 'manual' &&
    !(typeof sealing === 'number' && Number.isFinite(sealing) && sealing >= 10)
  ) {
    throw new DevnetError(
      'DEVNET_INVALID_CONFIG',
      `sealing must be 'instant', 'manual' or an interval of at least 10 ms, got ${String(sealing)}`,
    );
  }
  await cryptoReady(); // WASM sr25519 for transaction signatures
  const chain = createChain(options);
  const rpc = createRpc(chain);
  let stalled = false;

  const limits: RpcLimits = {
    maxRequestBytes: maxBytes,
    maxBatchLength: positiveInt(options.maxBatchLength ?? 256, 'maxBatchLength'),
    maxResponseBytes: positiveInt(options.maxResponseBytes ?? 16 << 20, 'maxResponseBytes'),
    maxInFlight: positiveInt(options.maxInFlight ?? 1024, 'maxInFlight'),
  };
  const { answer } = createAnswerer(rpc.handle, limits);
  // A client that stops reading while answers pile up is cut off rather than buffered without bound.
  const maxBuffered = Math.max(limits.maxResponseBytes * 4, 64 << 20);

  const http: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        if (!tooBig) res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        if (!tooBig) res.end(replyError(null, LIMIT_ERRORS.requestTooBig()), () => req.destroy());
        tooBig = true;
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return;
      void answer(Buffer.concat(chunks).toString('utf8'), null, req.socket).then((out) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(out);
      });
    });
  });
  const wss = new WebSocketServer({ server: http, maxPayload: maxBytes });
  wss.on('error', () => {}); // the server's own errors (a busy port) are reported by listen below
  wss.on('connection', (ws: WebSocket) => {
    const closers: (() => void)[] = [];
    const conn: RpcConnection = {
      notify(method, subscription, result) {
        if (ws.readyState !== ws.OPEN || stalled) return;
        if (ws.bufferedAmount > maxBuffered) ws.terminate();
        else ws.send(JSON.stringify({ jsonrpc: '2.0', method, params: { subscription, result } }));
      },
      onClose: (fn) => closers.push(fn),
    };
    ws.on('message', (data) => {
      if (stalled) return;
      void answer(data.toString(), conn).then((out) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > maxBuffered) ws.terminate();
        else ws.send(out);
      });
    });
    ws.on('close', () => {
      for (const fn of closers.splice(0)) fn();
    });
    ws.on('error', () => ws.terminate());
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e) =>
      reject(new DevnetError('DEVNET_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${e.message}`, { cause: e })),
    );
    http.listen(port, host, () => resolve());
  }).catch((e) => {
    chain.close(); // nothing may keep the process alive after a failed start
    throw e;
  });
  // Blocks start once the port is bound.
  const timer = typeof sealing === 'number' ? setInterval(chain.produceOrRetry, sealing) : null;
  const bound = (http.address() as AddressInfo).port;
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    url: `ws://${h}:${bound}`,
    httpUrl: `http://${h}:${bound}`,
    accounts: devAccounts(),
    genesisHash: chain.genesisHash,
    bestNumber: () => chain.best().number,
    newBlock(count = 1) {
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000)
        throw new DevnetError('DEVNET_INVALID_CONFIG', `count must be an integer in [1, 1000000], got ${count}`);
      for (let i = 0; i < count; i++) chain.produce();
    },
    onBlock(fn) {
      const listener = (b: { number: number; hash: string; extrinsics: string[] }) => {
        const calls = b.extrinsics.map((hex) => {
          try {
            const x = chain.registry.createType('Extrinsic', hex) as unknown as {
              method: { section: string; method: string };
            };
            return `${x.method.section}.${x.method.method}`;
          } catch {
            return 'undecodable';
          }
        });
        fn({ number: b.number, hash: b.hash, calls });
      };
      chain.events.on('block', listener);
      return () => chain.events.off('block', listener);
    },
    onNotice(fn) {
      chain.events.on('notice', fn);
      return () => chain.events.off('notice', fn);
    },
    connectionCount: () => wss.clients.size,
    dropConnections() {
      for (const c of wss.clients) c.terminate();
    },
    stall(on) {
      stalled = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        for (const c of wss.clients) c.terminate();
        chain.close();
        wss.close(() => http.close(() => resolve()));
        http.closeAllConnections();
      }),
  };
}
