/** The Balances pallet on the devnet: transfers with the existential deposit and keep-alive rules, and their events. */
import type { Storage } from '../storage/storage.js';
import { moduleError, type DispatchContext } from './context.js';

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

function move(ctx: DispatchContext, to: string, amount: bigint, keepAlive: boolean): void {
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

const amountOf = (arg: unknown) => BigInt((arg as { toString(): string }).toString());

/** `transfer_keep_alive(dest, value)` and `transfer_allow_death(dest, value)`. */
export function transfer(ctx: DispatchContext, args: readonly unknown[], keepAlive: boolean): void {
  move(ctx, addressOf(args[0]), amountOf(args[1]), keepAlive);
}

/** `transfer_all(dest, keep_alive)`. */
export function transferAll(ctx: DispatchContext, args: readonly unknown[]): void {
  // Everything free, or everything but the existential deposit with keep_alive.
  const keepAlive = (args[1] as { isTrue: boolean }).isTrue;
  const free = BigInt(account(ctx.storage, ctx.signer).data.free);
  const amount = keepAlive ? free - ED : free;
  move(ctx, addressOf(args[0]), amount > 0n ? amount : 0n, keepAlive);
}
