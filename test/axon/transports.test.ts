import { Metadata, credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SESSION_HEADERS, SESSION_ROUTE, createAxon, type Axon } from '../../src/axon/index.js';
import {
  acceptMessage,
  handshakeMessage,
  requestMac,
  responseMac,
  sessionKey,
  x25519Pair,
  x25519Shared,
} from '../../src/wire/index.js';
import { createDendrite } from '../../src/dendrite/index.js';
import { AXON_SERVICE } from '../../src/internal/grpc-wire.js';
import { cryptoReady, keypairFromUri, sign, verify } from '../../src/keys/index.js';
import { Tensor, createStreamingResponse, defineStreamingSynapse, defineSynapse, t } from '../../src/synapse/index.js';

const axonKey = keypairFromUri('//TransportAxon');
const alice = keypairFromUri('//Alice');
const mallory = keypairFromUri('//Mallory');

const Dummy = defineSynapse({
  name: 'Dummy',
  fields: { dummy_input: t.int(), dummy_output: t.int().optional() },
  requiredHashFields: ['dummy_input'],
});
const Scale = defineSynapse({
  name: 'Scale',
  fields: {
    values: t.tensor(),
    factor: t.float().default(2),
    scaled: t.tensor().optional(),
    tags: t.list(t.str()).default(() => []),
  },
  requiredHashFields: ['values', 'factor'],
});
const Chat = defineStreamingSynapse({ name: 'Chat', fields: { prompt: t.str() }, requiredHashFields: ['prompt'] });

let axon: Axon;
let base: string;

beforeAll(async () => {
  await cryptoReady();
  axon = createAxon({
    keypair: axonKey,
    port: 0,
    host: '127.0.0.1',
    grpc: { port: 0 },
    rateLimit: { perIp: false },
    blacklist: (_s, ctx) => [ctx.hotkey === mallory.ss58Address, 'mallory is not welcome'],
  });
  axon.attach(Dummy, (s) => {
    s.dummy_output = s.dummy_input * 2;
    return s;
  });
  axon.attach(Scale, (s) => {
    const v = s.values.toArray() as Float32Array;
    s.scaled = Tensor.fromArray(
      v.map((x) => x * s.factor),
      { shape: [...s.values.shape] },
    );
    s.tags = [...s.tags, `n=${v.length}`];
    return s;
  });
  axon.attach(Chat, (s) =>
    createStreamingResponse(
      s,
      (function* () {
        for (const w of s.prompt.split(' ')) yield `${w.toUpperCase()} `;
      })(),
    ),
  );
  await axon.start();
  base = `http://127.0.0.1:${axon.port}`;
});

afterAll(async () => {
  await axon?.stop();
});

