/**
 * Emission on the devnet, every block: TAO injected into the emitting subnets' pools, each subnet's alpha minted into
 * its pending buckets (owner, miners, validators), and the registration burn decaying. Simplified against finney
 * (docs/devnet.md): no root proportion.
 */
import { blockEmission } from '../../../consensus/index.js';
import type { Storage } from '../../storage/storage.js';
import { big, bool, existingNetuids, num } from '../../storage/read.js';

const OWNER_CUT = 11_796n; // of 65 535, 18 %

/** Whether a subnet receives emission this block: started, with its subtoken enabled. */
function emitting(s: Storage, netuid: number, block: number): boolean {
  const first = s.get('subtensorModule', 'firstEmissionBlockNumber', netuid) as unknown as {
    isSome: boolean;
    unwrap(): { toNumber(): number };
  };
  return first.isSome && block >= first.unwrap().toNumber() && bool(s, 'subtokenEnabled', netuid);
}

/**
 * This block's TAO emission (the halving function of SubtensorModule `TotalIssuance`), split across the emitting
 * subnets in proportion to their price (TAO per alpha in the pool; the devnet's moving price is the spot price) and
 * injected into each pool with alpha at that price, so that injection leaves prices unchanged. Finney caps the alpha
 * injected by the root proportion; the devnet has no root stake, under which that cap would stop all injection, so
 * it is not applied (docs/devnet.md).
 */
export function injectTao(s: Storage, block: number): void {
  const pools: { netuid: number; tao: bigint; alpha: bigint }[] = [];
  for (const netuid of existingNetuids(s, false)) {
    if (!emitting(s, netuid, block)) continue;
    const tao = big(s, 'subnetTAO', netuid);
    const alpha = big(s, 'subnetAlphaIn', netuid);
    if (tao > 0n && alpha > 0n) pools.push({ netuid, tao, alpha });
  }
  if (!pools.length) return;
  const issuance = big(s, 'totalIssuance');
  const emission = blockEmission(issuance);
  if (emission === 0n) return;
  // Shares price_i / Σ price, with price = tao / alpha (float64: the shares only apportion 1 TAO).
  const prices = pools.map((p) => Number(p.tao) / Number(p.alpha));
  const sum = prices.reduce((a, b) => a + b, 0);
  let injected = 0n;
  pools.forEach((p, i) => {
    const taoIn = BigInt(Math.floor((Number(emission) * prices[i]!) / sum));
    const alphaIn = (taoIn * p.alpha) / p.tao;
    s.set('subtensorModule', 'subnetTAO', [p.netuid], p.tao + taoIn);
    s.set('subtensorModule', 'subnetAlphaIn', [p.netuid], p.alpha + alphaIn);
    s.set('subtensorModule', 'subnetTaoInEmission', [p.netuid], taoIn);
    s.set('subtensorModule', 'subnetAlphaInEmission', [p.netuid], alphaIn);
    injected += taoIn;
  });
  s.set('subtensorModule', 'totalIssuance', [], issuance + injected);
}

/** Mints this block's alpha for a started subnet and splits it: 18 % owner, then half miners, half validators. */
export function emitAlpha(s: Storage, netuid: number, block: number): void {
  if (!emitting(s, netuid, block)) return;
  const issuance = big(s, 'subnetAlphaIn', netuid) + big(s, 'subnetAlphaOut', netuid);
  const alphaOut = blockEmission(issuance);
  if (alphaOut === 0n) return;
  const ownerCut = (alphaOut * OWNER_CUT) / 65_535n;
  const rest = alphaOut - ownerCut;
  const server = rest / 2n;
  s.set('subtensorModule', 'subnetAlphaOut', [netuid], big(s, 'subnetAlphaOut', netuid) + alphaOut);
  s.set('subtensorModule', 'subnetAlphaOutEmission', [netuid], alphaOut);
  s.set('subtensorModule', 'pendingOwnerCut', [netuid], big(s, 'pendingOwnerCut', netuid) + ownerCut);
  s.set('subtensorModule', 'pendingServerEmission', [netuid], big(s, 'pendingServerEmission', netuid) + server);
  s.set(
    'subtensorModule',
    'pendingValidatorEmission',
    [netuid],
    big(s, 'pendingValidatorEmission', netuid) + rest - server,
  );
}

/** Burn ← Burn · f each block, with f^BurnHalfLife = ½, within [MinBurn, MaxBurn] (computed in float64, then floored). */
export function decayBurn(s: Storage, netuid: number): void {
  const burn = big(s, 'burn', netuid);
  const halfLife = num(s, 'burnHalfLife', netuid) || 360;
  const next = BigInt(Math.floor(Number(burn) * 0.5 ** (1 / halfLife)));
  const min = big(s, 'minBurn', netuid);
  const max = big(s, 'maxBurn', netuid);
  const clamped = next < min ? min : next > max ? max : next;
  if (clamped !== burn) s.set('subtensorModule', 'burn', [netuid], clamped);
}
