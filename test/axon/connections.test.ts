/**
 * Open connections against file-descriptor exhaustion, over real sockets from several loopback addresses: idle
 * sockets held by one client neither lock others out (the idle longest is closed to make room) nor pile up past the
 * per-IP cap.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAxon, type Axon } from '../../src/axon/index.js';
import { createDendrite } from '../../src/dendrite/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { Synapse } from '../../src/synapse/index.js';

const axonKey = keypairFromUri('//ConnAxon');
let axon: Axon;
const held: Socket[] = [];

beforeAll(async () => {
  await cryptoReady();
  axon = createAxon({ keypair: axonKey, port: 0, host: '0.0.0.0', maxConnections: 6, maxConnectionsPerIp: 4 });
  await axon.start();
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await axon.stop();
});

/** An idle connection from `from`; resolves once connected, with a promise of its close. */
function idleSocket(from: string): Promise<{ sock: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port: axon.port, localAddress: from }, () =>
      resolve({ sock, closed: new Promise((r) => sock.once('close', () => r())) }),
    );
    sock.on('error', () => undefined);
    sock.once('error', reject);
    held.push(sock);
  });
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('axon connection limits', () => {
  it('past maxConnectionsPerIp the new connection is closed; other addresses still connect', async () => {
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await idleSocket('127.0.0.2'));
    const fifth = await idleSocket('127.0.0.2');
    await expect(Promise.race([fifth.closed.then(() => 'closed'), settle().then(() => 'open')])).resolves.toBe(
      'closed',
    );
    await settle();
    expect(axon.metrics().rejected.too_many_connections_ip).toBe(1);
  });

  it('at maxConnections the idle longest is closed, and a legitimate caller is served', async () => {
    const oldest = (await Promise.all([idleSocket('127.0.0.3'), idleSocket('127.0.0.3')]))[0]!;
    await settle(); // 4 + 2 = 6 open: at the cap
    const caller = keypairFromUri('//ConnCaller');
    const d = createDendrite({ keypair: caller });
    const r = await d.call({ ip: '127.0.0.1', port: axon.port, hotkey: axonKey.ss58Address }, new Synapse(), {
      timeout: 3,
    });
    await d.close();
    expect(r.dendrite.status_code).toBe(200);
    expect(axon.metrics().rejected.idle_connection_closed).toBeGreaterThanOrEqual(1);
    // The first idle socket of 127.0.0.2 was the idle longest, not one just opened.
    expect(held[0]!.destroyed || held[0]!.readyState === 'closed').toBe(true);
    expect(oldest.sock.destroyed).toBe(false);
  });

  it('refuses impossible shedding, session and freshness limits when the axon is created', () => {
    for (const bad of [
      { priority: { shedUnstakedAbove: 0 } },
      { sessions: { maxSessionsPerHotkey: 1.5 } },
      { verify: { maxTimeoutWindowS: Number.NaN } },
      { verify: { futureToleranceNs: -1n } },
    ])
      expect(() => createAxon({ keypair: axonKey, port: 0, ...bad })).toThrow(
        expect.objectContaining({ code: 'AXON_INVALID_CONFIG' }),
      );
  });

  it('refuses impossible caps', async () => {
    await expect(createAxon({ keypair: axonKey, port: 0, maxConnections: 0 }).start()).rejects.toMatchObject({
      code: 'AXON_INVALID_CONFIG',
    });
  });
});
