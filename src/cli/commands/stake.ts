/** `subnetkit stake …`: add, remove and list stake. */
import type { Command } from 'commander';
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

type StakeFlags = CommonFlags & { netuid?: string; amount?: string; hotkey?: string };

async function target(o: StakeFlags): Promise<string> {
  if (o.hotkey) {
    const { keypairFromAddress } = await import('../../keys/index.js');
    try {
      return keypairFromAddress(o.hotkey).ss58Address;
    } catch {
      throw usage(`--hotkey is not an SS58 address: ${o.hotkey}`);
    }
  }
  return (
    await walletOf(o)
      .getHotkeypub()
      .catch((e) => {
        throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
      })
  ).ss58Address;
}

export function stakeCommands(program: Command, ctx: CliContext): void {
  const stake = program.command('stake').description('stake TAO on a hotkey in a subnet, unstake, list');
  for (const op of ['add', 'remove'] as const) {
    withOutput(
      withChain(
        withWallet(
          stake
            .command(op)
            .description(op === 'add' ? 'stake TAO from the coldkey on a hotkey' : 'unstake alpha back to the coldkey'),
        ),
      ),
    )
      .requiredOption('--netuid <n>', 'subnet')
      .requiredOption('--amount <amount>', op === 'add' ? 'TAO to stake' : 'alpha to unstake')
      .option('--hotkey <ss58>', 'hotkey to stake on (default: the wallet hotkey)')
      .action(async (o: StakeFlags) => {
        const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
        const amount = taoToRao(o.amount ?? '');
        if (amount === null || amount === 0n)
          throw usage(`--amount must be a positive amount (up to 9 decimals), got ${JSON.stringify(o.amount)}`);
        const hotkey = await target(o);
        const cold = await coldkeyOf(walletOf(o), o, ctx.io);
        const st = await openChain(o);
        try {
          const work =
            op === 'add' ? st.addStake(cold, hotkey, netuid, amount) : st.removeStake(cold, hotkey, netuid, amount);
          const r = await withSpinner(ctx.io, 'waiting for inclusion…', work);
          print(ctx, o, { op, netuid, hotkey, amount, block: r.blockNumber, txHash: r.txHash, fee: r.fee }, () => [
            `${op === 'add' ? 'staked' : 'unstaked'} ${raoToTao(amount)} on ${hotkey} (subnet ${netuid}) in block #${r.blockNumber}`,
          ]);
        } finally {
          await st.close();
        }
      });
  }

  withOutput(withChain(withWallet(stake.command('list').description("the coldkey's stakes")))).action(
    async (o: StakeFlags) => {
      const cold = await walletOf(o)
        .getColdkeypub()
        .catch((e) => {
          throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
        });
      const st = await openChain(o);
      try {
        const stakes = (await st.stakeInfo(cold.ss58Address)).filter((s) => s.stake > 0n);
        const rows = stakes.map((s) => ({
          netuid: s.netuid,
          hotkey: s.hotkey,
          stake: raoToTao(s.stake),
          emission: raoToTao(s.emission),
        }));
        print(ctx, o, { coldkey: cold.ss58Address, stakes }, () => table(rows));
      } finally {
        await st.close();
      }
    },
  );
}
