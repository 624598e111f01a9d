import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAxon, type Axon } from '../../src/axon/index.js';
import { createDendrite } from '../../src/dendrite/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { defineSynapse, t } from '../../src/synapse/index.js';
import {
  STREAM_FLAG_SESSION_ERROR,
  STREAM_PROTOCOL,
  STREAM_ROUTE,
  WireError,
  createFrameReader,
  decodeStreamReply,
  decodeStreamRequest,
  encodeStreamReply,
  encodeStreamRequest,
} from '../../src/wire/index.js';

const axonKey = keypairFromUri('//StreamAxon');
const alice = keypairFromUri('//Alice');

const Dummy = defineSynapse({
  name: 'Dummy',
  fields: { dummy_input: t.int(), dummy_output: t.int().optional() },
  requiredHashFields: ['dummy_input'],
});
const Slow = defineSynapse({ name: 'Slow', fields: { ms: t.int() }, requiredHashFields: ['ms'] });

function makeAxon(port = 0): Axon {
  const a = createAxon({ keypair: axonKey, port, host: '127.0.0.1', rateLimit: { perIp: false } });
  a.attach(Dummy, (s) => {
    s.dummy_output = s.dummy_input * 2;
    return s;
  });
  a.attach(Slow, async (s) => {
    await new Promise((r) => setTimeout(r, s.ms));
    return s;
  });
  return a;
}

let axon: Axon;
beforeAll(async () => {
  await cryptoReady();
  axon = await makeAxon().start();
});
afterAll(async () => {
  await axon?.stop();
});

/** A raw socket upgraded to the stream transport (or refused), with everything it receives collected. */
async function rawStream(upgrade = STREAM_PROTOCOL): Promise<{ sock: Socket; head: string; data: () => Buffer }> {
  const sock = connect({ host: '127.0.0.1', port: axon.port });
  let received = Buffer.alloc(0);
  sock.on('data', (c: Buffer) => {
    received = Buffer.concat([received, c]);
  });
  sock.on('error', () => undefined);
  await new Promise((r) => sock.once('connect', r));
  sock.write(`GET /${STREAM_ROUTE} HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: ${upgrade}\r\n\r\n`);
  await until(() => received.includes('\r\n\r\n') || sock.destroyed);
  const end = received.indexOf('\r\n\r\n');
  const head = received.toString('latin1', 0, end);
  const from = end + 4;
  return { sock, head, data: () => received.subarray(from) };
}

async function until(done: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('stream frames (src/wire/stream-frame.ts)', () => {
  it('round-trip, and the reader splits a byte stream however it is chunked', () => {
    const session = Buffer.alloc(16, 7);
    const mac = Buffer.alloc(32, 9);
    const req = encodeStreamRequest({
      id: 42,
      seq: 12345678901234n,
      timeoutMs: 1500,
      session,
      mac,
      route: 'Dummy',
      body: Buffer.from('{"a":1}'),
    });
    const rep = encodeStreamReply({
      id: 42,
      flags: STREAM_FLAG_SESSION_ERROR,
      status: 401,
      mac,
      body: Buffer.from('{}'),
    });
    const stream = Buffer.concat([req, rep, req]);
    for (const size of [1, 3, 7, stream.length]) {
      const read = createFrameReader(1024);
      const frames: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) frames.push(...read(stream.subarray(i, i + size)));
      expect(frames).toHaveLength(3);
      const r = decodeStreamRequest(frames[0]!);
      expect([r.id, r.seq, r.timeoutMs, r.route, Buffer.from(r.body).toString()]).toEqual([
        42,
        12345678901234n,
        1500,
        'Dummy',
        '{"a":1}',
      ]);
      expect(Buffer.from(r.session)).toEqual(session);
      expect(Buffer.from(r.mac)).toEqual(mac);
      const p = decodeStreamReply(frames[1]!);
      expect([p.id, p.flags, p.status, Buffer.from(p.body).toString()]).toEqual([42, 1, 401, '{}']);
      expect(decodeStreamRequest(frames[2]!).id).toBe(42);
    }
  });

  it('refuses a frame longer than the limit before buffering it, and frames of the wrong kind', () => {
    const read = createFrameReader(100);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(101);
    expect(() => read(prefix)).toThrow(WireError);
    const rep = encodeStreamReply({ id: 1, flags: 0, status: 200, mac: Buffer.alloc(32), body: Buffer.alloc(0) });
    expect(() => decodeStreamRequest(rep.subarray(4))).toThrow(WireError);
    expect(() => decodeStreamReply(Buffer.alloc(3))).toThrow(WireError);
  });

  it('refuses to encode a request whose fields do not fit their places', () => {
    const ok = {
      id: 1,
      seq: 1n,
      timeoutMs: 1000,
      session: Buffer.alloc(16),
      mac: Buffer.alloc(32),
      route: 'Dummy',
      body: '{}',
    };
    expect(decodeStreamRequest(encodeStreamRequest(ok).subarray(4)).route).toBe('Dummy');
    for (const bad of [
      { route: 'x'.repeat(256) },
      { route: '' },
      { route: 'Dümmy' },
      { session: Buffer.alloc(15) },
      { mac: Buffer.alloc(31) },
      { seq: -1n },
      { seq: 1n << 64n },
    ])
      expect(() => encodeStreamRequest({ ...ok, ...bad })).toThrow(
        expect.objectContaining({ code: 'WIRE_FRAME_INVALID' }),
      );
  });
});

