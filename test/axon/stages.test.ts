/**
 * Each stage of the axon's pipeline on its own: an Exchange built by hand, the stage run with a `next` that records
 * whether it was reached, and what the stage refused or set. The stages run end to end over sockets in axon.test.ts.
 */
import { EventEmitter } from 'eventemitter3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPriorityGate, createTokenBuckets, type AxonEvents } from '../../src/axon/index.js';
import { compose, type Stage } from '../../src/axon/compose.js';
import { type Arrival, Exchange, type Outcome, Reject, type Route } from '../../src/axon/exchange.js';
import { createSessionStore } from '../../src/axon/session-store.js';
import { admit } from '../../src/axon/stages/admit.js';
import { blacklist, verdictOf } from '../../src/axon/stages/blacklist.js';
import { body } from '../../src/axon/stages/body.js';
import { forward } from '../../src/axon/stages/forward.js';
import { limits } from '../../src/axon/stages/limits.js';
import { parse } from '../../src/axon/stages/parse.js';
import { session } from '../../src/axon/stages/session.js';
import { triage } from '../../src/axon/stages/triage.js';
import { verify } from '../../src/axon/stages/verify.js';
import { cryptoReady, keypairFromUri, sign, verify as verifySignature } from '../../src/keys/index.js';
import {
  type Synapse,
  createStreamingResponse,
  defineStreamingSynapse,
  defineSynapse,
  sha3Hex,
  t,
} from '../../src/synapse/index.js';
import {
  SESSION_HEADERS,
  acceptMessage,
  handshakeMessage,
  requestMac,
  responseMac,
  responseSigningMessage,
  sessionKey,
  x25519Pair,
  x25519Shared,
} from '../../src/wire/index.js';

const axonKey = keypairFromUri('//StageAxon');
const alice = keypairFromUri('//Alice');
const Sum = defineSynapse({
  name: 'Sum',
  fields: { a: t.int(), b: t.int(), total: t.int().optional() },
  requiredHashFields: ['a', 'b'],
});
const Chat = defineStreamingSynapse({ name: 'Chat', fields: { prompt: t.str() } });
const route = (hooks: Route['hooks'] = {}, handler: Route['handler'] = (s) => s): Route => ({
  cls: Sum,
  handler,
  hooks,
});

beforeAll(async () => {
  await cryptoReady();
});

/** An arrival whose body and route are given; `load` finds `Sum` in the table it is passed. */
function arrive(o: Partial<Arrival> & { raw?: string } = {}): Exchange {
  const raw = Buffer.from(o.raw ?? '{"a":1,"b":2}');
  return new Exchange({
    routeName: 'Sum',
    method: 'POST',
    ip: '10.0.0.1',
    port: 40000,
    started: performance.now(),
    headers: {},
    headerCount: 3,
    readBody: async () => raw,
    load: async (routes) => ({ routeName: 'Sum', route: routes.get('Sum')!, body: raw }),
    ...o,
  });
}

/** Runs one stage; `reached` tells whether it called next. */
async function runStage(stage: Stage, x: Exchange): Promise<{ reached: boolean; out: Outcome | undefined }> {
  let reached = false;
  const sentinel: Outcome = { kind: 'raw', status: 299, headers: {}, body: 'next' };
  const out = await stage(x, async () => {
    reached = true;
    return sentinel;
  });
  return { reached, out: out === sentinel ? undefined : out };
}

async function refusal(p: Promise<unknown>): Promise<Reject> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Reject);
    return e as Reject;
  }
  throw new Error('the stage did not refuse');
}

/** An Exchange that went through parse and body, for the stages after them. */
async function parsed(synapse = new Sum({ a: 1, b: 2 }), extra: Partial<Arrival> = {}): Promise<Exchange> {
  const x = arrive({ headers: synapse.toHeaders(), raw: synapse.toJSON(), ...extra });
  const routes = new Map([['Sum', route()]]);
  await runStage(parse({ routes, maxBody: 1 << 20 }), x);
  await runStage(body(), x);
  return x;
}

