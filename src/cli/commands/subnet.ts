/** `subnetkit subnet …`: list, create, start, register, hyperparameters and the metagraph table. */
import type { Command } from 'commander';
import { cryptoReady } from '../../keys/index.js';
import { CliError } from '../errors.js';
import { raoToTao, table, withSpinner } from '../io.js';
import {
  coldkeyOf,
  hotkeyOf,
  intFlag,
  onChain,
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

/** `subnet list`: every subnet with its size, tempo, price and owner. */
async function listSubnets(ctx: CliContext, o: SubnetFlags): Promise<void> {
  const rows = await onChain(o, async (st) => {
    const netuids = (await st.entries.subtensorModule.networksAdded())
      .filter(([, on]) => on)
      .map(([k]) => Number((k as unknown[])[0]))
      .sort((a, b) => a - b);
    const out: Record<string, number | string | null>[] = [];
    for (const netuid of netuids) {
      const [n, max, d] = await Promise.all([
        st.query.subtensorModule.subnetworkN(netuid),
        st.query.subtensorModule.maxAllowedUids(netuid),
        st.dynamicInfo(netuid),
      ]);
      out.push({
        netuid,
        n: Number(n),
        max_n: Number(max),
        tempo: d?.tempo ?? null,
        price: d && d.alphaIn > 0n ? Number(d.taoIn) / Number(d.alphaIn) : null,
        tao_in: d ? raoToTao(d.taoIn) : null,
        owner: d?.ownerColdkey ?? null,
      });
    }
    return out;
  });
  print(ctx, o, { subnets: rows }, () =>
    table(rows.map((r) => ({ ...r, owner: r.owner ? short(r.owner as string) : null }))),
  );
}

/** `subnet create`: a new subnet owned by the coldkey, the wallet hotkey its owner hotkey. */
async function createSubnet(ctx: CliContext, o: SubnetFlags): Promise<void> {
  const w = walletOf(o);
  const cold = await coldkeyOf(w, o, ctx.io);
  const hot = await w.getHotkeypub().catch((e) => {
    throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
  });
  const r = await onChain(o, (st) =>
    withSpinner(ctx.io, 'registering the subnet…', st.registerNetwork(cold, hot.ss58Address)),
  );
  print(ctx, o, { netuid: r.netuid, block: r.blockNumber, txHash: r.txHash, fee: r.fee }, () => [
    `subnet ${r.netuid} created in block #${r.blockNumber}; start its emission with \`subnetkit subnet start --netuid ${r.netuid}\``,
  ]);
}

/** `subnet start`: the owner starts the subnet's emission. */
async function startSubnet(ctx: CliContext, o: SubnetFlags): Promise<void> {
  const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
  const cold = await coldkeyOf(walletOf(o), o, ctx.io);
  const r = await onChain(o, (st) => withSpinner(ctx.io, 'starting…', st.startCall(cold, netuid)));
  print(ctx, o, { netuid, block: r.blockNumber, txHash: r.txHash }, () => [
    `subnet ${netuid} started in block #${r.blockNumber}`,
  ]);
}

/** `subnet register`: a burned registration of the wallet hotkey (nothing to do when it holds a uid already). */
async function register(ctx: CliContext, o: SubnetFlags): Promise<void> {
  const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
  const w = walletOf(o);
  const cold = await coldkeyOf(w, o, ctx.io);
  const hot = await hotkeyOf(w);
  await onChain(o, async (st) => {
    const before = await st.uidOf(netuid, hot.ss58Address);
    if (before !== null) {
      print(ctx, o, { netuid, uid: before, hotkey: hot.ss58Address, already: true }, () => [
        `hotkey ${hot.ss58Address} is already uid ${before} on subnet ${netuid}`,
      ]);
      return;
    }
    const burn = BigInt(await st.query.subtensorModule.burn(netuid));
    const r = await withSpinner(
      ctx.io,
      `registering (burns ${raoToTao(burn)} TAO)…`,
      st.burnedRegister(cold, netuid, hot.ss58Address),
    );
    const json = { netuid, uid: r.uid, hotkey: hot.ss58Address, burned: burn, block: r.blockNumber, txHash: r.txHash };
    print(ctx, o, json, () => [
      `registered ${hot.ss58Address} as uid ${r.uid} on subnet ${netuid} (burned ${raoToTao(burn)} TAO, block #${r.blockNumber})`,
    ]);
  });
}

/** `subnet hyperparameters`: name and value of each, nested values as JSON. */
async function hyperparameters(ctx: CliContext, o: SubnetFlags): Promise<void> {
  await cryptoReady();
  const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
  const hp = await onChain(o, (st) => st.hyperparameters(netuid));
  if (!hp) throw new CliError('CLI_FAILED', `subnet ${netuid} does not exist`);
  const flat = Object.entries(hp as Record<string, unknown>).map(([name, value]) => ({
    name,
    value:
      typeof value === 'object' && value !== null
        ? JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
        : String(value),
  }));
  print(ctx, o, { netuid, hyperparameters: hp }, () => table(flat));
}

/** `subnet metagraph`: btcli's neuron table. */
async function metagraph(ctx: CliContext, o: SubnetFlags): Promise<void> {
  const netuid = intFlag(o.netuid, '--netuid', 0, 65535);
  const { syncMetagraph } = await import('../../metagraph/index.js');
  const mg = await onChain(o, (st) =>
    syncMetagraph(st, { netuid }).catch((e) => {
      throw new CliError('CLI_FAILED', (e as Error).message, { cause: e });
    }),
  );
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
}

/** Registers `subnet` and its subcommands: the flags of each, and the function that runs it. */
export function subnetCommands(program: Command, ctx: CliContext): void {
  const subnet = program
    .command('subnet')
    .description('subnets: list, create, start, register, hyperparameters, metagraph');
  const run = (action: (ctx: CliContext, o: SubnetFlags) => Promise<void>) => (o: SubnetFlags) => action(ctx, o);

  withOutput(withChain(subnet.command('list').description('every subnet: neurons, tempo, price, owner'))).action(
    run(listSubnets),
  );

  const createHelp = 'register a new subnet, owned by the coldkey with the wallet hotkey as owner hotkey';
  withOutput(withChain(withWallet(subnet.command('create').description(createHelp)))).action(run(createSubnet));

  withOutput(withChain(withWallet(subnet.command('start').description("start a subnet's emission (owner coldkey)"))))
    .requiredOption('--netuid <n>', 'subnet')
    .action(run(startSubnet));

  const registerHelp = 'register the wallet hotkey on a subnet by burning TAO from the coldkey';
  withOutput(withChain(withWallet(subnet.command('register').description(registerHelp))))
    .requiredOption('--netuid <n>', 'subnet')
    .action(run(register));

  withOutput(withChain(subnet.command('hyperparameters').description("a subnet's hyperparameters")))
    .requiredOption('--netuid <n>', 'subnet')
    .action(run(hyperparameters));

  const metagraphHelp =
    "a subnet's neurons, like btcli: uid, stake, trust, consensus, incentive, dividends, emission, axon";
  withOutput(withChain(subnet.command('metagraph').description(metagraphHelp)))
    .requiredOption('--netuid <n>', 'subnet')
    .action(run(metagraph));
}
