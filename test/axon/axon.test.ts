import { Socket, connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createAxon, createVerifier, intToIp, ipToInt, type Axon } from '../../src/axon/index.js';
import { createDendrite } from '../../src/dendrite/index.js';
import { cryptoReady, keypairFromUri, sign } from '../../src/keys/index.js';
import { Synapse, createStreamingResponse, defineStreamingSynapse, defineSynapse, t } from '../../src/synapse/index.js';

const axonKey = keypairFromUri('//AxonHot');
const alice = keypairFromUri('//Alice');
const bob = keypairFromUri('//Bob');
const mallory = keypairFromUri('//Mallory');

const Dummy = defineSynapse({
  name: 'Dummy',
  fields: { dummy_input: t.int(), dummy_output: t.int().optional() },
  requiredHashFields: ['dummy_input'],
});
const Slow = defineSynapse({ name: 'Slow', fields: { ms: t.int(), order: t.int().default(0) } });
const Boom = defineSynapse({ name: 'Boom', fields: {} });
const Chat = defineStreamingSynapse({ name: 'Chat', fields: { prompt: t.str() }, requiredHashFields: ['prompt'] });

let axon: Axon;
let base: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request signed like a Python dendrite, with knobs to break it. */
function signed(
  synapse: Synapse,
  o: {
    signer?: typeof alice;
    axonHotkey?: string;
    nonce?: bigint;
    uuid?: string;
    unsigned?: boolean;
    version?: number;
  } = {},
) {
  const signer = o.signer ?? alice;
  synapse.dendrite.hotkey = signer.ss58Address;
  synapse.dendrite.nonce = o.nonce ?? BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6));
  synapse.dendrite.uuid = o.uuid ?? 'uuid-1';
  synapse.dendrite.version = o.version ?? 10002000;
  synapse.axon.hotkey = axonKey.ss58Address;
  if (!o.unsigned) {
    const d = synapse.dendrite;
    d.signature = sign(
      signer,
      `${d.nonce}.${d.hotkey}.${o.axonHotkey ?? axonKey.ss58Address}.${d.uuid}.${synapse.bodyHash}`,
    );
  }
  return { headers: { ...synapse.toHeaders(), 'content-type': 'application/json' }, body: synapse.toJSON() };
}

async function post(path: string, req: { headers: Record<string, string>; body: string }) {
  const res = await request(`${base}${path}`, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: (() => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    })(),
  };
}

async function stillServes() {
  const r = await post('/Synapse', signed(new Synapse()));
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  await cryptoReady();
  axon = createAxon({
    keypair: axonKey,
    port: 0,
    host: '127.0.0.1',
    maxBodyBytes: 64 * 1024,
    headersTimeoutMs: 800,
    rateLimit: { perIp: false, perHotkey: { burst: 40, perSecond: 5 } },
    priority: { maxConcurrent: 1, maxQueue: 2 },
    stakeOf: (hk) => (hk === bob.ss58Address ? 1000 : hk === alice.ss58Address ? 10 : 0),
    blacklist: (_s, ctx) => [ctx.hotkey === mallory.ss58Address, 'mallory is not welcome'],
    signResponses: true,
  });
  axon.attach(Dummy, (s) => {
    s.dummy_output = s.dummy_input * 2;
    return s;
  });
  axon.attach(Slow, async (s) => {
    await sleep(s.ms);
    return s;
  });
  axon.attach(Boom, () => {
    throw new Error('handler failure');
  });
  axon.attach(Chat, (s) =>
    createStreamingResponse(
      s,
      (async function* () {
        for (const w of s.prompt.split(' ')) yield `${w.toUpperCase()} `;
      })(),
    ),
  );
  await axon.start();
  base = `http://127.0.0.1:${axon.port}`;
});

afterAll(async () => {
  await axon.stop();
});