describe('compose', () => {
  it('runs stages in order, each deciding whether to go on; the last may not call next', async () => {
    const seen: string[] = [];
    const step =
      (name: string): Stage =>
      async (_x, next) => {
        seen.push(name);
        return next();
      };
    const answer: Stage = async () => ({ kind: 'raw', status: 200, headers: {}, body: 'ok' });
    const out = await compose([step('a'), step('b'), answer])(arrive());
    expect(seen).toEqual(['a', 'b']);
    expect(out).toMatchObject({ kind: 'raw', body: 'ok' });
    await expect(compose([step('only')])(arrive())).rejects.toThrow(/last stage called next/);
  });
});

describe('limits', () => {
  it('refuses an address over its bucket (429) and a header flood (431, closing), and passes the rest', async () => {
    const stage = limits({ perIp: createTokenBuckets({ burst: 1, perSecond: 0 }), maxHeaderCount: 4 });
    expect((await runStage(stage, arrive())).reached).toBe(true);
    const r = await refusal(runStage(stage, arrive()));
    expect([r.status, r.reason]).toEqual([429, 'rate_limited_ip']);
    const flood = await refusal(runStage(limits({ perIp: null, maxHeaderCount: 4 }), arrive({ headerCount: 5 })));
    expect([flood.status, flood.reason, flood.close]).toEqual([431, 'header_flood', true]);
  });
});

describe('parse', () => {
  it('loads the route and body, and reads terminal info, timeout and body hash from the headers', async () => {
    const s = new Sum({ a: 3, b: 4, timeout: 5 });
    s.dendrite.hotkey = alice.ss58Address;
    const x = arrive({ headers: s.toHeaders(), raw: s.toJSON() });
    const { reached } = await runStage(parse({ routes: new Map([['Sum', route()]]), maxBody: 1 << 20 }), x);
    expect(reached).toBe(true);
    expect(x.route.cls).toBe(Sum);
    expect(x.body.toString()).toBe(s.toJSON());
    expect(x.fromHeaders.timeout).toBe(5);
    expect(x.fromHeaders.dendrite.hotkey).toBe(alice.ss58Address);
    expect(x.fromHeaders.computed_body_hash).toBe(s.bodyHash);
    expect(x.sessionId).toBeUndefined();
  });

  it('refuses headers that do not parse (400); a session request reads only its timeout', async () => {
    const routes = new Map([['Sum', route()]]);
    const bad = await refusal(
      runStage(parse({ routes, maxBody: 1 << 20 }), arrive({ headers: { bt_header_dendrite_nonce: 'not a number' } })),
    );
    expect([bad.status, bad.reason]).toEqual([400, 'bad_headers']);
    const x = arrive({ headers: { [SESSION_HEADERS.id]: 'abc', timeout: '7', bt_header_dendrite_nonce: 'junk' } });
    await runStage(parse({ routes, maxBody: 1 << 20 }), x);
    expect(x.sessionId).toBe('abc');
    expect(x.fromHeaders.timeout).toBe(7);
  });
});

