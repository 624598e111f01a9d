/** SubtensorModule's `set_weights` on the devnet, and the checks and write a CRv2 reveal shares with it. */
import { encodeAddress } from '@polkadot/util-crypto';
import { vecMaxUpscaleToU16 } from '../../../consensus/index.js';
import { decodeBoolVec, decodeU64Vec, encodePairs, encodeU64Vec, readUint } from '../../storage/scale.js';
import { type CallArg as Arg, type DispatchContext, fail } from '../context.js';
import { bool } from '../../storage/read.js';

/** `set_weights` with subtensor's 13 checks, in its order. */
export function setWeights(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  const uids = (args[1]!.toJSON() as number[]).map(Number);
  const values = (args[2]!.toJSON() as number[]).map(Number);
  const versionKey = args[3]!.toBigInt();
  if (netuid === 0) throw fail(ctx, 'CanNotSetRootNetworkWeights');
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (bool(ctx, 'commitRevealWeightsEnabled', netuid)) throw fail(ctx, 'CommitRevealEnabled');
  applyWeights(ctx, netuid, uids, values, versionKey, true);
}

/**
 * The checks and the write shared by `set_weights` and a CRv2 reveal (subtensor's checks from the second on). The rate limit applies
 * only without commit-reveal: with it, LastUpdate was set at commit time.
 */
export function applyWeights(
  ctx: DispatchContext,
  netuid: number,
  uids: number[],
  values: number[],
  versionKey: bigint,
  rateLimited: boolean,
): void {
  // The hot path of every subnet: storage is read and written as raw SCALE here (see storage/scale.ts).
  const hotkey = ctx.signer;
  const raw = (item: string, ...args: unknown[]) => ctx.storage.raw('subtensorModule', item, ...args);
  const uint = (item: string, ...args: unknown[]) => readUint(raw(item, ...args));
  if (netuid === 0) throw fail(ctx, 'CanNotSetRootNetworkWeights');
  if (uids.length !== values.length) throw fail(ctx, 'WeightVecNotEqualSize');
  const n = Number(uint('subnetworkN', netuid));
  if (uids.length > n) throw fail(ctx, 'UidsLengthExceedUidsInSubNet');
  const uidBytes = ctx.storage.map.get(ctx.storage.key('subtensorModule', 'uids', netuid, hotkey));
  if (!uidBytes) throw fail(ctx, 'HotKeyNotRegisteredInSubNet');
  const uid = Number(readUint(uidBytes));
  // (6) stake threshold: stake below StakeThreshold cannot set weights (the owner is exempt).
  const ownerHotkey = encodeAddress(raw('subnetOwnerHotkey', netuid), 42);
  if (hotkey !== ownerHotkey && uint('totalHotkeyAlpha', hotkey, netuid) < uint('stakeThreshold'))
    throw fail(ctx, 'NotEnoughStakeToSetWeights');
  const required = uint('weightsVersionKey', netuid);
  if (required !== 0n && versionKey < required) throw fail(ctx, 'IncorrectWeightVersionKey');
  const lastUpdate = decodeU64Vec(raw('lastUpdate', netuid));
  const last = Number(lastUpdate[uid] ?? 0n);
  if (rateLimited && last !== 0 && ctx.block - last < Number(uint('weightsSetRateLimit', netuid)))
    throw fail(ctx, 'SettingWeightsTooFast');
  const selfWeight = uids.length === 1 && uids[0] === uid;
  const permits = decodeBoolVec(raw('validatorPermit', netuid));
  if (!selfWeight && hotkey !== ownerHotkey && !permits[uid]) throw fail(ctx, 'NeuronNoValidatorPermit');
  if (new Set(uids).size !== uids.length) throw fail(ctx, 'DuplicateUids');
  if (uids.some((u) => u >= n)) throw fail(ctx, 'UidVecContainInvalidOne');
  if (!selfWeight && uids.length < Math.min(Number(uint('minAllowedWeights', netuid)), n))
    throw fail(ctx, 'WeightVecLengthIsLow');
  const maxLimit = Number(uint('maxWeightsLimit', netuid));
  if (maxLimit !== 65535) {
    const total = values.reduce((a, b) => a + b, 0);
    if (total > 0 && values.some((v) => (v * 65535) / total > maxLimit)) throw fail(ctx, 'MaxWeightExceeded');
  }
  const scaled = vecMaxUpscaleToU16(values);
  ctx.storage.setRaw(
    'subtensorModule',
    'weights',
    [netuid, uid],
    encodePairs(uids.map((u, i) => [u, scaled[i]!] as const)),
  );
  if (rateLimited) {
    while (lastUpdate.length <= uid) lastUpdate.push(0n);
    lastUpdate[uid] = BigInt(ctx.block);
    ctx.storage.setRaw('subtensorModule', 'lastUpdate', [netuid], encodeU64Vec(lastUpdate));
  }
  ctx.deposit({ SubtensorModule: { WeightsSet: [netuid, uid] } });
}
