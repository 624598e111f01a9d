/**
 * The raw ceiling of the fan-out benchmark: 256 bare TCP echo servers (node:net, no HTTP, no crypto, no synapse) in
 * a process of their own. Prints one JSON line with their ports once all listen; stops on SIGTERM.
 *
 *   tsx bench/helpers/fanout-raw-echo.ts <count>
 */
import { createServer } from 'node:net';
import { servePorts } from './serve-ports.js';

await servePorts(Number(process.argv[2] ?? 256), () =>
  createServer({ noDelay: true }, (sock) => sock.on('data', (chunk) => sock.write(chunk))),
);