describe('session', () => {
  it('passes requests without a session id; refuses when sessions are off, or the MAC is wrong (401 + header)', async () => {
    const plain = await parsed();
    expect((await runStage(session({ sessions: null }), plain)).reached).toBe(true);
    const x = arrive({ headers: { [SESSION_HEADERS.id]: 'nope' } });
    x.sessionId = 'nope';
    x.body = Buffer.from('{}');
    const off = await refusal(runStage(session({ sessions: null }), x));
    expect([off.status, off.headers[SESSION_HEADERS.error]]).toEqual([401, 'disabled']);
    const store = createSessionStore(axonKey, (m, s, a) => verifySignature(m, s, a));
    const unknown = await refusal(runStage(session({ sessions: store }), x));
    expect(unknown.status).toBe(401);
    expect(unknown.headers[SESSION_HEADERS.error]).toMatch(/unknown or expired session/);
  });

  it('on a valid MAC, takes the session hotkey as the caller and remembers the key for the reply', async () => {
    const store = createSessionStore(axonKey, (m, s, a) => verifySignature(m, s, a));
    const mine = x25519Pair();
    const pub = mine.publicRaw.toString('hex');
    const nonce = 'ab'.repeat(16);
    const ts = Date.now();
    const hs = await store.handshake(
      JSON.stringify({
        v: 1,
        hotkey: alice.ss58Address,
        pub,
        nonce,
        ts,
        signature: sign(alice, handshakeMessage(axonKey.ss58Address, alice.ss58Address, pub, nonce, ts)),
      }),
    );
    if (!hs.ok) throw new Error(hs.message);
    const accept = JSON.parse(hs.body) as { id: string; pub: string; signature: string };
    expect(
      verifySignature(
        acceptMessage(alice.ss58Address, pub, accept.pub, accept.id),
        accept.signature,
        axonKey.ss58Address,
      ),
    ).toBe(true);
    const key = sessionKey(
      x25519Shared(mine.privateKey, Buffer.from(accept.pub, 'hex')),
      Buffer.from(nonce, 'hex'),
      axonKey.ss58Address,
      alice.ss58Address,
      accept.id,
    );
    const raw = '{"a":1,"b":2}';
    const headers = {
      [SESSION_HEADERS.id]: accept.id,
      [SESSION_HEADERS.seq]: '1',
      [SESSION_HEADERS.mac]: requestMac(key, '1', 'Sum', raw),
    };
    const x = arrive({ headers, raw });
    await runStage(parse({ routes: new Map([['Sum', route()]]), maxBody: 1 << 20 }), x);
    const { reached } = await runStage(session({ sessions: store }), x);
    expect(reached).toBe(true);
    expect(x.fromHeaders.dendrite.hotkey).toBe(alice.ss58Address);
    expect(x.session?.seq).toBe('1');
    // The same sequence number again is a replay.
    const again = arrive({ headers, raw });
    await runStage(parse({ routes: new Map([['Sum', route()]]), maxBody: 1 << 20 }), again);
    const replay = await refusal(runStage(session({ sessions: store }), again));
    expect(replay.headers[SESSION_HEADERS.error]).toMatch(/already used/);
  });
});

describe('body', () => {
  it('builds the synapse and the request context; refuses bad JSON (422), bad fields (400), bad timeouts (400)', async () => {
    const x = await parsed(new Sum({ a: 5, b: 6 }));
    expect((x.synapse as InstanceType<typeof Sum>).a).toBe(5);
    expect(x.ctx).toMatchObject({ ip: '10.0.0.1', port: 40000, route: 'Sum' });
    expect(x.ctx.elapsedMs()).toBeGreaterThanOrEqual(0);
    const routes = new Map([['Sum', route()]]);
    const viaParse = async (raw: string, headers: Record<string, string> = {}) => {
      const y = arrive({ raw, headers });
      await runStage(parse({ routes, maxBody: 1 << 20 }), y);
      return refusal(runStage(body(), y));
    };
    expect((await viaParse('{not json')).status).toBe(422);
    expect((await viaParse('{"a":"x","b":2}')).status).toBe(400);
    const timeout = await viaParse('{"a":1,"b":2}', { timeout: '99999' });
    expect([timeout.status, timeout.reason]).toEqual([400, 'bad_headers']);
  });
});

