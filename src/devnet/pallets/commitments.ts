/**
 * The Commitments pallet on the devnet: `set_commitment(netuid, info)` by a hotkey registered on the subnet, stored as
 * finney stores it (`CommitmentOf`, `LastCommitment`, `UsedSpaceOf`) with its `Commitment` event. A commitment's
 * space is the size of its fields; each hotkey has `MaxSpace` bytes per tempo, as on the chain.
 */
import { type CallArg as Arg, type DispatchContext, moduleError } from './context.js';
import { bool, num, uidOf } from '../storage/read.js';

const fail = (ctx: DispatchContext, name: string) => moduleError(ctx.registry, 'Commitments', name);

/** Bytes a Data field takes: a Raw field its length, a hash 32, None 0. */
function spaceOf(field: Record<string, unknown> | string): number {
  const [kind, value] = typeof field === 'string' ? [field, null] : Object.entries(field)[0]!;
  if (kind === 'none' || kind === 'None') return 0;
  if (/^raw\d+$/i.test(kind)) return (String(value ?? '').length - 2) / 2;
  return 32;
}

export function setCommitment(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  const info = args[1]!.toJSON() as { fields: (Record<string, unknown> | string)[] };
  const who = ctx.signer;
  if (!bool(ctx, 'networksAdded', netuid) || uidOf(ctx, netuid, who) === null)
    throw fail(ctx, 'AccountNotAllowedCommit');
  if (info.fields.length > 3) throw fail(ctx, 'TooManyFieldsInCommitmentInfo');
  const space = info.fields.reduce((n, f) => n + spaceOf(f), 0);
  const tempo = Math.max(1, num(ctx, 'tempo', netuid));
  const epoch = Math.floor(ctx.block / tempo);
  const usage = (ctx.storage.get('commitments', 'usedSpaceOf', netuid, who).toJSON() as {
    lastEpoch: number;
    usedSpace: number;
  } | null) ?? { lastEpoch: epoch, usedSpace: 0 };
  const used = Number(usage.lastEpoch) === epoch ? Number(usage.usedSpace) : 0;
  const max = Number(ctx.storage.get('commitments', 'maxSpace').toString());
  if (used + space > max) throw fail(ctx, 'SpaceLimitExceeded');
  ctx.storage.set('commitments', 'usedSpaceOf', [netuid, who], { lastEpoch: epoch, usedSpace: used + space });
  ctx.storage.set('commitments', 'commitmentOf', [netuid, who], { deposit: 0, block: ctx.block, info });
  ctx.storage.set('commitments', 'lastCommitment', [netuid, who], ctx.block);
  ctx.deposit({ Commitments: { Commitment: { netuid, who } } });
}
