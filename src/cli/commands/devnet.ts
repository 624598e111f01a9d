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

type Sealing = number | 'instant' | 'manual';
type Devnet = Awaited<ReturnType<typeof import('../../devnet/index.js').startDevnet>>;

/** The devnet's settings from the flags, each checked. */
function settingsOf(o: DevnetFlags) {
  const sealing: Sealing = o.sealing === 'instant' || o.sealing === 'manual' ? o.sealing : Number(o.sealing);
  if (typeof sealing === 'number' && !(Number.isFinite(sealing) && sealing >= 10))
    throw usage(`--sealing must be instant, manual or milliseconds (>= 10), got ${JSON.stringify(o.sealing)}`);
  return {
    port: intFlag(o.port, '--port', 0, 65535),
    host: o.host,
    tempo: intFlag(o.tempo, '--tempo', 1, 65535),
    weightsRateLimit: intFlag(o.weightsRateLimit, '--weights-rate-limit', 0, 1_000_000),
    sealing,
    commitReveal: Boolean(o.commitReveal),
    ...(o.data ? { data: o.data } : {}),
  };
}

/** Starts the devnet; a port in use or an address it cannot bind becomes a message the operator can act on. */
async function startOrExplain(settings: ReturnType<typeof settingsOf>): Promise<Devnet> {
  const { startDevnet } = await import('../../devnet/index.js');
  try {
    return await startDevnet(settings);
  } catch (e) {
    const msg = (e as Error).message;
    const where = `${settings.host}:${settings.port}`;
    if (/EADDRINUSE/.test(msg))
      throw new CliError(
        'CLI_FAILED',
        `port ${settings.port} on ${settings.host} is already in use (another devnet or node?): stop it or pick another with --port`,
      );
    if (/EACCES|EADDRNOTAVAIL/.test(msg)) throw new CliError('CLI_FAILED', `cannot listen on ${where}: ${msg}`);
    throw new CliError('CLI_FAILED', msg, { cause: e });
  }
}

/** The start-up banner: where to connect, the settings, the beacon and the funded dev accounts (or one JSON line). */
function printBanner(
  ctx: CliContext,
  o: DevnetFlags,
  devnet: Devnet,
  settings: ReturnType<typeof settingsOf>,
  beacon: string,
): void {
  const { sealing, tempo, weightsRateLimit, commitReveal } = settings;
  if (o.json) {
    const accounts = devnet.accounts.map((a) => ({
      name: a.name,
      uri: `//${a.name}`,
      address: a.address,
      free: a.free.toString(),
    }));
    const data = o.data ?? null;
    const line = { event: 'listening', url: devnet.url, httpUrl: devnet.httpUrl, sealing, tempo, weightsRateLimit };
    ctx.io.out(
      JSON.stringify({ ...line, commitReveal, data, best: devnet.bestNumber(), drandPublicKey: beacon, accounts }),
    );
    return;
  }
  const sealingText =
    typeof sealing === 'number'
      ? `a block every ${sealing} ms`
      : sealing === 'instant'
        ? 'instant (a block per burst of transactions)'
        : 'manual (dev_newBlock)';
  ctx.io.out(`subnetkit devnet listening on ${devnet.url} (JSON-RPC over HTTP: ${devnet.httpUrl})`);
  ctx.io.out(`sealing: ${sealingText}`);
  ctx.io.out(
    o.data
      ? `chain data: ${o.data} (best block #${devnet.bestNumber()})`
      : 'chain data: in memory (use --data DIR to keep it)',
  );
  ctx.io.out(`subnet defaults: tempo ${tempo} blocks, weights rate limit ${weightsRateLimit} blocks`);
  ctx.io.out(`commit-reveal on new subnets: ${commitReveal ? 'on' : 'off (--commit-reveal turns it on)'}`);
  ctx.io.out(`drand beacon for CRv4 commits (RPC dev_drandInfo): ${beacon.slice(0, 24)}…`);
  ctx.io.out('funded dev accounts:');
  for (const a of devnet.accounts)
    ctx.io.out(`  //${a.name.padEnd(8)} ${a.address}  ${(a.free / 1_000_000_000n).toLocaleString('en-US')} TAO`);
  ctx.io.out(`connect with: --subtensor.network ${devnet.url}`);
}

/** `devnet`: start, print the banner, then a line per block with extrinsics until the CLI stops it. */
async function runDevnet(ctx: CliContext, o: DevnetFlags): Promise<void> {
  const settings = settingsOf(o);
  const devnet = await startOrExplain(settings);
  const { devnetBeacon } = await import('../../devnet/pallets/drand-beacon.js');
  printBanner(ctx, o, devnet, settings, devnetBeacon().info.publicKey);
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
}

/** Registers `devnet` and its flags. */
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
    .action((o: DevnetFlags) => runDevnet(ctx, o));
}
