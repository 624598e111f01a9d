/** `subnetkit wallet …`: btcli's wallet commands over btwallet-compatible files. */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createWallet, cryptoReady, type Keypair, type KeySource } from '../../keys/index.js';
import { CliError, usage } from '../errors.js';
import { raoToTao, table, taoToRao, withSpinner } from '../io.js';
import {
  coldkeyOf,
  intFlag,
  openChain,
  print,
  walletOf,
  withChain,
  withOutput,
  withWallet,
  type CliContext,
  type CommonFlags,
} from '../context.js';

type WalletFlags = CommonFlags & {
  words?: string;
  usePassword?: boolean;
  overwrite?: boolean;
  mnemonic?: string;
  seed?: string;
  uri?: string;
  dest?: string;
  amount?: string;
  netuid?: string;
};

function words(o: WalletFlags): 12 | 15 | 18 | 21 | 24 {
  const w = o.words === undefined ? 12 : Number(o.words);
  if (![12, 15, 18, 21, 24].includes(w)) throw usage(`--words must be 12, 15, 18, 21 or 24, got ${o.words}`);
  return w as 12;
}

function sourceOf(o: WalletFlags): KeySource {
  if ([o.mnemonic, o.seed, o.uri].filter(Boolean).length > 1) throw usage('pass one of --mnemonic, --seed or --uri');
  if (o.mnemonic) return { mnemonic: o.mnemonic.trim() };
  if (o.seed) return { seed: o.seed.trim() };
  if (o.uri) return { uri: o.uri.trim() };
  throw usage('pass --mnemonic "<words>", --seed 0x<64 hex> or --uri //Name');
}

/** A new coldkey's password: BT_PW_<path>, else asked twice, else an error (or none with --no-use-password). */
async function newPassword(
  ctx: CliContext,
  o: WalletFlags,
  path: string,
): Promise<{ usePassword: boolean; password?: string }> {
  if (o.usePassword === false) return { usePassword: false };
  const { envVarNameForKeyfile, passwordFromEnvironment } = await import('../../keys/index.js');
  const fromEnv = passwordFromEnvironment(envVarNameForKeyfile(path));
  if (fromEnv) return { usePassword: true, password: fromEnv };
  if (o.prompt === false || !ctx.io.prompt)
    throw usage(
      `a password is needed to encrypt ${path}: run in a terminal to be asked, set ${envVarNameForKeyfile(path)}, or pass --no-use-password`,
    );
  const a = await ctx.io.prompt('new coldkey password: ', { hidden: true });
  const b = await ctx.io.prompt('again: ', { hidden: true });
  if (a !== b) throw usage('the passwords differ');
  return { usePassword: true, password: a };
}

async function wrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as { code?: string }).code;
    if (
      code === 'KEYFILE_EXISTS' ||
      code === 'KEYFILE_WEAK_PASSWORD' ||
      code === 'WALLET_INVALID_NAME' ||
      code === 'KEY_INVALID_MNEMONIC' ||
      code === 'KEY_INVALID_SEED' ||
      code === 'KEY_INVALID_URI'
    )
      throw usage((e as Error).message);
    throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
  }
}

/** The names of a wallet's hotkey files. */
function hotkeyNames(root: string, wallet: string): string[] {
  const dir = join(root, wallet, 'hotkeys');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => !f.endsWith('pub.txt') && !f.endsWith('.tmp'))
        .sort()
    : [];
}

const addressOr = <T>(p: Promise<{ ss58Address: string }>, fallback: T) =>
  p.then(
    (k) => k.ss58Address,
    () => fallback,
  );

/** `wallet create`: a coldkey and a hotkey, with their mnemonics shown once. */
async function createKeys(ctx: CliContext, o: WalletFlags): Promise<void> {
  await cryptoReady();
  const w = walletOf(o);
  const pw = await newPassword(ctx, o, w.coldkeyPath);
  const cold = await wrap(w.createNewColdkey({ words: words(o), overwrite: Boolean(o.overwrite), ...pw }));
  const hot = await wrap(w.createNewHotkey({ words: words(o), overwrite: Boolean(o.overwrite) }));
  const json = {
    wallet: w.name,
    path: w.path,
    coldkey: { address: cold.keypair.ss58Address, mnemonic: cold.mnemonic, encrypted: pw.usePassword },
    hotkey: { name: w.hotkeyName, address: hot.keypair.ss58Address, mnemonic: hot.mnemonic },
  };
  print(ctx, o, json, () => [
    `wallet ${w.name} in ${w.path}`,
    `coldkey ${cold.keypair.ss58Address}${pw.usePassword ? ' (encrypted)' : ' (NOT encrypted)'}`,
    `  mnemonic: ${cold.mnemonic}`,
    `hotkey ${w.hotkeyName} ${hot.keypair.ss58Address}`,
    `  mnemonic: ${hot.mnemonic}`,
    'write the mnemonics down: they are the only way to restore these keys',
  ]);
}

