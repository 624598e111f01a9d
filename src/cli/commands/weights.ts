/** `subnetkit weights …` and `subnetkit axon serve`: what a validator or miner sends with its hotkey. */
import type { Command } from 'commander';
import { CliError, usage } from '../errors.js';
import { withSpinner } from '../io.js';
import {
  hotkeyOf,
  intFlag,
  numberList,
  openChain,
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

export function weightCommands(program: Command, ctx: CliContext): void {
  const weights = program.command('weights').description('set, commit and reveal weights (hotkey-signed)');

  withOutput(
    withChain(
      withWallet(
        weights
          .command('set')
          .description('set weights as Python does (processed, u16; committed when the subnet has commit-reveal on)'),
      ),
    ),
  )
    .requiredOption('--netuid <n>', 'subnet')
    .requiredOption('--uids <list>', 'comma-separated uids')
    .requiredOption('--weights <list>', 'comma-separated weights (any scale)')
    .action(async (o: WeightFlags) => {
      const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
      const { uids, weights: w } = pair(o);
      const hot = await hotkeyOf(walletOf(o));
      const st = await openChain(o);
      try {
        const r = await withSpinner(ctx.io, 'waiting for inclusion…', st.setWeights(hot, netuid, uids, w));
        print(
          ctx,
          o,
          {
            netuid,
            mode: r.mode,
            uids: r.uids,
            weights: r.weights,
            versionKey: r.versionKey,
            block: r.blockNumber,
            revealRound: r.revealRound ?? null,
          },
          () => [
            `weights ${r.mode === 'set' ? 'set' : 'committed (timelock, revealed by the chain)'} on subnet ${netuid} in block #${r.blockNumber}: uids ${r.uids.join(',')} → ${r.weights.join(',')}`,
          ],
        );
      } finally {
        await st.close();
      }
    });

  withOutput(
    withChain(
      withWallet(
        weights.command('commit').description('CRv2: commit a hash of weights now; reveal them in the reveal epoch'),
      ),
    ),
  )
    .requiredOption('--netuid <n>', 'subnet')
    .requiredOption('--uids <list>', 'comma-separated uids')
    .requiredOption('--weights <list>', 'comma-separated weights')
    .action(async (o: WeightFlags) => {
      const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
      const { uids, weights: w } = pair(o);
      const hot = await hotkeyOf(walletOf(o));
      const st = await openChain(o);
      try {
        if (!(await st.commitReveal(netuid)).enabled)
          throw new CliError('CLI_FAILED', `subnet ${netuid} has commit-reveal off: use \`subnetkit weights set\``);
        const r = await withSpinner(
          ctx.io,
          'waiting for inclusion…',
          st.setWeights(hot, netuid, uids, w, { commitReveal: 'hash' }),
        );
        const reveal = `subnetkit weights reveal --netuid ${netuid} --uids ${r.uids.join(',')} --weights ${r.weights.join(',')} --salt ${r.salt!.join(',')} --version-key ${r.versionKey}`;
        print(
          ctx,
          o,
          {
            netuid,
            uids: r.uids,
            weights: r.weights,
            salt: r.salt,
            versionKey: r.versionKey,
            block: r.blockNumber,
            reveal,
          },
          () => [`committed in block #${r.blockNumber}; reveal in the reveal epoch with:`, `  ${reveal}`],
        );
      } finally {
        await st.close();
      }
    });

  withOutput(
    withChain(
      withWallet(
        weights
          .command('reveal')
          .description('CRv2: reveal committed weights (the u16 values and salt the commit printed)'),
      ),
    ),
  )
    .requiredOption('--netuid <n>', 'subnet')
    .requiredOption('--uids <list>', 'uids as committed')
    .requiredOption('--weights <list>', 'u16 weights as committed')
    .requiredOption('--salt <list>', 'the salt the commit printed')
    .requiredOption('--version-key <n>', 'the version key of the commit')
    .action(async (o: WeightFlags) => {
      const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
      const uids = numberList(o.uids, '--uids', { integer: true, min: 0, max: 65535 });
      const w = numberList(o.weights, '--weights', { integer: true, min: 0, max: 65535 });
      const salt = numberList(o.salt, '--salt', { integer: true, min: 0, max: 65535 });
      if (uids.length !== w.length) throw usage('--uids and --weights differ in length');
      if (!/^\d+$/.test(o.versionKey ?? ''))
        throw usage(`--version-key must be a non-negative integer, got ${JSON.stringify(o.versionKey)}`);
      const hot = await hotkeyOf(walletOf(o));
      const st = await openChain(o);
      try {
        const r = await withSpinner(
          ctx.io,
          'waiting for inclusion…',
          st.revealWeights(hot, netuid, uids, w, salt, BigInt(o.versionKey!)),
        );
        print(ctx, o, { netuid, block: r.blockNumber, txHash: r.txHash }, () => [
          `revealed on subnet ${netuid} in block #${r.blockNumber}`,
        ]);
      } finally {
        await st.close();
      }
    });

  const axon = program.command('axon').description("announce an axon's address on chain");
  withOutput(
    withChain(
      withWallet(
        axon.command('serve').description("serve_axon: tell the subnet where the wallet hotkey's axon listens"),
      ),
    ),
  )
    .requiredOption('--netuid <n>', 'subnet')
    .requiredOption('--ip <address>', 'IPv4 or IPv6 address')
    .requiredOption('--port <port>', 'TCP port')
    .option('--protocol <n>', 'protocol number', '4')
    .action(async (o: WeightFlags) => {
      const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
      const port = intFlag(o.port, '--port', 1, 65535);
      const protocol = intFlag(o.protocol, '--protocol', 0, 255);
      const hot = await hotkeyOf(walletOf(o));
      const st = await openChain(o);
      try {
        const r = await withSpinner(
          ctx.io,
          'waiting for inclusion…',
          st.serveAxon(hot, netuid, { ip: o.ip!, port, protocol }).catch((e) => {
            if ((e as { code?: string }).code === 'INVALID_ARGUMENT') throw usage((e as Error).message);
            throw e;
          }),
        );
        print(ctx, o, { netuid, ip: o.ip, port, changed: r !== null, block: r?.blockNumber ?? null }, () => [
          r
            ? `axon ${o.ip}:${port} announced on subnet ${netuid} in block #${r.blockNumber}`
            : `the chain already has ${o.ip}:${port} for this hotkey on subnet ${netuid}`,
        ]);
      } finally {
        await st.close();
      }
    });
}
