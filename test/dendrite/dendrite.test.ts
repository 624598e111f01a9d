/**
 * The dendrite against servers that misbehave on purpose (node:http on real sockets): what it signs and sends, and
 * how every failure becomes a status on the synapse, as Python's dendrite reports it, never an exception.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDendrite, DendriteError, type AxonTarget } from '../../src/dendrite/index.js';
import { cryptoReady, keypairFromUri, sign, verify } from '../../src/keys/index.js';
import { defineSynapse, t } from '../../src/synapse/index.js';
import { VERSION_AS_INT, requestSigningMessage, responseSigningMessage } from '../../src/wire/index.js';
import { thrownCode, thrownCodeSync } from '../helpers/helpers.js';

const me = keypairFromUri('//Alice');
const axonKey = keypairFromUri('//DendriteTestAxon');
const Sum = defineSynapse({
  name: 'Sum',
  fields: { a: t.int(), b: t.int(), total: t.int().optional() },
  requiredHashFields: ['a', 'b'],
});

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let target: AxonTarget;
let handler: Handler = (_req, _body, res) => res.end('{}');

beforeAll(async () => {
  await cryptoReady();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString(), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  target = { ip: '127.0.0.1', port: (server.address() as AddressInfo).port, hotkey: axonKey.ss58Address };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Answers as an axon would: the request's body with `total` filled, and a 200. */
const answerSum: Handler = (_req, body, res) => {
  const s = JSON.parse(body) as { a: number; b: number };
  res.writeHead(200, { 'content-type': 'application/json', bt_header_axon_status_code: '200' });
  res.end(JSON.stringify({ ...s, total: s.a + s.b }));
};

/** The signature headers an axon with `key` puts on `text`, answering the request whose headers are `h`. */
function signatureHeaders(h: Record<string, string>, text: string, key = axonKey): Record<string, string> {
  const nonce = BigInt(Date.now()) * 1_000_000n;
  const message = responseSigningMessage(
    nonce,
    BigInt(h.bt_header_dendrite_nonce!),
    h.bt_header_dendrite_uuid!,
    me.ss58Address,
    axonKey.ss58Address,
    text,
  );
  return { bt_header_axon_nonce: String(nonce), bt_header_axon_signature: sign(key, message) };
}

describe('what a dendrite sends', () => {
  // signWorkers 1: once calls overlap, their signatures come from the process's signing worker (the second wave
  // finds it started); 0: every signature inline.
  it.each([0, 1])(
    'signs each request as Python does, with nonces that strictly increase and one uuid per connection (signWorkers %i)',
    async (signWorkers) => {
      const seen: { nonce: bigint; uuid: string }[] = [];
      handler = (req, body, res) => {
        const h = req.headers as Record<string, string>;
        const message = requestSigningMessage(
          h.bt_header_dendrite_nonce!,
          h.bt_header_dendrite_hotkey!,
          axonKey.ss58Address,
          h.bt_header_dendrite_uuid!,
          h.computed_body_hash!,
        );
        expect(verify(message, h.bt_header_dendrite_signature!, me.ss58Address)).toBe(true);
        expect(h.bt_header_dendrite_version).toBe(String(VERSION_AS_INT));
        expect(h.bt_header_axon_hotkey).toBe(axonKey.ss58Address);
        expect(h.timeout).toBe('3.0');
        seen.push({ nonce: BigInt(h.bt_header_dendrite_nonce!), uuid: h.bt_header_dendrite_uuid! });
        answerSum(req, body, res);
      };
      const d = createDendrite({ keypair: me, connectionsPerAxon: 3, signWorkers });
      const wave = () =>
        Promise.all(Array.from({ length: 24 }, (_, i) => d.call(target, new Sum({ a: i, b: 1 }), { timeout: 3 })));
      const replies = [...(await wave()), ...(await wave())];
      await d.close();
      expect(replies.map((r) => r.total)).toEqual([1, 2].flatMap(() => Array.from({ length: 24 }, (_, i) => i + 1)));
      expect(replies.every((r) => r.isSuccess)).toBe(true);
      // Per uuid (connection), the nonces arrive strictly increasing; no more uuids than connections.
      const byUuid = new Map<string, bigint[]>();
      for (const { nonce, uuid } of seen) byUuid.set(uuid, [...(byUuid.get(uuid) ?? []), nonce]);
      expect(byUuid.size).toBeLessThanOrEqual(3);
      expect(seen.length).toBe(48);
      for (const nonces of byUuid.values())
        for (let i = 1; i < nonces.length; i++) expect(nonces[i]! > nonces[i - 1]!).toBe(true);
    },
  );
});

