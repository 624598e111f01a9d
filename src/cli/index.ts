/**
 * The `subnetkit` command line. `subnetkit devnet [--port 9944] [--host 127.0.0.1] [--tempo 10] [--data DIR]` starts
 * the embedded devnet and prints its endpoint and the funded dev accounts.
 *
 * @module cli
 */
import { parseArgs } from 'node:util';

/** Where the CLI writes (a logger option: the library never writes to the console by itself). */
export interface CliIO {
  /** Standard output. */
  out(line: string): void;
  /** Standard error. */
  err(line: string): void;
}

const USAGE = `usage: subnetkit <command>

commands:
  devnet [--port 9944] [--host 127.0.0.1] [--tempo 10] [--data DIR] [--sealing instant|manual|MS] [--commit-reveal]
         start the embedded devnet (Ctrl-C stops it); --data persists it crash-safely and resumes from it;
         --sealing: a block per burst of transactions (default), only on dev_newBlock, or every MS milliseconds;
         --commit-reveal: new subnets start with commit-reveal on, as on finney (default off)
`;

/**
 * Runs the CLI with `argv` (without the node and script paths). Resolves with the exit code; a long-running command
 * (devnet) resolves once it is listening and returns its `stop` function through `onStarted`.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }, onStarted?: (stop: () => Promise<void>) => void): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'devnet') {
    let values;
    try {
      ({ values } = parseArgs({ args: [...rest], options: { port: { type: 'string', default: '9944' }, host: { type: 'string', default: '127.0.0.1' }, tempo: { type: 'string', default: '10' }, data: { type: 'string' }, sealing: { type: 'string', default: 'instant' }, 'commit-reveal': { type: 'boolean', default: false } } }));
    } catch (e) {
      io.err(`${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    const port = Number(values.port);
    const tempo = Number(values.tempo);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(tempo) || tempo < 1) {
      io.err(`--port must be in [0, 65535] and --tempo a positive integer\n${USAGE}`);
      return 2;
    }
    const { startDevnet } = await import('../devnet/index.js');
    const { devnetBeacon } = await import('../devnet/beacon.js');
    const sealing = values.sealing === 'instant' || values.sealing === 'manual' ? values.sealing : Number(values.sealing);
    if (typeof sealing === 'number' && !(sealing >= 10)) {
      io.err(`--sealing must be instant, manual or milliseconds (>= 10)\n${USAGE}`);
      return 2;
    }
    const devnet = await startDevnet({ port, host: values.host!, tempo, sealing, commitReveal: values['commit-reveal'] === true, ...(values.data ? { data: values.data } : {}) });
    io.out(`subnetkit devnet listening on ${devnet.url} (JSON-RPC over HTTP: ${devnet.httpUrl})`);
    io.out(values.data ? `chain data: ${values.data} (best block #${devnet.bestNumber()})` : 'chain data: in memory (use --data DIR to keep it)');
    io.out('funded dev accounts:');
    for (const a of devnet.accounts) io.out(`  //${a.name.padEnd(8)} ${a.address}  ${(a.free / 1_000_000_000n).toLocaleString('en-US')} TAO`);
    io.out(`commit-reveal on new subnets: ${values['commit-reveal'] ? 'on' : 'off (--commit-reveal turns it on)'}`);
    io.out(`drand beacon for CRv4 commits (RPC dev_drandInfo): ${devnetBeacon().info.publicKey.slice(0, 24)}…`);
    onStarted?.(() => devnet.close());
    return 0;
  }
  io.err(command ? `unknown command: ${command}\n${USAGE}` : USAGE);
  return command ? 2 : 0;
}
