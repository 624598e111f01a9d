/**
 * Applying one pooled transaction in a block: the nonce and the fee are taken first and stay even when the call
 * fails; the call is dispatched against a storage checkpoint, and a failure undoes its writes and events.
 */
import { dispatch } from '../pallets/dispatch.js';
import { type DispatchContext, DispatchFailure } from '../pallets/context.js';
import type { EventLog } from './event-log.js';
import type { PoolTx } from './types.js';

export function applyExtrinsic(tx: PoolTx, ctx: DispatchContext, events: EventLog): void {
  const { storage, signer } = ctx;
  // AccountInfo starts with the u32 nonce; `free` is the u64 after the four u32 counters.
  const account = new Uint8Array(storage.raw('system', 'account', signer));
  const view = new DataView(account.buffer, account.byteOffset, account.byteLength);
  view.setUint32(0, view.getUint32(0, true) + 1, true);
  // Validation checked the balance, but an earlier transaction of the same block may have spent it since:
  // take what is there rather than wrap the u64 around.
  const free = view.getBigUint64(16, true);
  const charged = tx.fee + tx.tip <= free ? tx.fee + tx.tip : free;
  view.setBigUint64(16, free - charged, true);
  storage.setRaw('system', 'account', [signer], account);
  if (charged > 0n) {
    // Burned: there is no block author.
    const issuance = BigInt(storage.get('balances', 'totalIssuance').toString());
    storage.set('balances', 'totalIssuance', [], issuance - charged);
    ctx.deposit({ Balances: { Withdraw: { who: signer, amount: charged } } });
  }
  const dispatchInfo = { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', paysFee: tx.fee > 0n ? 'Yes' : 'No' };
  const feePaid = { TransactionPayment: { TransactionFeePaid: { who: signer, actualFee: tx.fee, tip: tx.tip } } };
  const mark = events.mark();
  storage.checkpoint();
  try {
    const call = tx.call();
    dispatch(ctx, call.section, call.method, call.args);
    storage.commit();
    ctx.deposit(feePaid);
    ctx.deposit({ System: { ExtrinsicSuccess: { dispatchInfo } } });
  } catch (e) {
    // A failed call changes nothing but the nonce and the fee: undo its writes and events.
    storage.rollback();
    events.rollbackTo(mark);
    const dispatchError = e instanceof DispatchFailure ? e.error : { Other: null };
    ctx.deposit(feePaid);
    ctx.deposit({ System: { ExtrinsicFailed: { dispatchError, dispatchInfo } } });
  }
}