describe('failures are statuses on the synapse', () => {
  it('a server that never answers: 408 after the timeout, in Python words', async () => {
    handler = () => undefined; // never answers
    const d = createDendrite({ keypair: me });
    const r = await d.call(target, new Sum({ a: 1, b: 1 }), { timeout: 0.3 });
    await d.close();
    expect([r.dendrite.status_code, r.dendrite.status_message]).toEqual([408, 'Request timeout after 0.3 seconds']);
    expect(r.isTimeout).toBe(true);
    expect(r.dendrite.process_time).toBeGreaterThanOrEqual(0.25);
  });

  it('a call waiting for a busy connection ends at its own deadline (408), not when the connection frees', async () => {
    const waiting: (() => void)[] = [];
    handler = (req, body, res) => waiting.push(() => answerSum(req, body, res)); // answered only when let go
    const d = createDendrite({ keypair: me, connectionsPerAxon: 1 });
    try {
      const first = d.call(target, new Sum({ a: 1, b: 2 }), { timeout: 5 });
      const started = performance.now();
      const second = await d.call(target, new Sum({ a: 3, b: 4 }), { timeout: 0.3 });
      const tookS = (performance.now() - started) / 1000;
      expect([second.dendrite.status_code, second.dendrite.status_message]).toEqual([
        408,
        'Request timeout after 0.3 seconds',
      ]);
      expect(tookS).toBeLessThan(1.5);
      // The first call still gets its reply, and the connection then serves the next call.
      for (const go of waiting.splice(0)) go();
      expect((await first).total).toBe(3);
      handler = answerSum;
      expect((await d.call(target, new Sum({ a: 5, b: 6 }), { timeout: 5 })).total).toBe(11);
    } finally {
      for (const go of waiting.splice(0)) go();
      await d.close();
    }
  });

  it.each(['session', 'stream'] as const)(
    "%s: a call joining another call's slow session handshake ends at its own deadline (408)",
    async (transport) => {
      handler = () => undefined; // the handshake is never answered
      const d = createDendrite({ keypair: me, transport });
      try {
        const first = d.call(target, new Sum({ a: 1, b: 2 }), { timeout: 3 });
        const started = performance.now();
        const second = await d.call(target, new Sum({ a: 3, b: 4 }), { timeout: 0.3 });
        expect(second.dendrite.status_code).toBe(408);
        expect((performance.now() - started) / 1000).toBeLessThan(1.5);
        expect((await first).dendrite.status_code).not.toBe(200);
      } finally {
        await d.close();
      }
    },
  );

  it('a connection closed before any reply: sent once more on a fresh connection, with a fresh nonce; then 503', async () => {
    const nonces: string[] = [];
    let drops = 1;
    handler = (req, body, res) => {
      nonces.push(String(req.headers.bt_header_dendrite_nonce));
      if (drops-- > 0)
        req.socket.destroy(); // as an axon closing an idle keep-alive connection the request raced
      else answerSum(req, body, res);
    };
    const d = createDendrite({ keypair: me });
    const once = await d.call(target, new Sum({ a: 2, b: 3 }), { timeout: 2 });
    expect([once.dendrite.status_code, once.total]).toEqual([200, 5]);
    expect(nonces).toHaveLength(2);
    expect(BigInt(nonces[1]!) > BigInt(nonces[0]!)).toBe(true);
    // Dropped every time: one retry only, then the disconnection is the reply.
    nonces.length = 0;
    drops = Number.POSITIVE_INFINITY;
    const twice = await d.call(target, new Sum({ a: 2, b: 3 }), { timeout: 2 });
    await d.close();
    expect(nonces).toHaveLength(2);
    expect(twice.dendrite.status_code).toBe(503);
    expect(twice.dendrite.status_message).toMatch(/^Service disconnected/);
  });

  it('nobody listening: 503 naming the address and the synapse', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const d = createDendrite({ keypair: me });
    const r = await d.call({ ...target, port }, new Sum({ a: 1, b: 1 }), { timeout: 2 });
    await d.close();
    expect([r.dendrite.status_code, r.dendrite.status_message]).toEqual([
      503,
      `Service unavailable at 127.0.0.1:${port}/Sum`,
    ]);
  });

  it('a connection reset mid-reply: 503 disconnected', async () => {
    handler = (req) => req.socket.destroy();
    const d = createDendrite({ keypair: me });
    const r = await d.call(target, new Sum({ a: 1, b: 1 }), { timeout: 2 });
    await d.close();
    expect(r.dendrite.status_code).toBe(503);
    expect(r.dendrite.status_message).toMatch(/^Service disconnected/);
  });

  it('a 200 that is not JSON, or larger than maxResponseBytes: 422', async () => {
    handler = (_req, _body, res) => res.end('<html>oops</html>');
    const d = createDendrite({ keypair: me, maxResponseBytes: 1024 });
    const notJson = await d.call(target, new Sum({ a: 1, b: 1 }), { timeout: 2 });
    expect([notJson.dendrite.status_code, notJson.dendrite.status_message]).toEqual([
      422,
      'Failed to parse response: body is not JSON',
    ]);
    handler = (_req, _body, res) => res.end(JSON.stringify({ a: 1, b: 1, pad: 'x'.repeat(5000) }));
    const huge = await d.call(target, new Sum({ a: 1, b: 1 }), { timeout: 2 });
    await d.close();
    expect(huge.dendrite.status_code).toBe(422);
    expect(huge.dendrite.status_message).toMatch(/^Failed to parse response: .*1024/);
  });

  it("a refusal: the axon's status and message, and its terminal info from the headers", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(403, {
        'content-type': 'application/json',
        bt_header_axon_status_code: '403',
        bt_header_axon_hotkey: axonKey.ss58Address,
        bt_header_axon_process_time: '0.001',
      });
      res.end(JSON.stringify({ message: 'Forbidden. Key is blacklisted: no stake.' }));
    };
    const d = createDendrite({ keypair: me });
    const r = await d.call(target, new Sum({ a: 1, b: 1 }), { timeout: 2 });
    await d.close();
    expect([r.dendrite.status_code, r.dendrite.status_message]).toEqual([
      403,
      'Forbidden. Key is blacklisted: no stake.',
    ]);
    expect(r.isBlacklist).toBe(true);
    expect(r.axon.hotkey).toBe(axonKey.ss58Address);
    expect(r.total).toBeNull();
  });

  it('an axon that never served (0.0.0.0 or port 0): 503 without a connection attempt', async () => {
    let hits = 0;
    handler = (req, body, res) => {
      hits++;
      answerSum(req, body, res);
    };
    const d = createDendrite({ keypair: me });
    const r = await d.call({ ip: '0.0.0.0', port: 0, hotkey: axonKey.ss58Address }, new Sum({ a: 1, b: 1 }));
    await d.close();
    expect(r.dendrite.status_code).toBe(503);
    expect(r.dendrite.status_message).toMatch(/the axon is not serving/);
    expect(hits).toBe(0);
  });

  it('with requireSignedResponses, an unsigned or forged reply is 401; a genuine one passes', async () => {
    const d = createDendrite({ keypair: me, requireSignedResponses: true });
    handler = answerSum;
    const unsigned = await d.call(target, new Sum({ a: 1, b: 1 }), { timeout: 2 });
    expect([unsigned.dendrite.status_code, unsigned.dendrite.status_message]).toEqual([
      401,
      'Response signature missing or invalid',
    ]);
    const signedBy =
      (key: typeof axonKey): Handler =>
      (req, body, res) => {
        const h = req.headers as Record<string, string>;
        const s = JSON.parse(body) as { a: number; b: number };
        const text = JSON.stringify({ ...s, total: s.a + s.b });
        res.writeHead(200, { 'content-type': 'application/json', ...signatureHeaders(h, text, key) });
        res.end(text);
      };
    handler = signedBy(keypairFromUri('//Mallory'));
    expect((await d.call(target, new Sum({ a: 1, b: 1 }), { timeout: 2 })).dendrite.status_code).toBe(401);
    handler = signedBy(axonKey);
    const genuine = await d.call(target, new Sum({ a: 2, b: 2 }), { timeout: 2 });
    await d.close();
    expect([genuine.dendrite.status_code, genuine.total]).toEqual([200, 4]);
  });

  it('with requireSignedResponses, a recorded signed reply replayed for a new request is 401 (bound to its nonce and uuid)', async () => {
    const d = createDendrite({ keypair: me, requireSignedResponses: true });
    let recorded: { headers: Record<string, string>; text: string } | null = null;
    handler = (req, body, res) => {
      if (recorded) {
        // The attacker answers the new request with the old, genuinely signed reply.
        res.writeHead(200, { 'content-type': 'application/json', ...recorded.headers });
        res.end(recorded.text);
        return;
      }
      const h = req.headers as Record<string, string>;
      const s = JSON.parse(body) as { a: number; b: number };
      const text = JSON.stringify({ ...s, total: s.a + s.b });
      // The reply echoes the request's nonce header, as the old dendrite merged it before verifying.
      recorded = {
        headers: {
          ...signatureHeaders(h, text),
          bt_header_dendrite_nonce: h.bt_header_dendrite_nonce!,
          bt_header_dendrite_uuid: h.bt_header_dendrite_uuid!,
        },
        text,
      };
      res.writeHead(200, { 'content-type': 'application/json', ...recorded.headers });
      res.end(text);
    };
    const first = await d.call(target, new Sum({ a: 2, b: 3 }), { timeout: 2 });
    const replayed = await d.call(target, new Sum({ a: 10, b: 10 }), { timeout: 2 });
    await d.close();
    expect([first.dendrite.status_code, first.total]).toEqual([200, 5]);
    expect([replayed.dendrite.status_code, replayed.total]).toEqual([401, null]);
  });

  it('with requireSignedResponses, unsigned headers cannot alter a verified reply (terminal info from the signed body)', async () => {
    const d = createDendrite({ keypair: me, requireSignedResponses: true });
    handler = (req, body, res) => {
      const h = req.headers as Record<string, string>;
      const s = JSON.parse(body) as Record<string, unknown>;
      const axon = { ...(s.axon as object), status_code: 200, status_message: 'Success', process_time: 0.75 };
      const text = JSON.stringify({ ...s, total: 7, axon });
      res.writeHead(200, {
        'content-type': 'application/json',
        ...signatureHeaders(h, text),
        // Changed in transit: none of these is signed.
        bt_header_axon_process_time: '0.001',
        bt_header_axon_status_message: 'tampered',
        bt_header_axon_hotkey: keypairFromUri('//Mallory').ss58Address,
      });
      res.end(text);
    };
    const r = await d.call(target, new Sum({ a: 3, b: 4 }), { timeout: 2 });
    await d.close();
    expect(r.dendrite.status_code).toBe(200);
    expect(r.axon.process_time).toBe(0.75);
    expect(r.axon.status_message).toBe('Success');
    expect(r.axon.hotkey).not.toBe(keypairFromUri('//Mallory').ss58Address);
  });

  it('gRPC to an axon that does not advertise it: 503, nothing thrown', async () => {
    const d = createDendrite({ keypair: me, transport: 'grpc' });
    const r = await d.call(target, new Sum({ a: 1, b: 1 }), { timeout: 1 });
    await d.close();
    expect([r.dendrite.status_code, r.dendrite.status_message]).toEqual([
      503,
      `axon 127.0.0.1:${target.port} does not advertise gRPC`,
    ]);
  });
});

