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

type CallArgs = readonly unknown[];
type CallHandler = (ctx: DispatchContext, args: CallArgs) => void;

/**
 * `(netuid, mecid, ...rest)` calls for mechanism 0 are the plain call on `(netuid, ...rest)`: the devnet's subnets
 * have one mechanism.
 */
function mechanismZero(plain: CallHandler): CallHandler {
  return (ctx, args) => {
    const [netuid, mecid, ...rest] = args as { toNumber(): number }[];
    if (mecid!.toNumber() !== 0) throw moduleError(ctx.registry, 'SubtensorModule', 'MechanismDoesNotExist');
    plain(ctx, [netuid, ...rest]);
  };
}

function transferAll(ctx: DispatchContext, args: CallArgs): void {
  // Everything free, or everything but the existential deposit with keep_alive.
  const keepAlive = (args[1] as { isTrue: boolean }).isTrue;
  const free = BigInt(account(ctx.storage, ctx.signer).data.free);
  const amount = keepAlive ? free - ED : free;
  transfer(ctx, addressOf(args[0]), amount > 0n ? amount : 0n, keepAlive);
}

const amountOf = (arg: unknown) => BigInt((arg as { toString(): string }).toString());

/** Every call the devnet implements, by `section.method` as @polkadot/api names them. */
const CALLS: Record<string, CallHandler> = {
  'balances.transferKeepAlive': (ctx, args) => transfer(ctx, addressOf(args[0]), amountOf(args[1]), true),
  'balances.transferAllowDeath': (ctx, args) => transfer(ctx, addressOf(args[0]), amountOf(args[1]), false),
  'balances.transferAll': transferAll,
  'sudo.sudo': (ctx, args) => {
    const inner = args[0] as { section: string; method: string; args: CallArgs };
    sudo(ctx, (rootCtx) => dispatch(rootCtx, inner.section, inner.method, inner.args));
  },
  'subtensorModule.registerNetwork': (ctx, args) => registerNetwork(ctx, args as never),
  'subtensorModule.burnedRegister': (ctx, args) => burnedRegister(ctx, args as never),
  // At HEAD the PoW arguments are ignored: a burned registration of (netuid, hotkey).
  'subtensorModule.register': (ctx, args) => burnedRegister(ctx, [args[0], args[4]] as never),
  'subtensorModule.serveAxon': (ctx, args) => serveAxon(ctx, args as never),
  'subtensorModule.serveAxonTls': (ctx, args) => serveAxon(ctx, args as never, true),
  'subtensorModule.servePrometheus': (ctx, args) => servePrometheus(ctx, args as never),
  'subtensorModule.setWeights': (ctx, args) => setWeights(ctx, args as never),
  'subtensorModule.setMechanismWeights': mechanismZero((ctx, args) => setWeights(ctx, args as never)),
  'subtensorModule.commitWeights': (ctx, args) => commitWeights(ctx, args as never),
  'subtensorModule.commitMechanismWeights': mechanismZero((ctx, args) => commitWeights(ctx, args as never)),
  'subtensorModule.revealWeights': (ctx, args) => revealWeights(ctx, args as never),
  'subtensorModule.revealMechanismWeights': mechanismZero((ctx, args) => revealWeights(ctx, args as never)),
  'subtensorModule.commitTimelockedWeights': (ctx, args) => commitTimelocked(ctx, args as never, false),
  'subtensorModule.commitTimelockedMechanismWeights': (ctx, args) => commitTimelocked(ctx, args as never, true),
  'subtensorModule.startCall': (ctx, args) => startCall(ctx, args as never),
  'subtensorModule.addStake': (ctx, args) => addStake(ctx, args as never),
  'subtensorModule.addStakeLimit': (ctx, args) => addStake(ctx, args as never, true),
  'subtensorModule.removeStake': (ctx, args) => removeStake(ctx, args as never),
  'subtensorModule.removeStakeLimit': (ctx, args) => removeStake(ctx, args as never, true),
  'commitments.setCommitment': (ctx, args) => setCommitment(ctx, args as never),
};

/** Runs one call; throws {@link DispatchFailure} to fail it. */
export function dispatch(ctx: DispatchContext, section: string, method: string, args: CallArgs): void {
  const handler = Object.hasOwn(CALLS, `${section}.${method}`) ? CALLS[`${section}.${method}`] : undefined;
  if (handler) handler(ctx, args);
  else if (section !== 'adminUtils' || !adminSetter(ctx, method, args as never))
    // Calls the devnet does not implement fail as a dispatch error; docs/devnet.md lists what is implemented.
    throw new DispatchFailure({ Other: null });
}
