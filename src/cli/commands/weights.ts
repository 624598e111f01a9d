/** `subnetkit weights …` and `subnetkit axon serve`: what a validator or miner sends with its hotkey. */
import type { Command } from 'commander';
import { CliError, usage } from '../errors.js';
import { withSpinner } from '../io.js';
import {
  hotkeyOf,
  intFlag,
  numberList,
  onChain,
  print,
  walletOf,
  withChain,
  withOutput,
  withWallet,
  type CliContext,
  type CommonFlags,
} from '../context.js';

type WeightFlags = CommonFlags & {
  netuid?: string;
  uids?: string;
  weights?: string;
  salt?: string;
  versionKey?: string;
  ip?: string;
  port?: string;
  protocol?: string;
};

function pair(o: WeightFlags): { uids: number[]; weights: number[] } {
  const uids = numberList(o.uids, '--uids', { integer: true, min: 0, max: 65535 });
  const weights = numberList(o.weights, '--weights', { min: 0 });
  if (uids.length !== weights.length)
    throw usage(`--uids has ${uids.length} entries but --weights has ${weights.length}`);
  return { uids, weights };
}

/** `weights set`: processed like Python's, u16, committed instead when the subnet has commit-reveal on. */
async function setWeights(ctx: CliContext, o: WeightFlags): Promise<void> {
  const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
  const { uids, weights } = pair(o);
  const hot = await hotkeyOf(walletOf(o));
  const r = await onChain(o, (st) =>
    withSpinner(ctx.io, 'waiting for inclusion…', st.setWeights(hot, netuid, uids, weights)),
  );
  const json = {
    netuid,
    mode: r.mode,
    uids: r.uids,
    weights: r.weights,
    versionKey: r.versionKey,
    block: r.blockNumber,
    revealRound: r.revealRound ?? null,
  };
  print(ctx, o, json, () => [
    `weights ${r.mode === 'set' ? 'set' : 'committed (timelock, revealed by the chain)'} on subnet ${netuid} in block #${r.blockNumber}: uids ${r.uids.join(',')} → ${r.weights.join(',')}`,
  ]);
}

/** `weights commit`: a CRv2 hash commit; prints the reveal command to run in the reveal epoch. */
async function commitWeights(ctx: CliContext, o: WeightFlags): Promise<void> {
  const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
  const { uids, weights } = pair(o);
  const hot = await hotkeyOf(walletOf(o));
  const r = await onChain(o, async (st) => {
    if (!(await st.commitReveal(netuid)).enabled)
      throw new CliError('CLI_FAILED', `subnet ${netuid} has commit-reveal off: use \`subnetkit weights set\``);
    const sent = st.setWeights(hot, netuid, uids, weights, { commitReveal: 'hash' });
    return withSpinner(ctx.io, 'waiting for inclusion…', sent);
  });
  const reveal = `subnetkit weights reveal --netuid ${netuid} --uids ${r.uids.join(',')} --weights ${r.weights.join(',')} --salt ${r.salt!.join(',')} --version-key ${r.versionKey}`;
  const json = {
    netuid,
    uids: r.uids,
    weights: r.weights,
    salt: r.salt,
    versionKey: r.versionKey,
    block: r.blockNumber,
    reveal,
  };
  print(ctx, o, json, () => [`committed in block #${r.blockNumber}; reveal in the reveal epoch with:`, `  ${reveal}`]);
}

/** `weights reveal`: the u16 values, salt and version key a commit printed. */
async function revealWeights(ctx: CliContext, o: WeightFlags): Promise<void> {
  const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
  const uids = numberList(o.uids, '--uids', { integer: true, min: 0, max: 65535 });
  const weights = numberList(o.weights, '--weights', { integer: true, min: 0, max: 65535 });
  const salt = numberList(o.salt, '--salt', { integer: true, min: 0, max: 65535 });
  if (uids.length !== weights.length) throw usage('--uids and --weights differ in length');
  if (!/^\d+$/.test(o.versionKey ?? ''))
    throw usage(`--version-key must be a non-negative integer, got ${JSON.stringify(o.versionKey)}`);
  const hot = await hotkeyOf(walletOf(o));
  const r = await onChain(o, (st) => {
    const sent = st.revealWeights(hot, netuid, uids, weights, salt, BigInt(o.versionKey!));
    return withSpinner(ctx.io, 'waiting for inclusion…', sent);
  });
  print(ctx, o, { netuid, block: r.blockNumber, txHash: r.txHash }, () => [
    `revealed on subnet ${netuid} in block #${r.blockNumber}`,
  ]);
}

/** `axon serve`: serve_axon for the wallet hotkey (nothing sent when the chain has the address already). */
async function serveAxon(ctx: CliContext, o: WeightFlags): Promise<void> {
  const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
  const port = intFlag(o.port, '--port', 1, 65535);
  const protocol = intFlag(o.protocol, '--protocol', 0, 255);
  const hot = await hotkeyOf(walletOf(o));
  const r = await onChain(o, (st) => {
    const sent = st.serveAxon(hot, netuid, { ip: o.ip!, port, protocol }).catch((e) => {
      if ((e as { code?: string }).code === 'INVALID_ARGUMENT') throw usage((e as Error).message);
      throw e;
    });
    return withSpinner(ctx.io, 'waiting for inclusion…', sent);
  });
  print(ctx, o, { netuid, ip: o.ip, port, changed: r !== null, block: r?.blockNumber ?? null }, () => [
    r
      ? `axon ${o.ip}:${port} announced on subnet ${netuid} in block #${r.blockNumber}`
      : `the chain already has ${o.ip}:${port} for this hotkey on subnet ${netuid}`,
  ]);
}

/** Registers `weights` and `axon` with their subcommands: the flags of each, and the function that runs it. */
export function weightCommands(program: Command, ctx: CliContext): void {
  const weights = program.command('weights').description('set, commit and reveal weights (hotkey-signed)');
  const run = (action: (ctx: CliContext, o: WeightFlags) => Promise<void>) => (o: WeightFlags) => action(ctx, o);
  const hotkeySigned = (cmd: Command) =>
    withOutput(withChain(withWallet(cmd))).requiredOption('--netuid <n>', 'subnet');

  hotkeySigned(
    weights
      .command('set')
      .description('set weights as Python does (processed, u16; committed when the subnet has commit-reveal on)'),
  )
    .requiredOption('--uids <list>', 'comma-separated uids')
    .requiredOption('--weights <list>', 'comma-separated weights (any scale)')
    .action(run(setWeights));

  hotkeySigned(
    weights.command('commit').description('CRv2: commit a hash of weights now; reveal them in the reveal epoch'),
  )
    .requiredOption('--uids <list>', 'comma-separated uids')
    .requiredOption('--weights <list>', 'comma-separated weights')
    .action(run(commitWeights));

  hotkeySigned(
    weights
      .command('reveal')
      .description('CRv2: reveal committed weights (the u16 values and salt the commit printed)'),
  )
    .requiredOption('--uids <list>', 'uids as committed')
    .requiredOption('--weights <list>', 'u16 weights as committed')
    .requiredOption('--salt <list>', 'the salt the commit printed')
    .requiredOption('--version-key <n>', 'the version key of the commit')
    .action(run(revealWeights));

  const axon = program.command('axon').description("announce an axon's address on chain");
  hotkeySigned(axon.command('serve').description("serve_axon: tell the subnet where the wallet hotkey's axon listens"))
    .requiredOption('--ip <address>', 'IPv4 or IPv6 address')
    .requiredOption('--port <port>', 'TCP port')
    .option('--protocol <n>', 'protocol number', '4')
    .action(run(serveAxon));
}
