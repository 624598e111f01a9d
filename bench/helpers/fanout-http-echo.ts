/**
 * The peers of the fan-out benchmark's dendrite-only rows: 256 bare node:http servers in a process of their own, each
 * answering a POST with its body and the request's `bt_header_*` headers under the axon's prefix (as many as an
 * axon's reply carries). No verification, no synapse: the work of 256 axons on 256 other machines, which costs the
 * dendrite's machine nothing, is left out, so the round is the dendrite's own. Prints one JSON line with the ports
 * once all listen; stops on SIGTERM.
 *
 *   tsx bench/helpers/fanout-http-echo.ts <count>
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { servePorts } from './serve-ports.js';

function answer(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': body.length,
    };
    for (const [k, v] of Object.entries(req.headers))
      if (k.startsWith('bt_header_') && typeof v === 'string')
        headers[k.replace('bt_header_dendrite_', 'bt_header_axon_')] = v;
    res.writeHead(200, headers);
    res.end(body);
  });
}

await servePorts(Number(process.argv[2] ?? 256), () => {
  const s = createServer(answer);
  s.keepAliveTimeout = 30_000;
  return s;
});
