/**
 * SubtensorModule's subnet and neuron registration on the devnet (`register_network`, `burned_registration`, and the
 * new-subnet defaults genesis uses), with finney's checks in finney's order and its error names. What is simplified
 * is listed in docs/devnet.md.
 */
import { neuronToPrune, replaceNeuron } from './pruning.js';
import { type CallArg as Arg, type DispatchContext, fail } from '../context.js';
import { addFree, big, bool, freeOf, num, uidOf, vec } from '../../storage/read.js';

const TAO = 1_000_000_000n;
const MIN_LOCK = 1000n * TAO;
const LOCK_REDUCTION_INTERVAL = 100_800n;
const SUBNET_LIMIT = 128;

const set = (ctx: DispatchContext, item: string, args: unknown[], value: unknown) =>
  ctx.storage.set('subtensorModule', item, args, value);

/** Takes `amount` from an account and burns it from the total issuance (locks and registration burns). */
function charge(ctx: DispatchContext, who: string, amount: bigint): void {
  addFree(ctx, who, -amount);
  const issuance = BigInt(ctx.storage.get('balances', 'totalIssuance').toString());
  ctx.storage.set('balances', 'totalIssuance', [], issuance - amount);
}

/** The hyperparameters `init_new_network` writes (subtensor's new-subnet values), with the devnet's tempo and CR off. */
export function initSubnet(
  ctx: Pick<DispatchContext, 'storage'>,
  netuid: number,
  owner: string,
  ownerHotkey: string,
  block: number,
  tempo: number,
  commitReveal = false,
  weightsRateLimit?: number,
): void {
  const s = (item: string, value: unknown, ...keys: unknown[]) =>
    ctx.storage.set('subtensorModule', item, keys.length ? keys : [netuid], value);
  s('networksAdded', true);
  s('subnetOwner', owner);
  s('subnetOwnerHotkey', ownerHotkey);
  s('tempo', tempo);
  s('maxAllowedUids', 256);
  s('maxAllowedValidators', 64);
  s('minAllowedWeights', 1);
  s('immunityPeriod', 5000);
  s('burn', TAO);
  s('commitRevealWeightsEnabled', commitReveal);
  if (weightsRateLimit !== undefined) s('weightsSetRateLimit', weightsRateLimit);
  s('revealPeriodEpochs', 1);
  s('yuma3On', true);
  s('networkRegisteredAt', block);
  s('subnetMechanism', 1);
  s('networkRegistrationAllowed', true);
  // Staggered like finney: the first epoch is due `netuid mod tempo` blocks early.
  s('lastEpochBlock', Math.max(0, block - (netuid % Math.max(1, tempo))));
}

/** Seeds a subnet's pool at price 1 (the devnet's median price). */
export function seedPool(ctx: Pick<DispatchContext, 'storage'>, netuid: number, tao: bigint): void {
  ctx.storage.set('subtensorModule', 'subnetTAO', [netuid], tao);
  ctx.storage.set('subtensorModule', 'subnetAlphaIn', [netuid], tao);
}

/**
 * The TAO a subnet registered at `block` locks, as subtensor computes it: max(min_lock, 2·last − last/interval · blocks since the last
 * lock), min_lock the first time. `register_network` charges it; `get_network_registration_cost` reports it.
 */
export function networkLockCost(x: Pick<DispatchContext, 'storage'>, block: number): bigint {
  const last = big(x, 'networkLastLockCost');
  let lastLockBlock = 0;
  for (let u = 1; u < SUBNET_LIMIT; u++)
    if (bool(x, 'networksAdded', u)) lastLockBlock = Math.max(lastLockBlock, num(x, 'networkRegisteredAt', u));
  const since = BigInt(Math.max(0, block - lastLockBlock));
  const mult = x.storage.has('subtensorModule', 'networkLastLockCost') ? 2n : 1n; // 1 until a lock has happened
  const decayed = mult * last - (last / LOCK_REDUCTION_INTERVAL) * since;
  return decayed > MIN_LOCK ? decayed : MIN_LOCK;
}