describe('stream transport', () => {
  it('carries concurrent calls of one dendrite on one connection, replies matched to requests', async () => {
    const d = createDendrite({ keypair: alice, transport: 'stream' });
    try {
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) => d.call(axon.info(), new Dummy({ dummy_input: i }), { timeout: 5 })),
      );
      expect(replies.map((r) => r.dummy_output)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
      expect(replies.every((r) => r.axon.hotkey === axonKey.ss58Address)).toBe(true);
    } finally {
      await d.close();
    }
  });

  it('times a slow call out (408) without disturbing the others on the connection', async () => {
    const d = createDendrite({ keypair: alice, transport: 'stream' });
    try {
      const [slow, fast] = await Promise.all([
        d.call(axon.info(), new Slow({ ms: 1500 }), { timeout: 0.3 }),
        d.call(axon.info(), new Dummy({ dummy_input: 5 }), { timeout: 5 }),
      ]);
      expect(slow.dendrite.status_code).toBe(408);
      expect(fast.dummy_output).toBe(10);
      expect((await d.call(axon.info(), new Dummy({ dummy_input: 6 }), { timeout: 5 })).dummy_output).toBe(12);
    } finally {
      await d.close();
    }
  });

  it('no call fails across axon restarts on the same port: the connection and the session are renewed', async () => {
    let current = await makeAxon().start();
    const port = current.port;
    const target = { ip: '127.0.0.1', port, hotkey: axonKey.ss58Address, placeholder1: 7 };
    const d = createDendrite({ keypair: alice, transport: 'auto' });
    try {
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          Array.from({ length: 4 }, () => d.call(target, new Dummy({ dummy_input: 1 }), { timeout: 5 })),
        );
        await current.stop();
        current = await makeAxon(port).start();
        const replies = await Promise.all(
          Array.from({ length: 8 }, (_, i) => d.call(target, new Dummy({ dummy_input: i }), { timeout: 5 })),
        );
        expect(replies.map((r) => `${r.dendrite.status_code} ${r.dendrite.status_message}`)).toEqual(
          Array(8).fill('200 Success'),
        );
      }
    } finally {
      await d.close();
      await current.stop();
    }
  });

  it('a call to a server that does not speak it fails with a status (no session: 401; no upgrade: 503), not a crash', async () => {
    const { createServer } = await import('node:http');
    const plain = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
    const port = (plain.address() as { port: number }).port;
    const d = createDendrite({ keypair: alice, transport: 'stream' });
    try {
      const r = await d.call({ ip: '127.0.0.1', port, hotkey: axonKey.ss58Address }, new Dummy({ dummy_input: 1 }), {
        timeout: 2,
      });
      expect([401, 503]).toContain(r.dendrite.status_code);
    } finally {
      await d.close();
      plain.close();
    }
  });
});

describe('stream transport under hostile input', () => {
  it('refuses upgrades to other protocols with 400', async () => {
    const { sock, head } = await rawStream('websocket');
    expect(head).toMatch(/^HTTP\/1\.1 400/);
    sock.destroy();
  });

  it('answers unauthenticated and unknown requests with statuses, and closes on a malformed or oversized frame', async () => {
    const { sock, head, data } = await rawStream();
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    const frame = (route: string, session = Buffer.alloc(16, 1)) =>
      encodeStreamRequest({
        id: 7,
        seq: 1n,
        timeoutMs: 1000,
        session,
        mac: Buffer.alloc(32),
        route,
        body: Buffer.from(new Dummy({ dummy_input: 1 }).toJSON()),
      });
    sock.write(frame('Dummy'));
    await until(() => data().length > 4);
    const [reply] = createFrameReader(1 << 20)(data());
    const r = decodeStreamReply(reply!);
    expect([r.id, r.status, r.flags]).toEqual([7, 401, STREAM_FLAG_SESSION_ERROR]);
    // A frame of the wrong kind: the connection can no longer be trusted to be in step, so it is closed.
    sock.write(encodeStreamReply({ id: 1, flags: 0, status: 200, mac: Buffer.alloc(32), body: Buffer.alloc(0) }));
    await until(() => sock.destroyed || sock.readableEnded);

    const big = await rawStream();
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(0xfffffff0);
    big.sock.write(prefix);
    await until(() => big.sock.destroyed || big.sock.readableEnded);
    // The axon goes on serving.
    const d = createDendrite({ keypair: alice, transport: 'stream' });
    expect((await d.call(axon.info(), new Dummy({ dummy_input: 4 }), { timeout: 5 })).dummy_output).toBe(8);
    await d.close();
    expect(axon.metrics().rejected.malformed_frame).toBeGreaterThanOrEqual(1);
    expect(axon.metrics().rejected.frame_too_large).toBeGreaterThanOrEqual(1);
  });

  it('a peer flooding 50 MB of unauthenticated frames without reading the refusals does not hold up other callers', async () => {
    const { sock, head } = await rawStream();
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    sock.pause(); // never reads what the axon answers
    const body = Buffer.alloc(512 * 1024, 0x20);
    const frame = encodeStreamRequest({
      id: 1,
      seq: 1n,
      timeoutMs: 1000,
      session: Buffer.alloc(16, 2),
      mac: Buffer.alloc(32),
      route: 'Dummy',
      body,
    });
    for (let i = 0; i < 100; i++) sock.write(frame); // 50 MB of requests whose refusals it will not read
    const d = createDendrite({ keypair: alice, transport: 'stream' });
    const started = performance.now();
    expect((await d.call(axon.info(), new Dummy({ dummy_input: 3 }), { timeout: 5 })).dummy_output).toBe(6);
    expect(performance.now() - started).toBeLessThan(5000);
    await d.close();
    sock.destroy();
  });
});
