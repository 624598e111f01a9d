/** `subnetkit subnet …`: list, create, start, register, hyperparameters and the metagraph table. */
import type { Command } from 'commander';
import { cryptoReady } from '../../keys/index.js';
import { CliError } from '../errors.js';
import { raoToTao, table, withSpinner } from '../io.js';
import {
  coldkeyOf,
  hotkeyOf,
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

type SubnetFlags = CommonFlags & { netuid?: string; hotkey?: string };

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

export function subnetCommands(program: Command, ctx: CliContext): void {
  const subnet = program
    .command('subnet')
    .description('subnets: list, create, start, register, hyperparameters, metagraph');

  withOutput(withChain(subnet.command('list').description('every subnet: neurons, tempo, price, owner'))).action(
    async (o: SubnetFlags) => {
      const st = await openChain(o);
      try {
        const netuids = (await st.entries.subtensorModule.networksAdded())
          .filter(([, on]) => on)
          .map(([k]) => Number((k as unknown[])[0]))
          .sort((a, b) => a - b);
        const rows: {
          netuid: number;
          n: number;
          max_n: number;
          tempo: number | null;
          price: number | null;
          tao_in: string | null;
          owner: string | null;
        }[] = [];
        for (const netuid of netuids) {
          const [n, max, d] = await Promise.all([
            st.query.subtensorModule.subnetworkN(netuid),
            st.query.subtensorModule.maxAllowedUids(netuid),
            st.dynamicInfo(netuid),
          ]);
          const price = d && d.alphaIn > 0n ? Number(d.taoIn) / Number(d.alphaIn) : null;
          rows.push({
            netuid,
            n: Number(n),
            max_n: Number(max),
            tempo: d?.tempo ?? null,
            price,
            tao_in: d ? raoToTao(d.taoIn) : null,
            owner: d?.ownerColdkey ?? null,
          });
        }
        print(ctx, o, { subnets: rows }, () =>
          table(rows.map((r) => ({ ...r, owner: r.owner ? short(r.owner) : null }))),
        );
      } finally {
        await st.close();
      }
    },
  );

  withOutput(
    withChain(
      withWallet(
        subnet
          .command('create')
          .description('register a new subnet, owned by the coldkey with the wallet hotkey as owner hotkey'),
      ),
    ),
  ).action(async (o: SubnetFlags) => {
    const w = walletOf(o);
    const cold = await coldkeyOf(w, o, ctx.io);
    const hot = await w.getHotkeypub().catch((e) => {
      throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
    });
    const st = await openChain(o);
    try {
      const r = await withSpinner(ctx.io, 'registering the subnet…', st.registerNetwork(cold, hot.ss58Address));
      print(ctx, o, { netuid: r.netuid, block: r.blockNumber, txHash: r.txHash, fee: r.fee }, () => [
        `subnet ${r.netuid} created in block #${r.blockNumber}; start its emission with \`subnetkit subnet start --netuid ${r.netuid}\``,
      ]);
    } finally {
      await st.close();
    }
  });

  withOutput(withChain(withWallet(subnet.command('start').description("start a subnet's emission (owner coldkey)"))))
    .requiredOption('--netuid <n>', 'subnet')
    .action(async (o: SubnetFlags) => {
      const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
      const w = walletOf(o);
      const cold = await coldkeyOf(w, o, ctx.io);
      const st = await openChain(o);
      try {
        const r = await withSpinner(ctx.io, 'starting…', st.startCall(cold, netuid));
        print(ctx, o, { netuid, block: r.blockNumber, txHash: r.txHash }, () => [
          `subnet ${netuid} started in block #${r.blockNumber}`,
        ]);
      } finally {
        await st.close();
      }
    });

  withOutput(
    withChain(
      withWallet(
        subnet
          .command('register')
          .description('register the wallet hotkey on a subnet by burning TAO from the coldkey'),
      ),
    ),
  )
    .requiredOption('--netuid <n>', 'subnet')
    .action(async (o: SubnetFlags) => {
      const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
      const w = walletOf(o);
      const cold = await coldkeyOf(w, o, ctx.io);
      const hot = await hotkeyOf(w);
      const st = await openChain(o);
      try {
        const before = await st.uidOf(netuid, hot.ss58Address);
        if (before !== null) {
          print(ctx, o, { netuid, uid: before, hotkey: hot.ss58Address, already: true }, () => [
            `hotkey ${hot.ss58Address} is already uid ${before} on subnet ${netuid}`,
          ]);
          return;
        }
        const burn = await st.query.subtensorModule.burn(netuid);
        const r = await withSpinner(
          ctx.io,
          `registering (burns ${raoToTao(BigInt(burn))} TAO)…`,
          st.burnedRegister(cold, netuid, hot.ss58Address),
        );
        print(
          ctx,
          o,
          { netuid, uid: r.uid, hotkey: hot.ss58Address, burned: BigInt(burn), block: r.blockNumber, txHash: r.txHash },
          () => [
            `registered ${hot.ss58Address} as uid ${r.uid} on subnet ${netuid} (burned ${raoToTao(BigInt(burn))} TAO, block #${r.blockNumber})`,
          ],
        );
      } finally {
        await st.close();
      }
    });

  withOutput(withChain(subnet.command('hyperparameters').description("a subnet's hyperparameters")))
    .requiredOption('--netuid <n>', 'subnet')
    .action(async (o: SubnetFlags) => {
      await cryptoReady();
      const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
      const st = await openChain(o);
      try {
        const hp = await st.hyperparameters(netuid);
        if (!hp) throw new CliError('CLI_FAILED', `subnet ${netuid} does not exist`);
        const flat = Object.entries(hp as Record<string, unknown>).map(([name, value]) => ({
          name,
          value:
            typeof value === 'object' && value !== null
              ? JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
              : String(value),
        }));
        print(ctx, o, { netuid, hyperparameters: hp }, () => table(flat));
      } finally {
        await st.close();
      }
    });

  withOutput(
    withChain(
      subnet
        .command('metagraph')
        .description(
          "a subnet's neurons, like btcli: uid, stake, trust, consensus, incentive, dividends, emission, axon",
        ),
    ),
  )
    .requiredOption('--netuid <n>', 'subnet')
    .action(async (o: SubnetFlags) => {
      const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
      const st = await openChain(o);
      try {
        const { syncMetagraph } = await import('../../metagraph/index.js');
        const mg = await syncMetagraph(st, { netuid }).catch((e) => {
          throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
        });
        const rows = Array.from({ length: mg.n }, (_, uid) => {
          const a = mg.axons[uid]!;
          return {
            uid,
            stake: mg.S[uid]!,
            trust: mg.Tv[uid]!,
            consensus: mg.C[uid]!,
            incentive: mg.I[uid]!,
            dividends: mg.D[uid]!,
            emission: mg.E[uid]!,
            vpermit: mg.validatorPermit[uid] ? '*' : '',
            axon: a.isServing ? `${a.ip}:${a.port}` : null,
            hotkey: mg.hotkeys[uid]!,
          };
        });
        print(ctx, o, { netuid, block: mg.block, n: mg.n, neurons: rows }, () => [
          `subnet ${netuid} at block #${mg.block}: ${mg.n} neurons`,
          ...table(rows.map((r) => ({ ...r, hotkey: short(r.hotkey) }))),
        ]);
      } finally {
        await st.close();
      }
    });
}