describe('fan-out and mistakes', () => {
  it('forward gives one reply per target in order, a failed one for a target that cannot be called', async () => {
    handler = answerSum;
    const d = createDendrite({ keypair: me });
    const bad = { ip: 'not an ip', port: 1, hotkey: axonKey.ss58Address };
    const replies = await d.forward([target, bad, target], new Sum({ a: 2, b: 5 }), { timeout: 2 });
    await d.close();
    expect(replies.map((r) => r.dendrite.status_code)).toEqual([200, 503, 200]);
    expect(replies[0]!.total).toBe(7);
    expect(replies[0]).not.toBe(replies[2]); // a copy each
  });

  it('caller mistakes are typed errors: bad options, a malformed target, a closed dendrite', async () => {
    expect(thrownCodeSync(DendriteError, () => createDendrite({ keypair: undefined as never }))).toBe(
      'DENDRITE_INVALID_CONFIG',
    );
    expect(thrownCodeSync(DendriteError, () => createDendrite({ keypair: me, transport: 'pigeon' as never }))).toBe(
      'DENDRITE_INVALID_CONFIG',
    );
    for (const signWorkers of [-1, 1.5, 65, Number.NaN])
      expect(thrownCodeSync(DendriteError, () => createDendrite({ keypair: me, signWorkers }))).toBe(
        'DENDRITE_INVALID_CONFIG',
      );
    const d = createDendrite({ keypair: me });
    expect(
      await thrownCode(DendriteError, d.call({ ip: '127.0.0.1', port: 70000, hotkey: 'x' }, new Sum({ a: 1, b: 1 }))),
    ).toBe('DENDRITE_INVALID_TARGET');
    for (const bad of [null, undefined, 42, { ip: '127.0.0.1', port: 1 }])
      expect(await thrownCode(DendriteError, d.call(bad as never, new Sum({ a: 1, b: 1 })))).toBe(
        'DENDRITE_INVALID_TARGET',
      );
    // A target object that worked once and was then changed is checked again (its origin is remembered per object).
    handler = answerSum;
    const reused = { ...target };
    expect((await d.call(reused, new Sum({ a: 1, b: 1 }), { timeout: 2 })).total).toBe(2);
    reused.ip = 'not an ip';
    expect(await thrownCode(DendriteError, d.call(reused, new Sum({ a: 1, b: 1 })))).toBe('DENDRITE_INVALID_TARGET');
    await d.close();
    expect(await thrownCode(DendriteError, d.call(target, new Sum({ a: 1, b: 1 })))).toBe('DENDRITE_CLOSED');
    expect(await thrownCode(DendriteError, d.forward([target], new Sum({ a: 1, b: 1 })))).toBe('DENDRITE_CLOSED');
  });
});