describe('TS dendrite ↔ TS axon over HTTP', () => {
  it('round-trips a typed synapse; the handler infers its types', async () => {
    const dendrite = createDendrite({ keypair: alice, requireSignedResponses: true });
    const reply = await dendrite.call(axon.info(), new Dummy({ dummy_input: 21 }), { timeout: 5 });
    expect(reply.isSuccess).toBe(true);
    expect(reply.dummy_output).toBe(42);
    expect(reply.axon.status_message).toBe('Success');
    expect(reply.dendrite.process_time).toBeGreaterThan(0);
    await dendrite.close();
    await expect(dendrite.call(axon.info(), new Dummy({ dummy_input: 1 }))).rejects.toThrow(/closed/);
  });

  it('fans out to several axons, one copy each', async () => {
    const others = await Promise.all(
      [0, 1].map(() =>
        createAxon({ keypair: axonKey, port: 0, host: '127.0.0.1' })
          .attach(Dummy, (s) => {
            s.dummy_output = -1;
            return s;
          })
          .start(),
      ),
    );
    const dendrite = createDendrite({ keypair: bob });
    const req = new Dummy({ dummy_input: 5 });
    const replies = await dendrite.forward([axon.info(), ...others.map((a) => a.info())], req, { timeout: 5 });
    expect(replies.map((r) => r.dummy_output)).toEqual([10, -1, -1]);
    expect(req.dummy_output).toBeNull(); // the caller's synapse is not touched
    await dendrite.close();
    await Promise.all(others.map((a) => a.stop()));
  });

  it('streams chunks, then the final synapse', async () => {
    const dendrite = createDendrite({ keypair: alice });
    const items: unknown[] = [];
    const syn = new Chat({ prompt: 'hello streaming world' });
    for await (const x of dendrite.stream(axon.info(), syn, { timeout: 5 })) items.push(x);
    expect(items.slice(0, -1).join('')).toBe('HELLO STREAMING WORLD ');
    expect(items.at(-1)).toBe(syn);
    expect(syn.dendrite.status_code).toBe(200);
    await dendrite.close();
  });

  it('maps failures like Python: 503 unreachable, 408 timeout, 500 handler error', async () => {
    const dendrite = createDendrite({ keypair: alice });
    const dead = await dendrite.call(
      { ip: '127.0.0.1', port: 1, hotkey: axonKey.ss58Address },
      new Dummy({ dummy_input: 1 }),
      { timeout: 2 },
    );
    expect(dead.dendrite.status_code).toBe(503);
    const slow = await dendrite.call(axon.info(), new Slow({ ms: 1500 }), { timeout: 0.3 });
    expect(slow.isTimeout).toBe(true);
    expect(slow.dendrite.status_message).toBe('Request timeout after 0.3 seconds');
    const boom = await dendrite.call(axon.info(), new Boom(), { timeout: 5 });
    expect(boom.dendrite.status_code).toBe(500);
    expect(boom.dendrite.status_message).toMatch(/^Internal Server Error #/);
    await dendrite.close();
    await sleep(1300); // let the slow handler finish before the next tests use the gate
  });
});

describe('wire format (python-wire.md §3.5)', () => {
  it('a ping answers with the Python success header set', async () => {
    const r = await post('/Synapse', signed(new Synapse()));
    expect(r.status).toBe(200);
    for (const h of [
      'bt_header_axon_status_code',
      'bt_header_axon_status_message',
      'bt_header_axon_process_time',
      'computed_body_hash',
      'content-type',
      'name',
      'timeout',
      'header_size',
      'total_size',
      'content-length',
    ]) {
      expect(r.headers).toHaveProperty(h);
    }
    expect(r.headers.bt_header_axon_status_code).toBe('200');
    expect(r.headers.bt_header_axon_status_message).toBe('Success');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json.name).toBe('Synapse');
    expect(r.json.axon.status_code).toBe(200);
  });

  it('errors are {message} bodies with the status in headers', async () => {
    const r = await post('/Nope', signed(new Synapse()));
    expect(r.status).toBe(404);
    expect(r.json.message).toMatch(/^Synapse name 'Nope' not found/);
    expect(r.headers.bt_header_axon_status_code).toBe('404');
  });

  it('AxonInfo encodes IPs as the chain does (§3.6, §9.4)', () => {
    expect(ipToInt('0.0.0.0')).toBe(0n);
    expect(ipToInt('255.255.255.255')).toBe(4294967295n);
    expect(intToIp(4294967296n)).toBe('::1:0:0');
    expect(ipToInt('::1:0:0')).toBe(4294967296n);
    expect(intToIp((1n << 128n) - 1n)).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(() => intToIp(-1n)).toThrow();
    expect(() => intToIp(1n << 128n)).toThrow();
    const info = axon.info();
    expect(info).toMatchObject({
      version: 10002000,
      ipType: 4,
      protocol: 4,
      hotkey: axonKey.ss58Address,
      port: axon.port,
    });
  });
});

