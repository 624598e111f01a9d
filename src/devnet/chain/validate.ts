/**
 * Transaction validation as a node's pool does it: decode, then the signer's nonce, the era, the signature over the
 * real signing payload, and whether the fee can be paid. Refusals are {@link InvalidTransaction}s with Substrate's
 * codes and texts.
 */
import type { TypeRegistry } from '@polkadot/types';
import type { Extrinsic } from '@polkadot/types/interfaces';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress, encodeAddress, signatureVerify } from '@polkadot/util-crypto';
import { verifyRaw } from '../../keys/crypto-backend.js';
import { freeOf } from '../storage/read.js';
import type { Storage } from '../storage/storage.js';
import { decodeCall } from './decode-call.js';
import { mortalWindow, parseSigned, type RawExtrinsic, signingPayload } from './extrinsic.js';
import { feeOf } from './fees.js';
import { SPEC_VERSION, TRANSACTION_VERSION } from './runtime.js';
import { type Block, InvalidTransaction, type PoolTx } from './types.js';

/** What validation reads from the chain. */
export interface ValidationView {
  registry: TypeRegistry;
  storage: Storage;
  genesisHash: string;
  blocks: readonly Block[];
  best(): Block;
  /** The transactions in the pool, in order. */
  pending(): readonly PoolTx[];
}

/** The nonce an account has on chain (what its next transaction must carry when none is pooled). */
export function accountNonce(storage: Storage, address: string): number {
  return (storage.get('system', 'account', address) as unknown as { nonce: { toNumber(): number } }).nonce.toNumber();
}

export function createTxValidator(view: ValidationView) {
  // over 80 lines by design: the checks of a transaction (era, nonce, signature, fee, call) share one view of the
  // pool and storage; each check is its own function inside.
  const { registry, storage, genesisHash } = view;
  const pooledBy = (signer: string) => view.pending().filter((p) => p.signer === signer).length;

  function checkNonce(signer: string, nonce: number): void {
    const onChain = accountNonce(storage, signer);
    const current = onChain + pooledBy(signer);
    if (nonce < onChain) throw new InvalidTransaction('Transaction is outdated');
    if (nonce > current) throw new InvalidTransaction('Transaction will be valid in the future');
    if (nonce !== current)
      throw new InvalidTransaction('Priority is too low: a transaction with this nonce is already pending', 1014);
  }

  /** The hash of the block a mortal era was born at (genesis for an immortal one); throws once it has died. */
  function birthHashOf(window: { birth: number; death: number } | null): string {
    if (!window) return genesisHash;
    const now = view.best().number;
    const hash = window.death > now && window.birth <= now ? view.blocks[window.birth]?.hash : undefined;
    if (!hash) throw new InvalidTransaction('Transaction has an ancient birth block');
    return hash;
  }

  function checkCanPay(signer: string, amount: bigint): void {
    if (amount > 0n && freeOf(storage, signer) < amount)
      throw new InvalidTransaction('Inability to pay some fees (e.g. account balance too low)');
  }

  function checkSignature(message: Uint8Array, sigType: number, signature: Uint8Array, signer: string): void {
    // sr25519 (what every bittensor key uses) goes through the WASM verifier; signatureVerify handles ed25519 and
    // ecdsa from the MultiSignature bytes. The scheme that verifies must be the one the MultiSignature declares: an
    // sr25519 signature presented as Ed25519 is a bad proof, as on a node.
    const declared = (['ed25519', 'sr25519', 'ecdsa'] as const)[sigType];
    const ok =
      sigType === 1
        ? verifyRaw(message, signature, decodeAddress(signer))
        : declared !== undefined &&
          (() => {
            const r = signatureVerify(message, new Uint8Array([sigType, ...signature]), signer);
            return r.isValid && r.crypto === declared;
          })();
    if (!ok) throw new InvalidTransaction('Transaction has a bad signature');
  }

  /** The common case, read straight from the bytes: a signed v4 extrinsic with subtensor's extensions. */
  function validateRaw(hex: string, bytes: Uint8Array, raw: RawExtrinsic): PoolTx {
    const signer = encodeAddress(raw.signer, 42);
    checkNonce(signer, raw.nonce);
    const birthHash = birthHashOf(raw.era.length === 2 ? mortalWindow(raw.era, view.best().number) : null);
    checkSignature(
      signingPayload(raw, SPEC_VERSION, TRANSACTION_VERSION, hexToU8a(genesisHash), hexToU8a(birthHash)),
      raw.sigType,
      raw.signature,
      signer,
    );
    const fee = feeOf(bytes.length, raw.call[0]!, raw.call[1]!);
    checkCanPay(signer, fee + raw.tip);
    return {
      hex,
      hash: u8aToHex(raw.hash),
      signer,
      nonce: raw.nonce,
      fee,
      tip: raw.tip,
      call: () => decodeCall(registry, raw.call),
    };
  }

  /** Anything else (other extension sets, other versions) through @polkadot/types. */
  function validateDecoded(hex: string): PoolTx {
    let xt: Extrinsic;
    try {
      xt = registry.createType('Extrinsic', hex);
    } catch (e) {
      throw new InvalidTransaction(`Could not decode the extrinsic: ${(e as Error).message}`, 1002);
    }
    if (!xt.isSigned)
      throw new InvalidTransaction('Transaction has a bad signature: unsigned transactions are not accepted');
    const signer = xt.signer.toString();
    checkNonce(signer, xt.nonce.toNumber());
    const era = xt.era;
    const best = view.best().number;
    const birthHash = birthHashOf(
      era.isMortalEra ? { birth: era.asMortalEra.birth(best), death: era.asMortalEra.death(best) } : null,
    );
    const payload = registry.createType(
      'ExtrinsicPayload',
      {
        method: xt.method.toHex(),
        era: xt.era,
        nonce: xt.nonce,
        tip: xt.tip,
        specVersion: SPEC_VERSION,
        transactionVersion: TRANSACTION_VERSION,
        genesisHash,
        blockHash: birthHash,
        mode: (xt as unknown as { mode?: unknown }).mode ?? 0,
      },
      { version: xt.version & 0x7f },
    );
    let message = payload.toU8a({ method: true });
    if (message.length > 256) message = blake2AsU8a(message);
    const multi = (
      xt as unknown as { inner: { signature: { multiSignature: { index: number; value: { toU8a(): Uint8Array } } } } }
    ).inner.signature.multiSignature;
    checkSignature(message, multi.index, multi.value.toU8a(), signer);
    const fee = feeOf(xt.encodedLength, xt.callIndex[0]!, xt.callIndex[1]!);
    const tip = xt.tip.toBigInt();
    checkCanPay(signer, fee + tip);
    return { hex, hash: xt.hash.toHex(), signer, nonce: xt.nonce.toNumber(), fee, tip, call: () => xt.method };
  }

  return {
    /** Validates like a transaction pool: decodes, checks the signer, nonce, era and signature. */
    validate(hex: string): PoolTx {
      // The very same bytes resubmitted (a client retrying after a dropped socket): Substrate's "Already Imported".
      if (view.pending().some((p) => p.hex === hex)) throw new InvalidTransaction('Transaction Already Imported', 1013);
      const bytes = hexToU8a(hex);
      const raw = parseSigned(bytes);
      return raw ? validateRaw(hex, bytes, raw) : validateDecoded(hex);
    },
    /** The next nonce of an account, counting its transactions in the pool (what `system_accountNextIndex` answers). */
    nextIndex: (address: string): number => accountNonce(storage, address) + pooledBy(address),
  };
}
