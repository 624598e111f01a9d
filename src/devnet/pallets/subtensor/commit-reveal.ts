/**
 * CRv2 hash commit-reveal on the devnet (`commit_weights` / `reveal_weights`, as subtensor does them): commits queued per
 * (netuid, hotkey) with their epoch, revealed exactly `RevealPeriodEpochs` epochs later through the set-weights path.
 */
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsHex, decodeAddress } from '@polkadot/util-crypto';
import { applyWeights } from './weights.js';
import { parseTimelockCiphertext, timelockDecrypt } from '../../../timelock/index.js';
import { devnetBeacon } from '../drand-beacon.js';
import { bool, num, uidOf } from '../../storage/read.js';
import { type CallArg as Arg, type DispatchContext, fail } from '../context.js';

const MAX_UNREVEALED = 10;
type Commit = [string, number, number, number];

/** The committing hotkey's uid and the subnet's LastUpdate, once it is registered and not committing too fast. */
function committer(ctx: DispatchContext, netuid: number, hotkey: string): { uid: number; lastUpdate: number[] } {
  const uid = uidOf(ctx, netuid, hotkey);
  if (uid === null) throw fail(ctx, 'HotKeyNotRegisteredInSubNet');
  const lastUpdate = (ctx.storage.get('subtensorModule', 'lastUpdate', netuid).toJSON() as number[]) ?? [];
  const last = Number(lastUpdate[uid] ?? 0);
  if (last !== 0 && ctx.block - last < num(ctx, 'weightsSetRateLimit', netuid))
    throw fail(ctx, 'CommittingWeightsTooFast');
  return { uid, lastUpdate };
}

/** The CRv2 commit hash: BlakeTwo256 of SCALE (hotkey, netuid_index u16, uids, values, salt, version_key u64). */
export function weightCommitHash(
  ctx: Pick<DispatchContext, 'registry'>,
  hotkey: string,
  netuid: number,
  uids: number[],
  values: number[],
  salt: number[],
  versionKey: bigint,
): string {
  const bytes = ctx.registry
    .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
      hotkey,
      netuid,
      uids,
      values,
      salt,
      versionKey,
    ])
    .toU8a();
  return blake2AsHex(bytes, 256);
}

export function commitWeights(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  const hash = args[1]!.toString();
  const hotkey = ctx.signer;
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (!bool(ctx, 'commitRevealWeightsEnabled', netuid)) throw fail(ctx, 'CommitRevealDisabled');
  const { uid, lastUpdate } = committer(ctx, netuid, hotkey);
  const epoch = num(ctx, 'subnetEpochIndex', netuid);
  const period = num(ctx, 'revealPeriodEpochs', netuid);
  // Expired commits fall out of the queue first; the rest count against the limit.
  const queue = (
    (ctx.storage.get('subtensorModule', 'weightCommits', netuid, hotkey).toJSON() as Commit[] | null) ?? []
  ).filter((c) => Number(c[1]) + period >= epoch);
  if (queue.length >= MAX_UNREVEALED) throw fail(ctx, 'TooManyUnrevealedCommits');
  queue.push([hash, epoch, ctx.block, 0]);
  ctx.storage.set('subtensorModule', 'weightCommits', [netuid, hotkey], queue);
  lastUpdate[uid] = ctx.block;
  ctx.storage.set('subtensorModule', 'lastUpdate', [netuid], lastUpdate);
  ctx.deposit({ SubtensorModule: { WeightsCommitted: [hotkey, netuid, hash] } });
}

export function revealWeights(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  const uids = (args[1]!.toJSON() as number[]).map(Number);
  const values = (args[2]!.toJSON() as number[]).map(Number);
  const salt = (args[3]!.toJSON() as number[]).map(Number);
  const versionKey = args[4]!.toBigInt();
  const hotkey = ctx.signer;
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (!bool(ctx, 'commitRevealWeightsEnabled', netuid)) throw fail(ctx, 'CommitRevealDisabled');
  const queue = (ctx.storage.get('subtensorModule', 'weightCommits', netuid, hotkey).toJSON() as Commit[] | null) ?? [];
  if (queue.length === 0) throw fail(ctx, 'NoWeightsCommitFound');
  const hash = weightCommitHash(ctx, hotkey, netuid, uids, values, salt, versionKey);
  const i = queue.findIndex((c) => c[0] === hash);
  if (i < 0) throw fail(ctx, 'InvalidRevealCommitHashNotMatch');
  const epoch = num(ctx, 'subnetEpochIndex', netuid);
  const revealAt = Number(queue[i]![1]) + num(ctx, 'revealPeriodEpochs', netuid);
  if (epoch < revealAt) throw fail(ctx, 'RevealTooEarly');
  if (epoch > revealAt) throw fail(ctx, 'ExpiredWeightCommit');
  queue.splice(i, 1);
  if (queue.length) ctx.storage.set('subtensorModule', 'weightCommits', [netuid, hotkey], queue);
  else ctx.storage.remove('subtensorModule', 'weightCommits', netuid, hotkey);
  applyWeights(ctx, netuid, uids, values, versionKey, false);
  ctx.deposit({ SubtensorModule: { WeightsRevealed: [hotkey, netuid, hash] } });
}