describe('attacks: each gets its status and the axon keeps serving', () => {
  it('unsigned → 401 (Python would accept it)', async () => {
    const r = await post('/Dummy', signed(new Dummy({ dummy_input: 1 }), { unsigned: true }));
    expect(r.status).toBe(401);
    expect(r.json.message).toMatch(/missing signature/);
    await stillServes();
  });

  it('bad signature, and a signature made for another axon → 401', async () => {
    const req = signed(new Dummy({ dummy_input: 1 }));
    (req.headers as Record<string, string>).bt_header_dendrite_signature = sign(alice, 'something else');
    expect((await post('/Dummy', req)).status).toBe(401);
    expect((await post('/Dummy', signed(new Dummy({ dummy_input: 1 }), { axonHotkey: bob.ss58Address }))).status).toBe(
      401,
    );
    expect((await post('/Dummy', signed(new Dummy({ dummy_input: 1 }), { signer: bob, uuid: 'x' }))).status).toBe(200);
    await stillServes();
  });

  it('replayed and stale nonces → 401', async () => {
    const req = signed(new Dummy({ dummy_input: 1 }), { uuid: 'replay' });
    expect((await post('/Dummy', req)).status).toBe(200);
    const again = await post('/Dummy', req);
    expect(again.status).toBe(401);
    expect(again.json.message).toMatch(/newer one was last processed/);
    const stale = await post(
      '/Dummy',
      signed(new Dummy({ dummy_input: 1 }), { uuid: 'stale', nonce: BigInt(Date.now() - 60_000) * 1_000_000n }),
    );
    expect(stale.status).toBe(401);
    expect(stale.json.message).toMatch(/Nonce is too old/);
    await stillServes();
  });

  it('body-hash mismatch → 400 (Python answers 500)', async () => {
    const req = signed(new Dummy({ dummy_input: 1 }));
    req.body = req.body.replace('"dummy_input":1', '"dummy_input":999');
    const r = await post('/Dummy', req);
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/Body hash mismatch/);
    await stillServes();
  });

  it('oversized body → 413 from the declared length, before the body is read', async () => {
    const req = signed(new Dummy({ dummy_input: 1 }));
    const sock = connect(axon.port, '127.0.0.1');
    const head = `POST /Dummy HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 104857600\r\n${Object.entries(
      req.headers,
    )
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n')}\r\n\r\n`;
    const reply = await new Promise<string>((resolve) => {
      let buf = '';
      sock.on('data', (d) => (buf += d.toString()));
      sock.on('close', () => resolve(buf));
      sock.write(head);
      sock.write('x'.repeat(1000)); // far less than declared: the axon must not wait for the rest
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413/);
    // A streamed body without a length is cut off at the cap too.
    const big = await request(`${base}/Dummy`, {
      method: 'POST',
      headers: req.headers,
      body: Readable.from(
        (async function* () {
          for (let i = 0; i < 100; i++) yield Buffer.alloc(4096, 32);
        })(),
      ),
    }).catch((e) => e);
    if (!(big instanceof Error)) expect(big.statusCode).toBe(413);
    await stillServes();
  });

  it('header flood → 431; slowloris → connection closed', async () => {
    const req = signed(new Synapse());
    const flood: Record<string, string> = { ...req.headers };
    for (let i = 0; i < 300; i++) flood[`x-flood-${i}`] = 'y';
    expect((await post('/Synapse', { headers: flood, body: req.body })).status).toBe(431);
    const closedAfter = await new Promise<number>((resolve) => {
      const t0 = Date.now();
      const sock = connect(axon.port, '127.0.0.1', () => sock.write('POST /Synapse HTTP/1.1\r\nhost: x\r\n'));
      const drip = setInterval(() => sock.writable && sock.write('x-slow: 1\r\n'), 200);
      sock.on('close', () => {
        clearInterval(drip);
        resolve(Date.now() - t0);
      });
      sock.on('error', () => {});
    });
    expect(closedAfter).toBeLessThan(5000); // headersTimeoutMs = 800 (+ the server's check interval)
    await stillServes();
  });

  it('a 30 KB route name is not echoed back in the 404', async () => {
    const req = signed(new Synapse());
    const res = await post(`/${'R'.repeat(30_000)}`, req);
    expect(res.status).toBe(404);
    expect(res.text.length).toBeLessThan(400);
    expect(res.text).toContain(`Synapse name '${'R'.repeat(64)}…' not found`);
    await stillServes();
  });

  it('a client that aborts mid-body is counted as client_aborted, not as a server error', async () => {
    const errors: unknown[] = [];
    let listening = true;
    axon.on('error', (e: unknown) => {
      if (listening) errors.push(e);
    });
    const before = axon.metrics().rejected.client_aborted ?? 0;
    const req = signed(new Synapse());
    await new Promise<void>((resolve) => {
      const sock = connect(axon.port, '127.0.0.1', () => {
        const head = Object.entries({ ...req.headers, 'content-length': '50000' })
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n');
        sock.write(`POST /Synapse HTTP/1.1\r\nhost: x\r\n${head}\r\n\r\n{"partial":`);
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 100);
      });
      sock.on('error', () => {});
    });
    await expect.poll(() => axon.metrics().rejected.client_aborted ?? 0).toBe(before + 1);
    listening = false;
    expect(errors).toEqual([]);
    await stillServes();
  });

  it('malformed JSON → 422; unknown route → 404; blacklisted → 403', async () => {
    const req = signed(new Dummy({ dummy_input: 1 }));
    expect((await post('/Dummy', { headers: req.headers, body: '{"dummy_input": ' })).status).toBe(422);
    expect((await post('/Missing', req)).status).toBe(404);
    const black = await post('/Dummy', signed(new Dummy({ dummy_input: 1 }), { signer: mallory, uuid: 'm' }));
    expect(black.status).toBe(403);
    expect(black.json.message).toBe('Forbidden. Key is blacklisted: mallory is not welcome.');
    await stillServes();
  });

  it('rate limited per verified hotkey → 429', async () => {
    const limited = createAxon({
      keypair: axonKey,
      port: 0,
      host: '127.0.0.1',
      rateLimit: { perIp: false, perHotkey: { burst: 3, perSecond: 0.001 } },
    });
    await limited.start();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await request(`http://127.0.0.1:${limited.port}/Synapse`, {
        method: 'POST',
        ...signed(new Synapse(), { uuid: `rl${i}` }),
      });
      await r.body.text();
      statuses.push(r.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(limited.metrics().rejected.rate_limited_hotkey).toBe(2);
    await limited.stop();
  });

  it('overload → 503 when the queue is full; a wait past the timeout → 408; higher stake goes first', async () => {
    const order: string[] = [];
    const gated = createAxon({
      keypair: axonKey,
      port: 0,
      host: '127.0.0.1',
      priority: { maxConcurrent: 1, maxQueue: 2 },
      stakeOf: (hk) => (hk === bob.ss58Address ? 1000 : 1),
    });
    gated.attach(Slow, async (s, ctx) => {
      order.push(ctx.hotkey === bob.ss58Address ? `bob${s.order}` : `alice${s.order}`);
      await sleep(s.ms);
      return s;
    });
    await gated.start();
    const url = `http://127.0.0.1:${gated.port}/Slow`;
    const send = (who: typeof alice, n: number, ms: number, timeout = 10) => {
      const syn = new Slow({ ms, order: n, timeout });
      return request(url, { method: 'POST', ...signed(syn, { signer: who, uuid: `g${n}` }) }).then(async (r) => {
        await r.body.text();
        return r.statusCode;
      });
    };
    const first = send(alice, 0, 300); // occupies the only slot
    await sleep(50);
    const a1 = send(alice, 1, 10);
    await sleep(20);
    const b2 = send(bob, 2, 10); // arrives later, but with more stake
    await sleep(20);
    const a3 = send(bob, 3, 10); // queue already holds 2: the lowest (alice's) is turned away
    expect(await Promise.all([first, a1, b2, a3])).toEqual([200, 503, 200, 200]);
    expect(order).toEqual(['alice0', 'bob2', 'bob3']);
    const hold = send(alice, 4, 500);
    await sleep(30);
    expect(await send(alice, 5, 10, 0.2)).toBe(408);
    expect(await hold).toBe(200);
    await gated.stop();
  });
});

