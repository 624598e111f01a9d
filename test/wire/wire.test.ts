/** The wire rules both ends share: the messages Python signs (with the spec's vector) and the session protocol. */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoReady, verify } from '../../src/keys/index.js';
import { sha3Hex } from '../../src/synapse/index.js';
import {
  SESSION_HEADERS,
  SESSION_ROUTE,
  VERSION_AS_INT,
  acceptMessage,
  axonSigningMessage,
  handshakeMessage,
  requestMac,
  requestSigningMessage,
  responseMac,
  responseSigningMessage,
  sessionKey,
  x25519Pair,
  x25519Shared,
} from '../../src/wire/index.js';

beforeAll(async () => {
  await cryptoReady();
});

describe('signed messages', () => {
  it("builds the request message as Python's dendrite does; the spec's signature verifies over it", () => {
    const message = requestSigningMessage(
      1700000000000000000n,
      '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX',
      '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
      '5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a',
      'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
    );
    expect(message).toBe(
      '1700000000000000000.5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
    );
    const signature =
      '0xe6e03ce18cb4ce6fc100919d11b89703fca8c49053b4d9324dd33b9e118ecd1611a0b892f56bf0b0f7a12f21d424b048004d2e7b0ed401b29d847ca05241da86';
    expect(verify(message, signature, '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX')).toBe(true);
    expect(verify(`${message}x`, signature, '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX')).toBe(false);
  });

  it("builds the axon's terminal-info message and the signed-response message (bound to the request's nonce)", () => {
    expect(axonSigningMessage(5n, 'dendriteHot', 'axonHot', 'axon-uuid')).toBe('5.dendriteHot.axonHot.axon-uuid');
    expect(axonSigningMessage(5n, null, 'axonHot', 'axon-uuid')).toBe('5..axonHot.axon-uuid');
    expect(responseSigningMessage(9n, 7n, 'u-1', 'me', 'axon', '{}')).toBe(`9.7.u-1.me.axon.${sha3Hex('{}')}`);
    expect(responseSigningMessage(9n, 8n, 'u-1', 'me', 'axon', '{}')).not.toBe(
      responseSigningMessage(9n, 7n, 'u-1', 'me', 'axon', '{}'),
    );
    expect(responseSigningMessage(9n, 7n, 'u-2', 'me', 'axon', '{}')).not.toBe(
      responseSigningMessage(9n, 7n, 'u-1', 'me', 'axon', '{}'),
    );
    expect(VERSION_AS_INT).toBe(10_002_000);
  });
});

describe('session protocol', () => {
  it('both ends derive the same key; it is bound to the hotkeys and the session id', () => {
    const dendrite = x25519Pair();
    const axon = x25519Pair();
    expect(dendrite.publicRaw.length).toBe(32);
    const salt = randomBytes(16);
    const mine = sessionKey(x25519Shared(dendrite.privateKey, axon.publicRaw), salt, 'axonHot', 'me', 'id1');
    const theirs = sessionKey(x25519Shared(axon.privateKey, dendrite.publicRaw), salt, 'axonHot', 'me', 'id1');
    expect(mine.equals(theirs)).toBe(true);
    expect(mine.length).toBe(32);
    const shared = x25519Shared(dendrite.privateKey, axon.publicRaw);
    expect(sessionKey(shared, salt, 'otherAxon', 'me', 'id1').equals(mine)).toBe(false);
    expect(sessionKey(shared, salt, 'axonHot', 'me', 'id2').equals(mine)).toBe(false);
    expect(() => x25519Shared(dendrite.privateKey, Buffer.alloc(3))).toThrow();
  });

  it('MACs cover the sequence number, the route or status, and the body; request and reply MACs differ', () => {
    const key = Buffer.alloc(32, 1);
    const base = requestMac(key, '1', 'Sum', '{"a":1}');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(requestMac(key, '2', 'Sum', '{"a":1}')).not.toBe(base);
    expect(requestMac(key, '1', 'Other', '{"a":1}')).not.toBe(base);
    expect(requestMac(key, '1', 'Sum', '{"a":2}')).not.toBe(base);
    expect(requestMac(key, '1', 'Sum', Buffer.from('{"a":1}'))).toBe(base); // bytes or text alike
    expect(responseMac(key, '1', 200, '{"a":1}')).not.toBe(base);
    expect(responseMac(key, '1', 200, '{}')).not.toBe(responseMac(key, '1', 401, '{}'));
  });

  it('names its route, headers and signed handshake messages', () => {
    expect(SESSION_ROUTE).toBe('_subnetkit_session');
    expect(Object.values(SESSION_HEADERS).every((h) => h === h.toLowerCase() && h.startsWith('x-subnetkit-'))).toBe(
      true,
    );
    expect(handshakeMessage('axon', 'me', 'ab', 'cd', 1)).toBe('subnetkit-session-v1|axon|me|ab|cd|1');
    expect(acceptMessage('me', 'ab', 'ef', 'id')).toBe('subnetkit-session-v1-accept|me|ab|ef|id');
  });
});