/** `wallet new-coldkey`. */
async function newColdkey(ctx: CliContext, o: WalletFlags): Promise<void> {
  await cryptoReady();
  const w = walletOf(o);
  const pw = await newPassword(ctx, o, w.coldkeyPath);
  const cold = await wrap(w.createNewColdkey({ words: words(o), overwrite: Boolean(o.overwrite), ...pw }));
  print(
    ctx,
    o,
    { wallet: w.name, address: cold.keypair.ss58Address, mnemonic: cold.mnemonic, encrypted: pw.usePassword },
    () => [`coldkey ${cold.keypair.ss58Address}`, `  mnemonic: ${cold.mnemonic}`],
  );
}

/** `wallet new-hotkey`. */
async function newHotkey(ctx: CliContext, o: WalletFlags): Promise<void> {
  await cryptoReady();
  const w = walletOf(o);
  const hot = await wrap(w.createNewHotkey({ words: words(o), overwrite: Boolean(o.overwrite) }));
  print(
    ctx,
    o,
    { wallet: w.name, hotkey: w.hotkeyName, address: hot.keypair.ss58Address, mnemonic: hot.mnemonic },
    () => [`hotkey ${w.hotkeyName} ${hot.keypair.ss58Address}`, `  mnemonic: ${hot.mnemonic}`],
  );
}

/** `wallet regen-coldkey` / `regen-hotkey`: a key restored from its mnemonic, seed or URI. */
async function regenKey(ctx: CliContext, o: WalletFlags, which: 'coldkey' | 'hotkey'): Promise<void> {
  await cryptoReady();
  const w = walletOf(o);
  const src = sourceOf(o);
  let kp: Keypair;
  if (which === 'coldkey') {
    const pw = await newPassword(ctx, o, w.coldkeyPath);
    kp = await wrap(w.regenerateColdkey(src, { overwrite: Boolean(o.overwrite), ...pw }));
  } else {
    kp = await wrap(w.regenerateHotkey(src, { overwrite: Boolean(o.overwrite) }));
  }
  print(
    ctx,
    o,
    { wallet: w.name, [which]: which === 'hotkey' ? w.hotkeyName : undefined, address: kp.ss58Address },
    () => [`${which} restored: ${kp.ss58Address}`],
  );
}

/** `wallet list`: every wallet under the path, its coldkey and hotkeys (addresses from the public files). */
async function listWallets(ctx: CliContext, o: WalletFlags): Promise<void> {
  await cryptoReady();
  const root = walletOf(o).path;
  const names = existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const out: { name: string; coldkey: string | null; hotkeys: { name: string; address: string | null }[] }[] = [];
  for (const name of names) {
    const cold = await addressOr(createWallet({ name, path: root }).getColdkeypub(), null);
    const hotkeys = [];
    for (const h of hotkeyNames(root, name))
      hotkeys.push({
        name: h,
        address: await addressOr(createWallet({ name, hotkey: h, path: root }).getHotkeypub(), null),
      });
    out.push({ name, coldkey: cold, hotkeys });
  }
  print(ctx, o, { path: root, wallets: out }, () =>
    out.length
      ? out.flatMap((w) => [
          `${w.name}  ${w.coldkey ?? '(no coldkeypub)'}`,
          ...w.hotkeys.map((h) => `  └ ${h.name}  ${h.address ?? '?'}`),
        ])
      : [`no wallets in ${root}`],
  );
}

/** `wallet balance`. */
async function balance(ctx: CliContext, o: WalletFlags): Promise<void> {
  await cryptoReady();
  const w = walletOf(o);
  const cold = await w.getColdkeypub().catch((e) => {
    throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
  });
  const st = await openChain(o);
  try {
    const free = await st.balance(cold.ss58Address);
    print(ctx, o, { wallet: w.name, coldkey: cold.ss58Address, free: free, freeTao: raoToTao(free) }, () => [
      `${w.name}  ${cold.ss58Address}  ${raoToTao(free)} TAO`,
    ]);
  } finally {
    await st.close();
  }
}

/** `wallet overview`: the wallet's registered hotkeys on each subnet (or one), from the metagraph. */
async function overview(ctx: CliContext, o: WalletFlags): Promise<void> {
  await cryptoReady();
  const w = walletOf(o);
  const hot: { name: string; address: string }[] = [];
  for (const h of hotkeyNames(w.path, w.name)) {
    const address = await addressOr(createWallet({ name: w.name, hotkey: h, path: w.path }).getHotkeypub(), null);
    if (address) hot.push({ name: h, address });
  }
  const st = await openChain(o);
  try {
    const { syncMetagraph } = await import('../../metagraph/index.js');
    const netuids =
      o.netuid !== undefined
        ? [intFlag(o.netuid, '--netuid', 0, 65535)]
        : (await st.entries.subtensorModule.networksAdded())
            .filter(([, on]) => on)
            .map(([k]) => Number((k as unknown[])[0]))
            .sort((a, b) => a - b);
    const rows: Record<string, unknown>[] = [];
    for (const netuid of netuids) {
      const mine = [];
      for (const h of hot) if ((await st.uidOf(netuid, h.address)) !== null) mine.push(h);
      if (!mine.length) continue;
      const mg = await syncMetagraph(st, { netuid });
      for (const h of mine) {
        const uid = mg.uidOf(h.address)!;
        const a = mg.axons[uid]!;
        rows.push({
          netuid,
          hotkey: h.name,
          uid,
          stake: mg.S[uid]!,
          incentive: mg.I[uid]!,
          dividends: mg.D[uid]!,
          emission: mg.E[uid]!,
          axon: a.isServing ? `${a.ip}:${a.port}` : null,
          address: h.address,
        });
      }
    }
    print(ctx, o, { wallet: w.name, neurons: rows }, () =>
      rows.length
        ? table(rows, ['netuid', 'hotkey', 'uid', 'stake', 'incentive', 'dividends', 'emission', 'axon'])
        : [`no hotkey of wallet ${w.name} is registered`],
    );
  } finally {
    await st.close();
  }
}