describe('triage', () => {
  const staked = keypairFromUri('//Staked').ss58Address;
  const stakeOf = (hk: string) => (hk === staked ? 5000 : hk === alice.ss58Address ? 0 : undefined);
  const claiming = (hotkey: string | undefined) =>
    arrive({ headers: hotkey ? { bt_header_dendrite_hotkey: hotkey } : {} });
  const deps = (busy: number, o: Partial<Parameters<typeof triage>[0]> = {}) => ({
    stakeOf,
    sessions: null,
    busy: () => busy,
    shedUnstakedAbove: 4,
    track: () => undefined,
    ...o,
  });

  it('records the claimed stake; below the threshold everyone goes on', async () => {
    const x = claiming(staked);
    expect((await runStage(triage(deps(0)), x)).reached).toBe(true);
    expect(x.claimedPriority).toBe(5000);
    const unknown = claiming(keypairFromUri('//Nobody').ss58Address);
    expect((await runStage(triage(deps(3)), unknown)).reached).toBe(true);
    expect(unknown.claimedPriority).toBeNull();
  });

  it('when busy, unstaked, unknown and anonymous claims are refused (503) before their body is read; staked go on', async () => {
    for (const hotkey of [alice.ss58Address, keypairFromUri('//Nobody').ss58Address, undefined]) {
      let read = false;
      const x = claiming(hotkey);
      x.arrival.readBody = async () => {
        read = true;
        return Buffer.alloc(0);
      };
      const r = await refusal(runStage(triage(deps(4)), x));
      expect([r.status, r.reason, read]).toEqual([503, 'shed_unstaked', false]);
    }
    expect((await runStage(triage(deps(100)), claiming(staked))).reached).toBe(true);
  });

  it('without stakeOf nothing is shed (no stake is known)', async () => {
    expect((await runStage(triage(deps(100, { stakeOf: undefined })), claiming(undefined))).reached).toBe(true);
  });

  it('counts a request in and out of the chain, also when a later stage refuses it', async () => {
    let inChain = 0;
    const seen: number[] = [];
    const stage = triage(
      deps(0, {
        track: (d) => {
          inChain += d;
          seen.push(inChain);
        },
      }),
    );
    await stage(claiming(staked), async () => {
      throw new Reject(401, 'no', 'unverified');
    }).catch(() => undefined);
    expect(seen).toEqual([1, 0]);
  });
});

describe('verify', () => {
  const deps = (o: Partial<Parameters<typeof verify>[0]> = {}) => ({
    verifier: async () => null,
    perHotkey: null,
    keypair: axonKey,
    uuid: 'axon-uuid',
    version: 10002000,
    verifyGate: createPriorityGate({ maxConcurrent: 2, maxQueue: 64 }),
    ...o,
  });

  it('refuses a body that does not match its hash (400) and a request the verifier refuses (401)', async () => {
    const s = new Sum({ a: 1, b: 2 });
    const x = await parsed(s, { headers: { ...s.toHeaders(), computed_body_hash: sha3Hex('other') } });
    const mismatch = await refusal(runStage(verify(deps()), x));
    expect([mismatch.status, mismatch.reason]).toEqual([400, 'body_hash']);
    const y = await parsed();
    const refused = await refusal(runStage(verify(deps({ verifier: async () => 'Nonce is too old' })), y));
    expect(refused.message).toBe('Not Verified with error: Nonce is too old');
  });

  it('puts the verified identity and the peer address on the synapse and fills the axon terminal info', async () => {
    const s = new Sum({ a: 1, b: 2 });
    s.dendrite.hotkey = alice.ss58Address;
    s.dendrite.nonce = 123n;
    const x = await parsed(s);
    const { reached } = await runStage(verify(deps()), x);
    expect(reached).toBe(true);
    expect(x.synapse.dendrite.hotkey).toBe(alice.ss58Address);
    expect([x.synapse.dendrite.ip, x.synapse.dendrite.port]).toEqual(['10.0.0.1', 40000]);
    expect(x.synapse.axon.uuid).toBe('axon-uuid');
    expect(x.synapse.axon.status_code).toBe(100);
    const message = `${x.synapse.axon.nonce}.${alice.ss58Address}.${axonKey.ss58Address}.axon-uuid`;
    expect(verifySignature(message, x.synapse.axon.signature!, axonKey.ss58Address)).toBe(true);
    x.restoreAxonInfo();
    expect([x.synapse.axon.uuid, x.synapse.axon.status_code, x.synapse.axon.signature]).toEqual([null, null, null]);
  });

  it("runs the route's verify hook (a reason or a throw refuses) and the per-hotkey bucket (429)", async () => {
    const s = new Sum({ a: 1, b: 2 });
    s.dendrite.hotkey = alice.ss58Address;
    const withHook = async (hook: NonNullable<Route['hooks']['verify']>) => {
      const x = await parsed(s);
      x.route = route({ verify: hook });
      return x;
    };
    expect((await refusal(runStage(verify(deps()), await withHook(() => 'not today')))).status).toBe(401);
    const thrown = await refusal(
      runStage(
        verify(deps()),
        await withHook(() => {
          throw new Error('hook broke');
        }),
      ),
    );
    expect(thrown.message).toBe('Not Verified with error: hook broke');
    const perHotkey = createTokenBuckets({ burst: 1, perSecond: 0 });
    expect((await runStage(verify(deps({ perHotkey })), await parsed(s))).reached).toBe(true);
    const limited = await refusal(runStage(verify(deps({ perHotkey })), await parsed(s)));
    expect([limited.status, limited.reason]).toEqual([429, 'rate_limited_hotkey']);
  });
});

