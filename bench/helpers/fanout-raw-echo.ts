/**
 * The raw ceiling of the fan-out benchmark: 256 bare TCP echo servers (node:net, no HTTP, no crypto, no synapse) in
 * a process of their own. Prints one JSON line with their ports once all listen; stops on SIGTERM.
 *
 *   tsx bench/helpers/fanout-raw-echo.ts <count>
 */
import { type AddressInfo, createServer } from 'node:net';

const count = Number(process.argv[2] ?? 256);
const servers = await Promise.all(
  Array.from(
    { length: count },
    () =>
      new Promise<ReturnType<typeof createServer>>((resolve) => {
        const s = createServer({ noDelay: true }, (sock) => sock.on('data', (chunk) => sock.write(chunk)));
        s.listen(0, '127.0.0.1', () => resolve(s));
      }),
  ),
);
process.stdout.write(`${JSON.stringify(servers.map((s) => (s.address() as AddressInfo).port))}\n`);
process.once('SIGTERM', () => process.exit(0));
