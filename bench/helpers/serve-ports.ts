/** The fan-out helpers' common end: `count` servers listening on loopback, their ports printed as one JSON line. */
import type { AddressInfo, Server } from 'node:net';

/** Starts `count` servers from `make` on free loopback ports, prints the ports, and exits on SIGTERM. */
export async function servePorts(count: number, make: () => Server): Promise<void> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve) => {
          const s = make();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  process.stdout.write(`${JSON.stringify(servers.map((s) => (s.address() as AddressInfo).port))}\n`);
  process.once('SIGTERM', () => process.exit(0));
}