export function registerNetwork(ctx: DispatchContext, args: readonly Arg[]): void {
  const hotkey = args[0]!.toString();
  const cold = ctx.signer;
  const owner = ctx.storage.get('subtensorModule', 'owner', hotkey).toString();
  if (ctx.storage.has('subtensorModule', 'owner', hotkey) && owner !== cold) throw fail(ctx, 'NonAssociatedColdKey');
  let netuid = 1;
  while (netuid < SUBNET_LIMIT && bool(ctx, 'networksAdded', netuid)) netuid++;
  if (netuid >= SUBNET_LIMIT) throw fail(ctx, 'SubnetLimitReached');
  const lock = networkLockCost(ctx, ctx.block);
  if (freeOf(ctx, cold) < lock) throw fail(ctx, 'CannotAffordLockCost');
  charge(ctx, cold, lock);
  set(ctx, 'networkLastLockCost', [], lock);
  set(ctx, 'subnetLocked', [netuid], lock);
  seedPool(ctx, netuid, lock);
  set(ctx, 'totalNetworks', [], num(ctx, 'totalNetworks') + 1);
  set(ctx, 'owner', [hotkey], cold);
  initSubnet(ctx, netuid, cold, hotkey, ctx.block, ctx.tempo, ctx.commitReveal, ctx.weightsRateLimit);
  ctx.deposit({ SubtensorModule: { NetworkAdded: [netuid, 1] } });
  appendNeuron(ctx, netuid, hotkey);
}

function appendNeuron(ctx: DispatchContext, netuid: number, hotkey: string): number {
  const uid = num(ctx, 'subnetworkN', netuid);
  set(ctx, 'keys', [netuid, uid], hotkey);
  set(ctx, 'uids', [netuid, hotkey], uid);
  set(ctx, 'subnetworkN', [netuid], uid + 1);
  set(ctx, 'blockAtRegistration', [netuid, uid], ctx.block);
  set(ctx, 'isNetworkMember', [hotkey, netuid], true);
  set(ctx, 'lastUpdate', [netuid], [...vec<number>(ctx, 'lastUpdate', netuid), 0]);
  set(ctx, 'validatorPermit', [netuid], [...vec<boolean>(ctx, 'validatorPermit', netuid), false]);
  set(ctx, 'active', [netuid], [...vec<boolean>(ctx, 'active', netuid), true]);
  ctx.deposit({ SubtensorModule: { NeuronRegistered: [netuid, uid, hotkey] } });
  return uid;
}

export function burnedRegister(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  const hotkey = args[1]!.toString();
  const cold = ctx.signer;
  if (netuid === 0) throw fail(ctx, 'RegistrationNotPermittedOnRootSubnet');
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (!bool(ctx, 'networkRegistrationAllowed', netuid)) throw fail(ctx, 'SubNetRegistrationDisabled');
  if (uidOf(ctx, netuid, hotkey) !== null) throw fail(ctx, 'HotKeyAlreadyRegisteredInSubNet');
  if (
    ctx.storage.has('subtensorModule', 'owner', hotkey) &&
    ctx.storage.get('subtensorModule', 'owner', hotkey).toString() !== cold
  )
    throw fail(ctx, 'NonAssociatedColdKey');
  const burn = big(ctx, 'burn', netuid);
  if (freeOf(ctx, cold) < burn) throw fail(ctx, 'NotEnoughBalanceToStake');
  const full = num(ctx, 'subnetworkN', netuid) >= num(ctx, 'maxAllowedUids', netuid);
  const pruned = full ? neuronToPrune(ctx, netuid) : null;
  if (full && pruned === null) throw fail(ctx, 'NoNeuronIdAvailable');
  charge(ctx, cold, burn);
  set(ctx, 'raoRecycledForRegistration', [netuid], big(ctx, 'raoRecycledForRegistration', netuid) + burn);
  // Every registration raises the price ×1.26 (BurnIncreaseMult), within [MinBurn, MaxBurn].
  set(ctx, 'burn', [netuid], clampBurn(ctx, netuid, (burn * 126n) / 100n));
  set(ctx, 'owner', [hotkey], cold);
  if (pruned !== null) replaceNeuron(ctx, netuid, pruned, hotkey);
  else appendNeuron(ctx, netuid, hotkey);
}

/** Clamps a burn price to the subnet's [MinBurn, MaxBurn]. */
export function clampBurn(ctx: Pick<DispatchContext, 'storage'>, netuid: number, value: bigint): bigint {
  const min = BigInt(ctx.storage.get('subtensorModule', 'minBurn', netuid).toString());
  const max = BigInt(ctx.storage.get('subtensorModule', 'maxBurn', netuid).toString());
  return value < min ? min : value > max ? max : value;
}