describe('nonce anti-replay window', () => {
  function req(nonce: bigint, uuid = 'w') {
    const s = new Synapse({ timeout: 12 });
    signed(s, { nonce, uuid });
    return Synapse.fromHeaders(s.toHeaders());
  }
  it('accepts out-of-order fresh nonces once, refuses duplicates and nonces below the window', async () => {
    let clock = 1_700_000_000_000_000_000n;
    const check = createVerifier(axonKey.ss58Address, { nowNs: () => clock });
    const base = clock;
    expect(await check(req(base + 3n))).toBeNull();
    expect(await check(req(base + 1n))).toBeNull(); // arrived late, still unseen: accepted
    expect(await check(req(base + 1n))).toMatch(/newer one/); // replay
    expect(await check(req(base + 3n))).toMatch(/newer one/); // replay of the max
    clock += 5_000_000_000n;
    expect(await check(req(base + 5_000_000_000n))).toBeNull(); // 5 s later
    expect(await check(req(base + 2n))).toMatch(/newer one/); // more than 4 s below the max
    const strict = createVerifier(axonKey.ss58Address, { nowNs: () => clock, reorderWindowNs: 0n });
    expect(await strict(req(clock + 10n, 's'))).toBeNull();
    expect(await strict(req(clock + 9n, 's'))).toMatch(/newer one/); // Python's strictly increasing rule
  });
});

