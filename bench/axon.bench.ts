/**
 * Axon/dendrite throughput on loopback, all measured in one run on the same machine:
 * - raw: undici Pool → bare node:http echo, no crypto (the HTTP ceiling);
 * - signed ceiling: the same echo plus one sr25519 sign (client) and verify (server) per request, inline;
 * - ours: createDendrite → createAxon, signed and verified round trips of a 1 KB synapse;
 * - larger bodies (64 KB, 1 MB) and a fan-out to 256 axons.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { createDendrite, type AxonTarget } from '../src/dendrite/index.js';
import { createEchoAxon } from './helpers/echo-axon.js';
import { Echo } from './helpers/priority-axon-synapse.js';
import { cryptoReady, keypairFromUri, sign, verify } from '../src/keys/index.js';
import { sha3Hex } from '../src/synapse/index.js';
import type { BenchReport } from './run.js';
import { dendriteOnlyFanout, timeRounds } from './helpers/fanout-dendrite-only.js';

const here = dirname(fileURLToPath(import.meta.url));
const client = keypairFromUri('//BenchClient');
const LARGE = [
  ['64 KB', 64 * 1024],
  ['1 MB', 1024 * 1024],
] as const;
const key = (label: string) => label.replace(' ', '').toLowerCase();
const server = keypairFromUri('//BenchServer');

interface Load {
  rps: number;
  p50: number;
  p99: number;
}

async function load(concurrency: number, seconds: number, once: () => Promise<void>): Promise<Load> {
  const lat: number[] = [];
  for (let i = 0; i < concurrency * 2; i++) await once(); // warm up, before the window opens
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        await once();
        lat.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 100) / 100;
  return { rps: Math.round(lat.length / elapsed), p50: q(0.5), p99: q(0.99) };
}

async function echoServer(withVerify: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const s = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (withVerify) {
      const h = req.headers;
      const msg = `${h['x-nonce']}.${client.ss58Address}.${server.ss58Address}.${h['x-uuid']}.${sha3Hex(body.toString())}`;
      if (!verify(msg, String(h['x-signature']), client.ss58Address)) {
        res.writeHead(401).end();
        return;
      }
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  s.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

/** Spawns a bench helper and reads the one JSON line it prints once it is up. */
async function helper<T>(name: string): Promise<{ value: T; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'helpers', name), '256'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { value: JSON.parse(line) as T, stop: () => child.kill('SIGTERM') };
}

const FANOUT_WARMUP_ROUNDS = 10;
const FANOUT_ROUNDS = 50;
const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/** Mean µs of `f` over `n` runs, after `n` untimed ones. */
function microseconds(n: number, f: () => unknown): number {
  for (let i = 0; i < n; i++) f();
  const s = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - s) / n) * 1000;
}

/**
 * The floor of a 256-way fan-out on this machine: 1 KB written to each of 256 bare TCP echo servers in another
 * process, and the round ends when every echo is back (no HTTP, no crypto, no synapse). Sorted round times in ms.
 */
async function rawFanoutRounds(payload: Buffer, rounds: number): Promise<number[]> {
  const echo = await helper<number[]>('fanout-raw-echo.ts');
  const socks = await Promise.all(
    echo.value.map(
      (port) =>
        new Promise<ReturnType<typeof connect>>((resolve) => {
          const sock = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(sock));
        }),
    ),
  );
  const times: number[] = [];
  for (let i = -FANOUT_WARMUP_ROUNDS; i < rounds; i++) {
    const s = performance.now();
    await Promise.all(
      socks.map(
        (sock) =>
          new Promise<void>((resolve) => {
            let got = 0;
            const onData = (chunk: Buffer) => {
              got += chunk.length;
              if (got < payload.length) return;
              sock.off('data', onData);
              resolve();
            };
            sock.on('data', onData);
            sock.write(payload);
          }),
      ),
    );
    if (i >= 0) times.push(performance.now() - s);
  }
  for (const sock of socks) sock.destroy();
  echo.stop();
  return times.sort((a, b) => a - b);
}