type Queue = [string, number | string, string, number | string][];

/**
 * CRv4 `commit_timelocked_weights` (and its mechanism form, through dispatch's mechanismZero). `commit` is a TLE ciphertext to the devnet's own beacon (see
 * drand-beacon.ts), which the devnet opens itself at the reveal epoch, as subtensor does once drand's pulse for
 * `reveal_round` has arrived; a plaintext SCALE `WeightsTlockPayload` is also taken, for clients that cannot
 * encrypt (docs/devnet.md).
 */
export function commitTimelocked(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  const commit = args[1]!.toHex!();
  const revealRound = args[2]!.toBigInt();
  const version = args[3]!.toNumber();
  const hotkey = ctx.signer;
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (!bool(ctx, 'commitRevealWeightsEnabled', netuid)) throw fail(ctx, 'CommitRevealDisabled');
  if (version !== num(ctx, 'commitRevealWeightsVersion')) throw fail(ctx, 'IncorrectCommitRevealVersion');
  const { uid, lastUpdate } = committer(ctx, netuid, hotkey);
  const epoch = num(ctx, 'subnetEpochIndex', netuid);
  const queue =
    (ctx.storage.get('subtensorModule', 'timelockedWeightCommits', netuid, epoch).toJSON() as Queue | null) ?? [];
  if (queue.filter((c) => c[0] === hotkey).length >= MAX_UNREVEALED) throw fail(ctx, 'TooManyUnrevealedCommits');
  queue.push([hotkey, ctx.block, commit, revealRound.toString()]);
  ctx.storage.set('subtensorModule', 'timelockedWeightCommits', [netuid, epoch], queue);
  lastUpdate[uid] = ctx.block;
  ctx.storage.set('subtensorModule', 'lastUpdate', [netuid], lastUpdate);
  ctx.deposit({
    SubtensorModule: { TimelockedWeightsCommitted: [hotkey, netuid, blake2AsHex(commit, 256), revealRound] },
  });
}

/** The payload of a commit: a TLE ciphertext is opened with the devnet beacon's signature of its round. */
function openCommit(commit: Uint8Array, round: bigint): Uint8Array {
  try {
    parseTimelockCiphertext(commit);
  } catch {
    return commit; // not a ciphertext: the payload in the clear
  }
  return timelockDecrypt(commit, devnetBeacon().sign(round));
}

/**
 * Reveals the timelocked commits of epoch `current − RevealPeriodEpochs` through the set-weights path; a payload that
 * does not decode, names another hotkey, or fails a weights check is dropped, as on subtensor.
 */
export function revealTimelocked(
  ctxFor: (signer: string) => DispatchContext,
  netuid: number,
  currentEpoch: number,
): void {
  const probe = ctxFor('');
  const from = currentEpoch - num(probe, 'revealPeriodEpochs', netuid);
  if (from < 0) return;
  const queue =
    (probe.storage.get('subtensorModule', 'timelockedWeightCommits', netuid, from).toJSON() as Queue | null) ?? [];
  if (queue.length === 0) return;
  probe.storage.remove('subtensorModule', 'timelockedWeightCommits', netuid, from);
  for (const [who, , commit, round] of queue) {
    const ctx = ctxFor(who);
    let payload: Uint8Array;
    try {
      payload = openCommit(hexToU8a(commit), BigInt(round));
    } catch {
      // Encrypted to another beacon: a Python client encrypts to drand quicknet, whose pulses the devnet does not
      // have. The chain would never reveal it either; the operator is told why.
      ctx.notice?.({
        kind: 'timelock-unopened',
        block: ctx.block,
        netuid,
        hotkey: who,
        round: String(round),
        message: `the CRv4 commit of ${who} on subnet ${netuid} (round ${round}) is not encrypted to the devnet's beacon (dev_drandInfo), probably to drand quicknet, and cannot be revealed here; see "Commit-reveal with Python clients" in docs/devnet.md`,
      });
      continue;
    }
    try {
      const [hotkey, uids, values, versionKey] = ctx.registry
        .createType('(Vec<u8>, Vec<u16>, Vec<u16>, u64)', payload)
        .toJSON() as [string, number[], number[], number];
      if (hotkey !== u8aToHex(decodeAddress(who))) continue;
      applyWeights(ctx, netuid, uids, values, BigInt(versionKey), false);
      ctx.deposit({ SubtensorModule: { TimelockedWeightsRevealed: [netuid, who] } });
    } catch {
      // dropped, as subtensor drops a commit it cannot decrypt or apply
    }
  }
}