describe("freshness from the signed nonce and the axon's own limits", () => {
  function req(nonce: bigint, o: { uuid?: string; timeout?: number; version?: number | null } = {}) {
    const s = new Synapse({ timeout: o.timeout ?? 12 });
    signed(s, { nonce, uuid: o.uuid ?? 'f' });
    if (o.version !== undefined) s.dendrite.version = o.version;
    // Re-sign: the version is not part of the signed message, so the signature still holds.
    return Synapse.fromHeaders(s.toHeaders());
  }
  const second = 1_000_000_000n;

  it('a request claiming no version (or an old one) still gets the age check', async () => {
    const clock = 1_700_000_000_000_000_000n;
    const check = createVerifier(axonKey.ss58Address, { nowNs: () => clock });
    const stale = clock - 60n * second;
    expect(await check(req(stale, { version: null, uuid: 'a' }))).toMatch(/^Nonce is too old: acceptable delta/);
    expect(await check(req(stale, { version: 7_000_000, uuid: 'b' }))).toMatch(/^Nonce is too old/);
    let legacyClock = clock - 120n * second; // an axon up for two minutes
    const legacy = createVerifier(axonKey.ss58Address, { nowNs: () => legacyClock, legacyNonces: true });
    legacyClock = clock;
    expect(await legacy(req(stale, { version: null, uuid: 'c' }))).toBeNull(); // Python's rule, by choice
  });

  it("a request's timeout widens its age window only up to maxTimeoutWindowS (60 s)", async () => {
    let clock = 1_700_000_000_000_000_000n;
    const check = createVerifier(axonKey.ss58Address, { nowNs: () => clock });
    const nonce = clock + 1n;
    clock += 120n * second; // two minutes later, the nonce store having forgotten nothing yet
    expect(await check(req(nonce, { timeout: 3600, uuid: 'long' }))).toBe(
      'Nonce is too old: acceptable delta is 64.00 seconds but request was 120.00 seconds old',
    );
  });

  it('a far-future nonce is refused', async () => {
    const clock = 1_700_000_000_000_000_000n;
    const check = createVerifier(axonKey.ss58Address, { nowNs: () => clock });
    expect(await check(req(clock + 3_600n * second))).toMatch(/^Nonce is in the future: 3600.00 seconds ahead/);
    expect(await check(req(clock + 2n * second, { uuid: 'near' }))).toBeNull(); // clock skew within 4 s
  });

  it('a request signed before the axon (re)started is refused: a restart does not reopen the window', async () => {
    let clock = 1_700_000_000_000_000_000n;
    const captured = req(clock, { uuid: 'r' });
    const firstRun = createVerifier(axonKey.ss58Address, { nowNs: () => clock });
    expect(await firstRun(captured)).toBeNull();
    clock += 1n * second; // the axon restarts a second later: a new, empty nonce store
    const restarted = createVerifier(axonKey.ss58Address, { nowNs: () => clock });
    expect(await restarted(req(clock - 1n * second, { uuid: 'r' }))).toBe(
      'Nonce is older than this axon: signed before it started',
    );
    expect(await restarted(req(clock + 1n, { uuid: 'r' }))).toBeNull();
  });
});