export async function run(): Promise<BenchReport> {
  await cryptoReady();
  const seconds = 3;
  const text = 'x'.repeat(1000);
  const table: BenchReport['table'] = [];
  const figures: BenchReport['figures'] = {};

  // Raw and signed ceilings; both stay up for the paired ratios at the end.
  const body1k = JSON.stringify({ text });
  const ceilingOnce: Record<'raw' | 'signed', () => Promise<void>> = {} as never;
  const closeCeilings: (() => Promise<void>)[] = [];
  for (const signed of [false, true]) {
    const srv = await echoServer(signed);
    const pool = new Pool(`http://127.0.0.1:${srv.port}`, { connections: 32, pipelining: 1 });
    const uuid = randomUUID();
    let nonce = 0n;
    const once = async () => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signed) {
        nonce = BigInt(Date.now()) * 1_000_000n > nonce ? BigInt(Date.now()) * 1_000_000n : nonce + 1n;
        headers['x-nonce'] = String(nonce);
        headers['x-uuid'] = uuid;
        headers['x-signature'] = sign(
          client,
          `${nonce}.${client.ss58Address}.${server.ss58Address}.${uuid}.${sha3Hex(body1k)}`,
        );
      }
      const r = await pool.request({ path: '/', method: 'POST', headers, body: body1k });
      await r.body.text();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    };
    ceilingOnce[signed ? 'signed' : 'raw'] = once;
    for (const c of [1, 32]) {
      const m = await load(c, seconds, once);
      const name = signed ? 'signed ceiling' : 'raw ceiling';
      table.push({ case: name, body: '1 KB', concurrency: c, 'req/s': m.rps, 'p50 ms': m.p50, 'p99 ms': m.p99 });
      if (c === 32) figures[signed ? 'signed_ceiling_rps_c32' : 'raw_rps_c32'] = m.rps;
    }
    if (!signed) {
      // The raw echo of the large bodies too: their ratios compare like with like.
      for (const [label, size] of LARGE) {
        const big = JSON.stringify({ text: 'y'.repeat(size) });
        const m = await load(32, seconds, async () => {
          const r = await pool.request({
            path: '/',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: big,
          });
          await r.body.text();
        });
        table.push({
          case: 'raw ceiling',
          body: label,
          concurrency: 32,
          'req/s': m.rps,
          'p50 ms': m.p50,
          'p99 ms': m.p99,
          'MB/s': Math.round((m.rps * size * 2) / 1e6),
        });
        figures[`raw_rps_c32_${key(label)}`] = m.rps;
      }
    }
    closeCeilings.push(async () => {
      await pool.close();
      await srv.close();
    });
  }

  // Ours: Python-compatible HTTP, signed and verified.
  const axon = createEchoAxon(server);
  await axon.start();
  const dendrite = createDendrite({ keypair: client, connectionsPerAxon: 32 });
  const target = axon.info();
  for (const [label, size] of [
    ['1 KB', 1000],
    ['64 KB', 64 * 1024],
    ['1 MB', 1024 * 1024],
  ] as const) {
    const payload = 'y'.repeat(size);
    const once = async () => {
      const r = await dendrite.call(target, new Echo({ text: payload }), { timeout: 30 });
      if (!r.isSuccess) throw new Error(`status ${r.dendrite.status_code}: ${r.dendrite.status_message}`);
    };
    for (const c of label === '1 KB' ? [1, 32] : [32]) {
      const m = await load(c, seconds, once);
      table.push({
        case: 'ours (HTTP, signed)',
        body: label,
        concurrency: c,
        'req/s': m.rps,
        'p50 ms': m.p50,
        'p99 ms': m.p99,
        'MB/s': Math.round((m.rps * size * 2) / 1e6),
      });
      if (label === '1 KB') {
        figures[`http_rps_c${c}`] = m.rps;
        figures[`http_p50_ms_c${c}`] = m.p50;
        figures[`http_p99_ms_c${c}`] = m.p99;
      } else figures[`http_rps_c32_${label.replace(' ', '').toLowerCase()}`] = m.rps;
    }
  }
  await dendrite.close();

  // Ours, the fast TS↔TS paths: one signed X25519 handshake, then an HMAC per request — as frames on one upgraded
  // connection (stream, the fast path), as HTTP/1.1 requests (session), and as gRPC unary calls.
  const PATH_KEYS = { stream: 'fast', session: 'session', grpc: 'grpc' } as const;
  const PATH_NAMES = {
    stream: 'ours (fast: stream frames + HMAC)',
    session: 'ours (session + HMAC, HTTP/1.1)',
    grpc: 'ours (gRPC, session + HMAC)',
  } as const;
  for (const transport of ['stream', 'session', 'grpc'] as const) {
    const d = createDendrite({ keypair: client, connectionsPerAxon: 32, transport });
    const sizes =
      transport === 'grpc'
        ? ([['1 KB', 1000]] as const)
        : ([
            ['1 KB', 1000],
            ['64 KB', 64 * 1024],
            ['1 MB', 1024 * 1024],
          ] as const);
    for (const [label, size] of sizes) {
      const payload = 'y'.repeat(size);
      const once = async () => {
        const r = await d.call(target, new Echo({ text: payload }), { timeout: 30 });
        if (!r.isSuccess) throw new Error(`status ${r.dendrite.status_code}: ${r.dendrite.status_message}`);
      };
      for (const c of label === '1 KB' ? [1, 32] : [32]) {
        const m = await load(c, seconds, once);
        table.push({
          case: PATH_NAMES[transport],
          body: label,
          concurrency: c,
          'req/s': m.rps,
          'p50 ms': m.p50,
          'p99 ms': m.p99,
          'MB/s': Math.round((m.rps * size * 2) / 1e6),
        });
        const key = PATH_KEYS[transport];
        if (label === '1 KB') {
          figures[`${key}_rps_c${c}`] = m.rps;
          figures[`${key}_p50_ms_c${c}`] = m.p50;
          figures[`${key}_p99_ms_c${c}`] = m.p99;
        } else figures[`${key}_rps_c32_${label.replace(' ', '').toLowerCase()}`] = m.rps;
      }
    }
    await d.close();
  }
  // The headline ratios, robust to this machine's drift (its speed moves by a fifth within a minute): five
  // alternating 2 s windows of the ceiling and ours at c = 32, and the median of the five ratios.
  const signedD = createDendrite({ keypair: client, connectionsPerAxon: 32 });
  const streamD = createDendrite({ keypair: client, transport: 'stream' });
  const oursOnce = (d: typeof signedD) => async () => {
    const r = await d.call(target, new Echo({ text }), { timeout: 30 });
    if (!r.isSuccess) throw new Error(`status ${r.dendrite.status_code}: ${r.dendrite.status_message}`);
  };
  for (const [name, ceiling, ours] of [
    ['ratio_signed_c32', ceilingOnce.signed, oursOnce(signedD)],
    ['ratio_fast_c32', ceilingOnce.raw, oursOnce(streamD)],
  ] as const) {
    const ratios: number[] = [];
    for (let i = 0; i < 5; i++) ratios.push((await load(32, 2, ours)).rps / (await load(32, 2, ceiling)).rps);
    ratios.sort((a, b) => a - b);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    figures[name] = r2(ratios[2]!);
    figures[`${name}_min`] = r2(ratios[0]!);
    figures[`${name}_max`] = r2(ratios[4]!);
  }
  await signedD.close();
  await streamD.close();
  for (const close of closeCeilings) await close();
  await axon.stop();
  const ratio = (ours: string, ceiling: string) =>
    Math.round(((figures[ours] as number) / (figures[ceiling] as number)) * 100) / 100;
  figures.ratio_fast_c32_single = ratio('fast_rps_c32', 'raw_rps_c32');
  figures.ratio_session_c32 = ratio('session_rps_c32', 'raw_rps_c32');
  figures.ratio_grpc_c32 = ratio('grpc_rps_c32', 'raw_rps_c32');
  figures.ratio_signed_c32_single = ratio('http_rps_c32', 'signed_ceiling_rps_c32');
  for (const [label, size] of LARGE) {
    for (const k of ['http', 'fast', 'session'] as const) {
      figures[`ratio_${k}_c32_${key(label)}`] = ratio(`${k}_rps_c32_${key(label)}`, `raw_rps_c32_${key(label)}`);
      figures[`${k}_mb_s_c32_${key(label)}`] = Math.round(
        ((figures[`${k}_rps_c32_${key(label)}`] as number) * size * 2) / 1e6,
      );
    }
  }

  // The fan-out's floor on this machine, then 256 axons in another process (so the figure is the dendrite's): one
  // forward() round versus one call.
  const raw = await rawFanoutRounds(Buffer.from(JSON.stringify({ text })), FANOUT_ROUNDS);
  figures.fanout256_raw_p50_ms = Math.round(quantile(raw, 0.5) * 10) / 10;
  figures.fanout256_raw_p99_ms = Math.round(quantile(raw, 0.99) * 10) / 10;
  table.push({
    case: 'fan-out 256 raw TCP echoes (another process)',
    body: '1 KB',
    concurrency: 256,
    'p50 ms': figures.fanout256_raw_p50_ms,
    'p99 ms': figures.fanout256_raw_p99_ms,
  });
  // The dendrite's own round: the same fan-out to 256 bare HTTP peers, beside the bare undici client's floor.
  const peers = await helper<number[]>('fanout-http-echo.ts');
  const only = await dendriteOnlyFanout(
    peers.value,
    client,
    server.ss58Address,
    text,
    FANOUT_WARMUP_ROUNDS,
    FANOUT_ROUNDS,
  );
  peers.stop();
  const ms = (x: number) => Math.round(x * 10) / 10;
  for (const [prefix, label, t] of [
    ['fanout256_http_floor', 'bare undici → 256 bare HTTP peers', only.floor],
    ['fanout256_dendrite_only', 'dendrite (signed HTTP) → 256 bare HTTP peers', only.ours],
  ] as const) {
    figures[`${prefix}_p50_ms`] = ms(quantile(t.rounds, 0.5));
    figures[`${prefix}_p99_ms`] = ms(quantile(t.rounds, 0.99));
    figures[`${prefix}_overhead_p99_ms`] = ms(quantile(t.rounds, 0.99) - quantile(t.single, 0.99));
    figures[`${prefix}_cpu_ms`] = ms(t.cpuMsPerRound);
    table.push({
      case: `fan-out ${label} (another process)`,
      body: '1 KB',
      concurrency: 256,
      'p50 ms': figures[`${prefix}_p50_ms`] as number,
      'p99 ms': figures[`${prefix}_p99_ms`] as number,
      'dendrite CPU ms': figures[`${prefix}_cpu_ms`] as number,
    });
  }
  // The curve math a signed round cannot avoid, measured here: 256 signatures (dendrite) and 256 checks (axons).
  const signUs = microseconds(300, () => sign(client, `${performance.now()}.bench`));
  const sig = sign(client, 'bench');
  const verifyUs = microseconds(300, () => verify('bench', sig, client.ss58Address));
  figures.sr25519_sign_us = Math.round(signUs);
  figures.sr25519_verify_us = Math.round(verifyUs);
  figures.fanout256_sr25519_cpu_ms = ms((256 * (signUs + verifyUs)) / 1000);

  const axons = await helper<AxonTarget[]>('fanout-axons.ts');
  const targets = axons.value;
  // The Python-compatible path (a signature per axon) and the stream transport (an HMAC per axon, after one
  // handshake each), one after the other against the same axons.
  for (const transport of ['http', 'stream'] as const) {
    const fan = createDendrite({ keypair: client, connectionsPerAxon: 1, transport });
    const check = (ok: boolean) => {
      if (!ok) throw new Error(`fan-out failure (${transport})`);
    };
    // The warm-up rounds connect (and handshake), then warm up both processes' JIT: the first rounds run
    // unoptimised code at both ends and take 2–3× a warm round, which would otherwise be the p99.
    const t = await timeRounds(
      FANOUT_WARMUP_ROUNDS,
      FANOUT_ROUNDS,
      async () => check((await fan.forward(targets, new Echo({ text }), { timeout: 30 })).every((r) => r.isSuccess)),
      async (i) => check((await fan.call(targets[i % targets.length]!, new Echo({ text }), { timeout: 30 })).isSuccess),
    );
    const prefix = transport === 'http' ? 'fanout256' : 'fanout256_stream';
    // The dendrite's own work per round (this process's CPU time), apart from waiting on the axons' process.
    figures[`${prefix}_dendrite_cpu_ms`] = ms(t.cpuMsPerRound);
    figures[`${prefix}_p99_ms`] = ms(quantile(t.rounds, 0.99));
    figures[`${prefix}_overhead_p99_ms`] = ms(quantile(t.rounds, 0.99) - quantile(t.single, 0.99));
    table.push({
      case: `fan-out 256 axons (another process), ${transport === 'http' ? 'signed HTTP' : 'stream'}`,
      body: '1 KB',
      concurrency: 256,
      'p50 ms': ms(quantile(t.rounds, 0.5)),
      'p99 ms': figures[`${prefix}_p99_ms`] as number,
      'dendrite CPU ms': figures[`${prefix}_dendrite_cpu_ms`] as number,
    });
    await fan.close();
  }
  axons.stop();

  return {
    table,
    figures,
    notes: [
      'client and server share the same 2 cores; every row of one run is measured the same way',
      'ratio_signed_c32 and ratio_fast_c32 = the median of five alternating 2 s windows (ours, then the ceiling) at c = 32, with _min and _max; *_single = the one 3 s window of the table rows',
      'signed ceiling = raw echo + one sr25519 sign and one verify per request (WASM backend), inline on the one event loop',
      "ours = a Python-compatible round trip: headers + JSON + SHA3 body hash + signature + nonce checks + synapse parse on both ends; the sr25519 work runs on the process's worker thread (the dendrite signs there once calls overlap, the axon verifies there), so the event loop keeps the HTTP and synapse work and the curve math has the second core",
      'fanout256_overhead_p99_ms = p99 of forward() to 256 axons in another process minus p99 of a single call to one of them; the other process answers the 256 one after another on its one event loop, so this includes its serial work',
      "fanout256_dendrite_only_* = forward() of our dendrite (signed HTTP) to 256 bare node:http peers in another process that echo the body and the header set, so the 256 axons' own work (on 256 other machines in a subnet) is left out and the round is the dendrite's; fanout256_http_floor_* = the same round from a bare undici client (same body and header count, no synapse, no signature); _overhead_p99_ms = p99 round minus p99 of one call to one peer",
      'sr25519_sign_us / sr25519_verify_us = one signature / one check inline here (WASM); fanout256_sr25519_cpu_ms = 256 of each, the curve math a signed fan-out round cannot avoid; on 2 shared cores the round cannot be shorter than half of it',
      'fanout256_raw_* = the floor of a 256-way fan-out here: 1 KB to each of 256 bare TCP echo servers in another process, and back (no HTTP, crypto or synapse); both processes share the same 2 cores',
      'fast = the stream transport: one TCP connection per axon (an HTTP/1.1 upgrade), binary frames multiplexed on it and written once per event-loop turn; one sr25519-signed X25519 handshake per dendrite–axon pair, then HMAC-SHA256 over seq|route|body per request and over the response; replay window of 1024 sequence numbers',
      'session = the same session and HMACs as HTTP/1.1 requests on a keep-alive pool of 32 connections',
      'grpc = @grpc/grpc-js unary calls over one HTTP/2 channel with the same session auth; tensors as raw bytes',
    ],
  };
}