describe('verification order', () => {
  it('signature checks run in the order of the claimed stake: a staked caller overtakes a queue of unstaked ones', async () => {
    const order: string[] = [];
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((r) => {
      unblock = r;
    });
    const verifier = async (s: { dendrite: { uuid: string | null } }) => {
      order.push(s.dendrite.uuid!);
      if (s.dendrite.uuid === 'first') await blocked;
      return null;
    };
    const gate = createPriorityGate({ maxConcurrent: 1, maxQueue: 16 });
    const stage = verify({
      verifier: verifier as never,
      perHotkey: null,
      keypair: axonKey,
      uuid: 'axon-uuid',
      version: 10002000,
      verifyGate: gate,
    });
    const request = async (uuid: string, claimed: number | null) => {
      const s = new Sum({ a: 1, b: 2 });
      s.dendrite.uuid = uuid;
      s.dendrite.hotkey = alice.ss58Address;
      const x = await parsed(s);
      x.claimedPriority = claimed;
      return runStage(stage, x);
    };
    const runs = [request('first', null), request('unstaked-1', null), request('unstaked-2', 0)];
    await new Promise((r) => setTimeout(r, 10));
    runs.push(request('staked', 1000));
    await new Promise((r) => setTimeout(r, 10));
    unblock();
    await Promise.all(runs);
    expect(order).toEqual(['first', 'staked', 'unstaked-2', 'unstaked-1']);
  });
});

describe('blacklist', () => {
  it('reads verdicts in every form, and checks the axon-wide list before the route one', async () => {
    expect(verdictOf(true)).toEqual([true, 'blacklisted']);
    expect(verdictOf(false)).toEqual([false, '']);
    expect(verdictOf([true, 'no stake'])).toEqual([true, 'no stake']);
    expect(verdictOf({ blacklisted: true })).toEqual([true, 'blacklisted']);
    const order: string[] = [];
    const x = await parsed();
    x.route = route({
      blacklist: () => {
        order.push('route');
        return [true, 'route says no'];
      },
    });
    const r = await refusal(
      runStage(
        blacklist({
          blacklist: () => {
            order.push('axon');
            return false;
          },
        }),
        x,
      ),
    );
    expect(order).toEqual(['axon', 'route']);
    expect([r.status, r.message]).toEqual([403, 'Forbidden. Key is blacklisted: route says no.']);
    expect((await runStage(blacklist({ blacklist: undefined }), await parsed())).reached).toBe(true);
  });
});

describe('admit', () => {
  it('holds a slot while the rest runs and releases it after; a stream takes the release with it', async () => {
    const gate = createPriorityGate({ maxConcurrent: 1, maxQueue: 0 });
    const stage = admit({ gate, stakeOf: undefined });
    const x = await parsed();
    let during = -1;
    await stage(x, async () => {
      during = gate.stats().running;
      return { kind: 'raw', status: 200, headers: {}, body: '' };
    });
    expect([during, gate.stats().running]).toEqual([1, 0]);
    const streamed = await stage(x, async () => ({
      kind: 'stream',
      response: createStreamingResponse(new Chat({ prompt: 'hi' }), (async function* () {})()),
      ctx: x.ctx,
      release: () => undefined,
    }));
    expect(gate.stats().running).toBe(1);
    if (streamed.kind !== 'stream') throw new Error('expected a stream');
    streamed.release();
    expect(gate.stats().running).toBe(0);
    await expect(stage(x, async () => Promise.reject(new Error('handler failed')))).rejects.toThrow('handler failed');
    expect(gate.stats().running).toBe(0);
  });

  it('refuses when the queue is full (503) and when the wait outlasts the timeout (408)', async () => {
    const gate = createPriorityGate({ maxConcurrent: 1, maxQueue: 1 });
    const hold = await gate.acquire(0, 1000);
    const short = await parsed(new Sum({ a: 1, b: 2, timeout: 0.05 }));
    const late = refusal(runStage(admit({ gate, stakeOf: undefined }), short));
    const full = await refusal(runStage(admit({ gate, stakeOf: undefined }), await parsed()));
    expect([full.status, full.reason]).toEqual([503, 'queue_full']);
    const timeout = await late;
    expect([timeout.status, timeout.message]).toEqual([408, 'Response timeout after: 0.05s']);
    hold();
  });
});

