/**
 * Dispatch of the calls the devnet implements: one table from `section.method` to the file that runs it, with the
 * real module errors and events.
 */
import { DispatchFailure, moduleError, type DispatchContext } from './context.js';
import { adminSetter, sudo } from './admin-utils.js';
import { transfer, transferAll } from './balances.js';
import { setCommitment } from './commitments.js';
import { commitTimelocked, commitWeights, revealWeights } from './subtensor/commit-reveal.js';
import { burnedRegister, registerNetwork } from './subtensor/registration.js';
import { serveAxon, servePrometheus } from './subtensor/serving.js';
import { addStake, removeStake, startCall } from './subtensor/staking.js';
import { setWeights } from './subtensor/weights.js';

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

/** Every call the devnet implements, by `section.method` as @polkadot/api names them. */
const CALLS: Record<string, CallHandler> = {
  'balances.transferKeepAlive': (ctx, args) => transfer(ctx, args, true),
  'balances.transferAllowDeath': (ctx, args) => transfer(ctx, args, false),
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
  'subtensorModule.commitTimelockedWeights': (ctx, args) => commitTimelocked(ctx, args as never),
  'subtensorModule.commitTimelockedMechanismWeights': mechanismZero((ctx, args) =>
    commitTimelocked(ctx, args as never),
  ),
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