describe('transports: HTTP, session, stream, gRPC', () => {
  it('advertises its capabilities in AxonInfo', () => {
    const info = axon.info();
    expect(info.placeholder1).toBe(7); // sessions, gRPC, stream
    expect(info.grpcPort).toBeGreaterThan(0);
    expect(info.protocol).toBe(4);
  });

  for (const transport of ['http', 'session', 'stream', 'grpc', 'auto'] as const) {
    it(`${transport}: typed synapses with tensors round-trip`, async () => {
      const d = createDendrite({ keypair: alice, transport });
      try {
        const r = await d.call(axon.info(), new Dummy({ dummy_input: 21 }), { timeout: 5 });
        expect(r.dendrite.status_code).toBe(200);
        expect(r.dummy_output).toBe(42);
        const values = new Float32Array(300).map((_, i) => i / 7);
        const s = await d.call(
          axon.info(),
          new Scale({ values: Tensor.fromArray(values, { shape: [3, 100] }), factor: 3, tags: ['a'] }),
          { timeout: 5 },
        );
        expect(s.dendrite.status_code).toBe(200);
        expect(s.scaled!.shape).toEqual([3, 100]);
        expect(Array.from(s.scaled!.toArray() as Float32Array)).toEqual(Array.from(values.map((x) => x * 3)));
        expect(s.tags).toEqual(['a', 'n=300']);
        // Many concurrent calls share one session without tripping the replay window.
        const many = await Promise.all(
          Array.from({ length: 50 }, (_, i) => d.call(axon.info(), new Dummy({ dummy_input: i }), { timeout: 5 })),
        );
        expect(many.map((m) => m.dummy_output)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
      } finally {
        await d.close();
      }
    });

    it(`${transport}: streams chunks, then the synapse`, async () => {
      const d = createDendrite({ keypair: alice, transport });
      try {
        const items: unknown[] = [];
        const syn = new Chat({ prompt: 'fast typed streams' });
        for await (const x of d.stream(axon.info(), syn, { timeout: 5 })) items.push(x);
        expect(items.slice(0, -1).join('')).toBe('FAST TYPED STREAMS ');
        expect(items.at(-1)).toBe(syn);
        expect(syn.dendrite.status_code).toBe(200);
      } finally {
        await d.close();
      }
    });

    it(`${transport}: the blacklist applies to the session's hotkey`, async () => {
      const d = createDendrite({ keypair: mallory, transport });
      try {
        const r = await d.call(axon.info(), new Dummy({ dummy_input: 1 }), { timeout: 5 });
        expect(r.dendrite.status_code).toBe(403);
      } finally {
        await d.close();
      }
    });
  }

  it('re-handshakes transparently when the axon forgot the session', async () => {
    const d = createDendrite({ keypair: alice, transport: 'session' });
    try {
      expect((await d.call(axon.info(), new Dummy({ dummy_input: 1 }), { timeout: 5 })).dummy_output).toBe(2);
      // A restart loses every session.
      await axon.stop();
      await axon.start();
      const info = axon.info();
      base = `http://127.0.0.1:${axon.port}`;
      expect((await d.call(info, new Dummy({ dummy_input: 2 }), { timeout: 5 })).dummy_output).toBe(4);
    } finally {
      await d.close();
    }
  });
});

describe('sessions across an axon restart', () => {
  it('no request fails: a new axon process on the same port, concurrent calls on the lost session', async () => {
    const make = (port: number) => {
      const a = createAxon({ keypair: axonKey, port, host: '127.0.0.1', rateLimit: { perIp: false } });
      a.attach(Dummy, (s) => {
        s.dummy_output = s.dummy_input * 2;
        return s;
      });
      return a;
    };
    let current = make(0);
    await current.start();
    const port = current.port;
    const d = createDendrite({ keypair: alice, transport: 'session' });
    const target = { ip: '127.0.0.1', port, hotkey: axonKey.ss58Address, placeholder1: 1 };
    try {
      for (let round = 0; round < 3; round++) {
        // Keep-alive connections and a live session, then the axon goes away and a new one takes the port.
        await Promise.all(
          Array.from({ length: 4 }, () => d.call(target, new Dummy({ dummy_input: 1 }), { timeout: 5 })),
        );
        await current.stop();
        current = make(port);
        await current.start();
        const replies = await Promise.all(
          Array.from({ length: 8 }, (_, i) => d.call(target, new Dummy({ dummy_input: i }), { timeout: 5 })),
        );
        expect(replies.map((r) => `${r.dendrite.status_code} ${r.dendrite.status_message}`)).toEqual(
          Array(8).fill('200 Success'),
        );
        expect(replies.map((r) => r.dummy_output)).toEqual(Array.from({ length: 8 }, (_, i) => i * 2));
      }
    } finally {
      await d.close();
      await current.stop();
    }
  });
});

/** Performs a handshake by hand and returns what a session request needs. */
async function handshake(o: { signer?: typeof alice; forAxon?: string; ts?: number } = {}) {
  const signer = o.signer ?? alice;
  const mine = x25519Pair();
  const pub = mine.publicRaw.toString('hex');
  const nonce = '11'.repeat(16);
  const ts = o.ts ?? Date.now();
  const body = JSON.stringify({
    v: 1,
    hotkey: signer.ss58Address,
    pub,
    nonce,
    ts,
    signature: sign(signer, handshakeMessage(o.forAxon ?? axonKey.ss58Address, signer.ss58Address, pub, nonce, ts)),
  });
  const res = await request(`${base}/${SESSION_ROUTE}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  return {
    status: res.statusCode,
    json: (await res.body.json().catch(() => null)) as { id?: string; message?: string } | null,
  };
}

describe('session attacks', () => {
  it('refuses handshakes with a bad signature, for another axon, stale, or malformed', async () => {
    const good = await handshake();
    expect(good.status).toBe(200);
    expect(good.json!.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await handshake({ forAxon: alice.ss58Address })).status).toBe(401);
    expect((await handshake({ ts: Date.now() - 120_000 })).status).toBe(401);
    const forged = JSON.stringify({
      v: 1,
      hotkey: alice.ss58Address,
      pub: 'ab'.repeat(32),
      nonce: '11'.repeat(16),
      ts: Date.now(),
      signature: sign(mallory, 'x'),
    });
    expect((await request(`${base}/${SESSION_ROUTE}`, { method: 'POST', body: forged })).statusCode).toBe(401);
    for (const bad of [
      '{',
      '{"v":2}',
      JSON.stringify({ v: 1, hotkey: 'x', pub: 'zz', nonce: 'n', ts: 1, signature: 's' }),
    ]) {
      expect((await request(`${base}/${SESSION_ROUTE}`, { method: 'POST', body: bad })).statusCode).toBe(400);
    }
    expect((await request(`${base}/${SESSION_ROUTE}`, { method: 'POST', body: 'x'.repeat(10_000) })).statusCode).toBe(
      413,
    );
  });

  it('a replayed handshake is refused; one hotkey cannot flush the session table', async () => {
    const mine = x25519Pair();
    const pub = mine.publicRaw.toString('hex');
    const ts = Date.now();
    const body = JSON.stringify({
      v: 1,
      hotkey: alice.ss58Address,
      pub,
      nonce: '22'.repeat(16),
      ts,
      signature: sign(alice, handshakeMessage(axonKey.ss58Address, alice.ss58Address, pub, '22'.repeat(16), ts)),
    });
    const post = async () => {
      const res = await request(`${base}/${SESSION_ROUTE}`, { method: 'POST', body });
      return { status: res.statusCode, json: (await res.body.json()) as { id?: string; message?: string } };
    };
    const first = await post();
    expect(first.status).toBe(200);
    const again = await post();
    expect([again.status, again.json.message]).toEqual([401, 'handshake was already used']);

    // Whether the axon still holds a session: a wrong MAC on a live one says so, an evicted one is unknown.
    const probe = async (id: string) => {
      const dummy = new Dummy({ dummy_input: 1 }).toJSON();
      const res = await request(`${base}/Dummy`, {
        method: 'POST',
        body: dummy,
        headers: {
          'content-type': 'application/json',
          [SESSION_HEADERS.id]: id,
          [SESSION_HEADERS.seq]: '1',
          [SESSION_HEADERS.mac]: '00'.repeat(32),
        },
      });
      return ((await res.body.json()) as { message: string }).message;
    };
    const mallorys: string[] = [];
    for (let i = 0; i < 20; i++) mallorys.push((await handshake({ signer: mallory })).json!.id!);
    expect(await probe(mallorys[0]!)).toMatch(/unknown or expired session/); // its oldest went first
    expect(await probe(mallorys[19]!)).toMatch(/session MAC is invalid/);
    expect(await probe(first.json.id!)).toMatch(/session MAC is invalid/); // alice's session survived
  });

  it('refuses a wrong MAC, a replayed or stale sequence number, and an unknown session', async () => {
    const hs = await handshake();
    const id = hs.json!.id!;
    const body = new Dummy({ dummy_input: 5 }).toJSON();
    const send = (headers: Record<string, string>) =>
      request(`${base}/Dummy`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    // We do not hold the key (the handshake was ours, but the MAC key is derived from our X25519 secret we threw away),
    // so every MAC we can make is wrong.
    const r1 = await send({
      [SESSION_HEADERS.id]: id,
      [SESSION_HEADERS.seq]: '1',
      [SESSION_HEADERS.mac]: requestMac(Buffer.alloc(32), '1', 'Dummy', body),
    });
    expect(r1.statusCode).toBe(401);
    expect(r1.headers[SESSION_HEADERS.error]).toBeTruthy();
    await r1.body.dump();
    const r2 = await send({
      [SESSION_HEADERS.id]: 'ff'.repeat(16),
      [SESSION_HEADERS.seq]: '1',
      [SESSION_HEADERS.mac]: '00'.repeat(32),
    });
    expect(r2.statusCode).toBe(401);
    await r2.body.dump();
    const r3 = await send({ [SESSION_HEADERS.id]: id, [SESSION_HEADERS.seq]: 'x', [SESSION_HEADERS.mac]: 'nope' });
    expect(r3.statusCode).toBe(401);
    await r3.body.dump();
  });

  it('accepts each sequence number once: replays and requests behind the window fail, out-of-order ones pass', async () => {
    // A handshake by hand that keeps its X25519 secret, so this test can MAC like a dendrite.
    const mine = x25519Pair();
    const pub = mine.publicRaw.toString('hex');
    const nonce = '22'.repeat(16);
    const ts = Date.now();
    const hsBody = JSON.stringify({
      v: 1,
      hotkey: alice.ss58Address,
      pub,
      nonce,
      ts,
      signature: sign(alice, handshakeMessage(axonKey.ss58Address, alice.ss58Address, pub, nonce, ts)),
    });
    const hs = (await (await request(`${base}/${SESSION_ROUTE}`, { method: 'POST', body: hsBody })).body.json()) as {
      id: string;
      pub: string;
      signature: string;
    };
    expect(verify(acceptMessage(alice.ss58Address, pub, hs.pub, hs.id), hs.signature, axonKey.ss58Address)).toBe(true);
    const key = sessionKey(
      x25519Shared(mine.privateKey, Buffer.from(hs.pub, 'hex')),
      Buffer.from(nonce, 'hex'),
      axonKey.ss58Address,
      alice.ss58Address,
      hs.id,
    );
    const body = new Dummy({ dummy_input: 7 }).toJSON();
    const send = async (seq: string) => {
      const res = await request(`${base}/Dummy`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          timeout: '5',
          [SESSION_HEADERS.id]: hs.id,
          [SESSION_HEADERS.seq]: seq,
          [SESSION_HEADERS.mac]: requestMac(key, seq, 'Dummy', body),
        },
      });
      const text = await res.body.text();
      return { status: res.statusCode, mac: res.headers[SESSION_HEADERS.mac], text };
    };
    const first = await send('5');
    expect(first.status).toBe(200);
    expect(first.mac).toBe(responseMac(key, '5', 200, first.text)); // the reply is authenticated too
    expect(JSON.parse(first.text).dummy_output).toBe(14);
    expect((await send('5')).status).toBe(401); // replay
    expect((await send('3')).status).toBe(200); // late but inside the window
    expect((await send('3')).status).toBe(401);
    expect((await send('2000')).status).toBe(200);
    expect((await send('900')).status).toBe(401); // behind the 1024-wide window
    // The MAC binds the route: the same MAC for another synapse fails.
    const other = await request(`${base}/Scale`, {
      method: 'POST',
      body,
      headers: {
        [SESSION_HEADERS.id]: hs.id,
        [SESSION_HEADERS.seq]: '2001',
        [SESSION_HEADERS.mac]: requestMac(key, '2001', 'Dummy', body),
      },
    });
    expect(other.statusCode).toBe(401);
    await other.body.dump();
  });

  it('answers 404 to handshakes and 401 to session requests when sessions are off', async () => {
    const plain = createAxon({ keypair: axonKey, port: 0, host: '127.0.0.1', sessions: false });
    plain.attach(Dummy, (s) => s);
    await plain.start();
    try {
      const d = createDendrite({ keypair: alice, transport: 'session' });
      const r = await d.call(plain.info(), new Dummy({ dummy_input: 1 }), { timeout: 5 });
      expect(r.dendrite.status_code).toBe(401);
      expect(plain.info().placeholder1).toBe(0);
      const auto = createDendrite({ keypair: alice, transport: 'auto' });
      expect((await auto.call(plain.info(), new Dummy({ dummy_input: 4 }), { timeout: 5 })).dendrite.status_code).toBe(
        200,
      );
      await Promise.all([d.close(), auto.close()]);
    } finally {
      await plain.stop();
    }
  });
});

describe('gRPC hardening', () => {
  const Client = makeGenericClientConstructor(AXON_SERVICE as never, 'Axon');
  const raw = (bytes: Buffer, md = new Metadata()) =>
    new Promise<{ code: number; status?: string }>((resolve) => {
      const c = new Client(`127.0.0.1:${axon.info().grpcPort}`, credentials.createInsecure()) as unknown as {
        forward(
          message: Buffer,
          metadata: Metadata,
          options: { deadline: number },
          callback: (err: { code: number; metadata: Metadata } | null) => void,
        ): void;
        close(): void;
      };
      c.forward(bytes, md, { deadline: Date.now() + 3000 }, (err: { code: number; metadata: Metadata } | null) => {
        resolve({ code: err ? err.code : 0, status: err?.metadata.get('bt_header_axon_status_code')[0]?.toString() });
        c.close();
      });
    });

  it('answers malformed messages, unknown synapses and unauthenticated calls with statuses, and keeps serving', async () => {
    expect((await raw(Buffer.from([0xff, 0xff, 0xff]))).status).toBe('400');
    const { encodeSynapseMessage } = await import('../../src/internal/grpc-wire.js');
    const unknown = encodeSynapseMessage({ name: 'Nope', json: Buffer.from('{}'), tensors: [] });
    expect((await raw(unknown)).status).toBe('404');
    const unsigned = encodeSynapseMessage({
      name: 'Dummy',
      json: Buffer.from(new Dummy({ dummy_input: 1 }).toJSON()),
      tensors: [],
    });
    const r = await raw(unsigned);
    expect(['400', '401']).toContain(r.status);
    const badTensor = encodeSynapseMessage({
      name: 'Scale',
      json: Buffer.from('{}'),
      tensors: [{ field: 'values', dtype: 'float32', shape: [2], data: new Uint8Array(3) }],
    });
    expect((await raw(badTensor)).status).toBe('400');
    const d = createDendrite({ keypair: alice, transport: 'grpc' });
    expect((await d.call(axon.info(), new Dummy({ dummy_input: 8 }), { timeout: 5 })).dummy_output).toBe(16);
    await d.close();
  });
});