describe('forward', () => {
  const events = new EventEmitter<AxonEvents>();
  const stage = (o: { signResponses?: boolean } = {}) =>
    forward({ keypair: axonKey, signResponses: o.signResponses ?? false, events });

  it("answers with the handler's synapse: status 200 Success, process time, the axon hotkey, signed when asked", async () => {
    const x = await parsed(new Sum({ a: 2, b: 3 }));
    x.synapse.dendrite.nonce = 42n;
    x.synapse.dendrite.hotkey = alice.ss58Address;
    x.route = route({}, (s: InstanceType<typeof Sum>) => {
      s.total = s.a + s.b;
      return s;
    });
    const out = await stage({ signResponses: true })(x, async () => {
      throw new Error('forward is the last stage');
    });
    if (out.kind !== 'reply') throw new Error('expected a reply');
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body).total).toBe(5);
    expect(out.synapse.axon.status_message).toBe('Success');
    expect(out.synapse.axon.hotkey).toBe(axonKey.ss58Address);
    expect(out.synapse.axon.process_time).toBeGreaterThanOrEqual(0);
    const nonce = BigInt(out.headers.bt_header_axon_nonce as string);
    const message = responseSigningMessage(
      nonce,
      42n,
      x.synapse.dendrite.uuid,
      alice.ss58Address,
      axonKey.ss58Address,
      out.body,
    );
    expect(verifySignature(message, out.headers.bt_header_axon_signature as string, axonKey.ss58Address)).toBe(true);
  });

  it('answers a session request with a MAC over the body, and no header set', async () => {
    const x = await parsed();
    const key = Buffer.alloc(32, 7);
    x.session = { key, seq: '9' };
    const out = await stage()(x, async () => {
      throw new Error('unreachable');
    });
    if (out.kind !== 'reply') throw new Error('expected a reply');
    expect(out.headers[SESSION_HEADERS.mac]).toBe(responseMac(key, '9', 200, out.body));
    expect(out.headers.bt_header_dendrite_hotkey).toBeUndefined();
  });

  it('turns a failing handler into a 500 with an id (or its own status), and tells the error event', async () => {
    const errors: unknown[] = [];
    events.on('error', (e) => errors.push(e));
    const x = await parsed();
    x.route = route({}, () => {
      throw new Error('boom');
    });
    const r = await refusal(stage()(x, async () => ({ kind: 'raw', status: 0, headers: {}, body: '' })));
    expect(r.status).toBe(500);
    expect(r.message).toMatch(/^Internal Server Error #[0-9a-f-]{36}$/);
    expect(errors).toHaveLength(1);
    const y = await parsed();
    y.route = route({}, (s: Synapse) => {
      s.axon.status_code = 429;
      throw Object.assign(new Error('slow down'), { synapse: s });
    });
    const own = await refusal(stage()(y, async () => ({ kind: 'raw', status: 0, headers: {}, body: '' })));
    expect([own.status, own.message]).toEqual([429, 'slow down']);
  });

  it('hands a streaming response to the listener', async () => {
    const x = await parsed();
    x.route = route({}, () => createStreamingResponse(new Chat({ prompt: 'hi' }), ['a', 'b']));
    const out = await stage()(x, async () => ({ kind: 'raw', status: 0, headers: {}, body: '' }));
    expect(out.kind).toBe('stream');
  });
});
