/** What every command shares: global flags, the chain and wallet flags, opening them, and argument checks. */
import type { Command } from 'commander';
import { isSubnetkitError } from '../errors/index.js';
import { createWallet, cryptoReady, type Keypair, type Wallet } from '../keys/index.js';
import type { Subtensor } from '../subtensor/index.js';
import { CliError, usage } from './errors.js';
import { toJson, type CliIO } from './io.js';

/** The CLI's run context: where to write and the global flags. */
export interface CliContext {
  io: CliIO;
  /** Called by long-running commands (devnet) with their stop function. */
  onStarted?: (stop: () => Promise<void>) => void;
}

/** Options every command can read after parsing. */
export interface CommonFlags {
  json?: boolean;
  prompt?: boolean;
  'subtensor.network'?: string;
  'subtensor.chain_endpoint'?: string;
  'wallet.name'?: string;
  'wallet.hotkey'?: string;
  'wallet.path'?: string;
}

/** Adds `--subtensor.network` and `--subtensor.chain_endpoint`. */
export function withChain(cmd: Command): Command {
  return cmd
    .option(
      '--subtensor.network <network>',
      'finney, test, archive, local, or a ws:// URL (env BT_SUBTENSOR_NETWORK; default finney)',
    )
    .option(
      '--subtensor.chain_endpoint <url>',
      'node URL; overrides --subtensor.network (env BT_SUBTENSOR_CHAIN_ENDPOINT)',
    );
}

/** Adds `--wallet.name`, `--wallet.hotkey` and `--wallet.path`. */
export function withWallet(cmd: Command): Command {
  return cmd
    .option('--wallet.name <name>', 'wallet name (env BT_WALLET_NAME; default "default")')
    .option('--wallet.hotkey <name>', 'hotkey name (env BT_WALLET_HOTKEY; default "default")')
    .option('--wallet.path <dir>', 'wallets folder (env BT_WALLET_PATH; default ~/.bittensor/wallets/)');
}

/** Adds `--json` (machine-readable output) and `--no-prompt` (never ask; fail instead). */
export function withOutput(cmd: Command): Command {
  return cmd
    .option('--json', 'print JSON instead of text')
    .option('--no-prompt', 'never ask for input (for scripts): fail if something is missing');
}

/** The network a command should use. */
export function networkOf(o: CommonFlags): string {
  return (
    o['subtensor.chain_endpoint'] ??
    process.env.BT_SUBTENSOR_CHAIN_ENDPOINT ??
    o['subtensor.network'] ??
    process.env.BT_SUBTENSOR_NETWORK ??
    'finney'
  );
}

/** Connects to the chain, or fails with one line. */
export async function openChain(o: CommonFlags): Promise<Subtensor> {
  const { createSubtensor } = await import('../subtensor/index.js');
  await cryptoReady();
  const network = networkOf(o);
  try {
    return await createSubtensor({ network, connectTimeoutMs: 10_000 });
  } catch (e) {
    throw new CliError('CLI_FAILED', `cannot reach the chain at ${network}: ${(e as Error).message}`, { cause: e });
  }
}

/** Runs `use` on a chain connection the flags name, closing it afterwards whatever happens. */
export async function onChain<T>(o: CommonFlags, use: (st: Subtensor) => Promise<T>): Promise<T> {
  const st = await openChain(o);
  try {
    return await use(st);
  } finally {
    await st.close();
  }
}

/** The wallet the flags name. */
export function walletOf(o: CommonFlags): Wallet {
  try {
    return createWallet({
      ...(o['wallet.name'] ? { name: o['wallet.name'] } : {}),
      ...(o['wallet.hotkey'] ? { hotkey: o['wallet.hotkey'] } : {}),
      ...(o['wallet.path'] ? { path: o['wallet.path'] } : {}),
    });
  } catch (e) {
    throw usage((e as Error).message);
  }
}

/** Loads the wallet's coldkey: from `BT_PW_*`, else a hidden prompt, else a clear error. */
export async function coldkeyOf(wallet: Wallet, o: CommonFlags, io: CliIO): Promise<Keypair> {
  await cryptoReady();
  try {
    return await wallet.getColdkey();
  } catch (e) {
    if (!isSubnetkitError(e, 'KEYFILE_NEEDS_PASSWORD'))
      throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
    if (o.prompt === false || !io.prompt)
      throw usage(`${(e as Error).message}; run it in a terminal to be asked for the password`);
    const pw = await io.prompt(`password for ${wallet.coldkeyPath}: `, { hidden: true });
    try {
      return await wallet.getColdkey(pw);
    } catch (e2) {
      throw new CliError('CLI_FAILED', (e2 as Error).message, { cause: e2 });
    }
  }
}

/** Loads the wallet's hotkey. */
export async function hotkeyOf(wallet: Wallet): Promise<Keypair> {
  await cryptoReady();
  try {
    return await wallet.getHotkey();
  } catch (e) {
    throw new CliError(
      'CLI_FAILED',
      `${(e as Error).message} (create it with \`subnetkit wallet new-hotkey --wallet.name ${wallet.name} --wallet.hotkey ${wallet.hotkeyName}\`)`,
      { cause: e },
    );
  }
}

/** Parses an integer flag. */
export function intFlag(v: unknown, name: string, min: number, max: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw usage(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v ?? null)}`);
  return n;
}

/** Parses a comma-separated list of numbers. */
export function numberList(
  v: unknown,
  name: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number[] {
  if (typeof v !== 'string' || v.trim() === '') throw usage(`${name} must be a comma-separated list of numbers`);
  return v.split(',').map((s) => {
    const n = Number(s.trim());
    if (
      !Number.isFinite(n) ||
      (opts.integer && !Number.isInteger(n)) ||
      (opts.min !== undefined && n < opts.min) ||
      (opts.max !== undefined && n > opts.max)
    ) {
      throw usage(
        `${name}: ${JSON.stringify(s.trim())} is not ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` in [${opts.min}, ${opts.max ?? '∞'}]` : ''}`,
      );
    }
    return n;
  });
}

/** Prints a result: JSON with `--json`, else the text lines. */
export function print(ctx: CliContext, o: CommonFlags, json: unknown, text: () => string[]): void {
  if (o.json) ctx.io.out(toJson(json));
  else for (const l of text()) ctx.io.out(l);
}
