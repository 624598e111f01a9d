/** `subnetkit devnet`: the embedded chain as a service, with settings for a fast local subnet. */
import type { Command } from 'commander';
import { CliError, usage } from '../errors.js';
import { intFlag, type CliContext } from '../context.js';

interface DevnetFlags {
  port: string;
  host: string;
  tempo: string;
  weightsRateLimit: string;
  sealing: string;
  data?: string;
  commitReveal?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** The local-subnet defaults of `subnetkit devnet` (the library's `startDevnet` keeps finney's). */
export const DEVNET_CLI_DEFAULTS: {
  /** Python's `local` port. */
  readonly port: 9944;
  /** Blocks per epoch. */
  readonly tempo: 10;
  /** Blocks between two weight settings of a hotkey. */
  readonly weightsRateLimit: 0;
  /** Milliseconds per block. */
  readonly sealingMs: 250;
} = { port: 9944, tempo: 10, weightsRateLimit: 0, sealingMs: 250 };

export function devnetCommand(program: Command, ctx: CliContext): void {
  program
    .command('devnet')
    .description("run the embedded devnet: finney's metadata and JSON-RPC, offline (Ctrl-C stops it)")
    .option('--port <port>', 'port (0 picks a free one)', String(DEVNET_CLI_DEFAULTS.port))
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tempo <blocks>', 'tempo of subnet 1 and new subnets', String(DEVNET_CLI_DEFAULTS.tempo))
    .option(
      '--weights-rate-limit <blocks>',
      'blocks between two weight settings of a hotkey (finney: 100)',
      String(DEVNET_CLI_DEFAULTS.weightsRateLimit),
    )
    .option(
      '--sealing <mode>',
      `a block every MS milliseconds, "instant" (a block per burst of transactions) or "manual" (only on dev_newBlock)`,
      String(DEVNET_CLI_DEFAULTS.sealingMs),
    )
    .option('--data <dir>', 'keep the chain in this folder (crash-safe) and resume from it')
    .option('--commit-reveal', 'new subnets start with commit-reveal on, as on finney')
    .option('--quiet', 'print nothing after start-up (no line per block)')
    .option('--json', 'print JSON lines (start-up, then one per block)')
    .action(async (o: DevnetFlags) => {
      const port = intFlag(o.port, '--port', 0, 65535);
      const tempo = intFlag(o.tempo, '--tempo', 1, 65535);
      const weightsRateLimit = intFlag(o.weightsRateLimit, '--weights-rate-limit', 0, 1_000_000);
      const sealing = o.sealing === 'instant' || o.sealing === 'manual' ? o.sealing : Number(o.sealing);
      if (typeof sealing === 'number' && !(Number.isFinite(sealing) && sealing >= 10))
        throw usage(`--sealing must be instant, manual or milliseconds (>= 10), got ${JSON.stringify(o.sealing)}`);
      const { startDevnet } = await import('../../devnet/index.js');
      const { devnetBeacon } = await import('../../devnet/pallets/drand-beacon.js');
      let devnet;
      try {
        devnet = await startDevnet({
          port,
          host: o.host,
          tempo,
          weightsRateLimit,
          sealing,
          commitReveal: Boolean(o.commitReveal),
          ...(o.data ? { data: o.data } : {}),
        });
      } catch (e) {
        const msg = (e as Error).message;
        if (/EADDRINUSE/.test(msg))
          throw new CliError(
            'CLI_FAILED',
            `port ${port} on ${o.host} is already in use (another devnet or node?): stop it or pick another with --port`,
          );
        if (/EACCES|EADDRNOTAVAIL/.test(msg))
          throw new CliError('CLI_FAILED', `cannot listen on ${o.host}:${port}: ${msg}`);
        throw new CliError('CLI_FAILED', msg, { cause: e });
      }
      const sealingText =
        typeof sealing === 'number'
          ? `a block every ${sealing} ms`
          : sealing === 'instant'
            ? 'instant (a block per burst of transactions)'
            : 'manual (dev_newBlock)';
      const beacon = devnetBeacon().info.publicKey;
      if (o.json) {
        ctx.io.out(
          JSON.stringify({
            event: 'listening',
            url: devnet.url,
            httpUrl: devnet.httpUrl,
            sealing,
            tempo,
            weightsRateLimit,
            commitReveal: Boolean(o.commitReveal),
            data: o.data ?? null,
            best: devnet.bestNumber(),
            drandPublicKey: beacon,
            accounts: devnet.accounts.map((a) => ({
              name: a.name,
              uri: `//${a.name}`,
              address: a.address,
              free: a.free.toString(),
            })),
          }),
        );
      } else {
        ctx.io.out(`subnetkit devnet listening on ${devnet.url} (JSON-RPC over HTTP: ${devnet.httpUrl})`);
        ctx.io.out(`sealing: ${sealingText}`);
        ctx.io.out(
          o.data
            ? `chain data: ${o.data} (best block #${devnet.bestNumber()})`
            : 'chain data: in memory (use --data DIR to keep it)',
        );
        ctx.io.out(`subnet defaults: tempo ${tempo} blocks, weights rate limit ${weightsRateLimit} blocks`);
        ctx.io.out(`commit-reveal on new subnets: ${o.commitReveal ? 'on' : 'off (--commit-reveal turns it on)'}`);
        ctx.io.out(`drand beacon for CRv4 commits (RPC dev_drandInfo): ${beacon.slice(0, 24)}…`);
        ctx.io.out('funded dev accounts:');
        for (const a of devnet.accounts)
          ctx.io.out(`  //${a.name.padEnd(8)} ${a.address}  ${(a.free / 1_000_000_000n).toLocaleString('en-US')} TAO`);
        ctx.io.out(`connect with: --subtensor.network ${devnet.url}`);
      }
      const off = o.quiet
        ? () => {}
        : devnet.onBlock((b) => {
            if (b.calls.length === 0) return;
            if (o.json) ctx.io.out(JSON.stringify({ event: 'block', number: b.number, hash: b.hash, calls: b.calls }));
            else
              ctx.io.out(
                `#${b.number}  ${b.calls.length} extrinsic${b.calls.length > 1 ? 's' : ''}: ${b.calls.join(', ')}`,
              );
          });
      // What the devnet has to tell its operator is printed even with --quiet.
      const offNotice = devnet.onNotice((n) =>
        o.json ? ctx.io.out(JSON.stringify({ event: 'notice', ...n })) : ctx.io.err(`! #${n.block}: ${n.message}`),
      );
      ctx.onStarted?.(async () => {
        offNotice();
        off();
        await devnet.close();
      });
    });
}