describe('concurrent duplicates', () => {
  it('two copies of one request in flight at once: exactly one is accepted', async () => {
    const check = createVerifier(axonKey.ss58Address, {}, async (m, sig, addr) => {
      await sleep(20); // a slow (off-thread) verification
      const { verify } = await import('../../src/keys/index.js');
      return verify(m, sig, addr);
    });
    const s = new Synapse({ timeout: 12 });
    signed(s, { uuid: 'dup' });
    const copy = () => Synapse.fromHeaders(s.toHeaders());
    const results = await Promise.all([check(copy()), check(copy()), check(copy())]);
    expect(results.filter((r) => r === null)).toHaveLength(1);
  });
});

describe('signed responses and unsigned requests by choice', () => {
  it('a dendrite that requires signed responses rejects an axon that does not sign', async () => {
    const plain = await createAxon({ keypair: axonKey, port: 0, host: '127.0.0.1' })
      .attach(Dummy, (s) => s)
      .start();
    const d = createDendrite({ keypair: alice, requireSignedResponses: true });
    const r = await d.call(plain.info(), new Dummy({ dummy_input: 1 }), { timeout: 5 });
    expect(r.failedVerification).toBe(true);
    await d.close();
    await plain.stop();
  });

  it("allowUnsigned restores Python's behaviour", async () => {
    const open = await createAxon({
      keypair: axonKey,
      port: 0,
      host: '127.0.0.1',
      verify: { allowUnsigned: true },
    }).start();
    const r = await request(`http://127.0.0.1:${open.port}/Synapse`, {
      method: 'POST',
      ...signed(new Synapse(), { unsigned: true }),
    });
    await r.body.text();
    expect(r.statusCode).toBe(200);
    await open.stop();
  });
});