/** `wallet transfer`: TAO from the coldkey to an address, once included. */
async function transfer(ctx: CliContext, o: WalletFlags): Promise<void> {
  const amount = taoToRao(o.amount ?? '');
  if (amount === null || amount === 0n)
    throw usage(`--amount must be a positive TAO amount (up to 9 decimals), got ${JSON.stringify(o.amount)}`);
  const { keypairFromAddress } = await import('../../keys/index.js');
  try {
    keypairFromAddress(o.dest!);
  } catch {
    throw usage(`--dest is not an SS58 address: ${o.dest}`);
  }
  const w = walletOf(o);
  const cold = await coldkeyOf(w, o, ctx.io);
  const st = await openChain(o);
  try {
    const r = await withSpinner(ctx.io, 'waiting for inclusion…', st.transfer(cold, o.dest!, amount));
    print(ctx, o, { txHash: r.txHash, block: r.blockNumber, fee: r.fee, amount }, () => [
      `sent ${raoToTao(amount)} TAO to ${o.dest} in block #${r.blockNumber} (fee ${raoToTao(r.fee)} TAO)`,
    ]);
  } finally {
    await st.close();
  }
}

/** Registers `wallet` and its subcommands: the flags of each, and the function that runs it. */
export function walletCommands(program: Command, ctx: CliContext): void {
  const wallet = program
    .command('wallet')
    .description('create, restore, list and use wallets (btwallet files: Python reads them as they are)');
  const run = (action: (ctx: CliContext, o: WalletFlags) => Promise<void>) => (o: WalletFlags) => action(ctx, o);

  withOutput(withWallet(wallet.command('create').description('create a coldkey and a hotkey')))
    .option('--words <n>', 'mnemonic length (12, 15, 18, 21, 24)', '12')
    .option('--no-use-password', 'leave the coldkey unencrypted (not for real funds)')
    .option('--overwrite', 'replace existing keys')
    .action(run(createKeys));

  withOutput(withWallet(wallet.command('new-coldkey').description('create a coldkey')))
    .option('--words <n>', 'mnemonic length', '12')
    .option('--no-use-password', 'leave the coldkey unencrypted')
    .option('--overwrite', 'replace an existing coldkey')
    .action(run(newColdkey));

  withOutput(withWallet(wallet.command('new-hotkey').description('create a hotkey in a wallet')))
    .option('--words <n>', 'mnemonic length', '12')
    .option('--overwrite', 'replace an existing hotkey')
    .action(run(newHotkey));

  for (const which of ['coldkey', 'hotkey'] as const) {
    const description = `restore a ${which} from its mnemonic, seed or secret URI`;
    const cmd = withOutput(withWallet(wallet.command(`regen-${which}`).description(description)))
      .option('--mnemonic <words>', 'the mnemonic, in quotes')
      .option('--seed <hex>', 'the 32-byte seed, 0x-hex')
      .option('--uri <uri>', "a secret URI such as //Alice (the devnet's funded dev accounts)")
      .option('--overwrite', `replace an existing ${which}`);
    if (which === 'coldkey') cmd.option('--no-use-password', 'leave the coldkey unencrypted');
    cmd.action((o: WalletFlags) => regenKey(ctx, o, which));
  }

  withOutput(withWallet(wallet.command('list').description('list the wallets and their hotkeys'))).action(
    run(listWallets),
  );

  withOutput(withChain(withWallet(wallet.command('balance').description("the coldkey's free balance")))).action(
    run(balance),
  );

  const overviewHelp = "the wallet's hotkeys on each subnet: uid, stake, incentive, emission, axon";
  withOutput(withChain(withWallet(wallet.command('overview').description(overviewHelp))))
    .option('--netuid <n>', 'only this subnet')
    .action(run(overview));

  withOutput(withChain(withWallet(wallet.command('transfer').description('send TAO from the coldkey'))))
    .requiredOption('--dest <ss58>', 'recipient address')
    .requiredOption('--amount <tao>', 'amount in TAO')
    .action(run(transfer));
}
