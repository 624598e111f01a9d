/**
 * A flood for the priority benchmark, in a process of its own: `signed` (valid signatures from an unstaked hotkey),
 * `garbage` (random signatures claiming unstaked hotkeys) or `session` (session requests from an unstaked hotkey),
 * keeping `concurrency` requests in flight until SIGTERM, then printing how many it sent.
 *
 *   tsx bench/helpers/priority-flood.ts <kind> <port> <concurrency>
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { createDendrite } from '../../src/dendrite/index.js';
import { cryptoReady, keypairFromUri } from '../../src/keys/index.js';
import { Echo } from './priority-axon-synapse.js';

const [kind, portText, concurrencyText] = process.argv.slice(2);
const port = Number(portText);
const concurrency = Number(concurrencyText);
await cryptoReady();
const axonHotkey = keypairFromUri('//PriorityAxon').ss58Address;
const target = { ip: '127.0.0.1', port, hotkey: axonHotkey, placeholder1: 1 };
let sent = 0;
let stopping = false;
process.once('SIGTERM', () => {
  stopping = true;
});

let once: () => Promise<void>;
if (kind === 'garbage') {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency });
  const claimed = Array.from({ length: 64 }, (_, i) => keypairFromUri(`//Unstaked${i}`).ss58Address);
  once = async () => {
    const s = new Echo({ text: 'flood' });
    s.dendrite.hotkey = claimed[sent % claimed.length]!;
    s.dendrite.nonce = BigInt(Date.now()) * 1_000_000n + BigInt(sent % 1_000_000);
    s.dendrite.uuid = randomUUID();
    s.dendrite.version = 10_002_000;
    s.dendrite.signature = `0x${randomBytes(64).toString('hex')}`;
    s.axon.hotkey = axonHotkey;
    const res = await pool.request({
      path: '/Echo',
      method: 'POST',
      headers: { ...s.toHeaders(), 'content-type': 'application/json' },
      body: s.toJSON(),
    });
    await res.body.dump();
  };
} else {
  const d = createDendrite({
    keypair: keypairFromUri('//Unstaked0'),
    transport: kind === 'session' ? 'session' : 'http',
  });
  once = async () => {
    await d.call(target, new Echo({ text: 'flood' }), { timeout: 12 });
  };
}

await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (!stopping) {
      await once().catch(() => undefined);
      sent++;
    }
  }),
);
process.stdout.write(`sent ${sent}\n`);
process.exit(0);