describe('fuzz', () => {
  it('10,000 random and mutated requests: no crash, no hang, only the designed statuses', async () => {
    const fuzzAxon = await createAxon({
      keypair: axonKey,
      port: 0,
      host: '127.0.0.1',
      maxBodyBytes: 8192,
      rateLimit: { perIp: false, perHotkey: false },
    })
      .attach(Dummy, (s) => {
        s.dummy_output = s.dummy_input;
        return s;
      })
      .start();
    const url = `http://127.0.0.1:${fuzzAxon.port}`;
    const errors: unknown[] = [];
    fuzzAxon.on('error', (e) => errors.push(e));
    let seed = 424242;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const templates = Array.from({ length: 20 }, (_, i) => signed(new Dummy({ dummy_input: i }), { uuid: `f${i}` }));
    const allowed = new Set([200, 400, 401, 404, 405, 413, 422, 431]);
    const seen = new Map<number, number>();
    const mutate = (s: string) => {
      const chars = s.split('');
      const n = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < n; k++) {
        const p = Math.floor(rand() * (chars.length + 1));
        const op = rand();
        if (op < 0.4) chars[p] = String.fromCharCode(32 + Math.floor(rand() * 95));
        else if (op < 0.7) chars.splice(p, 1);
        else chars.splice(p, 0, pick(['{', '}', '"', ',', ':', '[', ']', '9', 'null', '\\u0000', '1e999']));
      }
      return chars.join('');
    };
    const N = 10_000;
    let done = 0;
    const worker = async () => {
      while (done < N) {
        done++;
        const tpl = pick(templates);
        const headers: Record<string, string> = { ...tpl.headers };
        let body = tpl.body;
        let path = pick(['/Dummy', '/Dummy', '/Dummy', '/Synapse', '/Nope', '/', '/Dummy?x=1']);
        const r = rand();
        if (r < 0.35) body = mutate(body);
        else if (r < 0.55) {
          const k = pick(Object.keys(headers));
          headers[k] = mutate(headers[k]!).replace(/[^\x20-\x7e]/g, '');
        } else if (r < 0.65) delete headers[pick(Object.keys(headers))];
        else if (r < 0.75)
          body = Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256))).toString(
            'latin1',
          );
        else if (r < 0.8) path = `/${mutate('Dummy')}`;
        try {
          const res = await request(`${url}${encodeURI(path).replace(/%25/g, '%')}`, {
            method: pick(['POST', 'POST', 'GET', 'PUT']),
            headers,
            body: rand() < 0.05 ? undefined : body,
            headersTimeout: 5000,
            bodyTimeout: 5000,
          });
          await res.body.text();
          seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        } catch (e) {
          // A client-side refusal (an invalid header our mutation produced) is not a server answer.
          seen.set(-1, (seen.get(-1) ?? 0) + 1);
          expect(String((e as Error).message)).not.toMatch(/ECONNREFUSED/);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(
      errors.map((e) =>
        String((e as Error).stack ?? e)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
      ),
    ).toEqual([]);
    for (const status of seen.keys()) if (status !== -1) expect(allowed).toContain(status);
    expect([...seen.entries()].filter(([s]) => s !== -1).reduce((a, [, n]) => a + n, 0)).toBeGreaterThan(9000);
    expect(seen.get(200)).toBeGreaterThan(0);
    const ping = await createDendrite({ keypair: alice }).call(fuzzAxon.info(), new Synapse(), { timeout: 5 });
    expect(ping.isSuccess).toBe(true);
    await fuzzAxon.stop();
  }, 60_000);
});

