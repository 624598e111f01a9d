/**
 * What a Python peer notices on the wire: our dendrite never trips a Python axon's strict nonce rule, at any
 * concurrency; streaming and error replies carry the status and process-time headers; the handler sees the axon's
 * terminal info as Python's preprocess fills it, and the reply does not carry it; messages read as Python formats
 * them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAxon, type Axon } from '../../src/axon/index.js';
import { createDendrite } from '../../src/dendrite/index.js';
import { cryptoReady, keypairFromUri, verify } from '../../src/keys/index.js';
import { createStreamingResponse, defineStreamingSynapse, defineSynapse, t } from '../../src/synapse/index.js';

const axonKey = keypairFromUri('//Alice//wire-axon');
const caller = keypairFromUri('//Bob//wire-caller');
const Echo = defineSynapse({
  name: 'Echo',
  fields: { text: t.str(), reply: t.str().optional() },
  requiredHashFields: ['text'],
});
const Talk = defineStreamingSynapse({ name: 'Talk', fields: { prompt: t.str() } });

beforeAll(async () => {
  await cryptoReady();
});

describe("a Python axon's nonce rule (strictly increasing per hotkey:uuid)", () => {
  let axon: Axon;
  beforeAll(async () => {
    // reorderWindowNs 0 is Python's rule: a nonce not above the last one processed for its hotkey:uuid is refused.
    axon = createAxon({
      keypair: axonKey,
      port: 0,
      host: '127.0.0.1',
      verify: { reorderWindowNs: 0n },
      rateLimit: { perIp: false, perHotkey: false },
    });
    axon.attach(Echo, (s) => {
      s.reply = s.text;
      return s;
    });
    await axon.start();
  });
  afterAll(async () => axon?.stop());

  it('0 rejections over 10,000 signed requests at 32 concurrent from one dendrite', async () => {
    const dendrite = createDendrite({ keypair: caller });
    const target = axon.info();
    const statuses = new Map<number, number>();
    let next = 0;
    const uuids = new Set<string>();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < 10_000) {
          next++;
          const r = await dendrite.call(target, new Echo({ text: 'x' }), { timeout: 10 });
          statuses.set(r.dendrite.status_code!, (statuses.get(r.dendrite.status_code!) ?? 0) + 1);
          uuids.add(r.dendrite.uuid!);
        }
      }),
    );
    await dendrite.close();
    expect(Object.fromEntries(statuses)).toEqual({ 200: 10_000 });
    expect(axon.metrics().rejected).toEqual({});
    // One uuid per connection: at most 32.
    expect(uuids.size).toBeGreaterThan(1);
    expect(uuids.size).toBeLessThanOrEqual(32);
  }, 120_000);
});

describe('headers and terminal info as a Python peer reads them', () => {
  let axon: Axon;
  let seen: {
    version: number | null;
    uuid: string | null;
    nonce: bigint | null;
    status: number | null;
    signature: string | null;
    hotkey: string | null;
  } | null = null;
  beforeAll(async () => {
    axon = createAxon({ keypair: axonKey, port: 0, host: '127.0.0.1' });
    axon.attach(Echo, (s) => {
      seen = {
        version: s.axon.version,
        uuid: s.axon.uuid,
        nonce: s.axon.nonce,
        status: s.axon.status_code,
        signature: s.axon.signature,
        hotkey: s.dendrite.hotkey,
      };
      s.reply = s.text;
      return s;
    });
    axon.attach(Talk, (s) => createStreamingResponse(s, ['a', 'b']));
    await axon.start();
  });
  afterAll(async () => axon?.stop());

  it("the handler sees the axon's version, uuid, nonce, status 100 and signature; the reply carries none of them", async () => {
    const dendrite = createDendrite({ keypair: caller });
    const before = BigInt(Date.now()) * 1_000_000n;
    const r = await dendrite.call(axon.info(), new Echo({ text: 'hi' }), { timeout: 5 });
    expect(r.reply).toBe('hi');
    expect(seen).toMatchObject({ version: 10_002_000, uuid: axon.uuid, status: 100, hotkey: caller.ss58Address });
    expect(seen!.nonce! >= before).toBe(true);
    // The signature Python's preprocess makes: {axon nonce}.{dendrite hotkey}.{axon hotkey}.{axon uuid}.
    expect(
      verify(
        `${seen!.nonce}.${caller.ss58Address}.${axonKey.ss58Address}.${axon.uuid}`,
        seen!.signature!,
        axonKey.ss58Address,
      ),
    ).toBe(true);
    expect(r.axon.status_code).toBe(200);
    expect(r.axon.nonce).toBeNull();
    expect(r.axon.uuid).toBeNull();
    expect(r.axon.signature).toBeNull();
    await dendrite.close();
  });

  it('a streaming reply carries the status, its message and the process time; an error reply the process time', async () => {
    const url = `http://127.0.0.1:${axon.port}`;
    const dendrite = createDendrite({ keypair: caller });
    const chunks: unknown[] = [];
    let final: InstanceType<typeof Talk> | null = null;
    for await (const item of dendrite.stream(axon.info(), new Talk({ prompt: 'x' }), { timeout: 5 })) {
      if (item instanceof Talk) final = item;
      else chunks.push(item);
    }
    expect(chunks.join('')).toBe('ab');
    expect(final!.axon.status_code).toBe(200);
    expect(final!.axon.status_message).toBe('Success');
    expect(final!.axon.process_time).toBeGreaterThanOrEqual(0);
    await dendrite.close();
    // A request without its fields: an error with the status and the process time, as Python's error responses.
    const res = await fetch(`${url}/Echo`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('bt_header_axon_status_code')).toBe('400');
    expect(Number(res.headers.get('bt_header_axon_process_time'))).toBeGreaterThanOrEqual(0);
    expect(res.headers.get('bt_header_axon_process_time')).toMatch(/^\d+(\.\d+)?(e-\d+)?$/);
  });

  it("messages are Python's: the synapse list as a Python list, nonce ages with two decimals, timeouts as floats", async () => {
    const url = `http://127.0.0.1:${axon.port}`;
    const notFound = (await (await fetch(`${url}/Nope`, { method: 'POST', body: '{}' })).json()) as { message: string };
    // As Python's axon, the ping route `Synapse` is always there.
    expect(notFound.message).toBe("Synapse name 'Nope' not found. Available synapses ['Synapse', 'Echo', 'Talk']");
    const { createVerifier } = await import('../../src/axon/index.js');
    const { sign } = await import('../../src/keys/index.js');
    const now = 1_700_000_100_000_000_000n;
    const v = createVerifier(axonKey.ss58Address, { nowNs: () => now });
    const old = new Echo({ text: 'x' });
    old.dendrite.hotkey = caller.ss58Address;
    old.dendrite.uuid = 'u';
    old.dendrite.version = 10_002_000;
    old.dendrite.nonce = now - 20_000_000_000n;
    old.timeout = 12;
    old.dendrite.signature = sign(
      caller,
      `${old.dendrite.nonce}.${caller.ss58Address}.${axonKey.ss58Address}.u.${old.bodyHash}`,
    );
    expect(await v(old)).toBe('Nonce is too old: acceptable delta is 16.00 seconds but request was 20.00 seconds old');
    const dendrite = createDendrite({ keypair: caller });
    const unreachable = await dendrite.call(
      { ip: '127.0.0.1', port: 9, hotkey: axonKey.ss58Address },
      new Echo({ text: 'x' }),
      { timeout: 2 },
    );
    expect(unreachable.dendrite.status_code).toBe(503);
    await dendrite.close();
  });
});
