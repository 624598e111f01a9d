/** Dispatch of the calls the devnet implements, with the real module errors and events. */
import type { Storage } from './state.js';
import { DispatchFailure, moduleError, type DispatchContext } from './dispatch-context.js';
import { adminSetter, sudo } from './admin.js';
import { commitTimelocked, commitWeights, revealWeights } from './commit-reveal.js';
import { addStake, removeStake, startCall } from './staking.js';
import { burnedRegister, registerNetwork, serveAxon, servePrometheus, setWeights } from './subtensor.js';
import { setCommitment } from './commitments.js';

const ED = 500n;

type AccountData = {
  nonce: number;
  consumers: number;
  providers: number;
  sufficients: number;
  data: { free: string | number; reserved: string | number; frozen: string | number; flags: string | number };
};

function account(storage: Storage, who: string): AccountData {
  return storage.get('system', 'account', who).toJSON() as unknown as AccountData;
}

function transfer(ctx: DispatchContext, to: string, amount: bigint, keepAlive: boolean): void {
  const { storage, signer, registry } = ctx;
  const from = account(storage, signer);
  const free = BigInt(from.data.free);
  if (amount > free) throw moduleError(registry, 'Balances', 'InsufficientBalance');
  if (keepAlive && free - amount < ED) throw moduleError(registry, 'Balances', 'Expendability');
  const existed = storage.has('system', 'account', to);
  const dest = account(storage, to);
  const destFree = BigInt(dest.data.free);
  if (!existed && amount < ED) throw moduleError(registry, 'Balances', 'ExistentialDeposit');
  storage.set('system', 'account', [signer], { ...from, data: { ...from.data, free: free - amount } });
  storage.set('system', 'account', [to], {
    ...dest,
    providers: existed ? dest.providers : 1,
    data: { ...dest.data, free: destFree + amount },
  });
  if (!existed) {
    ctx.deposit({ System: { NewAccount: { account: to } } });
    ctx.deposit({ Balances: { Endowed: { account: to, freeBalance: amount } } });
  }
  ctx.deposit({ Balances: { Transfer: { from: signer, to, amount } } });
}

function addressOf(arg: unknown): string {
  const a = arg as { isId?: boolean; asId?: { toString(): string }; toString(): string };
  return a.isId ? a.asId!.toString() : a.toString();
}

/** Runs one call; throws {@link DispatchFailure} to fail it. */
export function dispatch(ctx: DispatchContext, section: string, method: string, args: readonly unknown[]): void {
  const key = `${section}.${method}`;
  switch (key) {
    case 'balances.transferKeepAlive':
    case 'balances.transferAllowDeath':
      return transfer(
        ctx,
        addressOf(args[0]),
        BigInt((args[1] as { toString(): string }).toString()),
        key === 'balances.transferKeepAlive',
      );
    case 'balances.transferAll': {
      // Everything free, or everything but the existential deposit with keep_alive.
      const keepAlive = (args[1] as { isTrue: boolean }).isTrue;
      const free = BigInt(account(ctx.storage, ctx.signer).data.free);
      const amount = keepAlive ? free - ED : free;
      return transfer(ctx, addressOf(args[0]), amount > 0n ? amount : 0n, keepAlive);
    }
    case 'subtensorModule.servePrometheus':
      return servePrometheus(ctx, args as never);
    case 'subtensorModule.serveAxonTls':
      return serveAxon(ctx, args as never, true);
    case 'subtensorModule.register':
      // At HEAD the PoW arguments are ignored: a burned registration of (netuid, hotkey).
      return burnedRegister(ctx, [args[0], args[4]] as never);
    case 'sudo.sudo': {
      const inner = args[0] as { section: string; method: string; args: readonly unknown[] };
      return sudo(ctx, (rootCtx) => dispatch(rootCtx, inner.section, inner.method, inner.args));
    }
    case 'subtensorModule.registerNetwork':
      return registerNetwork(ctx, args as never);
    case 'subtensorModule.burnedRegister':
      return burnedRegister(ctx, args as never);
    case 'subtensorModule.serveAxon':
      return serveAxon(ctx, args as never);
    case 'subtensorModule.setWeights':
      return setWeights(ctx, args as never);
    case 'subtensorModule.setMechanismWeights': {
      // One mechanism (mecid 0) per subnet on the devnet: it is set_weights.
      const [netuid, mecid, ...rest] = args as { toNumber(): number }[];
      if (mecid!.toNumber() !== 0) throw moduleError(ctx.registry, 'SubtensorModule', 'MechanismDoesNotExist');
      return setWeights(ctx, [netuid, ...rest] as never);
    }
    case 'subtensorModule.addStakeLimit':
      return addStake(ctx, args as never, true);
    case 'subtensorModule.removeStakeLimit':
      return removeStake(ctx, args as never, true);
    case 'subtensorModule.commitWeights':
      return commitWeights(ctx, args as never);
    case 'subtensorModule.revealWeights':
      return revealWeights(ctx, args as never);
    case 'subtensorModule.commitMechanismWeights':
    case 'subtensorModule.revealMechanismWeights': {
      // mecid 0 is the plain call on the devnet's one-mechanism subnets
      const [netuid, mecid, ...rest] = args as { toNumber(): number }[];
      if (mecid!.toNumber() !== 0) throw moduleError(ctx.registry, 'SubtensorModule', 'MechanismDoesNotExist');
      return key === 'subtensorModule.commitMechanismWeights'
        ? commitWeights(ctx, [netuid, ...rest] as never)
        : revealWeights(ctx, [netuid, ...rest] as never);
    }
    case 'subtensorModule.commitTimelockedWeights':
      return commitTimelocked(ctx, args as never, false);
    case 'subtensorModule.commitTimelockedMechanismWeights':
      return commitTimelocked(ctx, args as never, true);
    case 'subtensorModule.startCall':
      return startCall(ctx, args as never);
    case 'subtensorModule.addStake':
      return addStake(ctx, args as never);
    case 'subtensorModule.removeStake':
      return removeStake(ctx, args as never);
    case 'commitments.setCommitment':
      return setCommitment(ctx, args as never);
    default:
      if (section === 'adminUtils' && adminSetter(ctx, method, args as never)) return;
      // Calls the devnet does not implement fail as a dispatch error; docs/devnet.md lists what is implemented.
      throw new DispatchFailure({ Other: null });
  }
}