describe('lifecycle', () => {
  function socketsTo(port: number): number {
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    return handles.filter((h) => h instanceof Socket && (h as Socket).remotePort === port && !(h as Socket).destroyed)
      .length;
  }

  it('dendrite.close() leaves no socket open', async () => {
    const a = await createAxon({ keypair: axonKey, port: 0, host: '127.0.0.1' }).start();
    const d = createDendrite({ keypair: alice });
    await Promise.all(Array.from({ length: 8 }, () => d.call(a.info(), new Synapse(), { timeout: 5 })));
    expect(socketsTo(a.port)).toBeGreaterThan(0);
    await d.close();
    await sleep(50);
    expect(socketsTo(a.port)).toBe(0);
    await a.stop();
  });

  it('axon.stop() lets in-flight requests finish, then refuses connections', async () => {
    const a = await createAxon({ keypair: axonKey, port: 0, host: '127.0.0.1' })
      .attach(Slow, async (s) => {
        await sleep(s.ms);
        return s;
      })
      .start();
    const d = createDendrite({ keypair: alice });
    const inflight = d.call(a.info(), new Slow({ ms: 300 }), { timeout: 5 });
    await sleep(50);
    const stopping = a.stop();
    expect((await inflight).dendrite.status_code).toBe(200);
    await stopping;
    const after = await d.call(a.info(), new Synapse(), { timeout: 2 });
    expect(after.dendrite.status_code).toBe(503);
    await d.close();
  });

  it('serves and calls over IPv6', async () => {
    const a = await createAxon({ keypair: axonKey, port: 0, host: '::1' })
      .attach(Dummy, (s) => {
        s.dummy_output = 6;
        return s;
      })
      .start();
    expect(a.info()).toMatchObject({ ip: '::1', ipType: 6 });
    const d = createDendrite({ keypair: alice });
    const r = await d.call(a.info(), new Dummy({ dummy_input: 3 }), { timeout: 5 });
    expect(r.dummy_output).toBe(6);
    await d.close();
    await a.stop();
  });
});

describe('caller mistakes are typed errors', () => {
  it('createAxon without a hotkey, a synapse attached twice, a dendrite target without an address', async () => {
    const { AxonError } = await import('../../src/axon/index.js');
    const { DendriteError } = await import('../../src/dendrite/index.js');
    expect(() => createAxon({} as never)).toThrow(AxonError);
    const a = createAxon({ keypair: axonKey, port: 0 }).attach(Dummy, (s) => s);
    try {
      a.attach(Dummy, (s) => s);
      throw new Error('attached twice');
    } catch (e) {
      expect((e as InstanceType<typeof AxonError>).code).toBe('AXON_ALREADY_ATTACHED');
    }
    const d = createDendrite({ keypair: alice });
    const syn = new Dummy({ dummy_input: 1 });
    await expect(d.call({ ip: 'not-an-ip', port: 80, hotkey: bob.ss58Address }, syn)).rejects.toMatchObject({
      code: 'DENDRITE_INVALID_TARGET',
    });
    // An axon that never served (port 0, or 0.0.0.0) is a failed reply, as in Python, with nothing sent.
    const unserved = await d.call({ ip: '127.0.0.1', port: 0, hotkey: bob.ss58Address }, syn);
    expect(unserved.dendrite.status_code).toBe(503);
    expect(unserved.dendrite.status_message).toMatch(/not serving/);
    expect(syn.dendrite.nonce).toBeNull(); // nothing was signed or sent
    // forward() never throws for a bad entry: each gets a failed reply, in order.
    const replies = await d.forward(
      [
        { ip: '0.0.0.0', port: 0, hotkey: bob.ss58Address },
        { ip: 'not-an-ip', port: 1, hotkey: 'x' },
        { ip: '127.0.0.1', port: 1, hotkey: bob.ss58Address },
      ],
      new Dummy({ dummy_input: 2 }),
      { timeout: 2 },
    );
    expect(replies.map((r) => r.dendrite.status_code)).toEqual([503, 503, 503]);
    expect(() => createDendrite({ keypair: { ...bob, secretKey: undefined } } as never)).toThrow(DendriteError); // public-only key
    await d.close();
  });
});
